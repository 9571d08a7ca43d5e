"""NetBox: the import files against the fields of NetBox's import forms, and the push
through pynetbox against NetBox's *published* OpenAPI schema.

* ``data/netbox-<v>-openapi-dcim.json``: excerpts of ``contrib/openapi.json`` of NetBox
  4.5.5 and 4.6.6 as the releases hold it (git blob ids checked when the excerpts were
  made; NetBox's dcim API serializers and choices are unchanged from 4.6.6 to 4.6.8).
  Every request body pynetbox sends is validated against the endpoint's published POST
  request schema (closed to unknown fields), every GET query parameter against the
  endpoint's published parameters.
* NetBox's repository holds no recorded responses of these endpoints (its REST API docs
  show illustrative, partly outdated excerpts), so the stand-in server answers
  with objects built from the published response schemas (a related id as its brief
  object, a choice as value and label) and every answer is itself validated against the
  published POST/GET response schema before pynetbox sees it.
* ``data/netbox-4.6.8-import-forms.json``: the fields of NetBox 4.6.8's import forms,
  parsed from ``netbox/dcim/forms/bulk_import.py`` and ``object_import.py``.

Both made by ``tests/integrations/netbox_sources.py``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from mpokit.integrations import Plant
from mpokit.integrations.netbox import NetboxDialect, PynetboxApi, netbox_files, write_netbox
from mpokit.integrations.push import PushError, push
from mpokit.integrations.records import BREAKOUT_PROFILES

from .netbox_sources import PublishedNetbox, form_fields

requests = pytest.importorskip("requests")
jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("pynetbox")

DATA = Path(__file__).parent / "data"
VERSIONS = ("4.5.5", "4.6.6")
FORMS = json.loads((DATA / "netbox-4.6.8-import-forms.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=VERSIONS)
def netbox(request: pytest.FixtureRequest) -> PublishedNetbox:
    return PublishedNetbox(DATA / f"netbox-{request.param}-openapi-dcim.json")


def _accepts(form: str) -> set[str]:
    f = FORMS["forms"][form]
    return set(f["meta"]) | set(f["declared"])


CSV_FORMS = {"01-sites.csv": "SiteImportForm", "02-racks.csv": "RackImportForm",
             "03-manufacturers.csv": "ManufacturerImportForm",
             "04-device-roles.csv": "DeviceRoleImportForm",
             "06-devices.csv": "DeviceImportForm", "07-cables.csv": "CableImportForm"}
YAML_FORMS = {"interfaces": "InterfaceTemplateImportForm",
              "rear-ports": "RearPortTemplateImportForm",
              "front-ports": "FrontPortTemplateImportForm",
              "port-mappings": "PortTemplateMappingImportForm"}


def test_forms_fixture_is_what_the_parser_reads() -> None:
    src = ("class CableImportForm(PrimaryModelImportForm):\n"
           "    side_a_name = forms.CharField(label=_('x'))\n"
           "    def clean(self):\n        pass\n"
           "    class Meta:\n        model = Cable\n"
           "        fields = ['side_a_name', 'label']\n")
    assert form_fields(src) == {"CableImportForm": {"meta": ["side_a_name", "label"],
                                                    "declared": ["side_a_name"]}}
    assert FORMS["_source"]["files"]["netbox/dcim/forms/bulk_import.py"] == (
        "af38ff6fb2e2621b1a46103eea97f585e8009a8a")  # git rev-parse v4.6.8:<path>
    assert {"side_a_device", "side_a_type", "side_a_name", "profile"} <= _accepts(
        "CableImportForm")


def test_import_files_use_netboxs_import_fields(tiny: Plant) -> None:
    files = netbox_files(tiny)
    for name, form in CSV_FORMS.items():
        header = next(csv.reader(io.StringIO(files[name])))
        assert set(header) <= _accepts(form), (name, set(header) - _accepts(form))
    cables = list(csv.DictReader(io.StringIO(files["07-cables.csv"])))
    assert len(cables) == 32
    leg = next(r for r in cables if r["label"].endswith("leg 3/8"))
    assert (leg["side_a_type"], leg["side_a_device"], leg["side_a_name"]) == (
        "dcim.rearport", "1B01-PP01", "R03")
    assert {r["type"] for r in cables} == {"mmf-om4"}
    docs = list(yaml.safe_load_all(files["05-device-types.yaml"]))
    type_keys = _accepts("DeviceTypeImportForm") | set(YAML_FORMS)
    assert all(set(d) <= type_keys for d in docs)
    for d in docs:
        for key, form in YAML_FORMS.items():
            for item in d.get(key, []):
                assert set(item) <= _accepts(form), (key, set(item) - _accepts(form))
    panel = next(d for d in docs if d["model"].startswith("mpokit-panel"))
    assert panel["port-mappings"][4] == {"front_port": "F05", "front_port_position": 1,
                                         "rear_port": "R05", "rear_port_position": 1}
    assert {p["type"] for p in panel["front-ports"]} == {"mpo"}


def _enum(netbox: PublishedNetbox, schema: str, field: str) -> set[Any]:
    prop = netbox.schema(schema)["properties"][field]
    return set(prop.get("enum") or prop["anyOf"][1]["enum"])


def test_import_file_values_are_published_choices(tiny: Plant,
                                                  netbox: PublishedNetbox) -> None:
    files = netbox_files(tiny)
    rows = {n: list(csv.DictReader(io.StringIO(files[n]))) for n in CSV_FORMS}
    cable_types = {r["type"] for r in rows["07-cables.csv"]}
    assert cable_types <= _enum(netbox, "WritableCableRequest", "type")
    assert {r["status"] for r in rows["07-cables.csv"]} <= _enum(
        netbox, "WritableCableRequest", "status")
    assert {r["profile"] for r in rows["07-cables.csv"]} <= _enum(
        netbox, "WritableCableRequest", "profile") | {""}
    assert {r["length_unit"] for r in rows["07-cables.csv"]} <= _enum(
        netbox, "WritableCableRequest", "length_unit")
    assert {r["face"] for r in rows["06-devices.csv"]} <= _enum(
        netbox, "WritableDeviceWithConfigContextRequest", "face")
    assert {r["status"] for r in rows["02-racks.csv"]} <= _enum(
        netbox, "WritableRackRequest", "status")
    docs = list(yaml.safe_load_all(files["05-device-types.yaml"]))
    for key, schema in (("front-ports", "WritableFrontPortTemplateRequest"),
                        ("rear-ports", "WritableRearPortTemplateRequest"),
                        ("interfaces", "WritableInterfaceTemplateRequest")):
        used = {p["type"] for d in docs for p in d.get(key, [])}
        assert used and used <= _enum(netbox, schema, "type"), (key, used)


def test_write_netbox_writes_all_files(tiny: Plant, tmp_path: Path) -> None:
    out = write_netbox(tiny, tmp_path / "nb")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        netbox_files(tiny))


class FakeNetbox(requests.adapters.BaseAdapter):  # type: ignore[misc]
    """Answers pynetbox as the published schema shapes NetBox's answers; keeps objects.

    Every POST body is checked against the endpoint's published request schema (a
    failing body gets NetBox's 400), every query parameter against its published GET
    parameters, and every answer against the published response schema.
    """

    def __init__(self, netbox: PublishedNetbox) -> None:
        super().__init__()
        self.netbox = netbox
        self.objects: dict[str, list[dict[str, Any]]] = {}
        self.next_id = 1
        self.invalid: list[str] = []
        self.bad_answers: list[str] = []
        self.unknown_params: set[str] = set()
        self.posts: list[str] = []
        self.token_ok = True

    def _answer(self, request: Any, status: int, body: Any) -> Any:
        resp = requests.Response()
        resp.request, resp.url = request, request.url
        resp.headers["Content-Type"] = "application/json"
        resp.headers["API-Version"] = self.netbox.source["netbox_version"].rsplit(".", 1)[0]
        resp.status_code, resp._content = status, json.dumps(body).encode()
        return resp

    def send(self, request: Any, **kw: Any) -> Any:
        url = urlparse(request.url)
        ep = url.path.removeprefix("/api/").strip("/")
        if not self.token_ok:
            return self._answer(request, 403, {"detail": "Invalid v1 token"})
        if request.method == "GET" and not ep:  # the API root: pynetbox reads the version
            return self._answer(request, 200, {"dcim": "http://netbox.test/api/dcim/"})
        if request.method == "GET":
            q = parse_qs(url.query)
            self.unknown_params |= set(q) - set(self.netbox.paths[ep]["get_parameters"])
            objs = self.objects.get(ep, [])
            if "name" in q:
                objs = [o for o in objs if str(o.get("name")) in q["name"]]
            page = {"count": len(objs), "next": None, "previous": None, "results": objs}
            self.bad_answers += self.netbox.response_errors(ep, "get_response", page)
            return self._answer(request, 200, page)
        self.posts.append(ep)
        bodies = json.loads(request.body)
        errors = self.netbox.request_errors(ep, bodies)
        if errors:
            self.invalid.append(f"{ep}: {errors[0]}")
            return self._answer(request, 400, [{"__all__": errors}])
        made = []
        for b in bodies if isinstance(bodies, list) else [bodies]:
            obj = self.netbox.response(ep, {**b, "id": self.next_id},
                                       f"http://netbox.test/api/{ep}/{self.next_id}/")
            self.next_id += 1
            for t in obj.get("a_terminations", []) + obj.get("b_terminations", []):
                t["object"] = self._brief(t["object_type"], t["object_id"])
            self.bad_answers += self.netbox.response_errors(ep, "post_response", obj)
            made.append(obj)
        self.objects.setdefault(ep, []).extend(made)
        return self._answer(request, 201, made)

    def _brief(self, object_type: str, object_id: int) -> dict[str, Any] | None:
        """The terminated port as NetBox nests it in a cable's ``*_terminations`` (the
        published schema leaves ``object`` untyped; NetBox and pynetbox use its id)."""
        ep = {"dcim.interface": "dcim/interfaces", "dcim.frontport": "dcim/front-ports",
              "dcim.rearport": "dcim/rear-ports"}[object_type]
        port = next((o for o in self.objects.get(ep, []) if o["id"] == object_id), None)
        return None if port is None else {k: port[k] for k in (
            "id", "url", "display", "device", "name") if k in port}

    def close(self) -> None:
        pass


def _api(fake: FakeNetbox) -> PynetboxApi:
    session = requests.Session()
    session.mount("http://netbox.test", fake)
    return PynetboxApi("http://netbox.test", "0123456789abcdef", session=session)


def test_every_request_matches_netbox_schema_and_push_is_idempotent(
        tiny: Plant, netbox: PublishedNetbox) -> None:
    fake = FakeNetbox(netbox)
    report = push(tiny, _api(fake), NetboxDialect())
    assert fake.invalid == [] and fake.bad_answers == [] and fake.unknown_params == set()
    assert report.created["device"] == 9 and report.created["cable"] == 32
    assert report.created["front port template"] == 8  # one panel type, 8 adapters
    assert set(fake.posts) >= {"dcim/sites", "dcim/racks", "dcim/device-types",
                               "dcim/front-port-templates", "dcim/devices", "dcim/cables"}
    tmpl = fake.objects["dcim/front-port-templates"][0]
    rear = next(r for r in fake.objects["dcim/rear-port-templates"]
                if r["id"] == tmpl["rear_ports"][0]["rear_port"])
    assert (tmpl["name"], rear["name"], tmpl["rear_ports"][0]["rear_port_position"]) == (
        "F01", "R01", 1)
    n = len(fake.posts)
    again = push(tiny, _api(fake), NetboxDialect())
    assert again.n_created == 0 and not again.conflicts and len(fake.posts) == n
    assert fake.bad_answers == []
    cable = fake.objects["dcim/cables"][0]
    assert cable["status"] == {"value": "connected", "label": "Connected"}
    assert cable["a_terminations"][0]["object_type"] in {
        "dcim.interface", "dcim.frontport", "dcim.rearport"}


def test_published_schema_rejects_what_netbox_would_refuse_or_drop(
        netbox: PublishedNetbox) -> None:
    good = {"a_terminations": [{"object_type": "dcim.interface", "object_id": 1}],
            "b_terminations": [{"object_type": "dcim.interface", "object_id": 2}],
            "status": "connected", "length": 3.0, "length_unit": "m"}
    assert netbox.request_errors("dcim/cables", [good]) == []
    assert netbox.request_errors("dcim/cables", [{**good, "lenght": 3}])  # dropped silently
    assert netbox.request_errors("dcim/cables", [{**good, "status": "active"}])
    assert netbox.request_errors("dcim/racks", [{"name": "1B01", "site": 1,
                                                 "u_height": 101}])  # published max 100
    assert netbox.request_errors("dcim/device-types", [{"model": "m", "slug": "m"}])
    bad = netbox.response("dcim/cables", {"id": 1, "status": "connected"}, "http://x/")
    assert netbox.response_errors("dcim/cables", "post_response", bad) == []
    assert netbox.response_errors("dcim/cables", "post_response",
                                  {**bad, "status": "connected"})  # not value+label


def test_netbox_refusal_names_the_object(tiny: Plant) -> None:
    fake = FakeNetbox(PublishedNetbox(DATA / "netbox-4.6.6-openapi-dcim.json"))
    fake.token_ok = False
    with pytest.raises(PushError, match=r"NetBox refused the token \(HTTP 403\)"):
        push(tiny, _api(fake), NetboxDialect())


def test_cassette_panel_push_matches_netbox_schema(halls_plan, netbox: PublishedNetbox  # type: ignore[no-untyped-def]
                                                   ) -> None:
    """Two duplex links through one MPO-LC cassette pair: LC fronts on rear positions."""
    from mpokit.integrations import Plant, PortRef, plant_from_plan

    full = plant_from_plan(halls_plan)
    paths = [full.trace(PortRef("leaf09", p, "interface"))[0] for p in ("33", "35")]
    labels = {h.cable for path in paths for h in path}
    cables = tuple(c for c in full.cables if c.label in labels)
    used = {p.device for c in cables for p in (*c.a, *c.b)}
    part = Plant(full.site, full.device_types, tuple(d for d in full.devices if d.name in used),
                 cables, full.rack_units)
    fake = FakeNetbox(netbox)
    report = push(part, _api(fake), NetboxDialect())
    assert fake.invalid == [] and fake.bad_answers == [] and fake.unknown_params == set()
    assert report.created["cable"] == 5  # 4 LC cords, 1 trunk leg: both on cassette 01
    rear = {o["id"]: o for o in fake.objects["dcim/rear-ports"]}
    fronts = {(o["device"]["id"], o["name"]): o for o in fake.objects["dcim/front-ports"]}
    f3 = next(o for (_d, n), o in fronts.items() if n == "F01-3")
    (m,) = f3["rear_ports"]
    assert f3["type"]["value"] == "lc" and m["rear_port_position"] == 3
    assert rear[m["rear_port"]]["positions"] == 6 and rear[m["rear_port"]]["name"] == "R01"


def test_breakout_harness_is_one_cable_with_a_breakout_profile(netbox: PublishedNetbox
                                                               ) -> None:
    """NetBox 4.5+ records a harness from one switch port to two NIC ports as one cable
    whose profile says so (1 connector of 2 positions : 2 connectors of 1 position); the
    import files, which hold one port per cable end, still refuse it."""
    from mpokit.errors import InputError
    from mpokit.integrations import plant_from_plan
    from mpokit.plan import ClusterSpec, make_plan

    plant = plant_from_plan(make_plan(ClusterSpec.model_validate({
        "cluster": {"name": "brk", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
        "fabric": {"scalable_unit": 4,
                   "switch": {"ports": 8, "port_speed_gbps": 800, "cages": 8}}})))
    harness = [c for c in plant.cables if len(c.b) == 2]
    assert len(harness) == 4
    fake = FakeNetbox(netbox)
    api = _api(fake)
    version = api.version
    assert version == tuple(int(x) for x in netbox.source["netbox_version"].split(".")[:2])
    published = {e for e in _enum(netbox, "WritableCableRequest", "profile")
                 if e.startswith("breakout-1c")}
    # mpokit's table of which release has which profile, against the published schemas
    assert published == {p for p, since in BREAKOUT_PROFILES.values() if version >= since}
    if version < BREAKOUT_PROFILES[2][1]:  # 4.5: no 1:2 profile; refused before writing
        with pytest.raises(InputError, match=r"1:2 breakout harness.*NetBox 4\.5 does not "
                                             r"have \(since 4\.6\)"):
            push(plant, api, NetboxDialect(version))
        assert fake.posts == []
        return
    report = push(plant, api, NetboxDialect(version))
    assert fake.invalid == [] and fake.bad_answers == [] and fake.unknown_params == set()
    assert report.created["cable"] == len(plant.cables)
    made = {o["label"]: o for o in fake.objects["dcim/cables"]}
    one = made[harness[0].label]
    assert one["profile"]["value"] == "breakout-1c2p-2c1p"
    assert len(one["a_terminations"]) == 1 and len(one["b_terminations"]) == 2
    nics = {(t["object"]["device"]["id"], t["object"]["name"]) for t in one["b_terminations"]}
    devs = {o["id"]: o["name"] for o in fake.objects["dcim/devices"]}
    assert {(devs[d], n) for d, n in nics} == {(p.device, p.name) for p in harness[0].b}
    again = push(plant, _api(fake), NetboxDialect(version))
    assert again.n_created == 0 and not again.conflicts
    with pytest.raises(InputError, match="breakout harness"):
        netbox_files(plant)


def test_device_heights_reach_netbox_and_fit_the_racks(tall: Plant,
                                                       netbox: PublishedNetbox) -> None:
    """8-RU nodes and 2-RU spines: each device type posted with its height, and no two
    devices of a rack posted onto one rack unit (NetBox refuses an occupied unit)."""
    fake = FakeNetbox(netbox)
    push(tall, _api(fake), NetboxDialect())
    assert fake.invalid == [] and fake.bad_answers == []
    heights = {t["model"]: float(t["u_height"]) for t in fake.objects["dcim/device-types"]}
    assert heights == {t.model: t.u_height for t in tall.device_types}
    assert {8.0, 2.0, 1.0} <= set(heights.values())
    racks = {r["id"]: r for r in fake.objects["dcim/racks"]}
    types = {t["id"]: float(t["u_height"]) for t in fake.objects["dcim/device-types"]}
    taken: dict[tuple[int, int], str] = {}
    for d in fake.objects["dcim/devices"]:
        rack = d["rack"]["id"] if isinstance(d["rack"], dict) else d["rack"]
        dt = d["device_type"]["id"] if isinstance(d["device_type"], dict) else d["device_type"]
        lo = int(float(d["position"]))
        for u in range(lo, lo + int(types[dt])):
            assert u <= racks[rack]["u_height"] and (rack, u) not in taken, d["name"]
            taken[(rack, u)] = d["name"]
    assert len(fake.objects["dcim/devices"]) == len(tall.devices)
