"""The planner's part choices are catalogue data (``roles``), and a user plan catalogue given
in a spec is loaded through the one catalogue loader: misspelt or foreign files are refused.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.errors import InputError
from mpokit.plan import load_spec, make_plan
from mpokit.plan.catalog import PlanCatalog, plan_catalog
from mpokit.standards import cassettes

ROOT = Path(__file__).resolve().parents[2]
PLAN_SRC = ROOT / "src" / "mpokit" / "plan"
SUPERPOD = ROOT / "examples" / "cluster" / "superpod-1su.yaml"


def _record_names() -> set[str]:
    cat = plan_catalog()
    names = {r.name for c in (cat.lengths, cat.trunks, cat.panels, cat.copper, cat.optics,
                              cat.ocs) for r in c}
    return names | {c.name for c in cassettes()}


def test_no_part_name_is_written_in_planner_code() -> None:
    names = _record_names() - {"cord", "trunk", "breakout", "dac", "acc"}  # length kinds
    found = {}
    for f in PLAN_SRC.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                found.setdefault(f.name, []).append(node.value)
    assert found == {}


def test_builtin_roles_point_at_records_of_the_right_kind() -> None:
    cat = plan_catalog()
    assert cat.mpo_panel.kind == "mpo" and cat.cassette_panel.kind == "cassette"
    assert cat.cassette.front.connector == "LC"
    assert cat.ocs_default.ports >= 2
    assert cat.copper_cable("dac").reach_m < cat.copper_cable("acc").reach_m


def _spec_with_catalog(tmp_path: Path, catalog: dict | str) -> Path:
    cat_file = tmp_path / "parts.yaml"
    cat_file.write_text(catalog if isinstance(catalog, str) else yaml.safe_dump(catalog))
    spec = yaml.safe_load(SUPERPOD.read_text())
    spec.setdefault("cabling", {})["catalog"] = "parts.yaml"  # relative to the spec file
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_user_catalogue_swaps_the_mpo_panel(tmp_path: Path) -> None:
    base = make_plan(load_spec(SUPERPOD))
    panel = {"name": "1U-MPO-72", "ru": 1, "kind": "mpo", "adapters": 72,
             "source": "test panel", "status": "typical"}
    spec = load_spec(_spec_with_catalog(tmp_path, {"panels": [panel],
                                                   "roles": {"mpo_panel": "1U-MPO-72"}}))
    plan = make_plan(spec)
    assert plan.catalog.mpo_panel.name == "1U-MPO-72"
    assert set(plan.cabling.rack_panels) == {"1U-MPO-72"}
    assert set(base.cabling.rack_panels) == {"1U-MPO-48"}
    # 72 adapters per panel: never more panels per rack than with 48
    assert plan.cabling.rack_panels["1U-MPO-72"].sum() <= base.cabling.rack_panels[
        "1U-MPO-48"].sum()
    assert plan.summary["channels"] == base.summary["channels"]
    # the shared built-in catalogue is untouched
    assert plan_catalog().mpo_panel.name == "1U-MPO-48"


@pytest.mark.parametrize(("catalog", "message", "line"), [
    ({"panles": []}, "unknown plan catalogue section 'panles'", 1),
    ({"roles": {"mpo_panel": "1U-LC-72"}}, "panel '1U-LC-72' is of kind 'lc', not 'mpo'", 2),
    ({"roles": {"ocs": "MEMS-OSC"}}, "unknown ocs 'MEMS-OSC'", 2),
    ({"roles": {"cassette": "MPO12-LC6-C"}}, "unknown cassette 'MPO12-LC6-C'", 2),
    ({"roles": {"mpo_pannel": "1U-MPO-48"}}, "unknown key 'mpo_pannel'", 2),
    # a channel file given as a plan catalogue is foreign: refused, not ignored
    ({"channels": [{"name": "x"}]}, "unknown plan catalogue section 'channels'", 1),
    ("", "a plan catalogue file is a mapping", 1),
])
def test_bad_user_catalogue_is_refused_with_line(tmp_path: Path, catalog: dict | str,
                                                 message: str, line: int) -> None:
    path = _spec_with_catalog(tmp_path, catalog)
    with pytest.raises(InputError) as info:
        make_plan(load_spec(path))
    assert message in str(info.value)
    assert info.value.file == str(tmp_path / "parts.yaml") and info.value.line == line
    r = CliRunner().invoke(app, ["plan", str(path), "-o", str(tmp_path / "out")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_missing_user_catalogue_names_the_spec_field(tmp_path: Path) -> None:
    spec = yaml.safe_load(SUPERPOD.read_text())
    spec.setdefault("cabling", {})["catalog"] = "nowhere.yaml"
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(InputError) as info:
        make_plan(load_spec(path))
    assert info.value.field == "cabling.catalog" and "nowhere.yaml" in info.value.message


def test_roles_without_a_builtin_base_are_an_input_error() -> None:
    with pytest.raises(InputError, match="no 'roles' section"):
        _ = PlanCatalog().mpo_panel
