"""Turn logical links into physical channels: cords, panels, trunks, breakouts, lengths.

Every link class is handled as arrays. Links that share an element sequence (same parts,
same transceivers and ports, differing only in lengths) form one :class:`Design`; a design
is verified once and its per-link lengths are kept as an array. Cables go into a columnar
:class:`CableTable` (one row per physical cable: cords, trunk cables, harnesses, copper).

Channel element sequences (end A is the lower tier)::

    direct       [A] --cord B (F-F)-- [B]
    structured   [A] --cord A--[adapter A]==trunk A (M-M)==[adapter A]--cord B-- [B]
    duplex       [A] --LC A-B--[cassette]==trunk A (F-F)==[cassette]--LC A-A-- [B]
    breakout     [NIC] --leg k of the harness-- [switch]
    ocs          [leaf] --cord A--[adp]==trunk A (M-F)==(OCS)==trunk A (F-M)==[adp]--cord A-- [leaf]

The work is split by what it does: :mod:`mpokit.plan.cables` holds the results (parts,
designs, the cable table), :mod:`mpokit.plan.trunks` places panel ends and trunks,
:mod:`mpokit.plan.channels` cables links in each :class:`LinkMode`, and this module
chooses modes and optics per link class and counts transceivers.

>>> from mpokit.plan.spec import ClusterSpec
>>> from mpokit.plan.fabric import build_fabric
>>> from mpokit.plan.layout import build_layout
>>> spec = ClusterSpec.model_validate({
...     "cluster": {"name": "x", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
...     "fabric": {"scalable_unit": 32,
...                "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
>>> fab = build_fabric(spec)
>>> cab = build_cabling(spec, fab, build_layout(spec, fab))
>>> sum(d.n_channels for d in cab.designs)
508
"""

from __future__ import annotations

import numpy as np

from mpokit.errors import CatalogError, InputError
from mpokit.loss import defaults, grade
from mpokit.plan.cables import CableTable, Cabling, Design, LinkMode, Part
from mpokit.plan.catalog import OpticRecord, PlanCatalog, plan_catalog
from mpokit.plan.channels import (
    ClassContext,
    OpticChoice,
    add_direct_cables,
    channel_length_m,
    plan_breakout,
    plan_direct,
    plan_ocs,
    plan_structured,
)
from mpokit.plan.fabric import LINK_CLASSES, Fabric
from mpokit.plan.layout import Layout, route_m
from mpokit.plan.optics import candidates, choose, harmonise_cages, loss_feasible
from mpokit.plan.spec import ClusterSpec
from mpokit.standards.catalog import catalog_input_error

__all__ = ["CableTable", "Cabling", "Design", "LinkMode", "Part", "build_cabling"]

_PLANNERS = {
    LinkMode.DIRECT: plan_direct,
    LinkMode.STRUCTURED: plan_structured,
    LinkMode.BREAKOUT: plan_breakout,
    LinkMode.OCS: plan_ocs,
}


def build_cabling(
    spec: ClusterSpec, fab: Fabric, lay: Layout, cat: PlanCatalog | None = None
) -> Cabling:
    """Physical channels, cables and parts for every link of ``fab`` placed by ``lay``.

    Parameters
    ----------
    spec
        The validated cluster spec (optics policy, cabling choices).
    fab
        The logical fabric (links per class).
    lay
        Rack and device positions.
    cat
        The plan catalogue; the built-in one by default.

    Returns
    -------
    Cabling
        Designs, cables, parts, transceiver and panel counts.
    """
    cat = cat or plan_catalog()
    cab = Cabling()
    for cls in LINK_CLASSES:
        if fab.links[cls].size:
            _plan_class(spec, fab, lay, cat, cab, cls)
    if spec.cabling.connector_grade:
        _apply_grade(cab, spec.cabling.connector_grade)
    return cab


