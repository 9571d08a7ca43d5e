"""The plan as inventory objects: devices, panels, cables, and the walk through panels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mpokit.errors import InputError
from mpokit.integrations import Plant, PortRef, load_plant


def test_folder_and_memory_give_the_same_plant(tiny: Plant, tiny_mem: Plant) -> None:
    assert tiny.devices == tiny_mem.devices
    assert tiny.cables == tiny_mem.cables
    assert tiny.device_types == tiny_mem.device_types
    assert tiny.site == tiny_mem.site == "tiny"


def test_devices_panels_and_ports(tiny: Plant) -> None:
    names = {d.name: d for d in tiny.devices}
    assert {n for n, d in names.items() if d.role != "panel"} == {
        "node01", "node02", "node03", "node04", "leaf01", "leaf02", "spine01"}
    panels = sorted(n for n, d in names.items() if d.role == "panel")
    assert panels == ["1A01-PP01", "1B01-PP01"]  # one MPO panel at each trunk end
    assert names["1B01-PP01"].ru == 48 and names["1B01-PP01"].rack == "1B01"
    panel_type = next(t for t in tiny.device_types if t.role == "panel")
    # adapter k: front Fk (cord side) passes straight to rear Rk position 1 (trunk side)
    assert panel_type.front_ports[0] == ("F01", "R01", 1)
    assert len(panel_type.front_ports) == len(panel_type.rear_ports) == 8
    assert all(p == 1 for _r, p in panel_type.rear_ports)
    leaf_type = next(t for t in tiny.device_types if t.role == "leaf")
    assert leaf_type.interfaces == tuple(str(k) for k in range(1, 9))


def test_trunk_becomes_one_record_per_leg(tiny: Plant) -> None:
    legs = [c for c in tiny.cables if c.kind == "trunk"]
    assert len(legs) == 8
    assert {c.cable_id for c in legs} == {legs[0].cable_id}  # one physical trunk
    assert legs[4].label.endswith("leg 5/8")
    assert legs[4].a == (PortRef("1B01-PP01", "R05", "rear"),)
    assert legs[4].b == (PortRef("1A01-PP01", "R05", "rear"),)


def test_links_walk_through_panels(tiny: Plant) -> None:
    links = tiny.links()
    assert len(links) == 16  # 8 node-leaf + 8 leaf-spine
    ends = {(lk.a.device, lk.a.name, lk.b.device, lk.b.name) for lk in links}
    assert ("leaf01", "5", "spine01", "1") in ends
    lk = next(x for x in links if (x.a.device, x.a.name) == ("leaf01", "5"))
    assert [(h.near, h.far) for h in lk.hops] == [
        (PortRef("leaf01", "5", "interface"), PortRef("1B01-PP01", "F01", "front")),
        (PortRef("1B01-PP01", "R01", "rear"), PortRef("1A01-PP01", "R01", "rear")),
        (PortRef("1A01-PP01", "F01", "front"), PortRef("spine01", "1", "interface")),
    ]
    # every interface on a cable is the end of exactly one link
    seen = [p for x in links for p in (x.a, x.b)]
    assert len(seen) == len(set(seen)) == 32


def test_trace_from_the_far_end_mirrors(tiny: Plant) -> None:
    (back,) = tiny.trace(PortRef("spine01", "1", "interface"))
    assert back[-1].far == PortRef("leaf01", "5", "interface")
    assert [h.cable for h in back][1].endswith("leg 1/8")


def _write(tmp: Path, rows: list[dict[str, object]]) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    with (tmp / "cutsheet.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return tmp


ROW = {"cable_id": 1, "label": "x", "kind": "cord", "part": "p", "connector": "MPO-12",
       "fiber": "OM4", "fibers": 12, "legs": 1, "length_m": 3, "link_class": "node_leaf",
       "a_rack": "1B02", "a_ru": 1, "a_device": "node01", "a_port": "1", "b_rack": "1B01",
       "b_ru": 39, "b_device": "leaf01", "b_port": "1", "b2_device": "", "b2_port": ""}


def test_two_cables_on_one_port_are_refused(tmp_path: Path) -> None:
    d = _write(tmp_path / "p", [ROW, {**ROW, "cable_id": 2, "label": "y", "a_port": "2"}])
    with pytest.raises(InputError) as exc:
        load_plant(d)
    msg = str(exc.value)
    assert "port 1 of leaf01 carries two cables ('x' and 'y')" in msg
    assert "cutsheet.csv:3" in msg  # the second row's line


def test_unreadable_port_names_the_row_and_field(tmp_path: Path) -> None:
    d = _write(tmp_path / "p", [{**ROW, "b_device": "", "b_port": "panel 3"}])
    with pytest.raises(InputError) as exc:
        load_plant(d)
    assert "cutsheet.csv:2: b_port" in str(exc.value)


def test_missing_cut_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no cut sheet"):
        load_plant(tmp_path)


def test_trunk_range_over_two_panels(tmp_path: Path) -> None:
    trunk = {**ROW, "kind": "trunk", "legs": 5, "a_device": "", "a_port": "PP01-47..PP02-03",
             "b_device": "", "b_port": "PP01-01..05", "b_rack": "1A01", "b_ru": 48}
    plant = load_plant(_write(tmp_path / "p", [trunk]))
    a_ends = [c.a[0] for c in plant.cables]
    assert [(p.device, p.name) for p in a_ends] == [
        ("1B02-PP01", "R47"), ("1B02-PP01", "R48"), ("1B02-PP02", "R01"),
        ("1B02-PP02", "R02"), ("1B02-PP02", "R03")]
