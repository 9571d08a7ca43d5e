"""Cassette panels in the inventory exports: a duplex cord lands on one front port of an
MPO-LC cassette, which maps to a position of the cassette's rear MPO port; the trunk leg
between two cassettes carries the position across; the trace reaches the designed far end.

The cut sheet names the cassette a cord lands on but not its front port; the plant numbers
the cords of one cassette in cut-sheet order, and these tests hold that numbering to the
planner's own: every duplex channel design names its cassette port."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from mpokit.errors import InputError
from mpokit.integrations import Plant, PortRef, load_plant, plant_from_plan
from mpokit.integrations.nautobot import nautobot_csvs
from mpokit.integrations.netbox import netbox_files
from mpokit.integrations.push import push
from mpokit.integrations.records import inventory, panel_ports

from .test_plant import ROW, _write


@pytest.fixture(scope="module")
def halls(halls_plan) -> Plant:  # type: ignore[no-untyped-def]
    return plant_from_plan(halls_plan)


def _duplex_channels(plan):  # type: ignore[no-untyped-def]
    """(a device, a port, b device, b port, cassette port) of every duplex channel."""
    names = plan.fabric.names(range(plan.fabric.n_devices))
    for d in plan.cabling.designs:
        cas = [body for kind, body, _slot in d.elements if kind == "cassette"]
        if not cas:
            continue
        for a, ap, b, bp in zip(d.a_dev, d.a_dport, d.b_dev, d.b_dport, strict=True):
            yield str(names[a]), str(ap), str(names[b]), str(bp), int(cas[0]["port"])


def test_every_duplex_channel_traces_through_its_designed_cassette_ports(
        halls_plan, halls: Plant) -> None:  # type: ignore[no-untyped-def]
    channels = list(_duplex_channels(halls_plan))
    assert len(channels) == 768
    assert {c[4] for c in channels} == set(range(1, 7))  # all six ports of the cassettes
    for a, ap, b, bp, port in channels:
        (path,) = halls.trace(PortRef(a, ap, "interface"))
        assert path[-1].far == PortRef(b, bp, "interface"), (a, ap)
        cord_a, leg, cord_b = path
        assert cord_a.far.kind == "front" and cord_a.far.name.endswith(f"-{port}")
        assert leg.near.kind == leg.far.kind == "rear" and leg.position == port
        assert cord_b.near.kind == "front" and cord_b.near.name.endswith(f"-{port}")
    # every planned channel is a link, the duplex ones included
    assert len(halls.links()) == sum(d.n_channels for d in halls_plan.cabling.designs)


def test_folder_and_memory_give_the_same_cassette_plant(halls: Plant, halls_dir: Path) -> None:
    folder = load_plant(halls_dir)
    assert folder.device_types == halls.device_types and folder.cables == halls.cables
    cas = next(t for t in halls.device_types if t.front_port_type == "LC")
    assert cas.model == "mpokit-cassette-panel-MPO-12-6LC-4-1u"
    assert cas.front_ports[:7] == (("F01-1", "R01", 1), ("F01-2", "R01", 2),
                                   ("F01-3", "R01", 3), ("F01-4", "R01", 4),
                                   ("F01-5", "R01", 5), ("F01-6", "R01", 6),
                                   ("F02-1", "R02", 1))
    assert all(n == 6 for _r, n in cas.rear_ports)


def test_cassette_cord_without_a_cassette_model_is_refused(halls_dir: Path,
                                                           tmp_path: Path) -> None:
    import shutil

    d = tmp_path / "nobom"
    shutil.copytree(halls_dir, d)
    (d / "bom.csv").unlink()
    with pytest.raises(InputError) as exc:
        load_plant(d)
    msg = str(exc.value)
    assert "LC cord lands on cassette" in msg and "names no cassette model" in msg
    assert "cutsheet.parquet" in msg


def test_more_cords_than_cassette_ports_is_refused() -> None:
    cord = {**ROW, "connector": "LC", "part": "LC cord", "b_device": "", "b_port": "PP01-01"}
    rows = [{**cord, "cable_id": k, "label": f"c{k}", "a_port": str(k)} for k in range(1, 4)]
    Plant.from_cutsheet(rows[:2], cassette_ports=2)  # two cords, two ports: fine
    with pytest.raises(InputError, match="cassette 01 of 1B01-PP01 gets a 3th cord but has "
                                         "2 front ports"):
        Plant.from_cutsheet(rows, cassette_ports=2)


def test_trunk_range_over_several_panels(tmp_path: Path) -> None:
    # 10 legs from PP01-03 to PP03-02: panels of 5 adapters (3 + 5 + 2)
    trunk = {**ROW, "kind": "trunk", "legs": 10, "a_device": "", "a_port": "PP01-03..PP03-02",
             "b_device": "", "b_port": "PP05-01..10", "b_rack": "1A01", "b_ru": 48}
    plant = load_plant(_write(tmp_path / "p", [trunk]))
    assert [(c.a[0].device, c.a[0].name) for c in plant.cables] == [
        ("1B02-PP01", "R03"), ("1B02-PP01", "R04"), ("1B02-PP01", "R05"),
        ("1B02-PP02", "R01"), ("1B02-PP02", "R02"), ("1B02-PP02", "R03"),
        ("1B02-PP02", "R04"), ("1B02-PP02", "R05"), ("1B02-PP03", "R01"),
        ("1B02-PP03", "R02")]
    with pytest.raises(InputError, match="does not fit 9 legs on panels of equal size"):
        load_plant(_write(tmp_path / "q", [{**trunk, "legs": 9, "b_port": "PP05-01..09"}]))


def test_netbox_and_nautobot_csvs_map_lc_fronts_to_rear_positions(halls: Plant) -> None:
    nb = netbox_files(halls)
    doc = next(d for d in yaml.safe_load_all(nb["05-device-types.yaml"])
               if d["model"].startswith("mpokit-cassette-panel"))
    assert {p["type"] for p in doc["front-ports"]} == {"lc"}
    assert {p["type"] for p in doc["rear-ports"]} == {"mpo"}
    assert {p["positions"] for p in doc["rear-ports"]} == {6}
    assert doc["port-mappings"][2] == {"front_port": "F01-3", "front_port_position": 1,
                                       "rear_port": "R01", "rear_port_position": 3}
    cables = list(csv.DictReader(io.StringIO(nb["07-cables.csv"])))
    lc = [r for r in cables if r["side_b_type"] == "dcim.frontport"
          and "-" in r["side_b_name"]]
    assert len(lc) == 768  # the A-side duplex cords, each on its own cassette port
    nt = nautobot_csvs(halls)
    fronts = list(csv.DictReader(io.StringIO(nt["09-front-port-templates.csv"])))
    f = next(r for r in fronts if r["name"] == "F01-3"
             and r["device_type__model"].startswith("mpokit-cassette"))
    assert (f["type"], f["rear_port_template__name"], f["rear_port_position"]) == (
        "lc", "R01", "3")


def test_push_bodies_give_each_front_port_its_rear_position(halls: Plant) -> None:
    ports = panel_ports(inventory(halls))
    fp = ports[PortRef("3A05-PP01", "F01-3", "front")]
    assert (fp.type, fp.rear, fp.rear_position) == ("lc", PortRef("3A05-PP01", "R01", "rear"), 3)
    assert ports[PortRef("3A05-PP01", "R01", "rear")].positions == 6
    mpo = [p for r, p in ports.items() if r.kind == "front" and p.type == "mpo"]
    assert mpo and all(p.rear_position == 1 and p.rear is not None for p in mpo)


def test_nautobot_push_puts_each_lc_port_on_its_rear_position(halls: Plant) -> None:
    from mpokit.integrations.nautobot import NautobotDialect

    from .test_push import FakeServer, _api

    paths = [halls.trace(PortRef("leaf09", p, "interface"))[0] for p in ("33", "35")]
    labels = {h.cable for path in paths for h in path}
    cables = tuple(c for c in halls.cables if c.label in labels)
    used = {p.device for c in cables for p in (*c.a, *c.b)}
    part = Plant(halls.site, halls.device_types,
                 tuple(d for d in halls.devices if d.name in used), cables, halls.rack_units)
    srv = FakeServer()
    report = push(part, _api(srv), NautobotDialect())
    assert report.created["cable"] == 5 and not report.conflicts
    rear = {o["id"]: o for o in srv.objects["dcim/rear-ports"]}
    got = {(o["name"], rear[o["rear_port"]]["name"], o["rear_port_position"], o["type"])
           for o in srv.objects["dcim/front-ports"] if "-" in o["name"]}
    assert got == {("F01-1", "R01", 1, "lc"), ("F01-3", "R01", 3, "lc")}
    assert {o["positions"] for o in rear.values() if o["type"] == "mpo"} == {6}
    # the trunk leg is longer than Nautobot's cm field holds (32767): whole metres
    leg = next(c for c in cables if c.kind == "trunk")
    (made,) = [o for o in srv.objects["dcim/cables"] if o["label"] == leg.label]
    assert leg.length_m > 327.67
    assert (made["length"], made["length_unit"]) == (round(leg.length_m), "m")
    cords = [o for o in srv.objects["dcim/cables"] if o["label"] != leg.label]
    assert {o["length_unit"] for o in cords} == {"cm"}
    tmpl = [o for o in srv.objects["dcim/front-port-templates"] if o["name"] == "F02-5"]
    assert [(o["type"], o["rear_port_position"]) for o in tmpl] == [("lc", 5)]


def test_cli_exports_a_cassette_plan(halls_dir: Path, tmp_path: Path) -> None:
    from .test_cli import run

    r = run("export", "netbox", str(halls_dir), "--out", str(tmp_path / "nb"))
    assert r.returncode == 0, r.stderr
    doc = (tmp_path / "nb" / "05-device-types.yaml").read_text(encoding="utf-8")
    assert "model: mpokit-cassette-panel-MPO-12-6LC-4-1u" in doc
    r = run("export", "ptm", str(halls_dir), "--out", str(tmp_path / "ptm"))
    assert r.returncode == 0, r.stderr
    # leaf09 port 33 reaches spine01 port 17 through a cassette pair
    assert '"leaf09":"swp33" -- "spine01":"swp17";' in (
        tmp_path / "ptm" / "topology.dot").read_text(encoding="utf-8")