def _apply_grade(cab: Cabling, name: str) -> None:
    """Give every cord, trunk and harness plug the connector grade the spec asks for."""
    try:
        g = grade(name)
    except CatalogError as exc:
        raise catalog_input_error(exc, field="cabling.connector_grade") from None
    for d in cab.designs:
        d.elements = [(kind, {**body, "grade": g.name} if kind in ("cord", "trunk", "breakout")
                       else body, slot) for kind, body, slot in d.elements]


def _cage_key(fab: Fabric, dev: np.ndarray, port: np.ndarray,
              twin_end: bool) -> np.ndarray | None:
    """A global id of the cage holding each port (None: single-port cages)."""
    if not twin_end:
        return None
    return dev * (max(fab.radix, fab.spine_radix, fab.core_radix) + 1) + (port - 1) // 2


def _fixed_loss(spec: ClusterSpec, cat: PlanCatalog, mode: np.ndarray) -> np.ndarray:
    """Worst-case loss of each link's matings: panels' adapters and the OCS circuit."""
    conn = grade(spec.cabling.connector_grade or defaults().connection).worst_db
    out = np.zeros(mode.size)
    out[mode == LinkMode.STRUCTURED.code] = 2 * conn
    is_ocs = mode == LinkMode.OCS.code
    if is_ocs.any():
        o_spec = spec.fabric.ocs
        ocs = (o_spec.loss_db if o_spec and o_spec.loss_db is not None
               else cat.ocs_default.loss_db)
        out[is_ocs] = 2 * conn + ocs
    return out


def _modes(spec: ClusterSpec, fab: Fabric, cat: PlanCatalog, cls: str, same_rack: np.ndarray,
           route: np.ndarray, breakout: bool) -> np.ndarray:
    """The :class:`LinkMode` code of every link of class ``cls``."""
    structured = getattr(spec.cabling, cls) == "structured"
    mode = np.full(route.size, (LinkMode.STRUCTURED if structured else LinkMode.DIRECT).code,
                   dtype=np.int64)
    mode[same_rack] = LinkMode.DIRECT.code
    if breakout:
        mode[:] = LinkMode.BREAKOUT.code
    if cls == "leaf_spine" and fab.spine_is_ocs:
        mode[:] = LinkMode.OCS.code
    if spec.optics.allow_copper and not breakout:
        for which in ("acc", "dac"):  # the shorter-reach passive cable wins where it reaches
            rec = cat.copper_cable(which)
            mode[same_rack & (route <= rec.reach_m)] = LinkMode(which).code
    return mode


def _explicit(spec: ClusterSpec, key: str) -> bool:
    """True when the spec file itself sets ``cabling.<key>`` (not a default)."""
    return key in spec.cabling.model_fields_set


def _refuse_replaced_choices(spec: ClusterSpec, cls: str, mode: np.ndarray,
                             opts: list[OpticRecord], choice: np.ndarray, same_rack: np.ndarray,
                             breakout: bool) -> None:
    """An explicit cabling choice the plan cannot keep is refused (exit 1), never replaced.

    Raises
    ------
    InputError
        Naming the spec field, why the choice cannot be kept for these links, and the fix.
    """
    cab_spec = spec.cabling
    asked = getattr(cab_spec, cls)
    n_links = int(mode.size)
    if asked == "structured" and _explicit(spec, cls):
        if breakout:
            raise InputError(
                f"the {n_links} {cls} links are fanned out by breakout harnesses (the switch "
                "ports are faster than the NICs); structured cabling of breakout links is not "
                "planned", field=f"cabling.{cls}", fix=f"set cabling.{cls}: direct")
        n_same = int(same_rack.sum())
        if n_same:
            raise InputError(
                f"{n_same} of the {n_links} {cls} links stay inside one rack, where a trunk "
                "between two panels of the same rack is not planned",
                field=f"cabling.{cls}",
                fix=f"set cabling.{cls}: direct (in-rack links then get cords), or place the "
                "two tiers in different racks")
    structured = mode == LinkMode.STRUCTURED.code
    if not structured.any():
        return
    used = [opts[i] for i in np.unique(choice[structured]).tolist()]
    if cab_spec.polarity == "B":
        bad = [o for o in used if o.polish == "APC" or o.connector == "LC"]
        if bad:
            o = bad[0]
            why = ("APC plugs cannot mate key-up to key-up (Type B adapters)" if o.polish == "APC"
                   else "duplex links run through cassettes, whose polarity is their own")
            raise InputError(
                f"Method B cannot be used for the {cls} links: they use {o.name} "
                f"({o.connector} {o.polish}) and {why}", field="cabling.polarity",
                fix="use polarity: A (the default); Method B is planned only where the "
                "links get UPC parallel optics (e.g. 100GBASE-SR4)")
    if _explicit(spec, "panel"):
        duplex = [o for o in used if o.connector == "LC"]
        parallel = [o for o in used if o.connector != "LC"]
        if cab_spec.panel == "cassette" and parallel:
            raise InputError(
                f"cassette panels carry duplex LC optics; the structured {cls} links use "
                f"{parallel[0].name} ({parallel[0].connector})", field="cabling.panel",
                fix="remove cabling.panel (MPO pass-through panels), or pin duplex optics")
        if cab_spec.panel == "mpo" and duplex:
            raise InputError(
                f"the structured {cls} links need {duplex[0].name} (duplex LC), which MPO "
                "pass-through panels cannot carry", field="cabling.panel",
                fix="set cabling.panel: cassette, or remove it")


