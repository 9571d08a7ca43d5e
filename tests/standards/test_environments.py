"""Environment and construction catalogues: provenance, ratings, user extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.errors import InputError
from mpokit.standards.environments import cpr_satisfies, environment_catalog, parse_cpr

CAT = environment_catalog()


@pytest.mark.parametrize("c", list(CAT.constructions), ids=lambda c: c.name)
def test_every_construction_is_sourced_and_coherent(c: object) -> None:
    assert c.source and c.status in ("vendor", "typical")  # type: ignore[attr-defined]
    assert c.bend_radius_loaded_mm >= c.bend_radius_unloaded_mm  # type: ignore[attr-defined]
    lo, hi = c.operating_temperature_c  # type: ignore[attr-defined]
    assert lo < hi


def test_environments_cover_the_issue_kinds() -> None:
    kinds = {"in-rack", "overhead-tray", "raised-floor", "riser", "plenum", "duct",
             "direct-buried", "aerial"}
    assert kinds <= set(CAT.environments.names())
    assert CAT.environments.get("plenum").fire == {"NEC": "OFNP", "CPR": "B2ca-s1a,d1,a1"}


def test_nec_substitution() -> None:
    assert CAT.satisfies("NEC", "OFNP", "OFNR")
    assert CAT.satisfies("NEC", "OFNR", "OFN")
    assert not CAT.satisfies("NEC", "OFNR", "OFNP")
    assert not CAT.satisfies("NEC", None, "OFN")
    assert CAT.satisfies("NEC", None, None)


@pytest.mark.parametrize("have,need,ok", [
    ("B2ca-s1a,d0,a1", "Cca-s1b,d1,a1", True),
    ("Cca-s1b,d1,a1", "Cca-s1b,d1,a1", True),
    ("Cca-s1b,d2,a1", "Cca-s1b,d1,a1", False),   # droplets worse
    ("Cca-s2,d1,a1", "Cca-s1b,d1,a1", False),    # smoke worse
    ("Dca-s1a,d0,a1", "Cca-s3,d2,a3", False),    # class worse
    ("Eca", "Dca-s3,d2,a3", False),
])
def test_cpr(have: str, need: str, ok: bool) -> None:
    assert cpr_satisfies(have, need) is ok


def test_cpr_refuses_non_cable_classes() -> None:
    with pytest.raises(ValueError, match="not a cable Euroclass"):
        parse_cpr("B-s1,d0")


def test_fill_limits_nec_chapter_9() -> None:
    assert [CAT.fill_limit("conduit", n).limit_percent for n in (1, 2, 3, 7)] == [53, 31, 40, 40]
    assert CAT.fill_limit("conduit", 1).status == "verified"
    assert CAT.fill_limit("tray", 4).status == "typical"


def test_user_file_extends_and_overrides_on_purpose(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    rec = """  - name: {name}
    construction: loose-tube
    jacket: PE
    fibers: 576
    fiber_types: [OS2]
    outside_diameter_mm: 22
    weight_kg_per_m: 0.4
    bend_radius_unloaded_mm: 220
    bend_radius_loaded_mm: 440
    max_pulling_tension_n: 2700
    operating_temperature_c: [-40, 70]
    installation_temperature_c: [-30, 60]
    water_blocked: true
    attenuation_change_db_per_km: {{cold: 0.1, hot: 0.05}}
    price_per_m: 5
    reel_lengths_m: [4000]
    source: ACME datasheet 2026
    status: vendor
"""
    f.write_text("constructions:\n" + rec.format(name="ACME-576"))
    cat = environment_catalog(f)
    assert cat.constructions.get("ACME-576").fibers == 576
    assert "ACME-576" not in environment_catalog().constructions  # built-in one untouched
    f.write_text("constructions:\n" + rec.format(name="RR-OSP-1728"))
    with pytest.raises(InputError, match="already in the catalogue") as e:
        environment_catalog(f)
    assert e.value.file == str(f) and e.value.line == 2
    f.write_text("constructions:\n" + rec.format(name="RR-OSP-1728") + "    override: true\n")
    assert environment_catalog(f).constructions.get("RR-OSP-1728").fibers == 576


def test_user_file_contradictory_temperatures(tmp_path: Path) -> None:
    f = tmp_path / "env.yaml"
    f.write_text("environments:\n  - name: tunnel\n    indoor: false\n"
                 "    temperature_c: [30, -10]\n    source: me\n    status: typical\n")
    with pytest.raises(InputError, match="minimum is above the maximum") as e:
        environment_catalog(f)
    assert e.value.line == 4
