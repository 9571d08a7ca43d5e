"""Mating maps derived from geometry, cross-checked against the TIA-568.3 formulas.

TIA-568.3 (via the shared reference, section 2.3), single row, n positions, 1-based:
Type A cable/adapter f(i) = i; Type B f(i) = n + 1 - i; Type C f(i) = i +/- 1 pairwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.connectivity import geometry as geo
from mpokit.standards import connector


def tia(kind: str, n: int) -> list[int]:
    i = np.arange(1, n + 1)
    if kind == "A":
        f = i
    elif kind == "B":
        f = n + 1 - i
    else:
        f = np.where(i % 2 == 1, i + 1, i - 1)
    return (f - 1).tolist()


@pytest.mark.parametrize("name", ["MPO-12", "MPO-16", "MPO-8"])
def test_type_b_adapter_geometry_matches_tia_reversal(name: str) -> None:
    c = connector(name)
    assert geo.mate_map(c, "up-up").tolist() == tia("B", c.positions)


@pytest.mark.parametrize("name", ["MPO-12", "MPO-16"])
def test_type_a_adapter_geometry_keeps_positions_on_one_row(name: str) -> None:
    c = connector(name)
    assert geo.mate_map(c, "up-down").tolist() == tia("A", c.positions)


@pytest.mark.parametrize("kind", ["A", "B", "C"])
@pytest.mark.parametrize("name", ["MPO-12", "MPO-16"])
def test_cable_maps_match_tia_formulas(kind: str, name: str) -> None:
    c = connector(name)
    assert geo.cable_map(c, kind).tolist() == tia(kind, c.positions)


def test_two_row_key_up_key_down_swaps_rows_and_keeps_columns() -> None:
    c = connector("MPO-24")
    m = geo.mate_map(c, "up-down")
    assert m[0] == 12 and m[12] == 0 and m[11] == 23  # position 1 meets 13, 12 meets 24


def test_two_row_key_up_key_up_reverses_each_row() -> None:
    c = connector("MPO-32")
    m = geo.mate_map(c, "up-up")
    assert m[0] == 15 and m[16] == 31  # 1 meets 16, 17 meets 32


def test_lc_duplex_adapter_mates_a_to_b() -> None:
    assert geo.mate_map(connector("LC"), "up-up").tolist() == [1, 0]


def test_mpo8_positions_without_fiber_are_dark() -> None:
    m = geo.cable_map(connector("MPO-8"), "A")
    assert (m[4:8] == geo.DARK).all() and m[:4].tolist() == [0, 1, 2, 3]


def test_offset_key_mpo16_against_mpo12_has_mismatched_footprint() -> None:
    assert connector("MPO-16").footprint() != connector("MPO-12").footprint()
    assert connector("MPO-8").footprint() == connector("MPO-12").footprint()


def test_custom_map_rejects_two_fibers_on_one_position() -> None:
    with pytest.raises(ValueError, match="same position"):
        geo.cable_map(connector("MPO-12"), "custom", (1, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))


def test_compose_and_invert() -> None:
    c = connector("MPO-12")
    b = geo.cable_map(c, "B")
    assert geo.compose(b, b).tolist() == list(range(12))
    cm = geo.cable_map(c, "C")
    assert geo.compose(cm, geo.invert(cm, 12)).tolist() == list(range(12))
