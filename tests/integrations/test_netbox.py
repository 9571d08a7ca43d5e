"""NetBox: import files against NetBox's import forms, and the push through pynetbox with
every request body validated against the request schemas of NetBox 4.6.8's REST API
(data/netbox-4.6.8-requests.json, its source noted inside), answered by a stand-in
server that returns objects shaped like NetBox's serializers (requests transport
adapter under pynetbox's session)."""

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

requests = pytest.importorskip("requests")
jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("pynetbox")

SCHEMAS = json.loads((Path(__file__).parent / "data" / "netbox-4.6.8-requests.json")
                     .read_text(encoding="utf-8"))["schemas"]

# NetBox 4.6.8 import forms (netbox/dcim/forms/bulk_import.py, Meta.fields)
IMPORT_FIELDS = {
    "01-sites.csv": {"name", "slug", "status", "region", "group", "facility", "time_zone",
                     "description", "physical_address", "shipping_address", "latitude",
                     "longitude", "owner", "comments", "tags", "tenant"},
    "02-racks.csv": {"site", "location", "name", "facility_id", "tenant", "status", "role",
                     "rack_type", "form_factor", "serial", "asset_tag", "width", "u_height",
                     "desc_units", "outer_width", "outer_height", "outer_depth", "outer_unit",
                     "mounting_depth", "airflow", "weight", "max_weight", "weight_unit",
                     "description", "owner", "comments", "tags", "starting_unit"},
    "03-manufacturers.csv": {"name", "slug", "description", "owner", "comments", "tags"},
    "04-device-roles.csv": {"name", "slug", "parent", "color", "vm_role", "config_template",
                            "description", "owner", "comments", "tags"},
    "06-devices.csv": {"name", "role", "tenant", "manufacturer", "device_type", "platform",
                       "serial", "asset_tag", "status", "site", "location", "rack",
                       "position", "face", "latitude", "longitude", "parent", "device_bay",
                       "airflow", "virtual_chassis", "vc_position", "vc_priority", "cluster",
                       "description", "config_template", "owner", "comments", "tags"},
    "07-cables.csv": {"side_a_site", "side_a_device", "side_a_power_panel", "side_a_type",
                      "side_a_name", "side_b_site", "side_b_device", "side_b_power_panel",
                      "side_b_type", "side_b_name", "type", "status", "profile", "tenant",
                      "bundle", "label", "color", "length", "length_unit", "description",
                      "owner", "comments", "tags"},
}
# device-type YAML import: DeviceTypeImportForm fields + component sections (views.py)
DEVICE_TYPE_KEYS = {"manufacturer", "default_platform", "model", "slug", "part_number",
                    "u_height", "exclude_from_utilization", "is_full_depth", "subdevice_role",
                    "airflow", "description", "weight", "weight_unit", "comments", "tags",
                    "interfaces", "rear-ports", "front-ports", "port-mappings"}


def test_import_files_use_netboxs_import_fields(tiny: Plant) -> None:
    files = netbox_files(tiny)
    for name, allowed in IMPORT_FIELDS.items():
        header = next(csv.reader(io.StringIO(files[name])))
        assert set(header) <= allowed, (name, set(header) - allowed)
    cables = list(csv.DictReader(io.StringIO(files["07-cables.csv"])))
    assert len(cables) == 32
    leg = next(r for r in cables if r["label"].endswith("leg 3/8"))
    assert (leg["side_a_type"], leg["side_a_device"], leg["side_a_name"]) == (
        "dcim.rearport", "1B01-PP01", "R03")
    assert {r["type"] for r in cables} == {"mmf-om4"}
    docs = list(yaml.safe_load_all(files["05-device-types.yaml"]))
    assert all(set(d) <= DEVICE_TYPE_KEYS for d in docs)
    panel = next(d for d in docs if d["model"].startswith("mpokit-panel"))
    assert panel["port-mappings"][4] == {"front_port": "F05", "front_port_position": 1,
                                         "rear_port": "R05", "rear_port_position": 1}
    assert {p["type"] for p in panel["front-ports"]} == {"mpo"}


