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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from mpokit.connectivity.spec import ELEMENT_KINDS, ChannelSpec, EndSpec
from mpokit.errors import DesignError
from mpokit.plan.catalog import OpticRecord, PlanCatalog, plan_catalog
from mpokit.plan.fabric import LINK_CLASSES, Fabric
from mpokit.plan.layout import Layout, route_m
from mpokit.plan.optics import candidates, choose, harmonise_cages, loss_feasible
from mpokit.plan.spec import ClusterSpec

__all__ = ["CableTable", "Cabling", "Design", "Part", "build_cabling"]

DIRECT, STRUCTURED, BREAKOUT, DAC, ACC, OCS = range(6)
MODE_NAMES = ("direct", "structured", "breakout", "dac", "acc", "ocs")
CASSETTE_MODEL = "MPO12-LC6-A"
LC_PER_CASSETTE = 6


@dataclass(frozen=True)
class Part:
    """A cable part (without length): what the BOM groups by."""

    kind: str  # cord | trunk | breakout | dac | acc
    connector: str
    fiber: str
    fibers: int
    type: str = ""
    polish: str = ""
    ends: str = ""
    diameter_mm: float = 3.0

    @property
    def description(self) -> str:
        """Human description, e.g. ``MPO-12 cord type B F-F OS2 APC``."""
        bits = [self.connector, self.kind]
        if self.type:
            bits.append(f"type {self.type}")
        if self.ends:
            bits.append(self.ends)
        if self.kind == "trunk":
            bits.append(f"{self.fibers}f")
        bits += [self.fiber, self.polish]
        return " ".join(b for b in bits if b)


@dataclass
class Design:
    """Channels sharing one element sequence; lengths differ per channel."""

    cls: str
    mode: str
    optic: OpticRecord | None
    a_model: str
    a_port: int  # 0: single-port module (port 1, written bare)
    b_model: str
    b_port: int
    elements: list[tuple[str, dict[str, Any], int | None]]  # kind, body, length slot
    a_dev: np.ndarray
    a_dport: np.ndarray
    b_dev: np.ndarray
    b_dport: np.ndarray
    lengths: np.ndarray  # (n_channels, n_slots) metres, rounded to standard lengths
    result: Any = None  # set by plan.verify
    loss_margin_db: np.ndarray | None = None

    @property
    def n_channels(self) -> int:
        """Channels of this design."""
        return int(self.a_dev.size)

    def run_lengths(self) -> np.ndarray:
        """(n_channels, runs) lengths in the order the channel's fiber runs appear."""
        slots = [slot for _, _, slot in self.elements if slot is not None]
        return self.lengths[:, slots] if slots else np.zeros((self.n_channels, 0))

    def spec(self, i: int = 0, name: str | None = None) -> ChannelSpec:
        """Channel ``i`` as a typed :class:`ChannelSpec`, handed to the checks directly.

        Parameters
        ----------
        i:
            The channel of this design (its lengths).
        name:
            The channel's name.

        Returns
        -------
        ChannelSpec
            Its ends and path; a part the schema rejects is a :class:`DesignError`.
        """
        def end(model: str, port: int) -> str | EndSpec:
            return model if port == 0 else EndSpec(transceiver=model, port=port)

        try:
            path = []
            for kind, body, slot in self.elements:
                element = ELEMENT_KINDS[kind]
                fields = dict(body)
                if slot is not None:
                    fields["length_m"] = float(self.lengths[i, slot])
                body_type: Any = element.model_fields[kind].annotation
                path.append(element(**{kind: body_type(**fields)}))
            return ChannelSpec(name=name, a=end(self.a_model, self.a_port),
                               b=end(self.b_model, self.b_port), path=tuple(path))
        except ValidationError as exc:
            raise DesignError(f"{self.cls} {self.mode} design: {exc}") from None


