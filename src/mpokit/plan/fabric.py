"""The logical fabric as arrays: switches per tier and links per class.

Formulas (docs/planner.md): a leaf with radix ``k`` and oversubscription ``r`` has ``d``
downlink and ``u`` uplink ports (``d = r u``, ``d + u <= k``). Each tier may have its own
switch: spine radix ``k_s``, core radix ``k_c`` (default ``k``). With ``L`` leaves a
2-tier fabric needs ``S = ceil(L u / k_s)`` spines, rounded up to the next divisor of
``u`` so that every leaf sends ``u / S`` links to every spine. Three tiers group leaves
into pods of at most ``k_s/2`` leaves (whole scalable units); spine ``j`` of every pod
belongs to core group ``j`` (``spine_plane`` / ``core_plane`` in the code), and each group
gets ``ceil(sum of its spines' uplinks / k_c)`` core switches, again rounded up to a
divisor of the spines' uplinks. A multi-plane fabric (``fabric.planes``) is that many
copies of the one-plane fabric over ``rails / planes`` NIC ports each.

>>> from mpokit.plan.spec import ClusterSpec
>>> spec = ClusterSpec.model_validate({
...     "cluster": {"name": "x", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
...     "fabric": {"scalable_unit": 32,
...                "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
>>> f = build_fabric(spec)
>>> f.counts()
{'leaf': 32, 'spine': 16, 'core': 0}
>>> {k: v.size for k, v in f.links.items()}
{'node_leaf': 1020, 'leaf_spine': 1024, 'spine_core': 0}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from mpokit.errors import DesignError
from mpokit.plan.catalog import PlanCatalog, plan_catalog
from mpokit.plan.spec import ClusterSpec

__all__ = [
    "ROLES",
    "Fabric",
    "LinkSet",
    "build_fabric",
    "smallest_divisor_at_least",
    "split_ports",
]

ROLES = ("node", "ufm", "leaf", "spine", "core")
LINK_CLASSES = ("node_leaf", "leaf_spine", "spine_core")


def smallest_divisor_at_least(n: int, lo: int) -> int | None:
    """The smallest divisor of ``n`` that is ``>= lo`` (None when ``lo > n``).

    >>> smallest_divisor_at_least(32, 12), smallest_divisor_at_least(32, 40)
    (16, None)
    """
    for s in range(max(lo, 1), n + 1):
        if n % s == 0:
            return s
    return None


def split_ports(k: int, ratio: float) -> tuple[int, int]:
    """Downlink and uplink ports of a radix-``k`` leaf at ``ratio`` = down : up.

    The largest ``u`` with ``d = ratio * u`` whole and ``d + u <= k``.

    >>> split_ports(64, 1), split_ports(64, 3), split_ports(64, 1.5)
    ((32, 32), (48, 16), (36, 24))
    """
    for u in range(k // 2 if ratio >= 1 else k, 0, -1):
        d = u * ratio
        if abs(d - round(d)) < 1e-9 and round(d) + u <= k:
            return round(d), u
    raise DesignError(f"a {k}-port switch cannot give oversubscription {ratio}")


@dataclass
class LinkSet:
    """Links of one class; end A is the lower tier. Ports are 1-based.

    ``b_leg`` is the breakout leg (1..n) at the B end's port, 0 when the port is not split.
    """

    a_dev: np.ndarray
    a_port: np.ndarray
    b_dev: np.ndarray
    b_port: np.ndarray
    b_leg: np.ndarray

    @property
    def size(self) -> int:
        """Number of links."""
        return int(self.a_dev.size)

    @staticmethod
    def empty() -> LinkSet:
        """A link set with no links."""
        z = np.zeros(0, dtype=np.int64)
        return LinkSet(z, z, z, z, z)


@dataclass
class Fabric:
    """Switch counts, device groups and link arrays of a planned fabric."""

    topology: str
    tiers: int
    radix: int
    down: int  # leaf downlink ports (designed)
    up: int  # leaf uplink ports
    breakout: int  # NIC ports per switch port at the leaf (1 = none)
    ports_per_cage: int
    n_su: int
    slots: int  # node slots the links are built for (whole units when rail-optimized)
    n: dict[str, int]
    offset: dict[str, int]
    leaf_su: np.ndarray  # scalable unit (or block) of each leaf
    leaf_pod: np.ndarray
    spine_pod: np.ndarray
    spine_plane: np.ndarray
    core_plane: np.ndarray
    spine_is_ocs: bool = False
    ocs_ports: int = 0
    spine_ports_per_cage: int = 0  # 0: as the leaf's
    spine_radix: int = 0  # 0: as the leaf's
    core_radix: int = 0  # 0: no core tier
    core_ports_per_cage: int = 0
    models: dict[str, str | None] = field(default_factory=dict)  # switch model per tier
    planes: int = 1
    dev_plane: np.ndarray | None = None  # plane of every device (-1: nodes); None: 1 plane
    ufm_slots: int = 0  # slots kept for the UFM appliances' rack units, from slot n["node"]
    links: dict[str, LinkSet] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Switches per tier (0 where absent); OCS units count as spines.

        Returns
        -------
        dict[str, int]
            Devices per role.
        """
        return {"leaf": self.n["leaf"], "spine": self.n["spine"], "core": self.n["core"]}

    def plane_of(self, dev: np.ndarray) -> np.ndarray:
        """Plane (0-based) of global device indices; -1 for nodes and UFM links.

        Parameters
        ----------
        dev
            Device indices.

        Returns
        -------
        numpy.ndarray
            The plane of each switch (0 in a single-plane fabric), -1 for end devices.
        """
        dev = np.asarray(dev)
        if self.dev_plane is not None:
            return self.dev_plane[dev]
        return np.where(dev < self.offset["leaf"], -1, 0)

    @property
    def n_devices(self) -> int:
        """Total devices (nodes, UFM links, switches)."""
        return sum(self.n.values())

    def role_of(self, dev: np.ndarray) -> np.ndarray:
        """Role index (into :data:`ROLES`) of global device indices.

        Parameters
        ----------
        dev
            Device indices.

        Returns
        -------
        numpy.ndarray
            The role of each device.
        """
        bounds = np.array([self.offset[r] for r in ROLES[1:]])
        return np.searchsorted(bounds, dev, side="right")

    def names(self, dev: np.ndarray) -> np.ndarray:
        """Device names (``node0001``, ``leaf001``, ``spine01``...) as a string array.

        Parameters
        ----------
        dev
            Device indices.

        Returns
        -------
        numpy.ndarray
            The name of each device.
        """
        dev = np.asarray(dev)
        out = np.empty(dev.shape, dtype=object)
        role = self.role_of(dev)
        for ri, r in enumerate(ROLES):
            m = role == ri
            if not m.any():
                continue
            width = max(2, len(str(self.n[r])))
            local = dev[m] - self.offset[r] + 1
            prefix = "ocs" if (r == "spine" and self.spine_is_ocs) else r
            out[m] = np.char.add(prefix, np.char.zfill(local.astype(str), width)).astype(object)
        return out