def test_write_netbox_writes_all_files(tiny: Plant, tmp_path: Path) -> None:
    out = write_netbox(tiny, tmp_path / "nb")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        netbox_files(tiny))


class FakeNetbox(requests.adapters.BaseAdapter):  # type: ignore[misc]
    """Answers pynetbox like NetBox 4.6: validates POST bodies, keeps the objects."""

    FK = frozenset({"site", "rack", "manufacturer", "device_type", "role", "device"})

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, list[dict[str, Any]]] = {}
        self.next_id = 1
        self.invalid: list[str] = []
        self.posts: list[str] = []
        self.token_ok = True

    def _shape(self, ep: str, body: dict[str, Any]) -> dict[str, Any]:
        obj = {"id": self.next_id, "url": f"http://netbox.test/api/{ep}/{self.next_id}/",
               "display": str(body.get("name") or body.get("model") or body.get("label"))}
        self.next_id += 1
        for k, v in body.items():
            obj[k] = {"id": v, "url": f"http://netbox.test/api/x/{v}/"} if (
                k in self.FK and isinstance(v, int)) else v
        if ep == "dcim/cables":
            for side in ("a", "b"):
                obj[f"{side}_terminations"] = [{**t, "object": {"id": t["object_id"]}}
                                               for t in body[f"{side}_terminations"]]
        return obj

    def send(self, request: Any, **kw: Any) -> Any:
        url = urlparse(request.url)
        ep = url.path.removeprefix("/api/").strip("/")
        resp = requests.Response()
        resp.request, resp.url = request, request.url
        resp.headers["Content-Type"] = "application/json"
        resp.headers["API-Version"] = "4.6"
        if not self.token_ok:
            resp.status_code, resp._content = 403, b'{"detail": "Invalid v1 token"}'
            return resp
        if request.method == "GET":
            objs = self.objects.get(ep, [])
            q = parse_qs(url.query)
            if "name" in q:
                objs = [o for o in objs if str(o.get("name")) in q["name"]]
            resp.status_code = 200
            resp._content = json.dumps({"count": len(objs), "next": None, "previous": None,
                                        "results": objs}).encode()
            return resp
        self.posts.append(ep)
        bodies = json.loads(request.body)
        for b in bodies if isinstance(bodies, list) else [bodies]:
            errors = [e.message for e in jsonschema.Draft202012Validator(SCHEMAS[ep])
                      .iter_errors(b)]
            if errors:
                self.invalid.append(f"{ep}: {errors[0]}")
                resp.status_code = 400
                resp._content = json.dumps([{"__all__": errors}]).encode()
                return resp
        made = [self._shape(ep, b) for b in bodies]
        self.objects.setdefault(ep, []).extend(made)
        resp.status_code, resp._content = 201, json.dumps(made).encode()
        return resp

    def close(self) -> None:
        pass


def _api(fake: FakeNetbox) -> PynetboxApi:
    session = requests.Session()
    session.mount("http://netbox.test", fake)
    return PynetboxApi("http://netbox.test", "0123456789abcdef", session=session)


def test_every_request_matches_netbox_schema_and_push_is_idempotent(tiny: Plant) -> None:
    fake = FakeNetbox()
    report = push(tiny, _api(fake), NetboxDialect())
    assert fake.invalid == []
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


def test_schema_excerpt_rejects_a_misspelled_field() -> None:
    v = jsonschema.Draft202012Validator(SCHEMAS["dcim/cables"])
    good = {"a_terminations": [{"object_type": "dcim.interface", "object_id": 1}],
            "b_terminations": [{"object_type": "dcim.interface", "object_id": 2}],
            "status": "connected", "length": 3.0, "length_unit": "m"}
    assert not list(v.iter_errors(good))
    assert list(v.iter_errors({**good, "lenght": 3}))  # DRF would ignore it silently
    assert list(v.iter_errors({**good, "status": "active"}))  # not a cable status


def test_netbox_refusal_names_the_object(tiny: Plant) -> None:
    fake = FakeNetbox()
    fake.token_ok = False
    with pytest.raises(PushError, match=r"NetBox refused the token \(HTTP 403\)"):
        push(tiny, _api(fake), NetboxDialect())