class CableTable:
    """Physical cables as columns (numpy arrays), appended in chunks."""

    COLUMNS = ("part", "length_m", "cls", "a_rack", "a_ru", "a_dev", "a_port", "a_port_hi",
               "a_panel", "b_rack", "b_ru", "b_dev", "b_port", "b_port_hi", "b_panel",
               "b2_dev", "b2_port", "legs")

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []
        self._cols: dict[str, np.ndarray] | None = None

    def add(self, n: int, **cols: Any) -> None:
        """Append ``n`` rows; missing integer columns are -1 (``legs`` 1)."""
        chunk: dict[str, np.ndarray] = {}
        for c in self.COLUMNS:
            default = 1 if c == "legs" else -1
            v = cols.get(c, default)
            arr = np.broadcast_to(np.asarray(v), (n,))
            chunk[c] = arr.astype(float if c == "length_m" else np.int64)
        self._chunks.append(chunk)
        self._cols = None

    @property
    def cols(self) -> dict[str, np.ndarray]:
        """All columns, concatenated."""
        if self._cols is None:
            if not self._chunks:
                self._cols = {c: np.zeros(0, dtype=np.int64) for c in self.COLUMNS}
            else:
                self._cols = {c: np.concatenate([ch[c] for ch in self._chunks])
                              for c in self.COLUMNS}
        return self._cols

    def __len__(self) -> int:
        return int(self.cols["part"].size)


@dataclass
class Cabling:
    """Designs, cables, parts and per-rack panel usage of a plan."""

    designs: list[Design] = field(default_factory=list)
    cables: CableTable = field(default_factory=CableTable)
    parts: list[Part] = field(default_factory=list)
    part_index: dict[Part, int] = field(default_factory=dict)
    transceivers: dict[str, int] = field(default_factory=dict)
    rack_panels: dict[str, np.ndarray] = field(default_factory=dict)  # panel model -> per rack
    adapters: dict[str, int] = field(default_factory=dict)
    cassettes: dict[str, int] = field(default_factory=dict)
    reach_exceeded: int = 0
    notes: list[str] = field(default_factory=list)

    def part(self, p: Part) -> int:
        """Index of part ``p``, registering it on first use."""
        if p not in self.part_index:
            self.part_index[p] = len(self.parts)
            self.parts.append(p)
        return self.part_index[p]

    def count_transceiver(self, model: str, n: int) -> None:
        """Add ``n`` modules of ``model``."""
        if n:
            self.transceivers[model] = self.transceivers.get(model, 0) + int(n)


@dataclass
class _Ends:
    """Structured ends waiting for a panel position: one row per (rack, link end)."""

    rack: list[np.ndarray] = field(default_factory=list)
    other: list[np.ndarray] = field(default_factory=list)
    group: list[np.ndarray] = field(default_factory=list)  # unique id of the trunk group
    per_unit: list[np.ndarray] = field(default_factory=list)


