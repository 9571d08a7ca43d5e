"""Device heights from the plan in the inventory: device types of the planned height, one
type per role and height, and an old plan folder (no ``devices.csv``) read with 1-RU types
and a note saying so.

``tall`` (examples/cluster/switch-per-tier.yaml) racks 8-RU nodes, 1-RU leaves and cores,
2-RU spines and 1-RU MPO panels.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.errors import InputError
from mpokit.integrations import Plant, load_plant, plant_from_plan
from mpokit.integrations.nautobot import nautobot_csvs
from mpokit.integrations.netbox import netbox_files


def test_device_types_have_the_planned_heights(tall: Plant, tall_plan) -> None:  # type: ignore[no-untyped-def]
    lay = tall_plan.spec.layout
    heights = {r: {t.u_height for t in tall.device_types if t.role == r}
               for r in {t.role for t in tall.device_types}}
    assert heights == {"node": {lay.node_ru}, "leaf": {1}, "spine": {2},
                       "core": {1}, "panel": {1}}
    spine = tall.device("spine01")
    assert spine.height_ru == 2 and spine.device_type.endswith("-2u")
    assert next(t for t in tall.device_types if t.model == spine.device_type).u_height == 2
    assert tall.notes == ()  # the folder had devices.csv: nothing to say
    # the folder and the plan in memory agree
    mem = plant_from_plan(tall_plan)
    assert mem.device_types == tall.device_types and mem.devices == tall.devices


def test_one_role_with_two_heights_is_two_types() -> None:
    rows = [{"cable_id": k, "label": f"c{k}", "kind": "cord", "part": "MPO-12 cord",
             "connector": "MPO-12", "fiber": "OM4", "legs": 1, "length_m": 3.0,
             "a_rack": "1A01", "a_ru": ru, "a_device": node, "a_port": "1",
             "b_rack": "1A02", "b_ru": 1, "b_device": "leaf01", "b_port": str(k)}
            for k, (node, ru) in enumerate([("node01", 1), ("node02", 9)], start=1)]
    devices = [{"device": "node01", "rack": "1A01", "ru": "1", "height_ru": "8"},
               {"device": "node02", "rack": "1A01", "ru": "9", "height_ru": "4"},
               {"device": "leaf01", "rack": "1A02", "ru": "1", "height_ru": "1"}]
    plant = Plant.from_cutsheet(rows, devices=devices)
    assert {t.model: t.u_height for t in plant.device_types} == {
        "mpokit-node-1p-8u": 8, "mpokit-node-1p-4u": 4, "mpokit-leaf-2p-1u": 1}
    assert plant.device("node02").device_type == "mpokit-node-1p-4u"
    # a device reaching above the stated rack height raises the rack (never cut off)
    top = Plant.from_cutsheet(rows, devices=devices, rack_units=12)
    assert top.rack_units == 12  # node02 spans U9-U12
    devices[1]["ru"] = "10"
    assert Plant.from_cutsheet(rows, devices=devices, rack_units=12).rack_units == 13


def test_import_files_carry_the_heights(tall: Plant) -> None:
    want = {t.model: t.u_height for t in tall.device_types}
    nb = netbox_files(tall)
    docs = list(yaml.safe_load_all(nb["05-device-types.yaml"]))
    assert {d["model"]: d["u_height"] for d in docs} == want
    assert 8 in want.values() and 2 in want.values()
    nauto = nautobot_csvs(tall)
    rows = list(csv.DictReader(io.StringIO(nauto["06-device-types.csv"])))
    assert {r["model"]: int(r["u_height"]) for r in rows} == want


def test_old_plan_folder_without_devices_csv(tall_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(tall_dir, old)
    (old / "devices.csv").unlink()
    plant = load_plant(old)
    assert {t.u_height for t in plant.device_types} == {1}
    assert not any(t.model.endswith("u") for t in plant.device_types)  # no height claimed
    assert len(plant.notes) == 1 and "no devices.csv" in plant.notes[0]
    r = CliRunner().invoke(app, ["export", "netbox", str(old), "--out", str(tmp_path / "nb")])
    assert r.exit_code == 0, r.output
    assert "no devices.csv" in r.output and "re-run `mpokit plan`" in r.output


def test_devices_table_missing_a_device_is_noted(tall_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "partial"
    shutil.copytree(tall_dir, old)
    lines = (old / "devices.csv").read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if '"spine01"' not in ln]
    assert len(kept) == len(lines) - 1
    (old / "devices.csv").write_text("".join(kept))
    plant = load_plant(old)
    assert plant.device("spine01").height_ru == 1 and plant.device("spine02").height_ru == 2
    assert plant.notes and "spine01" in plant.notes[0]


def test_bad_devices_table_names_file_line_and_field(tall_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(tall_dir, bad)
    text = (bad / "devices.csv").read_text().splitlines()
    cells = text[2].split(",")
    cells[-1] = "tall"
    text[2] = ",".join(cells)
    (bad / "devices.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as ei:
        load_plant(bad)
    assert ei.value.file == str(bad / "devices.csv") and ei.value.line == 3
    assert ei.value.field == "ru" and "re-run" in str(ei.value)


def test_rack_height_from_the_plan_folder(tmp_path: Path) -> None:
    """A 42-RU layout is exported as 42-RU racks; an older summary without the key: 48."""
    import json

    from mpokit.plan import ClusterSpec, make_plan, write_plan

    from .conftest import TINY

    plan = make_plan(ClusterSpec.model_validate({**TINY, "layout": {"rack_units": 42}}))
    out = write_plan(plan, tmp_path / "p42", channels=False)
    plant = load_plant(out)
    assert plant.rack_units == 42 == plant_from_plan(plan).rack_units
    racks = list(csv.DictReader(io.StringIO(netbox_files(plant)["02-racks.csv"])))
    assert {r["u_height"] for r in racks} == {"42"}
    summary = json.loads((out / "summary.json").read_text())
    del summary["rack_units"]
    (out / "summary.json").write_text(json.dumps(summary))
    assert load_plant(out).rack_units == 48

