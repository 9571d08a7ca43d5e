"""Application limits, fiber attenuation and grades come from data with provenance."""

from __future__ import annotations

import pytest

from mpokit.errors import CatalogError
from mpokit.loss import application, applications, attenuation, channel_limit, grade, grades
from mpokit.loss.grades import Z97, defaults, worse
from mpokit.standards import transceivers


@pytest.mark.parametrize(
    ("pmd", "fiber", "il", "reach", "status"),
    [
        ("400GBASE-SR8", "OM3", 1.8, 70, "verified"),  # TIA FOTC 400GBASE-SR8 overview
        ("400GBASE-SR8", "OM4", 1.9, 100, "verified"),
        ("400GBASE-SR8", "OM5", 1.9, 100, "verified"),
        ("400GBASE-SR4.2", "OM5", 2.0, 150, "verified"),  # TIA FOTC 400GBASE-SR4.2 overview
        ("800GBASE-DR8", "OS2", 3.0, 500, "verified"),  # TIA FOTC 800GBASE-DR8 overview
        ("400GBASE-LR8", "OS2", 6.3, 10000, "verified"),
        ("40GBASE-SR4", "OM4", 1.5, 150, "vendor"),
        ("400GBASE-DR4", "OS2", 3.0, 500, "typical"),  # unconfirmed: must stay typical
        ("100GBASE-SR4", "OM4", 1.9, 100, "typical"),
    ],
)
def test_limits_from_data(pmd: str, fiber: str, il: float, reach: float, status: str) -> None:
    lim = channel_limit(pmd, fiber)
    assert lim is not None
    assert (lim.max_il_db, lim.reach_m, lim.status) == (il, reach, status)


def test_dr8_connection_allowance() -> None:
    lim = channel_limit("800GBASE-DR8", "OS2")
    assert lim is not None and lim.connection_allowance_db == 2.75


def test_dj_discrete_reflectance_table_by_count() -> None:
    table = application("800GBASE-FR4-500").reflectance
    assert table is not None
    assert [table.allowed_db(n) for n in (1, 2, 3, 4, 6, 8, 10, 11)] == [
        -25, -31, -35, -35, -38, -40, -41, None]
    assert table.counted_above_db == -55


def test_typical_limits_are_labelled() -> None:
    lim = channel_limit("400GBASE-DR4", "OS2")
    assert lim is not None and lim.label() == "3 dB (typical)"
    lim = channel_limit("400GBASE-SR8", "OM4")
    assert lim is not None and lim.label() == "1.9 dB"


def test_every_transceiver_pmd_has_limits() -> None:
    for t in transceivers():
        app = application(t.pmd)
        assert app.media == t.media, t.name


@pytest.mark.parametrize("app", list(applications()), ids=lambda a: a.name)
def test_application_records_are_sane(app: object) -> None:
    from mpokit.loss import Application

    assert isinstance(app, Application)
    assert app.source and app.status
    for row in app.fibers:
        assert row.source and row.status
        if row.connection_allowance_db is not None:
            assert row.connection_allowance_db <= row.max_il_db


def test_missing_fiber_row_uses_lower_rank_and_degrades_status() -> None:
    lim = channel_limit("10GBASE-SR", "OM5")
    assert lim is not None and lim.via_fiber == "OM4" and lim.max_il_db == 2.9
    assert channel_limit("400GBASE-SR8", "OS2") is None


def test_unknown_names_suggest() -> None:
    with pytest.raises(CatalogError, match="400GBASE-SR8"):
        application("400GBASE-SR88")
    with pytest.raises(CatalogError, match="OM4"):
        channel_limit("400GBASE-SR8", "OM44")


def test_attenuation() -> None:
    assert attenuation("OS2", 1310).db_per_km == 0.4
    assert attenuation("OS1a", 1310).db_per_km == 1.0
    assert attenuation("OM4", 850).db_per_km == 3.0
    assert attenuation("OM4", 910).wavelength_nm == 850  # nearest listed wavelength


def test_grades_and_pair_rule() -> None:
    assert (grade("A").mean_db, grade("A").p97_db) == (0.07, 0.15)
    assert (grade("B").mean_db, grade("B").worst_db) == (0.12, 0.25)
    assert grade("C").worst_db == 0.5
    assert grade("TIA").worst_db == 0.75 and grade("TIA").worst_status == "verified"
    assert worse("B", "C").name == "C"  # a pair is only as good as its worse plug
    assert worse(None, "B").name == "B"
    assert worse(None, None).name == defaults().connection == "TIA"
    for g in grades():
        assert g.source and g.status


@pytest.mark.parametrize("name", ["A", "B", "C", "D", "TIA", "low-loss"])
def test_lognormal_fit_reproduces_mean_and_p97(name: str) -> None:
    import math

    g = grade(name)
    mu, s = g.lognormal()
    assert math.exp(mu + s * s / 2) == pytest.approx(g.mean_db, rel=1e-9)
    assert math.exp(mu + Z97 * s) == pytest.approx(g.p97_db, rel=1e-9)