def _group_rank(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows with group ``keys``: rank within the group (input order), group id, sizes."""
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


def build_cabling(
    spec: ClusterSpec, fab: Fabric, lay: Layout, cat: PlanCatalog | None = None
) -> Cabling:
    """Physical channels, cables and parts for every link of ``fab`` placed by ``lay``."""
    cat = cat or plan_catalog()
    cab = Cabling()
    for cls in LINK_CLASSES:
        ls = fab.links[cls]
        if ls.size:
            _plan_class(spec, fab, lay, cat, cab, cls)
    if spec.cabling.connector_grade:
        _apply_grade(cab, spec.cabling.connector_grade)
    return cab


def _apply_grade(cab: Cabling, name: str) -> None:
    """Give every cord, trunk and harness plug the connector grade the spec asks for."""
    from mpokit.errors import CatalogError, InputError
    from mpokit.loss import grade

    try:
        g = grade(name)
    except CatalogError as exc:
        hint = f"did you mean {exc.suggestions[0]!r}?" if exc.suggestions else None
        raise InputError(f"unknown connector grade {name!r}", field="cabling.connector_grade",
                         fix=hint) from None
    for d in cab.designs:
        d.elements = [(kind, {**body, "grade": g.name} if kind in ("cord", "trunk", "breakout")
                       else body, slot) for kind, body, slot in d.elements]


def _cage_key(fab: Fabric, dev: np.ndarray, port: np.ndarray) -> np.ndarray | None:
    if fab.ports_per_cage < 2:
        return None
    return dev * (fab.radix + 1) + (port - 1) // 2


def _fixed_loss(spec: ClusterSpec, cat: PlanCatalog, mode: np.ndarray) -> np.ndarray:
    """Worst-case loss of each link's matings: panels' adapters and the OCS circuit."""
    from mpokit.loss import defaults, grade

    conn = grade(spec.cabling.connector_grade or defaults().connection).worst_db
    out = np.zeros(mode.size)
    out[mode == STRUCTURED] = 2 * conn
    if (mode == OCS).any():
        o_spec = spec.fabric.ocs
        ocs = (o_spec.loss_db if o_spec and o_spec.loss_db is not None
               else cat.ocs.get("MEMS-OCS").loss_db)
        out[mode == OCS] = 2 * conn + ocs
    return out


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
    twin = fab.ports_per_cage == 2 and not breakout
    opts = candidates(cat, speed, medium, pol.multimode_max_m, twin=twin, breakout=breakout)

    mode_setting = getattr(spec.cabling, cls)
    mode = np.full(n, STRUCTURED if mode_setting == "structured" else DIRECT, dtype=np.int64)
    mode[same.astype(bool)] = DIRECT
    if breakout:
        mode[:] = BREAKOUT
    if cls == "leaf_spine" and fab.spine_is_ocs:
        mode[:] = OCS
    if pol.allow_copper and not breakout:
        dac = cat.copper.get("DAC")
        acc = cat.copper.get("ACC")
        mode[(same == 1) & (route <= acc.reach_m)] = ACC
        mode[(same == 1) & (route <= dac.reach_m)] = DAC

    # optics by reach, then by loss: a link whose budget would not hold moves on to the
    # next longer-reach optic (the checks of every channel remain the authority)
    choice, over = choose(opts, route, loss_feasible(opts, route, _fixed_loss(spec, cat, mode)))
    keys = [None if node_side else _cage_key(fab, ls.a_dev, ls.a_port),
            _cage_key(fab, ls.b_dev, ls.b_port)]
    if twin:
        choice = harmonise_cages(choice, keys)
    cab.reach_exceeded += int(over.sum())

    # transceivers ------------------------------------------------------------------
    optical = (mode != DAC) & (mode != ACC)
    for i, o in enumerate(opts):
        sel = optical & (choice == i)
        if not sel.any():
            continue
        if node_side:
            cab.count_transceiver(o.single, int(sel.sum()))
        if breakout:
            assert o.breakout_switch is not None
            cab.count_transceiver(
                o.breakout_switch, np.unique(ls.b_dev[sel] * (fab.radix + 1) + ls.b_port[sel]).size
            )
            continue
        ends = [] if node_side else [(ls.a_dev, ls.a_port)]
        ends.append((ls.b_dev, ls.b_port))
        for dev, port in ends:
            if twin:
                assert o.twin is not None
                key = _cage_key(fab, dev[sel], port[sel])
                cab.count_transceiver(o.twin, np.unique(key).size)  # type: ignore[arg-type]
            else:
                cab.count_transceiver(o.single, int(sel.sum()))

    # copper --------------------------------------------------------------------------
    for code, name in ((DAC, "DAC"), (ACC, "ACC")):
        sel = mode == code
        if sel.any():
            rec = cat.copper.get(name)
            series = cat.lengths.get(rec.lengths)
            p = cab.part(Part(name.lower(), f"{speed}G", "copper", 0,
                              diameter_mm=series.diameter_mm))
            _add_direct(cab, lay, ls, sel, p, cat.round_length(rec.lengths, route[sel]), cls)

    twin_a = ((ls.a_port - 1) % 2 + 1) if (twin and not node_side) else np.zeros(n, np.int64)
    twin_b = ((ls.b_port - 1) % 2 + 1) if twin else np.zeros(n, np.int64)
    cls_i = LINK_CLASSES.index(cls)
    for i, o in enumerate(opts):
        a_model = o.single if node_side else (o.twin if twin else o.single)
        b_model = o.breakout_switch if breakout else (o.twin if twin else o.single)
        assert a_model is not None and b_model is not None
        for m in (DIRECT, STRUCTURED, BREAKOUT, OCS):
            sel = (mode == m) & (choice == i)
            if not sel.any():
                continue
            idx = np.nonzero(sel)[0]
            if m == DIRECT:
                _direct(cab, cat, lay, ls, idx, o, a_model, b_model, twin_a, twin_b, route, cls)
            elif m == BREAKOUT:
                _breakout(cab, cat, lay, fab, ls, idx, o, a_model, b_model, route, cls)
            elif m == STRUCTURED:
                _structured(spec, cab, cat, lay, ls, idx, o, a_model, b_model, twin_a, twin_b,
                            cls_i, cls)
            else:
                _ocs(spec, cab, cat, lay, fab, ls, idx, o, a_model, twin_a, cls)


def _split_designs(keys: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(keys, kind="stable")
    _, start = np.unique(keys[order], return_index=True)
    return np.split(order, start[1:])


def _cord_part(o: OpticRecord, type_: str, ends: str = "F-F") -> Part:
    if o.connector == "LC":
        return Part("cord", "LC", o.fiber, 2, type=type_)
    fibers = 8 if o.connector == "MPO-8" else (16 if o.connector == "MPO-16" else 12)
    return Part("cord", o.connector, o.fiber, fibers, type=type_, polish=o.polish, ends=ends)


def _cord_body(p: Part) -> dict[str, Any]:
    body: dict[str, Any] = {"connector": p.connector, "type": p.type}
    if p.polish:
        body["polish"] = p.polish
    if p.ends:
        g = {"F": "female", "M": "male"}
        body["ends"] = [g[p.ends[0]], g[p.ends[-1]]]
    body["fiber"] = p.fiber
    return body


def _add_direct(cab: Cabling, lay: Layout, ls: Any, sel: np.ndarray, part: int,
                length: np.ndarray, cls: str) -> None:
    cab.cables.add(
        int(np.count_nonzero(sel)), part=part, length_m=length, cls=LINK_CLASSES.index(cls),
        a_rack=lay.dev_rack[ls.a_dev[sel]], a_ru=lay.dev_ru[ls.a_dev[sel]], a_dev=ls.a_dev[sel],
        a_port=ls.a_port[sel], b_rack=lay.dev_rack[ls.b_dev[sel]],
        b_ru=lay.dev_ru[ls.b_dev[sel]], b_dev=ls.b_dev[sel], b_port=ls.b_port[sel])


def _direct(cab: Cabling, cat: PlanCatalog, lay: Layout, ls: Any, idx: np.ndarray,
            o: OpticRecord, a_model: str, b_model: str, twin_a: np.ndarray,
            twin_b: np.ndarray, route: np.ndarray, cls: str) -> None:
    part = _cord_part(o, "A-B" if o.connector == "LC" else "B")
    pid = cab.part(part)
    length = cat.round_length("cord", route[idx])
    sel = np.zeros(route.size, dtype=bool)
    sel[idx] = True
    _add_direct(cab, lay, ls, sel, pid, length, cls)
    elements = [("cord", _cord_body(part), 0)]
    keys = twin_a[idx] * 3 + twin_b[idx]
    for grp in _split_designs(keys):
        g = idx[grp]
        cab.designs.append(Design(
            cls, "direct", o, a_model, int(twin_a[g[0]]), b_model, int(twin_b[g[0]]),
            list(elements), ls.a_dev[g], ls.a_port[g], ls.b_dev[g], ls.b_port[g],
            length[grp][:, None]))


def _breakout(cab: Cabling, cat: PlanCatalog, lay: Layout, fab: Fabric, ls: Any,
              idx: np.ndarray, o: OpticRecord, a_model: str, b_model: str,
              route: np.ndarray, cls: str) -> None:
    assert o.breakout is not None
    # one harness per switch port: length = the longest of its legs
    port_key = ls.b_dev[idx] * (fab.radix + 1) + ls.b_port[idx]
    uniq, inv = np.unique(port_key, return_inverse=True)
    longest = np.zeros(uniq.size)
    np.maximum.at(longest, inv, route[idx])
    h_len = cat.round_length("breakout", longest)
    pid = cab.part(Part("breakout", o.breakout, o.fiber, 16, polish=o.polish))
    first = np.zeros(uniq.size, dtype=np.int64)
    second = np.full(uniq.size, -1, dtype=np.int64)
    leg = ls.b_leg[idx]
    first[inv[leg == 1]] = idx[leg == 1]
    second[inv[leg == 2]] = idx[leg == 2]
    f = first
    s_ok = second >= 0
    b2_dev = np.where(s_ok, ls.a_dev[np.maximum(second, 0)], -1)
    b2_port = np.where(s_ok, ls.a_port[np.maximum(second, 0)], -1)
    cab.cables.add(
        uniq.size, part=pid, length_m=h_len, cls=LINK_CLASSES.index(cls),
        a_rack=lay.dev_rack[ls.b_dev[f]], a_ru=lay.dev_ru[ls.b_dev[f]], a_dev=ls.b_dev[f],
        a_port=ls.b_port[f], b_rack=lay.dev_rack[ls.a_dev[f]], b_ru=lay.dev_ru[ls.a_dev[f]],
        b_dev=ls.a_dev[f], b_port=ls.a_port[f], b2_dev=b2_dev, b2_port=b2_port, legs=2)
    length = h_len[inv]
    for grp in _split_designs(leg):
        g = idx[grp]
        body = {"model": o.breakout, "leg": int(leg[grp[0]]), "enter": "leg",
                "polish": o.polish, "fiber": o.fiber}
        cab.designs.append(Design(
            cls, "breakout", o, a_model, 0, b_model, 0, [("breakout", body, 0)],
            ls.a_dev[g], ls.a_port[g], ls.b_dev[g], ls.b_port[g], length[grp][:, None]))


def _panel_positions(rack: np.ndarray, other: np.ndarray, link: np.ndarray, per_unit: int,
                     units_per_panel: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Panel number, panel port (unit) and sub-port of structured ends in one rack set.

    Ends are grouped by (rack, other rack); each group takes whole units (an MPO adapter,
    or a cassette of ``per_unit`` duplex ports) numbered on from the previous group.
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


def _trunks(cab: Cabling, cat: PlanCatalog, lay: Layout, ra: np.ndarray, rb: np.ndarray,
            b_end_dev: np.ndarray | None, legs_link: np.ndarray, connector: str, fiber: str,
            polish: str, ends: str, per_unit: int, a_panel: np.ndarray, a_unit: np.ndarray,
            b_panel: np.ndarray, b_unit: np.ndarray, cls: str) -> np.ndarray:
    """Trunk cables between rack pairs; returns the trunk length of each link."""
    rec = cat.trunks.get(connector if connector != "LC" else "MPO-12")
    fpl = rec.fibers_per_leg
    big = int(max(ra.max(initial=0), rb.max(initial=0))) + 1
    pair = ra * big + rb if b_end_dev is None else ra * (b_end_dev.max() + 1) + b_end_dev
    # legs: one per unit (an MPO link, or a cassette of per_unit links)
    rank, gid, counts = _group_rank(pair)
    leg = rank // per_unit
    is_leg = rank % per_unit == 0
    n_legs_g = -(-counts // per_unit)
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
    conn = connector if connector != "LC" else "MPO-12"
    uf, finv = np.unique(fibers_c, return_inverse=True)
    pids = np.asarray([cab.part(Part("trunk", conn, fiber, int(fc), type="A", polish=polish,
                                     ends=ends, diameter_mm=rec.diameter_mm.get(int(fc), 10.0)))
                       for fc in uf], dtype=np.int64)
    part_ids = pids[finv]
    cab.cables.add(
        int(cable_g.size), part=part_ids, length_m=g_len[cable_g], cls=LINK_CLASSES.index(cls),
        a_rack=ga[cable_g], a_panel=a_panel[r0], a_port=a_unit[r0], a_port_hi=a_unit[r1],
        b_rack=gb[cable_g],
        b_dev=-1 if b_end_dev is None else b_end_dev[r0],
        b_panel=-1 if b_panel.size == 0 else b_panel[r0],
        b_port=b_unit[r0], b_port_hi=b_unit[r1], legs=legs_c)
    n_units = int(n_legs_g.sum())
    if per_unit == 1:
        cab.adapters["MPO Type A"] = cab.adapters.get("MPO Type A", 0) + n_units * (
            2 if b_end_dev is None else 1)
    else:
        cab.cassettes[CASSETTE_MODEL] = cab.cassettes.get(CASSETTE_MODEL, 0) + 2 * n_units
    return g_len[gid]


def _rack_panels(cab: Cabling, model: str, racks: np.ndarray, panels: np.ndarray,
                 n_racks: int) -> None:
    cur = cab.rack_panels.setdefault(model, np.zeros(n_racks, dtype=np.int64))
    np.maximum.at(cur, racks, panels)


def _structured(spec: ClusterSpec, cab: Cabling, cat: PlanCatalog, lay: Layout, ls: Any,
                idx: np.ndarray, o: OpticRecord, a_model: str, b_model: str,
                twin_a: np.ndarray, twin_b: np.ndarray, cls_i: int, cls: str) -> None:
    ra, rb = lay.dev_rack[ls.a_dev[idx]], lay.dev_rack[ls.b_dev[idx]]
    duplex = o.connector == "LC"
    per_unit = LC_PER_CASSETTE if duplex else 1
    panel = cat.panels.get("1U-CASSETTE-4" if duplex else "1U-MPO-48")
    # panel positions: both ends of every link, per rack. Earlier classes' panels in the
    # same rack come first (offset by the panels already used there).
    rack_all = np.concatenate([ra, rb])
    other = np.concatenate([rb, ra])
    link = np.concatenate([idx, idx])
    p_no, unit, sub = _panel_positions(rack_all, other, link, per_unit, panel.adapters)
    used = cab.rack_panels.get(panel.name)
    if used is not None:
        p_no = p_no + used[rack_all]
    _rack_panels(cab, panel.name, rack_all, p_no, lay.n_racks)
    n = idx.size
    a_panel, a_unit, a_sub = p_no[:n], unit[:n], sub[:n]
    b_panel, b_unit = p_no[n:], unit[n:]
    pol_b = spec.cabling.polarity == "B" and o.polish == "UPC" and not duplex
    if spec.cabling.polarity == "B" and not pol_b and "polarity-B-apc" not in cab.notes:
        cab.notes.append("polarity-B-apc")
    if duplex:
        cord_a, cord_b = _cord_part(o, "A-B"), _cord_part(o, "A-A")
        trunk_ends, t_polish = "F-F", "UPC"
    else:
        t = "B" if pol_b else "A"
        cord_a, cord_b = _cord_part(o, t), _cord_part(o, "B")
        trunk_ends, t_polish = "M-M", o.polish
    la = cat.round_length("cord", route_m(lay.layout, 0, 0, lay.dev_z[ls.a_dev[idx]], 0, 0,
                                          lay.top_z[ra], np.ones(n, np.int64)))
    lb = cat.round_length("cord", route_m(lay.layout, 0, 0, lay.dev_z[ls.b_dev[idx]], 0, 0,
                                          lay.top_z[rb], np.ones(n, np.int64)))
    lt = _trunks(cab, cat, lay, ra, rb, None, idx, o.connector, o.fiber, t_polish, trunk_ends,
                 per_unit, a_panel, a_unit, b_panel, b_unit, cls)
    pa, pb = cab.part(cord_a), cab.part(cord_b)
    top_ru = spec.layout.rack_units - a_panel + 1
    cab.cables.add(n, part=pa, length_m=la, cls=cls_i, a_rack=ra, a_ru=lay.dev_ru[ls.a_dev[idx]],
                   a_dev=ls.a_dev[idx], a_port=ls.a_port[idx], b_rack=ra, b_ru=top_ru,
                   b_panel=a_panel, b_port=a_unit)
    cab.cables.add(n, part=pb, length_m=lb, cls=cls_i, a_rack=rb,
                   a_ru=spec.layout.rack_units - b_panel + 1, a_panel=b_panel, a_port=b_unit,
                   b_rack=rb, b_ru=lay.dev_ru[ls.b_dev[idx]], b_dev=ls.b_dev[idx],
                   b_port=ls.b_port[idx])
    trunk = _cord_body(Part("trunk", o.connector if not duplex else "MPO-12", o.fiber, 12,
                            type="B" if pol_b else "A", polish=t_polish, ends=trunk_ends))
    adapter = {"type": "B" if pol_b else "A"}
    lengths = np.stack([la, lt, lb], axis=1)
    keys = (twin_a[idx] * 3 + twin_b[idx]) * 8 + (a_sub if duplex else 0)
    for grp in _split_designs(keys):
        g = idx[grp]
        if duplex:
            cas = {"model": CASSETTE_MODEL, "port": int(a_sub[grp[0]])}
            elements = [("cord", _cord_body(cord_a), 0), ("cassette", cas, None),
                        ("trunk", trunk, 1), ("cassette", dict(cas), None),
                        ("cord", _cord_body(cord_b), 2)]
        else:
            elements = [("cord", _cord_body(cord_a), 0), ("adapter", adapter, None),
                        ("trunk", trunk, 1), ("adapter", dict(adapter), None),
                        ("cord", _cord_body(cord_b), 2)]
        cab.designs.append(Design(
            cls, "structured", o, a_model, int(twin_a[g[0]]), b_model, int(twin_b[g[0]]),
            elements, ls.a_dev[g], ls.a_port[g], ls.b_dev[g], ls.b_port[g], lengths[grp]))


def _ocs(spec: ClusterSpec, cab: Cabling, cat: PlanCatalog, lay: Layout, fab: Fabric, ls: Any,
         idx: np.ndarray, o: OpticRecord, model: str, twin_a: np.ndarray, cls: str) -> None:
    """Leaf uplinks into OCS ports; the OCS joins port p to port p + n/2 (reference state)."""
    if o.connector == "LC":
        raise DesignError("OCS spines are planned for MPO optics; pin optics.leaf_spine: SM "
                          "with a DR optic or shorten the routes")
    ocs_rec = cat.ocs.get("MEMS-OCS")
    o_spec = spec.fabric.ocs
    loss = o_spec.loss_db if o_spec and o_spec.loss_db is not None else ocs_rec.loss_db
    refl = (o_spec.reflectance_db if o_spec and o_spec.reflectance_db is not None
            else ocs_rec.reflectance_db)
    ra = lay.dev_rack[ls.a_dev[idx]]
    ocs_dev = ls.b_dev[idx]
    n = idx.size
    panel = cat.panels.get("1U-MPO-48")
    p_no, unit, _ = _panel_positions(ra, lay.dev_rack[ocs_dev], idx, 1, panel.adapters)
    used = cab.rack_panels.get(panel.name)
    if used is not None:
        p_no = p_no + used[ra]
    _rack_panels(cab, panel.name, ra, p_no, lay.n_racks)
    la = cat.round_length("cord", route_m(lay.layout, 0, 0, lay.dev_z[ls.a_dev[idx]], 0, 0,
                                          lay.top_z[ra], np.ones(n, np.int64)))
    lt = _trunks(cab, cat, lay, ra, lay.dev_rack[ocs_dev], ocs_dev, idx, o.connector, o.fiber,
                 o.polish, "M-F", 1, p_no, unit, np.zeros(0, np.int64), ls.b_port[idx], cls)
    cord = _cord_part(o, "A")
    pc = cab.part(cord)
    cab.cables.add(n, part=pc, length_m=la, cls=LINK_CLASSES.index(cls), a_rack=ra,
                   a_ru=lay.dev_ru[ls.a_dev[idx]], a_dev=ls.a_dev[idx], a_port=ls.a_port[idx],
                   b_rack=ra, b_ru=spec.layout.rack_units - p_no + 1, b_panel=p_no, b_port=unit)
    # circuits: on each OCS, port p joins port p + half
    order = np.lexsort((ls.b_port[idx], ocs_dev))
    so = idx[order]
    rank, gid, counts = _group_rank(ocs_dev[order])
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
    trunk_fm = _cord_body(Part("trunk", o.connector, o.fiber, 12, type="A", polish=o.polish,
                               ends="M-F"))
    # OCS ports hold pinned ferrules, so both trunks end unpinned at the switch
    trunk_out = _cord_body(Part("trunk", o.connector, o.fiber, 12, type="A", polish=o.polish,
                                ends="F-M"))
    cbody = _cord_body(cord)
    # every OCS port is cabled alike (circuits change); the circuit is the crossover
    elements: list[tuple[str, dict[str, Any], int | None]] = [
        ("cord", cbody, 0), ("adapter", {"type": "A"}, None), ("trunk", trunk_fm, 1),
        ("ocs", {"loss_db": loss, "reflectance_db": refl}, None), ("trunk", trunk_out, 2),
        ("adapter", {"type": "A"}, None), ("cord", dict(cbody), 3)]
    lengths = np.stack([li[A], ti[A], ti[B], li[B]], axis=1)
    keys = twin_a[A] * 3 + twin_a[B]
    for grp in _split_designs(keys):
        ga, gb = A[grp], B[grp]
        cab.designs.append(Design(
            cls, "ocs", o, model, int(twin_a[ga[0]]), model, int(twin_a[gb[0]]), elements,
            ls.a_dev[ga], ls.a_port[ga], ls.a_dev[gb], ls.a_port[gb], lengths[grp]))
