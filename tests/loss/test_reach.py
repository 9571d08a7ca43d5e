"""Supportable-distance tables: published examples, monotonicity, agreement with budgets."""

from __future__ import annotations

from typing import Any

import pytest

from mpokit.errors import CatalogError, InputError
from mpokit.loss import budget, reach_table, supportable_length
from mpokit.loss.reach import max_connections
from tests.loss.conftest import make


def test_fluke_40gbase_sr4_worked_example() -> None:
    """Fluke Networks, "Cable Testing 101: But the Standard Says 0.75 dB!" (2024):
    40GBASE-SR4 allows 1.5 dB over 150 m of OM4; at 3.0 dB/km the fiber takes 0.45 dB,
    leaving 1.05 dB for connectors -- one 0.75 dB TIA connection, three 0.35 dB ones."""
    r = supportable_length("40GBASE-SR4", "OM4", connections=0)
    assert r.max_il_db == 1.5 and r.reach_m == 150 and r.db_per_km == 3.0
    assert r.max_il_db - 150 / 1000 * r.db_per_km == pytest.approx(1.05)
    assert max_connections("40GBASE-SR4", "OM4", 150, "TIA") == 1
    assert max_connections("40GBASE-SR4", "OM4", 150, "low-loss") == 3


@pytest.mark.parametrize(
    ("pmd", "fiber", "db_per_km", "published_m"),
    [
        # TIA FOTC 800GBASE-DR8 overview: ranges "calculated using a 2.75 dB connection and
        # splice loss allocation" -- OS1a 250 m, indoor/outdoor (0.5 dB/km) 500 m
        ("800GBASE-DR8", "OS1a", 1.0, 250),
        ("800GBASE-DR8", "OS2", 0.5, 500),
        # TIA FOTC 400GBASE-LR8 overview (2.0 dB allocation): OS1a 4 km, I/O 8 km, OS2 10 km
        ("400GBASE-LR8", "OS1a", 1.0, 4000),
        ("400GBASE-LR8", "OS2", 0.5, 8000),
        ("400GBASE-LR8", "OS2", 0.4, 10000),
    ],
)
def test_tia_fotc_operating_ranges(pmd: str, fiber: str, db_per_km: float,
                                   published_m: float) -> None:
    from mpokit.loss import channel_limit

    lim = channel_limit(pmd, fiber)
    assert lim is not None and lim.connection_allowance_db is not None
    r = supportable_length(pmd, fiber, 1, per_connection_db=lim.connection_allowance_db,
                           db_per_km=db_per_km)
    # the published range is the loss-limited length rounded down (to km for LR8)
    assert published_m <= r.loss_length_m < published_m + 1000
    if pmd == "800GBASE-DR8":
        assert r.loss_length_m == pytest.approx(published_m)


@pytest.mark.parametrize("grade", ["A", "B", "C", "TIA", "low-loss"])
@pytest.mark.parametrize(("pmd", "fiber"), [("400GBASE-SR8", "OM4"), ("800GBASE-DR8", "OS2"),
                                            ("10GBASE-SR", "OM3"), ("400GBASE-LR8", "OS2")])
def test_table_monotonic(pmd: str, fiber: str, grade: str) -> None:
    rows = reach_table(pmd, fiber, grade, connections=range(12))
    lengths = [r.length_m for r in rows]
    assert lengths == sorted(lengths, reverse=True)
    assert all(0 <= x <= rows[0].reach_m for x in lengths)


def _sr8(length_m: float, n: int, grade: str) -> Any:
    path: list[dict[str, Any]] = [{"cord": {"connector": "MPO-16", "type": "B",
                                            "polish": "APC", "fiber": "OM4",
                                            "length_m": length_m, "grade": grade}}]
    for _ in range(n):
        path += [{"adapter": {"type": "A"}},
                 {"cord": {"connector": "MPO-16", "type": "A", "polish": "APC", "fiber": "OM4",
                           "length_m": 0, "grade": grade, "ends": ["female", "male"]}}]
    path[-1]["cord"]["ends"] = ["female", "female"]
    return make({"a": "400GBASE-SR8", "b": "400GBASE-SR8", "path": path})


@pytest.mark.parametrize(("n", "grade"), [(1, "TIA"), (2, "TIA"), (4, "B"), (5, "C"), (3, "C")])
def test_table_agrees_with_budget(n: int, grade: str) -> None:
    r = supportable_length("400GBASE-SR8", "OM4", n, grade)
    if r.limited_by == "infeasible":
        assert budget(_sr8(0, n, grade)).margin_db < 0  # type: ignore[operator]
        return
    at = budget(_sr8(r.length_m, n, grade))
    assert at.ok and at.margin_db is not None and at.margin_db >= -1e-9
    over = budget(_sr8(r.length_m + 1, n, grade))
    assert not over.ok  # one metre more breaks the loss or the reach


def test_vendor_style_values() -> None:
    # 400GBASE-SR8 / OM4: 2 TIA connections leave 0.4 dB = 133 m of fiber -> reach 100 m;
    # 3 exceed the 1.9 dB limit; nominal grade C allows 6 connections at 100 m
    assert supportable_length("400GBASE-SR8", "OM4", 2, "TIA").limited_by == "reach"
    assert supportable_length("400GBASE-SR8", "OM4", 3, "TIA").limited_by == "infeasible"
    assert supportable_length("400GBASE-SR8", "OM4", 6, "C", case="nominal").length_m == 100
    r = supportable_length("400GBASE-SR8", "OM4", 7, "C", case="nominal")
    assert (r.length_m, r.limited_by) == (50.0, "loss")


def test_bad_input() -> None:
    with pytest.raises(InputError, match="grade"):
        supportable_length("400GBASE-SR8", "OM4", 2, "CC")
    with pytest.raises(CatalogError):
        supportable_length("400GBASE-SR88", "OM4", 2)
    with pytest.raises(InputError, match="no limit"):
        supportable_length("400GBASE-SR8", "OS2", 2)