def _rail_leaf_shape(su: int, d: int, b: int) -> tuple[int, int]:
    """Leaves per rail per SU and downlink ports used per leaf."""
    m = math.ceil(su / (d * b))
    per_leaf_slots = math.ceil(su / m)
    return m, math.ceil(per_leaf_slots / b)


MAX_NODE_LINKS = 8_388_608
"""Node-to-leaf links one plan may hold (the 131,072-GPU benchmark has 131,072)."""


def _check_size(slots: int, rails: int) -> None:
    if slots * rails > MAX_NODE_LINKS:
        raise DesignError(
            f"{slots:,} node slots x {rails} rails = {slots * rails:,} node links, more than "
            f"one plan holds ({MAX_NODE_LINKS:,}); plan the cluster in parts or check "
            "scalable_unit and nodes"
        )


def build_fabric(spec: ClusterSpec, cat: PlanCatalog | None = None) -> Fabric:
    """Design the logical fabric of ``spec`` (switch counts and every link).

    Parameters
    ----------
    spec
        The cluster spec.
    cat
        The plan catalogue (None: the built-in one).

    Returns
    -------
    Fabric
        Switch counts per tier, device groups and every link as arrays.

    Raises
    ------
    DesignError
        The spec describes no buildable fabric.
    """
    c, f = spec.cluster, spec.fabric
    if f.planes > 1:
        return _multi_plane(spec, cat)
    k = f.switch.ports
    b = f.switch.port_speed_gbps // c.nic_speed_gbps
    if f.breakout is False and b > 1:
        raise DesignError("switch ports are faster than the NICs; set fabric.breakout: true")
    d, u = split_ports(k, f.oversubscription)
    rail = f.topology == "rail-optimized"
    su = f.scalable_unit or (32 if rail else 0)

    # -- node slots and fabric-manager links ---------------------------------------------
    if c.ufm_links == "auto":
        n_ufm = min(4, c.rails) if (rail and su and c.nodes % su) else 0
    else:
        n_ufm = c.ufm_links
    if n_ufm < 0:
        raise DesignError(f"cluster.ufm_links is {n_ufm}; give 0 or more (or 'auto')")
    if n_ufm > c.rails:
        raise DesignError(f"ufm_links {n_ufm} exceeds the {c.rails} rails of a node slot")
    slots_needed = c.nodes + (1 if n_ufm else 0)  # the UFM links count as one slot's
    # the UFM appliances (1 RU each) need ceil(n_ufm / node_ru) slots of rack space; those
    # beyond the last unit's slots are racked after it, without adding a unit
    ufm_slots = math.ceil(n_ufm / spec.layout.node_ru)
    n_su = math.ceil(slots_needed / su) if su else 1
    slots = n_su * su if su else slots_needed
    _check_size(slots, c.rails)

    # -- leaves ----------------------------------------------------------------------------
    if rail:
        m, d_used = _rail_leaf_shape(su, d, b)
        leaves_per_su = c.rails * m
        n_leaf = n_su * leaves_per_su
        u_used = min(u, math.ceil(d_used / f.oversubscription - 1e-9))
        leaf_su = np.repeat(np.arange(n_su), leaves_per_su)
    else:
        m = 0
        nic_ports = slots * c.rails
        n_leaf = math.ceil(nic_ports / (d * b))
        d_used, u_used = d, u
        leaves_per_su = max(1, math.ceil(su * c.rails / (d * b))) if su else 1
        leaf_su = np.arange(n_leaf) // leaves_per_su

    # -- tiers: each may have its own switch model (same port speed) ------------------------
    spine_sw = f.spine_switch or f.switch
    core_sw = f.core_switch or f.switch
    if f.spine_switch is not None and f.ocs is not None:
        raise DesignError("fabric.spine_switch and fabric.ocs both describe the spine tier; "
                          "keep one")
    for tier, sw in (("spine", spine_sw), ("core", core_sw)):
        if sw.port_speed_gbps != f.switch.port_speed_gbps:
            raise DesignError(
                f"the {tier} switch's ports run at {sw.port_speed_gbps}G and the leaf's at "
                f"{f.switch.port_speed_gbps}G; switch-to-switch links need one speed")
    spine_radix = spine_sw.ports
    ocs_ports = 0
    if f.ocs is not None:
        ocs_ports = f.ocs.ports or (cat or plan_catalog()).ocs_default.ports
        spine_radix = ocs_ports
    two_ok = math.ceil(n_leaf * u_used / spine_radix) <= u_used
    tiers = 2 if (f.tiers == "auto" and two_ok) else (3 if f.tiers == "auto" else int(f.tiers))
    if tiers == 2 and not two_ok:
        raise DesignError(
            f"{n_leaf} leaves with {u_used} uplinks need more than {u_used} spines of "
            f"{spine_radix} ports: 2 tiers hold at most {spine_radix} leaves; use tiers: 3"
        )
    if tiers == 3 and f.ocs is not None:
        raise DesignError("an OCS spine is supported with 2 tiers only")
    if tiers == 2 and f.core_switch is not None:
        raise DesignError(
            f"fabric.core_switch describes a core tier, but {n_leaf} leaves fit 2 tiers; "
            "set fabric.tiers: 3 or remove core_switch")
    k_core = core_sw.ports

    notes: list[str] = []
    half = spine_radix // 2  # a 3-tier spine: half its ports down, half up
    if tiers == 2:
        pod_size = n_leaf
    else:
        pod_size = (half // leaves_per_su) * leaves_per_su if rail else half
        if pod_size == 0:
            pod_size = half
            notes.append("a scalable unit has more leaves than a pod holds; pods split units")
    n_pod = math.ceil(n_leaf / pod_size)
    pod_sizes = [min(pod_size, n_leaf - p * pod_size) for p in range(n_pod)]
    spine_down_cap = spine_radix if tiers == 2 else half
    s_pod: list[int] = []
    for ps in pod_sizes:
        s = smallest_divisor_at_least(u_used, math.ceil(ps * u_used / spine_down_cap))
        if s is None:
            raise DesignError(f"a pod of {ps} leaves cannot be connected (spine radix "
                              f"{spine_radix})")
        s_pod.append(s)
    n_spine = sum(s_pod)
    spine_off_pod = np.concatenate([[0], np.cumsum(s_pod)])[:-1]
    spine_pod = np.repeat(np.arange(n_pod), s_pod)
    spine_plane = np.arange(n_spine) - spine_off_pod[spine_pod]
    spine_down_used = np.repeat(
        [ps * (u_used // s) for ps, s in zip(pod_sizes, s_pod, strict=True)], s_pod
    )

    # -- cores (3 tiers) ------------------------------------------------------------------
    core_plane = np.zeros(0, dtype=np.int64)
    cores_per_plane: list[int] = []
    if tiers == 3:
        for j in range(max(s_pod)):
            ups = spine_down_used[spine_plane == j]
            g = int(np.gcd.reduce(ups))
            cnum = smallest_divisor_at_least(g, math.ceil(int(ups.sum()) / k_core))
            if cnum is None:
                raise DesignError(_core_refusal(n_leaf, pod_sizes, k, spine_radix, k_core,
                                                c.nodes))
            cores_per_plane.append(cnum)
        core_plane = np.repeat(np.arange(len(cores_per_plane)), cores_per_plane)
    n_core = int(sum(cores_per_plane))

    n = {"node": c.nodes, "ufm": n_ufm, "leaf": n_leaf, "spine": n_spine, "core": n_core}
    offset: dict[str, int] = {}
    acc = 0
    for r in ROLES:
        offset[r] = acc
        acc += n[r]
    fab = Fabric(
        topology=f.topology,
        tiers=tiers,
        radix=k,
        down=d_used,
        up=u_used,
        breakout=b,
        ports_per_cage=f.switch.ports_per_cage,
        spine_ports_per_cage=spine_sw.ports_per_cage,
        spine_radix=spine_sw.ports,
        core_radix=k_core if tiers == 3 else 0,
        core_ports_per_cage=core_sw.ports_per_cage if tiers == 3 else 0,
        models={"leaf": f.switch.model, "spine": None if f.ocs else spine_sw.model,
                "core": core_sw.model if tiers == 3 else None},
        n_su=n_su,
        slots=slots,
        ufm_slots=ufm_slots,
        n=n,
        offset=offset,
        leaf_su=leaf_su,
        leaf_pod=np.arange(n_leaf) // pod_size,
        spine_pod=spine_pod,
        spine_plane=spine_plane,
        core_plane=core_plane,
        spine_is_ocs=f.ocs is not None,
        ocs_ports=ocs_ports,
        notes=notes,
    )
    fab.links["node_leaf"] = _node_links(fab, c.rails, su, m, rail)
    fab.links["leaf_spine"] = _leaf_spine_links(fab, pod_size, s_pod, spine_off_pod)
    fab.links["spine_core"] = (
        _spine_core_links(fab, spine_down_used, cores_per_plane) if tiers == 3 else LinkSet.empty()
    )
    return fab


def _node_links(fab: Fabric, rails: int, su: int, m: int, rail: bool) -> LinkSet:
    b, d = fab.breakout, fab.down
    nodes, n_ufm = fab.n["node"], fab.n["ufm"]
    slot = np.repeat(np.arange(nodes, dtype=np.int64), rails)
    rail_i = np.tile(np.arange(rails, dtype=np.int64), nodes)
    a_dev = slot.copy()
    a_port = rail_i + 1
    if n_ufm:
        slot = np.concatenate([slot, np.full(n_ufm, nodes, dtype=np.int64)])
        rail_i = np.concatenate([rail_i, np.arange(n_ufm, dtype=np.int64)])
        a_dev = np.concatenate([a_dev, fab.offset["ufm"] + np.arange(n_ufm, dtype=np.int64)])
        a_port = np.concatenate([a_port, np.ones(n_ufm, dtype=np.int64)])
    if rail:
        su_i, pos = np.divmod(slot, su)
        per_leaf = math.ceil(su / m)
        sub, pos_in = np.divmod(pos, per_leaf)
        leaf = su_i * (rails * m) + rail_i * m + sub
    else:
        g = slot * rails + rail_i
        leaf, pos_in = np.divmod(g, d * b)
    port, leg = np.divmod(pos_in, b)
    return LinkSet(
        a_dev=a_dev,
        a_port=a_port,
        b_dev=fab.offset["leaf"] + leaf,
        b_port=port + 1,
        b_leg=np.where(b > 1, leg + 1, 0),
    )


def _leaf_spine_links(
    fab: Fabric, pod_size: int, s_pod: list[int], spine_off_pod: np.ndarray
) -> LinkSet:
    n_leaf, u = fab.n["leaf"], fab.up
    leaf = np.repeat(np.arange(n_leaf, dtype=np.int64), u)
    j = np.tile(np.arange(u, dtype=np.int64), n_leaf)
    pod, local = np.divmod(leaf, pod_size)
    s_of = np.asarray(s_pod, dtype=np.int64)[pod]
    spine_local = j % s_of
    t = j // s_of
    per_pair = u // s_of
    spine = spine_off_pod[pod] + spine_local
    return LinkSet(
        a_dev=fab.offset["leaf"] + leaf,
        a_port=fab.down + j + 1 if fab.down + u <= fab.radix else j + 1,
        b_dev=fab.offset["spine"] + spine,
        b_port=local * per_pair + t + 1,
        b_leg=np.zeros(leaf.size, dtype=np.int64),
    )


def _spine_core_links(
    fab: Fabric, spine_up: np.ndarray, cores_per_plane: list[int]
) -> LinkSet:
    half = fab.spine_radix // 2  # spine uplinks are its upper half of ports
    n_spine = fab.n["spine"]
    plane = fab.spine_plane
    cpp = np.asarray(cores_per_plane, dtype=np.int64)
    core_off_plane = np.concatenate([[0], np.cumsum(cpp)])[:-1]
    per_pair = spine_up // cpp[plane]  # links from a spine to each core of its plane
    # port offset of each spine on its plane's cores: cumulative per_pair within the plane
    order = np.lexsort((np.arange(n_spine), plane))
    base = np.zeros(n_spine, dtype=np.int64)
    pp_sorted = per_pair[order]
    cum = np.cumsum(pp_sorted) - pp_sorted
    plane_sorted = plane[order]
    first = np.searchsorted(plane_sorted, plane_sorted, side="left")
    base[order] = cum - cum[first]
    spine = np.repeat(np.arange(n_spine, dtype=np.int64), spine_up)
    starts = np.concatenate([[0], np.cumsum(spine_up)])[:-1]
    j = np.arange(spine.size, dtype=np.int64) - np.repeat(starts, spine_up)
    ncore = cpp[plane[spine]]
    core_local = j % ncore
    t = j // ncore
    return LinkSet(
        a_dev=fab.offset["spine"] + spine,
        a_port=half + j + 1,
        b_dev=fab.offset["core"] + core_off_plane[plane[spine]] + core_local,
        b_port=base[spine] + t + 1,
        b_leg=np.zeros(spine.size, dtype=np.int64),
    )


def _multi_plane(spec: ClusterSpec, cat: PlanCatalog | None) -> Fabric:
    """``planes`` copies of the one-plane fabric over ``rails / planes`` rails.

    NIC port ``r`` (0-based) of every node joins plane ``r % planes`` as its rail
    ``r // planes``. Leaves stay grouped by scalable unit (within a unit: plane 1's
    leaves, then plane 2's ...); spines and cores are numbered plane by plane.
    """
    c, f = spec.cluster, spec.fabric
    n_pl = f.planes
    su = f.scalable_unit or (32 if f.topology == "rail-optimized" else 0)
    _check_size(math.ceil(c.nodes / su) * su if su else c.nodes, c.rails)
    sub = build_fabric(spec.model_copy(update={
        "cluster": c.model_copy(update={"rails": c.rails // n_pl, "ufm_links": 0}),
        "fabric": f.model_copy(update={"planes": 1}),
    }), cat)
    nl, ns, nc = sub.n["leaf"], sub.n["spine"], sub.n["core"]
    n = {"node": sub.n["node"], "ufm": 0, "leaf": nl * n_pl, "spine": ns * n_pl,
         "core": nc * n_pl}
    offset: dict[str, int] = {}
    acc = 0
    for r in ROLES:
        offset[r] = acc
        acc += n[r]
    # leaves of a scalable unit stay together: unit u holds plane 0's leaves, then plane 1's
    su_of = sub.leaf_su
    per_block = np.bincount(su_of, minlength=int(su_of.max(initial=-1)) + 1)
    first = np.concatenate([[0], np.cumsum(per_block)])[:-1]
    local = np.arange(nl) - first[su_of]
    leaf_map = np.stack([n_pl * first[su_of] + p * per_block[su_of] + local
                         for p in range(n_pl)])

    def remap(dev: np.ndarray, p: int) -> np.ndarray:
        out = dev.copy()  # nodes keep their index (no UFM links in multi-plane fabrics)
        role = sub.role_of(dev)
        m = role == ROLES.index("leaf")
        out[m] = offset["leaf"] + leaf_map[p, dev[m] - sub.offset["leaf"]]
        for r, cnt in (("spine", ns), ("core", nc)):
            m = role == ROLES.index(r)
            out[m] = offset[r] + p * cnt + dev[m] - sub.offset[r]
        return out

    links: dict[str, LinkSet] = {}
    for cls, ls in sub.links.items():
        parts = [LinkSet(
            a_dev=remap(ls.a_dev, p),
            a_port=(ls.a_port - 1) * n_pl + p + 1 if cls == "node_leaf" else ls.a_port,
            b_dev=remap(ls.b_dev, p), b_port=ls.b_port, b_leg=ls.b_leg,
        ) for p in range(n_pl)]
        cat_ = {k: np.concatenate([getattr(x, k) for x in parts])
                for k in ("a_dev", "a_port", "b_dev", "b_port", "b_leg")}
        order = np.lexsort((cat_["a_port"], cat_["a_dev"]))
        links[cls] = LinkSet(**{k: v[order] for k, v in cat_.items()})
    leaf_su = np.empty(n["leaf"], dtype=np.int64)
    leaf_pod = np.empty(n["leaf"], dtype=np.int64)
    n_pod = int(sub.leaf_pod.max(initial=-1)) + 1
    dev_plane = np.full(acc, -1, dtype=np.int64)
    for p in range(n_pl):
        leaf_su[leaf_map[p]] = su_of
        leaf_pod[leaf_map[p]] = sub.leaf_pod + p * n_pod
        dev_plane[offset["leaf"] + leaf_map[p]] = p
        dev_plane[offset["spine"] + p * ns: offset["spine"] + (p + 1) * ns] = p
        dev_plane[offset["core"] + p * nc: offset["core"] + (p + 1) * nc] = p
    return replace(
        sub, n=n, offset=offset, leaf_su=leaf_su, leaf_pod=leaf_pod,
        spine_pod=np.concatenate([sub.spine_pod + p * n_pod for p in range(n_pl)]),
        spine_plane=np.tile(sub.spine_plane, n_pl), core_plane=np.tile(sub.core_plane, n_pl),
        links=links, planes=n_pl, dev_plane=dev_plane,
        notes=[*sub.notes, f"{n_pl} planes: NIC port r of every node joins plane r mod {n_pl}"],
    )


def _core_refusal(n_leaf: int, pod_sizes: list[int], k: int, spine_radix: int, k_core: int,
                  nodes: int) -> str:
    """Why the cores of a 3-tier fabric cannot be wired, and what to change.

    Two different causes end here: more pods than a core switch has ports (capacity), or
    pods of unequal size whose spine uplinks cannot be spread over the cores in equal
    shares (a partial last pod). The message names the one that applies.
    """
    switches = f"{k} / {spine_radix} / {k_core}-port leaf / spine / core switches"
    full = pod_sizes[0]
    if len(pod_sizes) > k_core:  # a core switch meets each pod once per plane
        return (f"{n_leaf} leaves make {len(pod_sizes)} pods, more than a 3-tier fabric of "
                f"{switches} connects (at most {k_core} pods of {full} leaves, "
                f"{k_core * full} leaves); use bigger switches or plan the cluster in parts")
    whole = [n for n in ((n_leaf // full) * full, -(-n_leaf // full) * full)
             if n > 0 and n // full <= k_core]
    hint = f"a leaf count that is a multiple of {full} ({' or '.join(map(str, whole))} leaves"
    if nodes % n_leaf == 0:
        hint += f", i.e. {' or '.join(str(n * (nodes // n_leaf)) for n in whole)} nodes"
    return (f"{n_leaf} leaves make {len(pod_sizes) - 1} pods of {full} leaves and a last pod "
            f"of {pod_sizes[-1]}; with {switches} the spines' uplinks of unequal pods cannot "
            f"be shared equally by the core switches; plan {hint}), use bigger switches, or "
            "plan the cluster in parts")
