"""The campus layer end to end: examples/campus/two-buildings.yaml and its variations.

::

    B1 (plenum hall, spines)                      B2 (tray hall)
    [leaf]--cord--[panel]==trunk==[ODF]~splice~ riser / 260 m duct / riser ~splice~[ODF]==...
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mpokit.errors import InputError
from mpokit.plan import load_spec, make_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campus" / "two-buildings.yaml"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mpokit", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def variant(tmp_path: Path, edit: Any) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text())
    edit(data)
    out = tmp_path / "spec.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out


@pytest.fixture(scope="module")
def example_plan() -> Any:
    return make_plan(load_spec(EXAMPLE))


def test_example_plans_end_to_end(tmp_path: Path) -> None:
    r = cli("plan", str(EXAMPLE), "-o", str(tmp_path / "out"), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads(r.stdout)
    campus = s["campus"]
    assert s["errors"] == 0 and campus["findings"] == [] and campus["failing_channels"] == 0
    (route,) = campus["routes"]
    assert route["ok"] and route["construction"] == "RR-IO-1728-OFNR"
    (section,) = route["sections"]
    assert section["segments"] == ["B1 riser", "campus duct bank", "B2 riser"]
    # every channel passes cold and hot: the worst margins of the crossing channels
    assert route["worst_cold_margin_db"] > 0 and route["worst_hot_margin_db"] > 0
    assert route["worst_cold_margin_db"] < route["worst_hot_margin_db"]  # colder is worse
    assert all(h["ok"] for h in campus["halls"].values())
    assert campus["halls"]["B1 OS2"]["construction"] == "RR-864-OFNP"  # plenum hall
    rows = list(csv.DictReader((tmp_path / "out" / "campus_cutsheet.csv").open()))
    assert len(rows) == section["cables"] * section["reel_pieces"]
    assert rows[0]["from"] == "B1 ODF" and rows[0]["to"] == "B2 ODF"
    bom = list(csv.DictReader((tmp_path / "out" / "bom.csv").open()))
    cats = {b["category"]: b for b in bom}
    assert int(cats["campus_cable"]["quantity"]) == section["cables"]
    assert "RR-IO-1728-OFNR" in cats["campus_cable"]["item"]
    assert int(cats["odf"]["quantity"]) == route["enclosures"]["ODF-1728-SPLICE"]
    assert int(cats["fusion_splice"]["quantity"]) == 2 * section["fibers_total"]
    assert route["splices_total"] == 2 * section["fibers_total"]
    # spliced in both ODFs: one MPO-12 pigtail per 12 fibers at each end
    assert int(cats["pigtail"]["quantity"]) == 2 * section["fibers_total"] // 12


def test_every_channel_budgeted_cold_and_hot(example_plan: Any) -> None:
    campus = example_plan.campus
    crossing = 0
    for d, cases in zip(example_plan.cabling.designs, campus.cases, strict=True):
        if cases is None:
            continue
        assert cases.ok.all()
        # the campus part never improves a channel's margin
        assert (cases.cold_margin_db <= d.loss_margin_db + 1e-12).all()
        crossing += int((cases.cold_margin_db < d.loss_margin_db - 1.0).sum())
    (route,) = campus.routes
    assert route.channels == 512 and route.fibers_used == 512 * 12
    # splices (2 x 0.30) + ODF connections (2 x low-loss 0.35) per crossing channel
    assert route.fixed_db == pytest.approx(2 * 0.30 + 2 * 0.35)
    assert crossing == 512


def test_long_route_reel_joints_splices_and_reach(tmp_path: Path) -> None:
    def long(d: dict[str, Any]) -> None:
        d["site"]["routes"][0]["segments"][1]["length_m"] = 4500
        d["site"]["routes"][0]["segments"][1]["bends_deg"] = 0
        d["site"]["routes"][0]["splice_points"] = 1
    p = make_plan(load_spec(variant(tmp_path, long)))
    assert p.campus is not None
    (route,) = p.campus.routes
    (sec,) = route.sections
    assert sec.pieces == 2  # 4.5 km + slack > the 4 km reel: one reel joint
    assert route.splice_points == 2 and route.splices_per_fiber == 4
    assert route.enclosures["SPLICE-DOME-3456"] == 2 * -(-sec.fibers_total // 3456)
    assert route.splices_total == 4 * sec.fibers_total
    # DR4 reaches 500 m: every crossing channel fails, counted once as campus reach
    assert p.campus.channel_findings["campus_reach"] == 512
    assert p.summary["errors"] == 512 and not p.ok


def test_route_no_construction_can_serve(tmp_path: Path) -> None:
    def plenum(d: dict[str, Any]) -> None:
        d["site"]["routes"][0]["segments"].insert(
            0, {"name": "B1 ceiling", "environment": "plenum", "length_m": 25})
    spec = variant(tmp_path, plenum)
    r = cli("routes", "check", str(spec))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    # the segment that causes it, by file, line and field
    text = yaml.safe_load(spec.read_text())
    assert text["site"]["routes"][0]["segments"][0]["name"] == "B1 ceiling"
    assert "site.routes[0].segments[0]" in r.stdout and f"{spec}:" in r.stdout
    assert "no construction serves this run" in r.stdout
    p = make_plan(load_spec(spec))
    assert p.campus is not None and p.campus.channel_findings["route"] == 512
    assert p.summary["errors"] >= 512


def test_transition_splice_changes_construction(tmp_path: Path) -> None:
    """[B1 ODF]--plenum ceiling--[TS1]--duct--[TS2]--riser--[B2 ODF]"""
    def transition(d: dict[str, Any]) -> None:
        segs = d["site"]["routes"][0]["segments"]
        segs[0] = {"name": "B1 ceiling", "environment": "plenum", "length_m": 25}
        segs[1]["transition"] = True
        segs[2]["transition"] = True
    p = make_plan(load_spec(variant(tmp_path, transition)))
    assert p.campus is not None and p.campus.findings == [] and p.ok
    (route,) = p.campus.routes
    names = [s.choice.construction.name for s in route.sections]  # type: ignore[union-attr]
    assert names == ["RR-864-OFNP", "RR-OSP-1728", "RR-IO-1728-OFNR"]
    assert route.splices_per_fiber == 4 and route.splice_points == 2
    # two more splices per fiber than the one-cable route: 0.6 dB worst case
    assert route.fixed_db == pytest.approx(4 * 0.30 + 2 * 0.35)
    rows = p.campus.cutsheet_rows()
    assert {(r["from"], r["to"]) for r in rows} == {
        ("B1 ODF", "B1-B2 TS1"), ("B1-B2 TS1", "B1-B2 TS2"), ("B1-B2 TS2", "B2 ODF")}


def test_pinned_construction_out_of_its_range_is_unmeasurable(tmp_path: Path) -> None:
    def pin(d: dict[str, Any]) -> None:
        d["site"]["routes"][0]["construction"] = "RR-864-OFNP"
    p = make_plan(load_spec(variant(tmp_path, pin)))
    assert p.campus is not None
    (route,) = p.campus.routes
    c = route.sections[0].choice.construction
    assert c is not None and c.name == "RR-864-OFNP"  # the user's choice is kept
    codes = {f.code for f in p.campus.findings}
    assert {"temperature", "environment"} <= codes
    assert p.campus.channel_findings["temperature_unmeasurable"] == 512
    assert route.to_dict()["worst_cold_margin_db"] is None  # no number where none holds


@pytest.mark.parametrize("edit,field,text", [
    (lambda d: d["site"]["routes"][0]["segments"][1].update(environment="dcut"),
     "site.routes[0].segments[1].environment", "did you mean 'duct'"),
    (lambda d: d["site"]["routes"][0]["segments"][1].update(temperature_c=[35, -25]),
     "site.routes[0].segments[1].temperature_c", "contradictory"),
    (lambda d: d["site"]["buildings"][1].update(hall_environment="plenun"),
     "site.buildings[1].hall_environment", "did you mean 'plenum'"),
    (lambda d: d["site"].update(routes=[]), "site.routes", "no route does"),
    (lambda d: d["site"]["buildings"][1].update(halls=[3]), "site.buildings[1].halls[0]",
     "the layout has 2 hall(s)"),
    (lambda d: d["site"]["buildings"].pop(), "site", "unknown building 'B2'"),
])
def test_bad_input_names_the_segment(tmp_path: Path, edit: Any, field: str, text: str) -> None:
    spec = variant(tmp_path, edit)
    with pytest.raises(InputError) as e:
        make_plan(load_spec(spec))
    err = e.value
    errs = getattr(err, "errors", [err])
    assert any(text in str(x) for x in errs), str(err)
    assert any((x.field or "").startswith(field) for x in errs), [x.field for x in errs]
    assert err.file == str(spec) and err.line is not None
    r = cli("plan", str(spec), "-o", str(tmp_path / "out"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert text in r.stderr


def test_hall_in_no_building(tmp_path: Path) -> None:
    def drop(d: dict[str, Any]) -> None:
        d["site"]["buildings"] = [{"name": "B1", "halls": [1]}]
        d["site"]["routes"] = []
    with pytest.raises(InputError, match="hall 2 of the layout is in no building"):
        make_plan(load_spec(variant(tmp_path, drop)))


def test_spec_without_site_is_unchanged(example_plan: Any) -> None:
    spec = load_spec(EXAMPLE)
    plain = make_plan(spec.model_copy(update={"site": None}))
    assert plain.campus is None and "campus" not in plain.summary
    assert plain.summary["channels"] == example_plan.summary["channels"]
    r = cli("routes", "check", str(ROOT / "examples" / "cluster" / "superpod-1su.yaml"))
    assert r.returncode == 1 and "no 'site:' section" in r.stderr


def test_cpr_jurisdiction_plans(tmp_path: Path) -> None:
    def cpr(d: dict[str, Any]) -> None:
        d["site"]["jurisdiction"] = "CPR"
    p = make_plan(load_spec(variant(tmp_path, cpr)))
    assert p.campus is not None and p.ok and p.campus.findings == []
    # the plenum hall asks B2ca-s1a,d1,a1 under CPR: the plenum ribbon cable has it
    assert p.campus.halls["B1 OS2"].construction.name == "RR-864-OFNP"  # type: ignore[union-attr]
    assert p.summary["campus"]["jurisdiction"] == "CPR"


def test_unknown_construction_without_a_close_name(tmp_path: Path) -> None:
    def pin(d: dict[str, Any]) -> None:
        d["site"]["routes"][0]["construction"] = "zzzz"
    with pytest.raises(InputError) as e:
        make_plan(load_spec(variant(tmp_path, pin)))
    assert e.value.field == "site.routes[0].construction"
    assert "mpokit routes catalog constructions" in (e.value.fix or "")


def test_routes_catalog_lists_records_with_status() -> None:
    r = cli("routes", "catalog", "constructions", "--json")
    assert r.returncode == 0, r.stderr
    records = json.loads(r.stdout)
    assert {"RR-OSP-3456", "TB-24-OFNP", "LT-ADSS-288"} <= {x["name"] for x in records}
    assert all(x["status"] and x["source"] for x in records)
    r = cli("routes", "catalog", "fill_limits")
    assert r.returncode == 0 and "conduit-1  (verified)" in r.stdout
    assert cli("routes", "catalog", "cables").returncode == 1


def test_pre_terminated_trunk_has_no_splices(tmp_path: Path) -> None:
    def pre(d: dict[str, Any]) -> None:
        d["site"]["routes"][0]["termination"] = "pre-terminated"
    p = make_plan(load_spec(variant(tmp_path, pre)))
    assert p.campus is not None and p.ok
    (route,) = p.campus.routes
    assert route.splices_per_fiber == 0 and route.splices_total == 0
    assert route.fixed_db == pytest.approx(2 * 0.35)  # the two ODF connections only
    assert set(route.enclosures) == {"ODF-1728-MPO"}
    rows = p.campus.bom_rows()
    assert not any(r["category"] in ("pigtail", "fusion_splice") for r in rows)
    assert "factory MPO-12 ends" in next(r["item"] for r in rows
                                         if r["category"] == "campus_cable")


def test_route_no_link_crosses_is_reported_unused(tmp_path: Path) -> None:
    """Three halls (two rows each): leaves in halls 2 and 3 reach the spines in hall 1;
    nothing joins halls 2 and 3, so the B2-B3 route carries no link."""
    def three(d: dict[str, Any]) -> None:
        d["layout"]["rows_per_hall"] = 2
        d["site"]["buildings"].append({"name": "B3", "halls": [3]})
        route = d["site"]["routes"][0]
        d["site"]["routes"] += [{**route, "name": "B1-B3", "between": ["B1", "B3"]},
                                {**route, "name": "B2-B3", "between": ["B2", "B3"]}]
    p = make_plan(load_spec(variant(tmp_path, three)))
    assert p.campus is not None and p.ok
    assert p.campus.unused_routes == ["B2-B3"]
    assert [r.route.name for r in p.campus.routes] == ["B1-B2", "B1-B3"]
    assert p.summary["campus"]["unused_routes"] == ["B2-B3"]
