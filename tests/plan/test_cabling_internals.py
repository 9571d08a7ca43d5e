"""Planner internals: link modes, trunk laying and the per-class context.

Trunks between two racks, drawn::

    rack 0 [P1 u1..u30] ==trunk 288f (24 legs)== [P1 u1..u24] rack 1
                        ==trunk  72f  (6 legs)== [P1 u25..u30]
"""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.plan import make_plan
from mpokit.plan.cables import Cabling, LinkMode
from mpokit.plan.catalog import plan_catalog
from mpokit.plan.fabric import build_fabric
from mpokit.plan.layout import build_layout
from mpokit.plan.trunks import TrunkRun, group_rank, lay_trunks, panel_positions

from .helpers import spec


def test_link_mode_codes_round_trip_and_read_as_words() -> None:
    for m in LinkMode:
        assert LinkMode.from_code(m.code) is m
        assert f"{m}" == m.value
    assert [m.code for m in LinkMode] == list(range(len(LinkMode)))


def test_group_rank_and_panel_positions() -> None:
    rank, gid, sizes = group_rank(np.array([5, 5, 2, 5, 2]))
    assert rank.tolist() == [0, 1, 0, 2, 1] and gid.tolist() == [1, 1, 0, 1, 0]
    assert sizes.tolist() == [2, 3]
    # 7 duplex ends toward one rack: cassettes of 6 ports -> units 1, 2; sub-ports 1..6, 1
    p, u, s = panel_positions(np.zeros(7, np.int64), np.ones(7, np.int64), np.arange(7),
                              per_unit=6, units_per_panel=4)
    assert u.tolist() == [1] * 6 + [2] and s.tolist() == [1, 2, 3, 4, 5, 6, 1]
    assert p.tolist() == [1] * 7


def test_trunks_of_thirty_mpo_links_between_two_racks() -> None:
    sp = spec(31)
    fab = build_fabric(sp)
    lay = build_layout(sp, fab)
    cab = Cabling()
    n = 30
    ra, rb = np.zeros(n, np.int64), np.ones(n, np.int64)
    units = np.arange(1, n + 1)
    run = TrunkRun(ra=ra, rb=rb, a_panel=np.ones(n, np.int64), a_unit=units,
                   b_panel=np.ones(n, np.int64), b_unit=units, a_ru=np.full(n, 48),
                   b_ru=np.full(n, 47), trunk_connector="MPO-12",
                   fiber="OS2", polish="APC", ends="M-M")
    length = lay_trunks(cab, plan_catalog(), lay, run)
    assert length.shape == (n,) and np.all(length == length[0]) and length[0] > 0
    cols = cab.cables.cols
    fibers = [cab.parts[i].fibers for i in cols["part"]]
    # 30 legs are fewer than the largest cable holds (864f = 72 legs): one cable of the
    # smallest count that holds 30 x 12 = 360 fibers
    assert fibers == [432]
    assert cols["legs"].tolist() == [30]
    assert (cols["a_port"].tolist(), cols["a_port_hi"].tolist()) == ([1], [30])
    assert (cols["a_ru"].tolist(), cols["b_ru"].tolist()) == ([48], [47])
    assert cab.adapters == {"MPO Type A": 60}


def test_plan_designs_carry_link_modes_and_typed_results() -> None:
    p = make_plan(spec(127, layout__racks_per_row=16, layout__nodes_per_rack=4))
    modes = {d.mode for d in p.cabling.designs}
    assert modes <= set(LinkMode) and LinkMode.STRUCTURED in modes
    assert all(d.result is not None and d.result.checked for d in p.cabling.designs)


@pytest.mark.parametrize("n_nodes", [31, 127])
def test_every_link_becomes_exactly_one_channel(n_nodes: int) -> None:
    p = make_plan(spec(n_nodes))
    links = sum(p.fabric.links[c].size for c in p.fabric.links)
    # copper links are cables, not channels; none here (allow_copper is off)
    assert sum(d.n_channels for d in p.cabling.designs) == links


def test_bom_keys_are_exact_for_long_cables() -> None:
    """A 10 km and a 12 km trunk of the same part stay two BOM lines with their lengths
    (a packed ``part * 1_000_000 + cm`` key overflowed into the next part at 10 km)."""
    from mpokit.plan.cables import Part
    from mpokit.plan.outputs import bom_rows

    p = make_plan(spec(31))
    cab = p.cabling
    a = cab.part(Part("trunk", "MPO-12", "OS2", 144, type="A", polish="APC", ends="M-M"))
    b = cab.part(Part("trunk", "MPO-12", "OS2", 288, type="A", polish="APC", ends="M-M"))
    cab.cables.add(3, part=np.array([a, a, b]), length_m=np.array([10_000.0, 12_000.0,
                                                                    10_000.0]))
    rows = [r for r in bom_rows(p) if r["category"] == "trunk" and r["length_m"] >= 10_000]
    got = sorted((r["item"], r["length_m"], r["quantity"]) for r in rows)
    assert got == [("MPO-12 trunk type A M-M 144f OS2 APC", 10_000.0, 1),
                   ("MPO-12 trunk type A M-M 144f OS2 APC", 12_000.0, 1),
                   ("MPO-12 trunk type A M-M 288f OS2 APC", 10_000.0, 1)]
