"""Route checks: the cheapest legal construction, and every finding code triggered.

Each test draws the run it checks::

    [B1 ODF] --riser--+--duct (pulled, bends)--+--riser-- [B2 ODF]
"""

from __future__ import annotations

import math

import pytest

from mpokit.plan.routes import Run, check_run, choose_construction, pulling_tension_n
from mpokit.plan.site_spec import SegmentSpec
from mpokit.standards.environments import environment_catalog

CAT = environment_catalog()


def run_of(*segments: SegmentSpec, fibers: int = 1728, fiber: str = "OS2",
           pinned: str | None = None) -> Run:
    where = tuple(f"spec.yaml:{10 + i}: site.routes[0].segments[{i}]"
                  for i in range(len(segments)))
    return Run("B1-B2", fibers, fiber, segments, where, pinned, "spec.yaml:9: construction")


def seg(environment: str, length_m: float = 100, **kw: object) -> SegmentSpec:
    return SegmentSpec(name=f"{environment} part", environment=environment,
                       length_m=length_m, **kw)  # type: ignore[arg-type]


def codes(choice: object) -> list[str]:
    return [f.code for f in choice.findings]  # type: ignore[attr-defined]


def test_cheapest_construction_that_serves_every_segment() -> None:
    # a riser (OFNR) and a duct (water-blocked): only indoor/outdoor riser cable serves both
    choice = choose_construction(run_of(seg("riser", 20), seg("duct", 300)), CAT, "NEC")
    assert choice.ok
    assert choice.construction is not None
    assert choice.construction.name == "RR-IO-1728-OFNR"
    # the outside-plant cable is cheaper, but it is not fire-rated for the riser
    osp = CAT.constructions.get("RR-OSP-1728")
    assert osp.price_per_m < choice.construction.price_per_m
    _, found = check_run(choice.run, osp, CAT, "NEC")
    assert [f.code for f in found] == ["fire_rating"]
    assert found[0].at.endswith("segments[0]")


def test_fire_rating_nec_hierarchy_and_closest_construction_named() -> None:
    # plenum + outdoor duct: no construction is both plenum-rated and water-blocked
    choice = choose_construction(run_of(seg("plenum", 30), seg("duct", 200)), CAT, "NEC")
    assert not choice.ok
    assert "fire_rating" in codes(choice) or "environment" in codes(choice)
    assert all(f.message.startswith("no construction serves this run") for f in choice.findings)
    # every finding names the segment that causes it (file:line:field) and a fix
    assert all(f.at.startswith("spec.yaml:1") and f.fix for f in choice.findings)


def test_fire_rating_cpr_euroclass() -> None:
    # riser asks Cca-s1b,d1,a1 under CPR; TB-24-OFNP is B2ca-s1a,d1,a1 (better): it serves
    tb = CAT.constructions.get("TB-24-OFNP")
    _, found = check_run(run_of(seg("riser", 20), fibers=24), tb, CAT, "CPR")
    assert found == []
    # plenum asks B2ca-s1a,d1,a1; the riser cable (Cca-s1b) is not enough
    io = CAT.constructions.get("RR-IO-864-OFNR")
    _, found = check_run(run_of(seg("plenum", 20)), io, CAT, "CPR")
    assert [f.code for f in found] == ["fire_rating"]
    assert "CPR B2ca-s1a,d1,a1" in found[0].message


def test_environment_rodents_need_armour() -> None:
    choice = choose_construction(run_of(seg("direct-buried", 500), fibers=288), CAT, "NEC")
    assert choice.ok and choice.construction is not None
    assert choice.construction.rodent_resistant
    _, found = check_run(choice.run, CAT.constructions.get("RR-OSP-1728"), CAT, "NEC")
    assert [f.code for f in found] == ["environment"]
    assert "rodent" in found[0].message


def test_temperature_service_and_installation() -> None:
    c = CAT.constructions.get("RR-IO-1728-OFNR")  # operates -40..70, installed -10..60
    _, found = check_run(run_of(seg("duct", 100, temperature_c=(-45, 30))), c, CAT, "NEC")
    assert [f.code for f in found] == ["temperature"]
    assert "-45..30" in found[0].message
    _, found = check_run(run_of(seg("duct", 100, install_temperature_c=(-20, 10))), c, CAT,
                         "NEC")
    assert [f.code for f in found] == ["temperature"]
    assert "installed" in found[0].message


