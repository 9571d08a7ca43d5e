"""Panel positions and trunk cables between racks, as array work.

Structured ends are grouped by (rack, other rack); each group takes whole panel units (an
MPO adapter, or a cassette of several duplex ports). Trunks join the units of one group:
full cables of the largest fiber count, then one sized to the remainder.

>>> rank, gid, sizes = group_rank(np.array([7, 3, 7, 7]))
>>> rank.tolist(), gid.tolist(), sizes.tolist()
([0, 0, 1, 2], [1, 0, 1, 1], [1, 3])
>>> panel, unit, sub = panel_positions(np.array([0, 0, 0]), np.array([1, 1, 2]),
...                                    np.arange(3), per_unit=1, units_per_panel=48)
>>> panel.tolist(), unit.tolist()
([1, 1, 1], [1, 2, 3])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mpokit.plan.cables import Cabling, Part
from mpokit.plan.catalog import PlanCatalog
from mpokit.plan.layout import Layout, route_m

__all__ = ["TrunkRun", "group_rank", "lay_trunks", "panel_positions", "place_panels"]


def group_rank(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows with group ``keys``: rank within the group (input order), group id, sizes.

    Parameters
    ----------
    keys
        One integer group key per row.

    Returns
    -------
    tuple of arrays
        Rank of each row in its group, the group id of each row (groups in key order) and
        the size of each group.
    """
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    uniq, start, counts = np.unique(sk, return_index=True, return_counts=True)
    gid_sorted = np.repeat(np.arange(uniq.size), counts)
    rank_sorted = np.arange(sk.size) - start[gid_sorted]
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    gid = np.empty_like(gid_sorted)
    gid[order] = gid_sorted
    return rank, gid, counts


