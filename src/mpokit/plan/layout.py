"""Floor layout: halls, rows and racks with coordinates; where every device sits; routes.

Racks stand in rows along x (``rack_width_m`` apart); rows are ``rack_depth_m + aisle_m``
apart along y; a new hall every ``rows_per_hall`` rows adds ``hall_gap_m``. Spine and core
racks fill the first rows (the network rows); then each block (a scalable unit) takes a
run of racks: half its compute racks, its leaf rack(s), the other half.

A route between racks goes up from the device to the overhead tray, along the trays
(Manhattan: ``|dx| + |dy|``) and down; inside one rack it is the vertical distance.
Slack: ``route * (1 + slack_percent/100) + 2 * slack_per_end_m``. See docs/planner.md.

>>> from mpokit.plan.spec import LayoutSpec
>>> lay = LayoutSpec(slack_per_end_m=0, slack_percent=0)   # tray at 2.6 m
>>> one = lambda v: np.array([v])
>>> float(route_m(lay, one(0.0), one(0.0), one(1.0), one(3.0), one(0.0), one(1.6), one(0))[0])
5.6
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from mpokit.errors import InputError
from mpokit.plan.catalog import PlanCatalog, plan_catalog
from mpokit.plan.fabric import Fabric
from mpokit.plan.spec import RACK_RESERVE_RU, ClusterSpec, LayoutSpec

__all__ = [
    "NETWORK_TIERS",
    "Layout",
    "build_layout",
    "default_ports_per_ru",
    "panel_ports_per_ru",
    "rack_name",
    "route_m",
    "tier_ports",
]

#: Network tiers by their ``Layout.rack_kind`` code.
NETWORK_TIERS = {"leaf": 1, "spine": 2, "core": 3}

PANEL_RESERVE_RU = RACK_RESERVE_RU  # RU kept free at the top of every rack above the panels


def rack_name(hall: int, row: int, pos: int) -> str:
    """TIA-606-style rack location: hall number, row letters, position (``1A05``).

    >>> rack_name(0, 0, 4), rack_name(1, 27, 11)
    ('1A05', '2AB12')
    """
    letters = ""
    r = row + 1
    while r:
        r, rem = divmod(r - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return f"{hall + 1}{letters}{pos + 1:02d}"


def route_m(
    lay: LayoutSpec,
    xa: np.ndarray | float,
    ya: np.ndarray | float,
    za: np.ndarray | float,
    xb: np.ndarray | float,
    yb: np.ndarray | float,
    zb: np.ndarray | float,
    same_rack: np.ndarray,
    n_ends: np.ndarray | int = 2,
) -> np.ndarray:
    """Routed length with slack (vectorised). ``same_rack``: 1 where both ends share a rack."""
    tray = lay.tray_height_m
    across = np.abs(xa - xb) + np.abs(ya - yb)
    up_down = (tray - za) + (tray - zb)
    raw = np.where(same_rack.astype(bool), np.abs(np.subtract(za, zb)), up_down + across)
    return np.asarray(raw * (1 + lay.slack_percent / 100.0) + lay.slack_per_end_m * n_ends)


@dataclass
class Layout:
    """Racks and device placement as arrays."""

    rack_x: np.ndarray
    rack_y: np.ndarray
    rack_hall: np.ndarray
    rack_row: np.ndarray
    rack_pos: np.ndarray
    rack_kind: np.ndarray  # 0 compute, 1 leaf, 2 spine, 3 core
    dev_rack: np.ndarray
    dev_ru: np.ndarray  # lowest RU the device occupies
    dev_height_ru: np.ndarray  # RU the device occupies (node_ru, the switch's ru, UFM 1)
    dev_z: np.ndarray  # port height above the floor
    top_z: np.ndarray  # per rack: height of the panel zone (top of the rack)
    layout: LayoutSpec

    @property
    def n_racks(self) -> int:
        """Number of racks."""
        return int(self.rack_x.size)

    def rack_names(self, racks: np.ndarray | None = None) -> np.ndarray:
        """Rack location names as an object array.

        Parameters
        ----------
        racks
            Rack indices (None: every rack).

        Returns
        -------
        numpy.ndarray
            The name of each rack.
        """
        names = np.array(
            [
                rack_name(int(h), int(r), int(p))
                for h, r, p in zip(self.rack_hall, self.rack_row, self.rack_pos, strict=True)
            ],
            dtype=object,
        )
        return names if racks is None else names[racks]


def panel_ports_per_ru(cat: PlanCatalog, kind: str) -> float:
    """Switch ports one rack unit of the catalogue's panel of ``kind`` terminates.

    Parameters
    ----------
    cat
        The plan catalogue (its ``mpo_panel``, ``cassette_panel`` and ``cassette`` roles).
    kind
        ``mpo`` (one MPO adapter per port) or ``cassette`` (an enclosure of cassettes, each
        taking one trunk leg and fanning out to its duplex front ports).

    Returns
    -------
    float
        Ports per RU.

    Examples
    --------
    >>> cat = plan_catalog()
    >>> panel_ports_per_ru(cat, "mpo"), panel_ports_per_ru(cat, "cassette")
    (48.0, 24.0)
    """
    if kind == "cassette":
        enc = cat.cassette_panel
        return enc.adapters * cat.cassette.front.ports / enc.ru
    return cat.mpo_panel.adapters / cat.mpo_panel.ru


def _switch_cap(lay: LayoutSpec, tier: str, switch_ru: int, ports: int,
                ports_per_ru: float) -> int:
    """Switches per network rack leaving room for the panels their ports need.

    Raises
    ------
    InputError
        One switch and its panels do not fit a rack.
    """
    usable = lay.rack_units - PANEL_RESERVE_RU
    per = switch_ru + ports / ports_per_ru
    if per > usable:
        raise InputError(
            f"a {tier} switch ({switch_ru} RU, {ports} ports) and the panels for its ports "
            f"({math.ceil(ports / ports_per_ru)} RU at {ports_per_ru:g} ports per RU) need "
            f"{switch_ru + math.ceil(ports / ports_per_ru)} RU; a {lay.rack_units}-RU rack "
            f"keeps {usable} RU after the {PANEL_RESERVE_RU} RU reserve",
            field="layout.rack_units",
            fix="use taller racks (layout.rack_units), or a denser panel / cassette enclosure "
            "(cabling.catalog roles), or direct cabling for that tier's links")
    return max(1, int(usable // per))


def tier_ports(fab: Fabric) -> dict[str, int]:
    """Ports of one switch (or OCS) of each network tier.

    Parameters
    ----------
    fab
        The fabric (its radix per tier, or the OCS's ports).

    Returns
    -------
    dict[str, int]
        ``leaf``, ``spine`` and ``core`` -> ports of one device of that tier.

    Examples
    --------
    >>> from mpokit.plan.spec import ClusterSpec
    >>> from mpokit.plan.fabric import build_fabric
    >>> spec = ClusterSpec.model_validate({
    ...     "cluster": {"name": "x", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
    ...     "fabric": {"scalable_unit": 4,
    ...                "switch": {"ports": 8, "port_speed_gbps": 400, "cages": 8}}})
    >>> tier_ports(build_fabric(spec))
    {'leaf': 8, 'spine': 8, 'core': 8}
    """
    k = fab.radix
    return {"leaf": k, "spine": fab.ocs_ports or fab.spine_radix or k,
            "core": fab.core_radix or k}


def default_ports_per_ru(spec: ClusterSpec, cat: PlanCatalog) -> dict[str, float]:
    """Ports per panel RU per tier before the cabling is known: the spec's panel kind.

    ``cabling.panel`` is what parallel links get; the optics chosen by reach may still send
    some links through cassettes (duplex LC optics), which :func:`mpokit.plan.make_plan`
    finds in the cabling and answers by laying the racks out again with the density the
    cabling used.

    Parameters
    ----------
    spec
        The cluster spec (its ``cabling.panel``).
    cat
        The plan catalogue (panel roles).

    Returns
    -------
    dict[str, float]
        ``leaf``, ``spine`` and ``core`` -> ports per panel RU.

    Examples
    --------
    >>> from mpokit.plan.spec import ClusterSpec
    >>> spec = ClusterSpec.model_validate({
    ...     "cluster": {"name": "x", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
    ...     "fabric": {"switch": {"ports": 8, "port_speed_gbps": 400}},
    ...     "cabling": {"panel": "cassette"}})
    >>> default_ports_per_ru(spec, plan_catalog())
    {'leaf': 24.0, 'spine': 24.0, 'core': 24.0}
    """
    d = panel_ports_per_ru(cat, spec.cabling.panel)
    return {t: d for t in NETWORK_TIERS}


def build_layout(spec: ClusterSpec, fab: Fabric, cat: PlanCatalog | None = None,
                 ports_per_ru: Mapping[str, float] | None = None) -> Layout:
    """Place racks on the floor and every device in a rack.

    Parameters
    ----------
    spec
        The cluster spec (its ``layout`` section).
    fab
        The fabric to place.
    cat
        The plan catalogue (panel sizes); the built-in one by default.
    ports_per_ru
        Tier (``leaf``, ``spine``, ``core``) -> switch ports one RU of its panels holds;
        the panel zone above a network rack's switches is sized with it. Default: the
        panel kind of ``cabling.panel`` (:func:`default_ports_per_ru`).

    Returns
    -------
    Layout
        The rack and position of every device.

    Raises
    ------
    InputError
        A rack cannot hold one switch of a tier and its panels.
    """
    lay = spec.layout
    f = spec.fabric
    # Ports per RU of panels, per tier. The panel kind of a link (MPO adapter or a cassette
    # of duplex ports) is decided by the cabling after this layout (optics by length), so
    # the caller passes what the cabling used (make_plan's layout rounds); without it, the
    # kind cabling.panel names. The worst case of both kinds up front would halve every
    # network rack's switches although most plans never get a cassette.
    ppr = {**default_ports_per_ru(spec, cat or plan_catalog()), **(ports_per_ru or {})}
    sw_ru = f.switch.ru
    ports = tier_ports(fab)
    k = ports["leaf"]
    cap = _switch_cap(lay, "leaf", sw_ru, k, ppr["leaf"])
    # each tier's own switch model: its height and ports set how many fit a rack
    spine_ru = f.ocs.ru if f.ocs else (f.spine_switch or f.switch).ru
    spine_k = ports["spine"]
    spine_cap = (_switch_cap(lay, "spine", spine_ru, spine_k, ppr["spine"]) if fab.n["spine"]
                 else 1)
    core_ru = (f.core_switch or f.switch).ru
    core_k = ports["core"]
    core_cap = (_switch_cap(lay, "core", core_ru, core_k, ppr["core"]) if fab.n["core"]
                else 1)
    n_spine_racks = math.ceil(fab.n["spine"] / spine_cap)
    n_core_racks = math.ceil(fab.n["core"] / core_cap) if fab.n["core"] else 0

    # blocks: a scalable unit (rail-optimized) or a group of leaves (fat tree)
    su = spec.fabric.scalable_unit or (32 if fab.topology == "rail-optimized" else 0)
    leaf_block = fab.leaf_su if su else np.arange(fab.n["leaf"]) // cap
    n_blocks = int(leaf_block.max()) + 1 if leaf_block.size else 0
    slots_per_block = fab.slots // max(n_blocks, 1) if su else 0
    if not su:
        # fat tree without units: a block is the nodes whose NICs land on its leaves
        first_leaf_of_slot = (np.arange(fab.slots) * fab.n["leaf"]) // max(fab.slots, 1)
        slot_block = leaf_block[np.minimum(first_leaf_of_slot, fab.n["leaf"] - 1)]
    else:
        slot_block = np.arange(fab.slots) // slots_per_block
    # UFM slots past the last linked one go to the last block (no unit, no leaf added)
    n_slots = max(fab.slots, fab.n["node"] + fab.ufm_slots)
    slot_block = np.concatenate([slot_block, np.full(n_slots - fab.slots, max(n_blocks - 1, 0),
                                                     dtype=slot_block.dtype)])
    block_slots = np.bincount(slot_block, minlength=n_blocks)
    block_first_slot = np.concatenate([[0], np.cumsum(block_slots)])[:-1]
    block_leaves = np.bincount(leaf_block, minlength=n_blocks)

    kinds: list[int] = []
    rows: list[int] = []
    poss: list[int] = []
    row, pos = 0, 0

    def add(kind: int) -> int:
        nonlocal row, pos
        if pos >= lay.racks_per_row:
            row, pos = row + 1, 0
        kinds.append(kind)
        rows.append(row)
        poss.append(pos)
        pos += 1
        return len(kinds) - 1

    def new_row() -> None:
        nonlocal row, pos
        if pos:
            row, pos = row + 1, 0

    spine_racks = [add(2) for _ in range(n_spine_racks)]
    core_racks = [add(3) for _ in range(n_core_racks)]
    new_row()
    block_compute: list[list[int]] = []
    block_net: list[list[int]] = []
    for bl in range(n_blocks):
        n_comp = math.ceil(block_slots[bl] / lay.nodes_per_rack)
        n_net = math.ceil(block_leaves[bl] / cap)
        length = n_comp + n_net
        if pos and pos + length > lay.racks_per_row and length <= lay.racks_per_row:
            new_row()
        left = n_comp // 2
        comp = [add(0) for _ in range(left)]
        net = [add(1) for _ in range(n_net)]
        comp += [add(0) for _ in range(n_comp - left)]
        block_compute.append(comp)
        block_net.append(net)

    rack_row_all = np.asarray(rows, dtype=np.int64)
    rack_pos = np.asarray(poss, dtype=np.int64)
    rack_hall = rack_row_all // lay.rows_per_hall
    rack_row = rack_row_all % lay.rows_per_hall
    row_pitch = lay.rack_depth_m + lay.aisle_m
    hall_span = lay.rows_per_hall * row_pitch + lay.hall_gap_m
    rack_x = (rack_pos + 0.5) * lay.rack_width_m
    rack_y = rack_hall * hall_span + rack_row * row_pitch
    top_z = np.full(rack_x.size, lay.first_ru_m + (lay.rack_units - 0.5) * lay.ru_m)

    n_dev = fab.n_devices
    dev_rack = np.zeros(n_dev, dtype=np.int64)
    dev_ru = np.zeros(n_dev, dtype=np.int64)
    dev_h = np.ones(n_dev, dtype=np.int64)

    # compute slots -> racks, bottom up
    comp_flat = np.asarray([r for b in block_compute for r in b] or [0], dtype=np.int64)
    comp_start = np.concatenate([[0], np.cumsum([len(b) for b in block_compute])])[:-1]
    slot = np.arange(n_slots)
    within = slot - block_first_slot[slot_block]
    rack_in_block, in_rack = np.divmod(within, lay.nodes_per_rack)
    slot_rack = comp_flat[np.asarray(comp_start, dtype=np.int64)[slot_block] + rack_in_block]
    slot_ru = 1 + in_rack * lay.node_ru
    o = fab.offset
    dev_rack[: fab.n["node"]] = slot_rack[: fab.n["node"]]
    dev_ru[: fab.n["node"]] = slot_ru[: fab.n["node"]]
    dev_h[: fab.n["node"]] = lay.node_ru
    if fab.n["ufm"]:
        u = slice(o["ufm"], o["ufm"] + fab.n["ufm"])
        # consecutive units over the slots the fabric kept after the nodes
        ufm_slot, ufm_in_slot = np.divmod(np.arange(fab.n["ufm"]), lay.node_ru)
        dev_rack[u] = slot_rack[fab.n["node"] + ufm_slot]
        dev_ru[u] = slot_ru[fab.n["node"] + ufm_slot] + ufm_in_slot
        dev_h[u] = 1

    # switches: below the panel zone, top down
    def place(
        role: str, racks_of: np.ndarray, idx_in_rack: np.ndarray, ru: int, rcap: int, ports: int
    ) -> None:
        sl = slice(o[role], o[role] + fab.n[role])
        top = lay.rack_units - PANEL_RESERVE_RU - math.ceil(rcap * ports / ppr[role])
        dev_rack[sl] = racks_of
        dev_ru[sl] = np.maximum(top - (idx_in_rack + 1) * ru + 1, 1)
        dev_h[sl] = ru

    leaf_idx_in_block = np.arange(fab.n["leaf"]) - np.concatenate(
        [[0], np.cumsum(block_leaves)]
    )[:-1][leaf_block]
    net_rack_in_block, leaf_in_rack = np.divmod(leaf_idx_in_block, cap)
    net_flat = np.asarray([r for b in block_net for r in b] or [0], dtype=np.int64)
    net_start = np.concatenate([[0], np.cumsum([len(b) for b in block_net])])[:-1]
    if fab.n["leaf"]:
        place("leaf", net_flat[np.asarray(net_start, dtype=np.int64)[leaf_block]
                               + net_rack_in_block], leaf_in_rack, sw_ru, cap, k)
    sp_rack, sp_in = np.divmod(np.arange(fab.n["spine"]), spine_cap)
    place("spine", np.asarray(spine_racks, dtype=np.int64)[sp_rack], sp_in, spine_ru, spine_cap,
          spine_k)
    if fab.n["core"]:
        c_rack, c_in = np.divmod(np.arange(fab.n["core"]), core_cap)
        place("core", np.asarray(core_racks, dtype=np.int64)[c_rack], c_in, core_ru, core_cap,
              core_k)

    dev_z = lay.first_ru_m + (dev_ru - 1 + dev_h / 2.0) * lay.ru_m
    return Layout(
        rack_x=rack_x,
        rack_y=rack_y,
        rack_hall=rack_hall,
        rack_row=rack_row,
        rack_pos=rack_pos,
        rack_kind=np.asarray(kinds, dtype=np.int64),
        dev_rack=dev_rack,
        dev_ru=dev_ru,
        dev_height_ru=dev_h,
        dev_z=dev_z,
        top_z=top_z,
        layout=lay,
    )
