"""IEEE limits fail; informative ranges warn; reflectance tables follow the loss rule.

    [800GBASE-DR8] --MPO-16 cord type B, OS1a, L m-- [800GBASE-DR8]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.model import compile_channel
from mpokit.loss import budget
from mpokit.loss.limits import Application, applications, channel_limit


def _dr8(length_m: float, fiber: str, *mid: dict[str, Any]) -> Any:
    cord = {"connector": "MPO-16", "type": "B", "polish": "APC", "ends": ["female", "female"],
            "fiber": fiber}
    path = [{"cord": {**cord, "length_m": length_m}}] if not mid else [
        {"cord": {**cord, "length_m": 1}}, *mid, {"cord": {**cord, "length_m": length_m}}]
    return compile_channel(parse_channel({"a": "800GBASE-DR8", "b": "800GBASE-DR8",
                                          "path": path}))


def _finding(ch: Any, code: str) -> Any:
    return next((f for f in budget(ch).findings if f.code == code), None)


def test_os1a_range_of_dr8_is_informative() -> None:
    lim = channel_limit("800GBASE-DR8", "OS1a")
    assert lim is not None and lim.reach_informative and lim.reach_m == 250
    assert not channel_limit("800GBASE-DR8", "OS2").reach_informative  # type: ignore[union-attr]


def test_dr8_306_m_over_os1a_warns_but_passes_on_its_loss_limit() -> None:
    ch = _dr8(306, "OS1a")
    b = budget(ch)
    assert b.total_db < 3.0
    f = _finding(ch, "reach")
    assert f is not None and f.severity == "warning"
    assert "informative 250 m range" in f.message and "3 dB" in f.message
    assert not any(x.severity == "error" for x in b.findings)


def test_ieee_reach_still_fails() -> None:
    f = _finding(_dr8(600, "OS2"), "reach")
    assert f is not None and f.severity == "error" and "500 m" in f.message


@pytest.fixture
def dr8_verified_table() -> Iterator[None]:
    """The DR8 record with its reflectance table marked verified (restored afterwards)."""
    cat = applications()
    saved = dict(cat._items)
    rec = cat.get("800GBASE-DR8").model_dump()
    rec["reflectance"]["status"] = "verified"
    cat.add(Application.model_validate(rec))
    yield
    cat._items = saved


def _four_reflections() -> Any:
    trunk = {"trunk": {"connector": "MPO-16", "type": "A", "polish": "APC", "fiber": "OS2",
                       "length_m": 1, "ends": ["male", "male"]}}
    adp = {"adapter": {"type": "A", "loss_db": 0.1, "reflectance_db": -30}}
    return _dr8(10, "OS2", adp, trunk, dict(adp), dict(trunk), dict(adp), dict(trunk),
                dict(adp))


@pytest.mark.usefixtures("dr8_verified_table")
def test_four_reflections_of_minus_30_db_fail_against_a_verified_table() -> None:
    f = _finding(_four_reflections(), "reflectance")
    assert f is not None and f.severity == "error"
    assert "-35 dB each" in f.message and "(typical)" not in f.message


def test_the_same_reflections_warn_against_a_typical_table_and_say_so() -> None:
    f = _finding(_four_reflections(), "reflectance")
    assert f is not None and f.severity == "warning"
    assert "(typical)" in f.message