def _plan_class(
    spec: ClusterSpec, fab: Fabric, lay: Layout, cat: PlanCatalog, cab: Cabling, cls: str
) -> None:
    ls = fab.links[cls]
    pol = spec.optics
    n = ls.size
    ra, rb = lay.dev_rack[ls.a_dev], lay.dev_rack[ls.b_dev]
    za, zb = lay.dev_z[ls.a_dev], lay.dev_z[ls.b_dev]
    same = (ra == rb).astype(np.int64)
    route = route_m(lay.layout, lay.rack_x[ra], lay.rack_y[ra], za,
                    lay.rack_x[rb], lay.rack_y[rb], zb, same)
    node_side = cls == "node_leaf"
    breakout = node_side and fab.breakout > 1
    speed = spec.cluster.nic_speed_gbps if node_side else spec.fabric.switch.port_speed_gbps
    medium = getattr(pol, cls)
    # twin-port modules where an end's cages hold two ports (per tier: leaf, spine, core)
    leaf_c = fab.ports_per_cage
    spine_c = fab.spine_ports_per_cage or leaf_c
    core_c = fab.core_ports_per_cage or leaf_c
    a_cages, b_cages = {"node_leaf": (0, leaf_c), "leaf_spine": (leaf_c, spine_c),
                        "spine_core": (spine_c, core_c)}[cls]
    a_twin = a_cages == 2
    b_twin = b_cages == 2 and not breakout
    twin = a_twin or b_twin
    opts = candidates(cat, speed, medium, pol.multimode_max_m, twin=twin, breakout=breakout)
    # the node's own cages: twin-port flat-top modules hold two NIC ports each
    if node_side and breakout and spec.cluster.node_cage == "twin":
        raise InputError(
            "twin-port node cages with breakout node links are not planned (each NIC gets "
            "a leg of a harness from a faster switch port)", field="cluster.node_cage",
            fix="set cluster.node_cage: single, or NICs as fast as the switch ports")
    node_twin = (ls.a_dev < fab.n["node"]) if (
        node_side and spec.cluster.node_cage == "twin") else np.zeros(n, bool)
    if node_twin.any():
        opts = [o for o in opts if o.twin_flat is not None]
        if not opts:
            raise InputError(
                f"no flat-top twin-port module for {speed}G node links in the plan catalogue",
                field="cluster.node_cage",
                fix="set cluster.node_cage: single, or add an optic with 'twin_flat' "
                "(cabling.catalog)")
    mode = _modes(spec, fab, cat, cls, same.astype(bool), route, breakout)

    # optics by reach, then by loss: a link whose budget would not hold moves on to the
    # next longer-reach optic (the checks of every channel remain the authority)
    # ... judged on the channel's length as built (runs rounded up to standard lengths)
    built = channel_length_m(lay, cat, ls, mode, route)
    choice, over = choose(opts, built, loss_feasible(opts, built, _fixed_loss(spec, cat, mode)))
    # a node cage holds NIC ports 1-2, 3-4, ...; rows without one get keys of their own
    node_cage = np.where(node_twin, ls.a_dev * (spec.cluster.rails + 1) + (ls.a_port - 1) // 2,
                         -1 - np.arange(n))
    keys = [node_cage if node_side else _cage_key(fab, ls.a_dev, ls.a_port, a_twin),
            _cage_key(fab, ls.b_dev, ls.b_port, b_twin)]
    if twin or node_twin.any():
        choice = harmonise_cages(choice, keys)
    cab.reach_exceeded += int(over.sum())
    _refuse_replaced_choices(spec, cls, mode, opts, choice, same.astype(bool), breakout)

    # transceivers ------------------------------------------------------------------
    optical = (mode != LinkMode.DAC.code) & (mode != LinkMode.ACC.code)
    for i, o in enumerate(opts):
        sel = optical & (choice == i)
        if not sel.any():
            continue
        if node_side:
            cab.count_transceiver(o.single, int((sel & ~node_twin).sum()))
            if (sel & node_twin).any():
                assert o.twin_flat is not None
                cab.count_transceiver(o.twin_flat, np.unique(node_cage[sel & node_twin]).size)
        if breakout:
            assert o.breakout_switch is not None
            cab.count_transceiver(
                o.breakout_switch, np.unique(ls.b_dev[sel] * (fab.radix + 1) + ls.b_port[sel]).size
            )
            continue
        ends = [] if node_side else [(ls.a_dev, ls.a_port, a_twin)]
        ends.append((ls.b_dev, ls.b_port, b_twin))
        for dev, port, twin_end in ends:
            key = _cage_key(fab, dev[sel], port[sel], twin_end)
            if key is not None:
                assert o.twin is not None
                cab.count_transceiver(o.twin, np.unique(key).size)
            else:
                cab.count_transceiver(o.single, int(sel.sum()))

    twin_a = ((ls.a_port - 1) % 2 + 1) if a_twin else np.zeros(n, np.int64)
    twin_a = np.where(node_twin, (ls.a_port - 1) % 2 + 1, twin_a)
    twin_b = ((ls.b_port - 1) % 2 + 1) if b_twin else np.zeros(n, np.int64)
    ctx = ClassContext(spec=spec, fab=fab, lay=lay, cat=cat, cab=cab, cls=cls,
                       cls_index=LINK_CLASSES.index(cls), links=ls, route_m=route,
                       twin_a=twin_a, twin_b=twin_b, over_reach=over)

    # copper --------------------------------------------------------------------------
    for cmode in (LinkMode.DAC, LinkMode.ACC):
        sel = mode == cmode.code
        if sel.any():
            rec = cat.copper_cable(cmode.value)  # type: ignore[arg-type]
            series = cat.lengths.get(rec.lengths)
            p = cab.part(Part(cmode.value, f"{speed}G", "copper", 0,
                              diameter_mm=series.diameter_mm))
            add_direct_cables(ctx, sel, p, cat.round_length(rec.lengths, route[sel]))

    for i, o in enumerate(opts):
        a_model = o.twin if a_twin else o.single
        b_model = o.breakout_switch if breakout else (o.twin if b_twin else o.single)
        assert a_model is not None and b_model is not None
        groups: list[tuple[OpticChoice, np.ndarray]] = [
            (OpticChoice(o, a_model, b_model), ~node_twin)]
        if node_twin.any():
            assert o.twin_flat is not None
            groups.append((OpticChoice(o, o.twin_flat, b_model), node_twin))
        for oc, rows in groups:
            for m, plan in _PLANNERS.items():
                sel = (mode == m.code) & (choice == i) & rows
                if sel.any():
                    plan(ctx, np.nonzero(sel)[0], oc)
