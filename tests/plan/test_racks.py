"""Rack contents: each device's planned height and unit, and no two sharing a rack unit.

The devices table (``devices.csv``) is what the inventory exports read heights from, so it
must say what the layout placed: nodes ``layout.node_ru`` high, each tier's switches their
model's ``ru``, UFM appliances 1 RU, panels their catalogue ``ru``, all inside the rack.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from mpokit.errors import InputError
from mpokit.integrations import plant_from_plan
from mpokit.plan import ClusterSpec, Plan, make_plan, write_plan
from mpokit.plan.layout import build_layout, panel_ports_per_ru
from mpokit.plan.outputs import device_columns
from mpokit.plan.racks import DEVICE_COLUMNS, rack_conflicts, rack_space_note
from mpokit.plan.spec import load_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cluster"
# every shipped cluster but the 4,768-device fat tree (same code paths as the others)
PLANNED = ["superpod-1su", "switch-per-tier", "breakout", "ocs-spine", "spectrum-x-b300-1su",
           "xdr-quantum-x800"]


@pytest.mark.parametrize("name", PLANNED)
def test_no_two_devices_share_a_rack_unit(name: str) -> None:
    """Over the plant the exporters send: position + height never overlap, top fits."""
    plan = make_plan(load_spec(EXAMPLES / f"{name}.yaml"))
    units = plan.spec.layout.rack_units
    assert rack_conflicts(device_columns(plan), units) == []
    plant = plant_from_plan(plan)
    assert plant.rack_units == units  # no device above the rack's top
    taken: dict[tuple[str, int], str] = {}
    for d in plant.devices:
        assert d.ru is not None, d.name  # breakout legs' nodes too
        for u in range(d.ru, d.ru + d.height_ru):
            assert 1 <= u <= units, (d.name, u)
            assert (d.rack, u) not in taken, (d.name, taken.get((d.rack, u)), u)
            taken[(d.rack, u)] = d.name
    assert not any("rack space" in n for n in plan.summary["notes"])


def test_heights_are_the_specs() -> None:
    plan = make_plan(load_spec(EXAMPLES / "switch-per-tier.yaml"))  # spine_switch ru: 2
    cols = device_columns(plan)
    rows = {str(d): (str(r), str(m), int(h)) for d, r, m, h in zip(
        cols["device"], cols["role"], cols["model"], cols["height_ru"], strict=True)}
    lay = plan.spec.layout
    assert rows["node01"] == ("node", "", lay.node_ru)
    assert rows["leaf01"] == ("leaf", "LEAF-64", 1)
    assert rows["spine01"] == ("spine", "SPINE-128", 2)
    assert rows["core01"] == ("core", "CORE-32", 1)
    panels = [v for k, v in rows.items() if "-PP" in k]
    assert panels and {(r, h) for r, _m, h in panels} == {("panel", 1)}
    assert {m for _r, m, _h in panels} <= {p.name for p in plan.catalog.panels}
    # every device and panel of the cut sheet is in the table
    assert len(rows) == len(cols["device"]) == plan.fabric.n_devices + len(panels)


def test_a_2ru_panel_model_takes_two_units(tmp_path: Path) -> None:
    """A user catalogue's 2-RU MPO panel: the cut sheet names its top unit, the devices
    table its lowest, and the next panel down starts below both."""
    import yaml

    panel = {"name": "2U-MPO-96", "ru": 2, "kind": "mpo", "adapters": 96,
             "source": "test panel", "status": "typical"}
    (tmp_path / "parts.yaml").write_text(yaml.safe_dump(
        {"panels": [panel], "roles": {"mpo_panel": "2U-MPO-96"}}))
    spec = yaml.safe_load((EXAMPLES / "superpod-1su.yaml").read_text())
    spec.setdefault("cabling", {})["catalog"] = "parts.yaml"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    plan = make_plan(load_spec(tmp_path / "spec.yaml"))
    cols = device_columns(plan)
    panels = [(str(r), int(u), int(h)) for d, r, u, h in zip(
        cols["device"], cols["rack"], cols["ru"], cols["height_ru"], strict=True)
        if "-PP" in str(d)]
    assert panels and {h for _r, _u, h in panels} == {2}
    tops = {(str(r), int(u)) for r, u, d in zip(plan_rows(plan, "a_rack"),
                                                 plan_rows(plan, "a_ru"),
                                                 plan_rows(plan, "a_port"), strict=True)
            if str(d).startswith("PP")}
    assert {(r, u + 1) for r, u, _h in panels} == tops  # top unit = lowest + 1
    assert rack_conflicts(cols, plan.spec.layout.rack_units) == []
    types = {t.model: t for t in plant_from_plan(plan).device_types}
    assert {t.u_height for t in types.values() if t.role == "panel"} == {2}


def plan_rows(plan: object, column: str) -> list[object]:
    from mpokit.plan.outputs import cutsheet_columns

    return list(cutsheet_columns(plan)[column])  # type: ignore[arg-type]


def test_devices_csv_is_written_with_the_plan(tmp_path: Path) -> None:
    plan = make_plan(load_spec(EXAMPLES / "superpod-1su.yaml"))
    out = write_plan(plan, tmp_path / "o", channels=False)
    with (out / "devices.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == DEVICE_COLUMNS
    node = next(r for r in rows if r["device"] == "node01")
    assert (node["role"], node["ru"], node["height_ru"]) == ("node", "1", "8")
    assert {r["role"] for r in rows} == {"node", "ufm", "leaf", "spine", "panel"}


def test_conflicts_name_both_devices_and_the_units() -> None:
    cols = {"device": ["spine01", "1A01-PP01", "node01", "node02"],
            "rack": ["1A01", "1A01", "1A02", "1A02"], "ru": [40, 41, 1, 9],
            "height_ru": [2, 1, 8, 8]}
    assert rack_conflicts(cols, 48) == [
        "1A01: spine01 (U40-U41) and 1A01-PP01 (U41-U41) share rack units"]
    assert rack_conflicts(cols, 16) == [
        "1A01: spine01 (U40-U41) does not fit U1-U16",
        "1A01: 1A01-PP01 (U41-U41) does not fit U1-U16",
        "1A01: spine01 (U40-U41) and 1A01-PP01 (U41-U41) share rack units"]
    # a tall device overlapping a later, non-adjacent one is still found
    tall = {"device": ["a", "b", "c"], "rack": ["R"] * 3, "ru": [1, 2, 5], "height_ru": [8, 1, 1]}
    assert len(rack_conflicts(tall, 48)) == 2


FAR_HALLS = {
    "cluster": {"name": "halls", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
    "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
               "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}},
    "layout": {"rows_per_hall": 1, "hall_gap_m": 250}}
# every leaf-spine link duplex (100G-DR, LC) through cassette enclosures
ALL_DUPLEX = {
    "cluster": {"name": "duplex", "nodes": 256, "rails": 8, "nic_speed_gbps": 100},
    "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
               "switch": {"ports": 64, "port_speed_gbps": 100, "cages": 64}},
    "optics": {"leaf_spine": "SM"}, "cabling": {"panel": "cassette", "connector_grade": "B"}}


def _panels_above_switches(plan: Plan) -> None:
    """In every network rack the lowest panel sits above the highest switch."""
    cols = device_columns(plan)
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for role, rack, ru, h in zip(cols["role"], cols["rack"], cols["ru"], cols["height_ru"],
                                 strict=True):
        if role == "panel":
            low[rack] = min(low.get(rack, 99), int(ru))
        elif role in ("leaf", "spine", "core", "ocs"):
            high[rack] = max(high.get(rack, 0), int(ru) + int(h) - 1)
    assert high and all(low.get(r, 99) > top for r, top in high.items())


def test_far_halls_cassette_enclosures_fit_above_the_spines() -> None:
    """Far halls send some leaf-spine links through cassettes (4 per RU, 6 ports each: 24
    ports per RU, not 48): the spine racks get fewer spines and every panel fits."""
    spec = ClusterSpec.model_validate(FAR_HALLS)
    plan = make_plan(spec)
    assert "1U-CASSETTE-4" in plan.cabling.rack_panels
    assert rack_conflicts(device_columns(plan), spec.layout.rack_units) == []
    assert not any(n.startswith("rack space") for n in plan.summary["notes"])
    _panels_above_switches(plan)
    # the layout at MPO density alone put 12 spines in a rack; cassettes need more room
    mpo_only = build_layout(spec, plan.fabric, plan.catalog)
    spines = slice(plan.fabric.offset["spine"], plan.fabric.offset["spine"]
                   + plan.fabric.n["spine"])
    per_rack = np.bincount(plan.layout.dev_rack[spines]).max()
    assert per_rack < np.bincount(mpo_only.dev_rack[spines]).max()
    assert plan.summary["switches"] == {"leaf": 32, "spine": 16, "core": 0}
    assert sum(plan.summary["transceivers"].values()) == 2556 and plan.ok


def test_all_duplex_leaf_spine_plan_fits_its_racks() -> None:
    """Every uplink through cassettes: at 48 ports per RU (the old sizing) the leaf racks'
    enclosures ran out of the rack (U0, U-1); sized from the cassette role they fit."""
    spec = ClusterSpec.model_validate(ALL_DUPLEX)
    plan = make_plan(spec)
    assert set(plan.cabling.rack_panels) == {"1U-CASSETTE-4"}
    assert plan.summary["transceivers"] == {"100GBASE-DR": 4096, "100GBASE-SR4": 4096}
    assert rack_conflicts(device_columns(plan), spec.layout.rack_units) == []
    _panels_above_switches(plan)
    assert plan.ok
    # what the layout reserves: 64 ports at 24 per RU = 3 RU per leaf
    cat = plan.catalog
    assert panel_ports_per_ru(cat, "cassette") == 24.0 and panel_ports_per_ru(cat, "mpo") == 48
    old = build_layout(spec, plan.fabric, cat, {"leaf": 48.0, "spine": 48.0, "core": 48.0})
    assert plan.layout.n_racks > old.n_racks


def test_a_rack_too_short_for_one_switch_and_its_panels_is_an_input_error() -> None:
    """A 64-port leaf of 6 RU needs 3 RU of cassette enclosures: a 10-RU rack keeps 8 RU
    after its 2 RU reserve. An input error naming the rack height and the fix, not a note."""
    fabric = {**ALL_DUPLEX["fabric"], "switch": {"ports": 64, "port_speed_gbps": 100,
                                                 "cages": 64, "ru": 6}}
    spec = ClusterSpec.model_validate({**ALL_DUPLEX, "fabric": fabric,
                                       "layout": {"rack_units": 10, "nodes_per_rack": 1}})
    with pytest.raises(InputError) as e:
        make_plan(spec)
    msg = str(e.value)
    assert "layout.rack_units" in msg and "leaf switch" in msg and "taller racks" in msg


def test_plan_cli_prints_no_rack_space_note_without_conflicts(tmp_path: Path) -> None:
    """The far-hall plan, the SuperPOD and its 2-RU-node variant (4 UFMs over 2 slots) have
    no conflicts, so the console says nothing about rack space. (No input known today gives
    a conflict, so the console half that printed one is gone; the note's wording is
    test_rack_space_note_names_the_conflicts.)"""
    import yaml
    from typer.testing import CliRunner

    from mpokit.cli import app

    spec = yaml.safe_load((EXAMPLES / "superpod-1su.yaml").read_text())
    spec.setdefault("layout", {})["node_ru"] = 2
    ufm = tmp_path / "ufm.yaml"
    ufm.write_text(yaml.safe_dump(spec))
    halls = tmp_path / "halls.yaml"
    halls.write_text(yaml.safe_dump(FAR_HALLS))
    for src, out in ((halls, "h"), (EXAMPLES / "superpod-1su.yaml", "p"), (ufm, "u")):
        quiet = CliRunner().invoke(app, ["plan", str(src), "-o", str(tmp_path / out),
                                         "--no-channels"])
        assert quiet.exit_code == 0 and "rack space" not in quiet.output, quiet.output


def test_ufm_appliances_beyond_node_ru_take_consecutive_units() -> None:
    """4 UFMs with 2-RU nodes: 2 slots kept after the 31 nodes, one unit each, no conflict;
    the fabric keeps its one unit (8 leaves, 4 spines) and the UFM links their leaf ports."""
    import yaml

    spec = yaml.safe_load((EXAMPLES / "superpod-1su.yaml").read_text())
    base = make_plan(ClusterSpec.model_validate(spec))
    spec.setdefault("layout", {})["node_ru"] = 2
    plan = make_plan(ClusterSpec.model_validate(spec))
    cols = device_columns(plan)
    assert rack_conflicts(cols, 48) == []
    assert not any(n.startswith("rack space") for n in plan.summary["notes"])
    ufm = [(str(r), int(u), int(h)) for role, r, u, h in zip(
        cols["role"], cols["rack"], cols["ru"], cols["height_ru"], strict=True) if role == "ufm"]
    assert len(ufm) == 4 and len({(r, u) for r, u, _h in ufm}) == 4
    assert {h for _r, _u, h in ufm} == {1}
    assert plan.fabric.ufm_slots == 2 and plan.summary["switches"] == base.summary["switches"]
    nl, nl0 = plan.fabric.links["node_leaf"], base.fabric.links["node_leaf"]
    o = plan.fabric.offset["ufm"]
    is_ufm = (nl.a_dev >= o) & (nl.a_dev < o + 4)
    is_ufm0 = (nl0.a_dev >= o) & (nl0.a_dev < o + 4)
    assert is_ufm.sum() == 4
    assert np.array_equal(nl.b_dev[is_ufm], nl0.b_dev[is_ufm0])
    assert np.array_equal(nl.b_port[is_ufm], nl0.b_port[is_ufm0])
    # consecutive in each rack: U7, U8 of the last node rack, then U1, U2 of the next
    by_rack: dict[str, list[int]] = {}
    for r, u, _h in ufm:
        by_rack.setdefault(r, []).append(u)
    assert all(sorted(us) == list(range(min(us), min(us) + len(us))) for us in by_rack.values())


def test_rack_space_note_names_the_conflicts() -> None:
    """Overlapping devices: the note counts them and names the first; the panel-zone
    explanation comes only when panels alone overlap."""
    cols = {"device": ["ufm01", "ufm03", "node02"], "rack": ["1B09", "1B09", "1B09"],
            "ru": [7, 7, 9], "height_ru": [1, 1, 2]}
    bad = rack_conflicts(cols, 48)
    note = rack_space_note(cols, 48)
    assert bad == ["1B09: ufm01 (U7-U7) and ufm03 (U7-U7) share rack units"]
    assert note.startswith("rack space: 1 placement conflict(s): ") and bad[0] in note
    assert "panel zone" not in note and "place them by hand" in note
    panels = {"device": ["1A01-PP01", "1A01-PP02"], "rack": ["1A01"] * 2, "ru": [47, 47],
              "height_ru": [1, 1]}
    assert "panel zone" in rack_space_note(panels, 48)


def test_fat_tree_ufm_slots_keep_the_leaf_count() -> None:
    """A fat tree with 4 explicit UFM links and 1-RU nodes: 4 slots kept for the appliances
    (U3-U4 of the last node rack, U1-U2 of one more), the leaves sized as with one slot."""
    spec = {"cluster": {"name": "ft", "nodes": 30, "rails": 8, "nic_speed_gbps": 400,
                        "ufm_links": 4},
            "fabric": {"topology": "fat-tree",
                       "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}},
            "layout": {"node_ru": 1, "nodes_per_rack": 4}}
    plan = make_plan(ClusterSpec.model_validate(spec))
    tall = make_plan(ClusterSpec.model_validate({**spec, "layout": {"node_ru": 8}}))
    cols = device_columns(plan)
    assert rack_conflicts(cols, 48) == []
    assert plan.fabric.ufm_slots == 4 and tall.fabric.ufm_slots == 1
    assert plan.summary["switches"] == tall.summary["switches"]
    assert plan.fabric.links["node_leaf"].size == tall.fabric.links["node_leaf"].size
    ufm = sorted((str(r), int(u)) for role, r, u in zip(cols["role"], cols["rack"], cols["ru"],
                                                        strict=True) if role == "ufm")
    assert len(set(ufm)) == 4 and len({r for r, _u in ufm}) == 2
