"""Channels of one link class and one optic, cabled in each :class:`LinkMode`.

Each function adds the cables of its links to the cable table and the designs of their
channels (links sharing an element sequence) to :class:`~mpokit.plan.cables.Cabling`.
What every function needs about the class being planned travels in one
:class:`ClassContext`; what it needs about the optic in one :class:`OpticChoice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mpokit.errors import DesignError
from mpokit.plan.cables import Cabling, Design, Element, LinkMode, Part
from mpokit.plan.catalog import OpticRecord, PlanCatalog
from mpokit.plan.fabric import Fabric, LinkSet
from mpokit.plan.layout import Layout, route_m
from mpokit.plan.spec import ClusterSpec
from mpokit.plan.trunks import TrunkRun, group_rank, lay_trunks, panel_positions, place_panels
from mpokit.standards import breakout, connector

__all__ = [
    "ClassContext",
    "OpticChoice",
    "add_direct_cables",
    "channel_length_m",
    "cord_body",
    "cord_part",
    "plan_breakout",
    "plan_direct",
    "plan_ocs",
    "plan_structured",
]


@dataclass(frozen=True)
class ClassContext:
    """One link class being planned: its links, where they sit and what they are built of."""

    spec: ClusterSpec
    fab: Fabric
    lay: Layout
    cat: PlanCatalog
    cab: Cabling
    cls: str  # node_leaf | leaf_spine | spine_core
    cls_index: int  # its index in LINK_CLASSES (the cable table's ``cls`` column)
    links: LinkSet
    route_m: np.ndarray  # device-to-device route of every link
    twin_a: np.ndarray  # port of a twin-port module at end A (1/2), 0 for single-port
    twin_b: np.ndarray
    over_reach: np.ndarray  # per link: longer than every optic offered for it reaches


@dataclass(frozen=True)
class OpticChoice:
    """The optic of a set of links and the module models at its two ends."""

    optic: OpticRecord
    a_model: str
    b_model: str


def split_designs(keys: np.ndarray) -> list[np.ndarray]:
    """Row groups with equal ``keys`` (each group becomes one design)."""
    order = np.argsort(keys, kind="stable")
    _, start = np.unique(keys[order], return_index=True)
    return np.split(order, start[1:])


def cord_part(o: OpticRecord, type_: str, ends: str = "F-F") -> Part:
    """The patch cord of optic ``o`` with polarity ``type_`` (and genders for MPO).

    Parameters
    ----------
    o
        The optic (its connector, fiber and polish).
    type_
        Cord polarity type (``A``, ``B``; ``A-B``/``A-A`` for duplex LC).
    ends
        Genders at the two ends for MPO cords.

    Returns
    -------
    Part
        The cord part, its fiber count from the connector catalogue.

    Examples
    --------
    >>> from mpokit.plan.catalog import plan_catalog
    >>> cord_part(plan_catalog().optic("400G-DR4"), "B").description
    'MPO-12 cord type B F-F OS2 APC'
    """
    if o.connector == "LC":
        return Part("cord", "LC", o.fiber, 2, type=type_)
    return Part("cord", o.connector, o.fiber, connector(o.connector).fibers, type=type_,
                polish=o.polish, ends=ends)


def cord_body(p: Part) -> dict[str, Any]:
    """The channel-file body of a cord or trunk part (without its length)."""
    body: dict[str, Any] = {"connector": p.connector, "type": p.type}
    if p.polish:
        body["polish"] = p.polish
    if p.ends:
        g = {"F": "female", "M": "male"}
        body["ends"] = [g[p.ends[0]], g[p.ends[-1]]]
    body["fiber"] = p.fiber
    return body


def add_direct_cables(ctx: ClassContext, sel: np.ndarray, part: int,
                      length: np.ndarray) -> None:
    """Add one device-to-device cable per selected link."""
    ls, lay = ctx.links, ctx.lay
    ctx.cab.cables.add(
        int(np.count_nonzero(sel)), part=part, length_m=length, cls=ctx.cls_index,
        a_rack=lay.dev_rack[ls.a_dev[sel]], a_ru=lay.dev_ru[ls.a_dev[sel]], a_dev=ls.a_dev[sel],
        a_port=ls.a_port[sel], b_rack=lay.dev_rack[ls.b_dev[sel]],
        b_ru=lay.dev_ru[ls.b_dev[sel]], b_dev=ls.b_dev[sel], b_port=ls.b_port[sel])


def _design(ctx: ClassContext, mode: LinkMode, oc: OpticChoice, g: np.ndarray,
            elements: list[Element], lengths: np.ndarray) -> Design:
    ls = ctx.links
    return Design(ctx.cls, mode, oc.optic, oc.a_model, int(ctx.twin_a[g[0]]), oc.b_model,
                  int(ctx.twin_b[g[0]]), elements, ls.a_dev[g], ls.a_port[g], ls.b_dev[g],
                  ls.b_port[g], lengths, over_reach=ctx.over_reach[g])


def channel_length_m(lay: Layout, cat: PlanCatalog, links: LinkSet, mode: np.ndarray,
                     route: np.ndarray) -> np.ndarray:
    """The fiber length each link's channel will have, with its runs rounded up to the
    standard lengths the planner will buy (what the optic's reach is checked against).

    Parameters
    ----------
    lay, cat
        The floor layout and the plan catalogue.
    links
        The links of one class.
    mode
        Each link's :class:`LinkMode` code.
    route
        Each link's device-to-device route (m).

    Returns
    -------
    numpy.ndarray
        Direct and breakout links: the rounded cord (harness) length; structured links:
        both rounded panel cords plus the rounded trunk between the two racks; other
        links: the route itself.
    """
    out = np.asarray(route, dtype=float).copy()
    direct = mode == LinkMode.DIRECT.code
    out[direct] = cat.round_length("cord", route[direct])
    brk = mode == LinkMode.BREAKOUT.code
    out[brk] = cat.round_length("breakout", route[brk])
    st = np.nonzero(mode == LinkMode.STRUCTURED.code)[0]
    if st.size:
        a_dev, b_dev = links.a_dev[st], links.b_dev[st]
        ra, rb = lay.dev_rack[a_dev], lay.dev_rack[b_dev]
        one = np.ones(st.size, np.int64)
        la = cat.round_length("cord", route_m(lay.layout, 0, 0, lay.dev_z[a_dev], 0, 0,
                                              lay.top_z[ra], one))
        lb = cat.round_length("cord", route_m(lay.layout, 0, 0, lay.dev_z[b_dev], 0, 0,
                                              lay.top_z[rb], one))
        lt = cat.round_length("trunk", route_m(lay.layout, lay.rack_x[ra], lay.rack_y[ra],
                                               lay.top_z[ra], lay.rack_x[rb], lay.rack_y[rb],
                                               lay.top_z[rb], np.zeros(st.size, np.int64)))
        out[st] = la + lt + lb
    return out


def plan_direct(ctx: ClassContext, idx: np.ndarray, oc: OpticChoice) -> None:
    """Links ``idx`` as one cord from module to module."""
    o = oc.optic
    part = cord_part(o, "A-B" if o.connector == "LC" else "B")
    pid = ctx.cab.part(part)
    length = ctx.cat.round_length("cord", ctx.route_m[idx])
    sel = np.zeros(ctx.route_m.size, dtype=bool)
    sel[idx] = True
    add_direct_cables(ctx, sel, pid, length)
    elements: list[Element] = [("cord", cord_body(part), 0)]
    keys = ctx.twin_a[idx] * 3 + ctx.twin_b[idx]
    for grp in split_designs(keys):
        ctx.cab.designs.append(_design(ctx, LinkMode.DIRECT, oc, idx[grp], list(elements),
                                       length[grp][:, None]))


def plan_breakout(ctx: ClassContext, idx: np.ndarray, oc: OpticChoice) -> None:
    """Links ``idx`` as legs of one harness per switch port (length: its longest leg)."""
    o, ls, lay = oc.optic, ctx.links, ctx.lay
    assert o.breakout is not None
    port_key = ls.b_dev[idx] * (ctx.fab.radix + 1) + ls.b_port[idx]
    uniq, inv = np.unique(port_key, return_inverse=True)
    longest = np.zeros(uniq.size)
    np.maximum.at(longest, inv, ctx.route_m[idx])
    h_len = ctx.cat.round_length("breakout", longest)
    trunk_fibers = connector(breakout(o.breakout).trunk.connector).fibers
    pid = ctx.cab.part(Part("breakout", o.breakout, o.fiber, trunk_fibers, polish=o.polish))
    first = np.zeros(uniq.size, dtype=np.int64)
    second = np.full(uniq.size, -1, dtype=np.int64)
    leg = ls.b_leg[idx]
    first[inv[leg == 1]] = idx[leg == 1]
    second[inv[leg == 2]] = idx[leg == 2]
    f = first
    s_ok = second >= 0
    b2_dev = np.where(s_ok, ls.a_dev[np.maximum(second, 0)], -1)
    b2_port = np.where(s_ok, ls.a_port[np.maximum(second, 0)], -1)
    ctx.cab.cables.add(
        uniq.size, part=pid, length_m=h_len, cls=ctx.cls_index,
        a_rack=lay.dev_rack[ls.b_dev[f]], a_ru=lay.dev_ru[ls.b_dev[f]], a_dev=ls.b_dev[f],
        a_port=ls.b_port[f], b_rack=lay.dev_rack[ls.a_dev[f]], b_ru=lay.dev_ru[ls.a_dev[f]],
        b_dev=ls.a_dev[f], b_port=ls.a_port[f], b2_dev=b2_dev, b2_port=b2_port, legs=2)
    length = h_len[inv]
    for grp in split_designs(leg):
        body = {"model": o.breakout, "leg": int(leg[grp[0]]), "enter": "leg",
                "polish": o.polish, "fiber": o.fiber}
        ctx.cab.designs.append(_design(ctx, LinkMode.BREAKOUT, oc, idx[grp],
                                       [("breakout", body, 0)], length[grp][:, None]))


def _panel_cord_m(ctx: ClassContext, dev: np.ndarray, rack: np.ndarray) -> np.ndarray:
    """Standard cord length from each device up to its rack's panel zone."""
    lay = ctx.lay
    return ctx.cat.round_length("cord", route_m(lay.layout, 0, 0, lay.dev_z[dev], 0, 0,
                                                lay.top_z[rack], np.ones(dev.size, np.int64)))


def plan_structured(ctx: ClassContext, idx: np.ndarray, oc: OpticChoice) -> None:
    """Links ``idx`` as cord -- panel -- trunk -- panel -- cord (cassettes for duplex)."""
    spec, cab, cat, lay, ls, o = ctx.spec, ctx.cab, ctx.cat, ctx.lay, ctx.links, oc.optic
    ra, rb = lay.dev_rack[ls.a_dev[idx]], lay.dev_rack[ls.b_dev[idx]]
    duplex = o.connector == "LC"
    cas = cat.cassette
    per_unit = cas.front.ports if duplex else 1
    panel = cat.cassette_panel if duplex else cat.mpo_panel
    # panel positions: both ends of every link, per rack. Panels already in the rack (of
    # any model, earlier classes) come first: one numbering and one RU sequence per rack.
    rack_all = np.concatenate([ra, rb])
    other = np.concatenate([rb, ra])
    link = np.concatenate([idx, idx])
    local, unit, sub = panel_positions(rack_all, other, link, per_unit, panel.adapters)
    p_no, p_ru = place_panels(cab, panel.name, panel.ru, rack_all, local, lay.n_racks,
                              spec.layout.rack_units)
    n = idx.size
    a_panel, a_unit, a_sub, a_ru = p_no[:n], unit[:n], sub[:n], p_ru[:n]
    b_panel, b_unit, b_ru = p_no[n:], unit[n:], p_ru[n:]
    pol_b = spec.cabling.polarity == "B" and o.polish == "UPC" and not duplex
    # polarity B with APC or duplex optics was refused before (cabling._refuse_replaced_choices)
    if duplex:
        cord_a, cord_b = cord_part(o, "A-B"), cord_part(o, "A-A")
        trunk_ends, t_polish, t_conn = "F-F", cas.rear.polish, cas.rear.connector
    else:
        t = "B" if pol_b else "A"
        cord_a, cord_b = cord_part(o, t), cord_part(o, "B")
        trunk_ends, t_polish, t_conn = "M-M", o.polish, o.connector
    adapter = {"type": "B" if pol_b else "A"}
    la = _panel_cord_m(ctx, ls.a_dev[idx], ra)
    lb = _panel_cord_m(ctx, ls.b_dev[idx], rb)
    lt = lay_trunks(cab, cat, lay, TrunkRun(
        ra=ra, rb=rb, a_panel=a_panel, a_unit=a_unit, b_panel=b_panel, b_unit=b_unit,
        a_ru=a_ru, b_ru=b_ru, trunk_connector=t_conn,
        fiber=o.fiber, polish=t_polish, ends=trunk_ends,
        per_unit=per_unit, unit_model=cas.name if duplex else f"MPO Type {adapter['type']}",
        cls=ctx.cls_index))
    pa, pb = cab.part(cord_a), cab.part(cord_b)
    cab.cables.add(n, part=pa, length_m=la, cls=ctx.cls_index, a_rack=ra,
                   a_ru=lay.dev_ru[ls.a_dev[idx]], a_dev=ls.a_dev[idx], a_port=ls.a_port[idx],
                   b_rack=ra, b_ru=a_ru, b_panel=a_panel, b_port=a_unit)
    cab.cables.add(n, part=pb, length_m=lb, cls=ctx.cls_index, a_rack=rb,
                   a_ru=b_ru, a_panel=b_panel, a_port=b_unit,
                   b_rack=rb, b_ru=lay.dev_ru[ls.b_dev[idx]], b_dev=ls.b_dev[idx],
                   b_port=ls.b_port[idx])
    trunk = cord_body(Part("trunk", t_conn, o.fiber, 12, type="B" if pol_b else "A",
                           polish=t_polish, ends=trunk_ends))
    lengths = np.stack([la, lt, lb], axis=1)
    keys = (ctx.twin_a[idx] * 3 + ctx.twin_b[idx]) * (per_unit + 2) + (a_sub if duplex else 0)
    for grp in split_designs(keys):
        if duplex:
            cbody = {"model": cas.name, "port": int(a_sub[grp[0]])}
            elements: list[Element] = [
                ("cord", cord_body(cord_a), 0), ("cassette", cbody, None), ("trunk", trunk, 1),
                ("cassette", dict(cbody), None), ("cord", cord_body(cord_b), 2)]
        else:
            elements = [("cord", cord_body(cord_a), 0), ("adapter", adapter, None),
                        ("trunk", trunk, 1), ("adapter", dict(adapter), None),
                        ("cord", cord_body(cord_b), 2)]
        ctx.cab.designs.append(_design(ctx, LinkMode.STRUCTURED, oc, idx[grp], elements,
                                       lengths[grp]))


def plan_ocs(ctx: ClassContext, idx: np.ndarray, oc: OpticChoice) -> None:
    """Leaf uplinks into OCS ports; the OCS joins port p to port p + n/2 (reference state)."""
    spec, cab, cat, lay, ls, o = ctx.spec, ctx.cab, ctx.cat, ctx.lay, ctx.links, oc.optic
    if o.connector == "LC":
        raise DesignError("OCS spines are planned for MPO optics; pin optics.leaf_spine: SM "
                          "with a DR optic or shorten the routes")
    ocs_rec = cat.ocs_default
    o_spec = spec.fabric.ocs
    loss = o_spec.loss_db if o_spec and o_spec.loss_db is not None else ocs_rec.loss_db
    refl = (o_spec.reflectance_db if o_spec and o_spec.reflectance_db is not None
            else ocs_rec.reflectance_db)
    ra = lay.dev_rack[ls.a_dev[idx]]
    ocs_dev = ls.b_dev[idx]
    n = idx.size
    panel = cat.mpo_panel
    # group panel ports by OCS (each OCS gets its own trunks), not by the OCS's rack:
    # otherwise the trunks to several OCS in one rack interleave on the panels
    local, unit, _ = panel_positions(ra, ocs_dev, idx, 1, panel.adapters)
    p_no, p_ru = place_panels(cab, panel.name, panel.ru, ra, local, lay.n_racks,
                              spec.layout.rack_units)
    la = _panel_cord_m(ctx, ls.a_dev[idx], ra)
    lt = lay_trunks(cab, cat, lay, TrunkRun(
        ra=ra, rb=lay.dev_rack[ocs_dev], a_panel=p_no, a_unit=unit,
        b_panel=np.zeros(0, np.int64), b_unit=ls.b_port[idx], a_ru=p_ru,
        b_ru=lay.dev_ru[ocs_dev], trunk_connector=o.connector,
        fiber=o.fiber, polish=o.polish, ends="M-F", b_dev=ocs_dev, cls=ctx.cls_index))
    cord = cord_part(o, "A")
    pc = cab.part(cord)
    cab.cables.add(n, part=pc, length_m=la, cls=ctx.cls_index, a_rack=ra,
                   a_ru=lay.dev_ru[ls.a_dev[idx]], a_dev=ls.a_dev[idx], a_port=ls.a_port[idx],
                   b_rack=ra, b_ru=p_ru, b_panel=p_no, b_port=unit)
    # circuits: on each OCS, port p joins port p + half
    order = np.lexsort((ls.b_port[idx], ocs_dev))
    so = idx[order]
    rank, gid, counts = group_rank(ocs_dev[order])
    half = counts[gid] // 2
    first = rank < half
    a_rows = np.nonzero(first)[0]
    b_rows = a_rows + half[a_rows]
    unpaired = int((counts % 2).sum())
    if unpaired:
        cab.notes.append(f"{unpaired} OCS port(s) left without a circuit (odd port use)")
    li = np.zeros(ls.a_dev.size)
    li[idx] = la
    ti = np.zeros(ls.a_dev.size)
    ti[idx] = lt
    A, B = so[a_rows], so[b_rows]
    trunk_fm = cord_body(Part("trunk", o.connector, o.fiber, 12, type="A", polish=o.polish,
                              ends="M-F"))
    # OCS ports hold pinned ferrules, so both trunks end unpinned at the switch
    trunk_out = cord_body(Part("trunk", o.connector, o.fiber, 12, type="A", polish=o.polish,
                               ends="F-M"))
    cbody = cord_body(cord)
    # every OCS port is cabled alike (circuits change); the circuit is the crossover
    elements: list[Element] = [
        ("cord", cbody, 0), ("adapter", {"type": "A"}, None), ("trunk", trunk_fm, 1),
        ("ocs", {"loss_db": loss, "reflectance_db": refl}, None), ("trunk", trunk_out, 2),
        ("adapter", {"type": "A"}, None), ("cord", dict(cbody), 3)]
    lengths = np.stack([li[A], ti[A], ti[B], li[B]], axis=1)
    keys = ctx.twin_a[A] * 3 + ctx.twin_a[B]
    for grp in split_designs(keys):
        ga, gb = A[grp], B[grp]
        cab.designs.append(Design(
            ctx.cls, LinkMode.OCS, o, oc.a_model, int(ctx.twin_a[ga[0]]), oc.a_model,
            int(ctx.twin_a[gb[0]]), elements, ls.a_dev[ga], ls.a_port[ga], ls.a_dev[gb],
            ls.a_port[gb], lengths[grp], over_reach=ctx.over_reach[ga] | ctx.over_reach[gb]))