def panel_positions(rack: np.ndarray, other: np.ndarray, link: np.ndarray, per_unit: int,
                    units_per_panel: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Panel number, panel port (unit) and sub-port of structured ends in one rack set.

    Parameters
    ----------
    rack, other
        Rack of each end and rack of the far end.
    link
        Link index of each end (orders the ends inside a group).
    per_unit
        Ends per unit: 1 for MPO adapters, the duplex ports of a cassette otherwise.
    units_per_panel
        Adapters (or cassettes) per panel.

    Returns
    -------
    tuple of arrays
        1-based panel number, unit within the panel, and sub-port within the unit.
    """
    big = int(max(rack.max(initial=0), other.max(initial=0))) + 1
    gkey = rack * big + other
    order = np.lexsort((link, gkey))
    rank = np.empty(rack.size, dtype=np.int64)
    sk = gkey[order]
    uniq, start, counts = np.unique(sk, return_index=True, return_counts=True)
    gid = np.repeat(np.arange(uniq.size), counts)
    rank[order] = np.arange(sk.size) - start[gid]
    units = -(-counts // per_unit)
    g_rack = uniq // big
    # cumulative units of earlier groups in the same rack
    cum = np.cumsum(units) - units
    first_of_rack = np.searchsorted(g_rack, g_rack, side="left")
    offset = cum - cum[first_of_rack]
    gid_rows = np.empty(rack.size, dtype=np.int64)
    gid_rows[order] = gid
    unit = offset[gid_rows] + rank // per_unit
    return unit // units_per_panel + 1, unit % units_per_panel + 1, rank % per_unit + 1


def place_panels(cab: Cabling, model: str, panel_ru: int, racks: np.ndarray,
                 local: np.ndarray, n_racks: int, rack_units: int) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Number new panels after every panel already in their rack (any model) and give
    each its rack unit, filling racks from the top; book them per model.

    Parameters
    ----------
    cab
        The cabling (its per-rack panel counts and RU use are updated).
    model
        The panel model.
    panel_ru
        Rack units one panel takes.
    racks
        The rack of each end being placed.
    local
        Each end's panel number among the panels of this call in its rack (1-based).
    n_racks, rack_units
        Racks on the floor and units per rack.

    Returns
    -------
    tuple of arrays
        The panel number in its rack (one sequence over all models, so labels are
        unique) and the top rack unit of that panel.
    """
    if cab.rack_panel_total.size != n_racks:
        cab.rack_panel_total = np.zeros(n_racks, dtype=np.int64)
        cab.rack_ru_used = np.zeros(n_racks, dtype=np.int64)
    new = np.zeros(n_racks, dtype=np.int64)
    np.maximum.at(new, racks, local)
    number = local + cab.rack_panel_total[racks]
    ru = rack_units - cab.rack_ru_used[racks] - (local - 1) * panel_ru
    count = cab.rack_panels.setdefault(model, np.zeros(n_racks, dtype=np.int64))
    # book each new panel with its rack, number and top RU (the devices table reads them)
    p_rack = np.repeat(np.arange(n_racks), new)
    p_local = np.arange(p_rack.size) - np.repeat(np.cumsum(new) - new, new) + 1
    if p_rack.size:
        cab.placed_panels.append((model, int(panel_ru), p_rack,
                                  p_local + cab.rack_panel_total[p_rack],
                                  rack_units - cab.rack_ru_used[p_rack]
                                  - (p_local - 1) * panel_ru))
    count += new
    cab.rack_panel_total += new
    cab.rack_ru_used += new * panel_ru
    return number, ru


@dataclass(frozen=True)
class TrunkRun:
    """The links one call of :func:`lay_trunks` joins with trunks, and how.

    One row per link end pair: ``ra``/``rb`` are the racks at ends A and B; the A end sits
    at ``a_panel``/``a_unit``; the B end at ``b_panel``/``b_unit`` of a panel, or at port
    ``b_unit`` of device ``b_dev`` (an OCS) when ``b_dev`` is given.
    """

    ra: np.ndarray
    rb: np.ndarray
    a_panel: np.ndarray
    a_unit: np.ndarray
    b_panel: np.ndarray  # empty when the B end is a device
    b_unit: np.ndarray
    a_ru: np.ndarray  # rack unit of the A-end panel of each link
    b_ru: np.ndarray  # rack unit of the B-end panel (or of the device) of each link
    trunk_connector: str  # the MPO at the trunk's ends
    fiber: str
    polish: str
    ends: str  # genders at the two ends, e.g. "M-M"
    per_unit: int = 1  # link ends per unit (cassette ports), 1 for MPO adapters
    unit_model: str = "MPO Type A"  # adapter description, or the cassette model
    b_dev: np.ndarray | None = None
    cls: int = 0  # link class index (LINK_CLASSES)


def lay_trunks(cab: Cabling, cat: PlanCatalog, lay: Layout, run: TrunkRun) -> np.ndarray:
    """Add the trunk cables of ``run`` to ``cab``; return the trunk length of each link.

    Parameters
    ----------
    cab
        The cabling being built (cables, parts, adapters and cassettes are added).
    cat
        The plan catalogue (trunk fiber counts, standard lengths).
    lay
        Rack positions and heights.
    run
        The links and how their trunks end.

    Returns
    -------
    numpy.ndarray
        Trunk length (m, rounded to a standard length) of each link of ``run``.
    """
    ra, rb, b_end_dev = run.ra, run.rb, run.b_dev
    rec = cat.trunks.get(run.trunk_connector)
    fpl = rec.fibers_per_leg
    big = int(max(ra.max(initial=0), rb.max(initial=0))) + 1
    pair = ra * big + rb if b_end_dev is None else ra * (b_end_dev.max() + 1) + b_end_dev
    # legs: one per unit (an MPO link, or a cassette of per_unit links)
    rank, gid, counts = group_rank(pair)
    leg = rank // run.per_unit
    is_leg = rank % run.per_unit == 0
    n_legs_g = -(-counts // run.per_unit)
    max_count = max(rec.fiber_counts)
    lpc = max(1, max_count // fpl)
    # trunk length per group: tray route between the racks' panel zones (or the OCS)
    rows = np.nonzero(is_leg)[0]
    g_first = np.full(counts.size, -1, dtype=np.int64)
    g_first[gid[rows[::-1]]] = rows[::-1]
    ga, gb = ra[g_first], rb[g_first]
    zb = lay.top_z[gb] if b_end_dev is None else lay.dev_z[b_end_dev[g_first]]
    r = route_m(lay.layout, lay.rack_x[ga], lay.rack_y[ga], lay.top_z[ga],
                lay.rack_x[gb], lay.rack_y[gb], zb, np.zeros(ga.size, np.int64))
    g_len = cat.round_length("trunk", r)
    # cables: per group, full cables of lpc legs then one sized to the remainder
    counts_sorted = np.asarray(sorted(rec.fiber_counts))
    full = n_legs_g // lpc
    rem = n_legs_g % lpc
    n_full = int(full.sum())
    full_g = np.repeat(np.arange(counts.size), full)
    full_c = np.arange(n_full) - np.repeat(np.cumsum(full) - full, full)
    cable_g = np.concatenate([full_g, np.nonzero(rem)[0]])
    legs_c = np.concatenate([np.full(n_full, lpc), rem[rem > 0]])
    first_leg = np.concatenate([full_c * lpc, (full * lpc)[rem > 0]]).astype(np.int64)
    fibers_c = counts_sorted[np.searchsorted(counts_sorted, legs_c * fpl)]
    # per cable: its first and last leg rows give the panel ranges
    m = int(n_legs_g.max()) + 1 if counts.size else 1
    leg_key = gid[rows] * m + leg[rows]
    ko = np.argsort(leg_key)
    sorted_keys, sorted_rows = leg_key[ko], rows[ko]
    r0 = sorted_rows[np.searchsorted(sorted_keys, cable_g * m + first_leg)]
    r1 = sorted_rows[np.searchsorted(sorted_keys, cable_g * m + first_leg + legs_c - 1)]
    uf, finv = np.unique(fibers_c, return_inverse=True)
    pids = np.asarray([cab.part(Part("trunk", run.trunk_connector, run.fiber, int(fc), type="A",
                                     polish=run.polish, ends=run.ends,
                                     diameter_mm=rec.diameter_mm.get(int(fc), 10.0)))
                       for fc in uf], dtype=np.int64)
    part_ids = pids[finv]
    cab.cables.add(
        int(cable_g.size), part=part_ids, length_m=g_len[cable_g], cls=run.cls,
        a_rack=ga[cable_g], a_ru=run.a_ru[r0], a_panel=run.a_panel[r0],
        a_panel_hi=run.a_panel[r1], a_port=run.a_unit[r0], a_port_hi=run.a_unit[r1],
        b_rack=gb[cable_g], b_ru=run.b_ru[r0],
        b_dev=-1 if b_end_dev is None else b_end_dev[r0],
        b_panel=-1 if run.b_panel.size == 0 else run.b_panel[r0],
        b_panel_hi=-1 if run.b_panel.size == 0 else run.b_panel[r1],
        b_port=run.b_unit[r0], b_port_hi=run.b_unit[r1], legs=legs_c)
    n_units = int(n_legs_g.sum())
    cassette = run.per_unit > 1
    ends_per_unit = 1 if (b_end_dev is not None and not cassette) else 2
    cab.count_panel_units(run.unit_model, ends_per_unit * n_units, cassette=cassette)
    return g_len[gid]
