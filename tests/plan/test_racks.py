"""Rack contents: each device's planned height and unit, and no two sharing a rack unit.

The devices table (``devices.csv``) is what the inventory exports read heights from, so it
must say what the layout placed: nodes ``layout.node_ru`` high, each tier's switches their
model's ``ru``, UFM appliances 1 RU, panels their catalogue ``ru``, all inside the rack.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mpokit.integrations import plant_from_plan
from mpokit.plan import ClusterSpec, make_plan, write_plan
from mpokit.plan.outputs import device_columns
from mpokit.plan.racks import DEVICE_COLUMNS, rack_conflicts
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


def test_cassette_panels_overflowing_the_panel_zone_are_a_plan_note() -> None:
    """Far halls put cassette enclosures (4 cassettes per RU) into the spine racks: more
    panel RU than the layout reserves. The plan says so instead of exporting it quietly."""
    spec = ClusterSpec.model_validate({
        "cluster": {"name": "halls", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
                   "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}},
        "layout": {"rows_per_hall": 1, "hall_gap_m": 250}})
    plan = make_plan(spec)
    bad = rack_conflicts(device_columns(plan), spec.layout.rack_units)
    assert bad and all("-PP" in b and "spine" in b for b in bad)
    note = next(n for n in plan.summary["notes"] if n.startswith("rack space"))
    assert f"{len(bad)} placement conflict(s)" in note and bad[0] in note


def test_plan_cli_prints_the_rack_space_note(tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from mpokit.cli import app

    spec = tmp_path / "halls.yaml"
    spec.write_text(yaml.safe_dump({
        "cluster": {"name": "halls", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
                   "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}},
        "layout": {"rows_per_hall": 1, "hall_gap_m": 250}}))
    r = CliRunner().invoke(app, ["plan", str(spec), "-o", str(tmp_path / "o"), "--no-channels"])
    assert r.exit_code == 0, r.output
    assert "note: rack space: 11 placement conflict(s): 1A01: 1A01-PP" in r.output
    quiet = CliRunner().invoke(app, ["plan", str(EXAMPLES / "superpod-1su.yaml"), "-o",
                                     str(tmp_path / "p"), "--no-channels"])
    assert quiet.exit_code == 0 and "rack space" not in quiet.output


def test_ufm_appliances_beyond_node_ru_share_units_and_say_so() -> None:
    """The layout stacks UFM appliances in one node slot modulo ``node_ru``: 4 UFMs in a
    2-RU slot land two per unit. Known planner limit: the plan names it, without the
    panel explanation that does not apply."""
    import yaml

    spec = yaml.safe_load((EXAMPLES / "superpod-1su.yaml").read_text())
    spec.setdefault("layout", {})["node_ru"] = 2
    plan = make_plan(ClusterSpec.model_validate(spec))
    bad = rack_conflicts(device_columns(plan), 48)
    assert bad and all("ufm" in b for b in bad)
    note = next(n for n in plan.summary["notes"] if n.startswith("rack space"))
    assert bad[0] in note and "panel zone" not in note