def test_bend_radius_loaded_for_pulled_unloaded_otherwise() -> None:
    c = CAT.constructions.get("RR-IO-1728-OFNR")  # 260 mm unloaded, 520 mm loaded
    _, found = check_run(run_of(seg("duct", 50, min_bend_radius_mm=400)), c, CAT, "NEC")
    assert [f.code for f in found] == ["bend_radius"]
    assert "520 mm loaded" in found[0].message
    # the same bend in a tray (not pulled): the unloaded radius applies and holds
    _, found = check_run(run_of(seg("overhead-tray", 50, min_bend_radius_mm=400)), c, CAT,
                         "NEC")
    assert "bend_radius" not in [f.code for f in found]


def test_pulling_tension_capstan() -> None:
    c = CAT.constructions.get("RR-OSP-3456")  # 0.65 kg/m, 2700 N
    t = pulling_tension_n(c, 1000, 0.35, 180)
    assert t == pytest.approx(0.65 * 9.80665 * 1000 * 0.35 * math.exp(0.35 * math.pi))
    _, found = check_run(run_of(seg("duct", 1000, bends_deg=180)), c, CAT, "NEC")
    assert [f.code for f in found] == ["pulling_tension"]
    assert t > 2700 and f"split the pull into {math.ceil(t / 2700)} or more" in (found[0].fix or "")
    _, found = check_run(run_of(seg("duct", 400, bends_deg=180)), c, CAT, "NEC")
    assert found == []


def test_duct_fill_by_cable_count() -> None:
    c = CAT.constructions.get("RR-OSP-1728")  # 24 mm
    # 3 cables (5184 fibers) in a 50 mm duct: 3 * 24^2 / 50^2 = 69 % > 40 %
    n, found = check_run(run_of(seg("duct", 100, duct_inner_diameter_mm=50), fibers=5000), c,
                         CAT, "NEC")
    assert n == 3
    assert [f.code for f in found] == ["duct_fill"]
    assert "69 %" in found[0].message and "40 %" in found[0].message
    # one cable in a 33 mm duct: 53 % allowed for a single cable, 24^2/33^2 = 52.9 %
    _, found = check_run(run_of(seg("duct", 100, duct_inner_diameter_mm=33)), c, CAT, "NEC")
    assert found == []
    _, found = check_run(run_of(seg("duct", 100, duct_inner_diameter_mm=32)), c, CAT, "NEC")
    assert [f.code for f in found] == ["duct_fill"]


def test_tray_fill_counts_existing_cables() -> None:
    c = CAT.constructions.get("RR-864-OFNP")
    ok = seg("plenum", 40, tray_width_mm=100, tray_depth_mm=50)
    assert check_run(run_of(ok, fibers=864), c, CAT, "NEC")[1] == []
    full = seg("plenum", 40, tray_width_mm=100, tray_depth_mm=50, occupied_percent=45)
    found = check_run(run_of(full, fibers=864), c, CAT, "NEC")[1]
    assert [f.code for f in found] == ["duct_fill"]
    assert "(typical)" in found[0].message  # the tray limit is not a standard's


def test_pinned_construction_is_checked_never_replaced() -> None:
    choice = choose_construction(run_of(seg("riser", 20), pinned="RR-OSP-1728"), CAT, "NEC")
    assert choice.construction is not None
    assert choice.construction.name == "RR-OSP-1728"
    assert codes(choice) == ["fire_rating"]
    # a pinned construction of the wrong fiber type says so
    mm = choose_construction(run_of(seg("riser", 20), fiber="OM4", pinned="RR-OSP-1728"),
                             CAT, "NEC")
    assert codes(mm)[0] == "construction"


def test_no_construction_for_fiber_type() -> None:
    choice = choose_construction(run_of(seg("duct", 300), fiber="OS1a"), CAT, "NEC")
    assert choice.construction is None
    assert codes(choice) == ["construction"]
    assert "OS1a" in choice.findings[0].message
    # multimode between buildings: only the indoor cable carries OM4, and it cannot go there
    mm = choose_construction(run_of(seg("duct", 300), fiber="OM4"), CAT, "NEC")
    assert not mm.ok and {"environment", "temperature"} <= set(codes(mm))
