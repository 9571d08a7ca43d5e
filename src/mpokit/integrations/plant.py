"""The planned plant as inventory objects: device types, devices, ports and cables.

NetBox, Nautobot and the fabric managers all want the same thing from a plan: which
devices sit where, which ports they have, and which cable joins which two ports. This
module builds that once, from a plan's cut sheet (a plan output folder or a
:class:`~mpokit.plan.Plan` in memory, through :func:`~mpokit.plan.outputs.cutsheet_table`),
so every exporter reads one model.

How the plan maps onto inventory objects (docs/integrations.md has the full table)::

    [leaf01 5] --cord-- [1B01-PP01 F05][R05] ==trunk leg 5==
        [R05][1A01-PP01 F05] --cord-- [spine01 1]

* a switch, node or OCS is a device with one interface per planned port (its device type
  lists the ports the plan uses, 1..highest, and has the device's height in RU: the plan's
  devices table, :func:`~mpokit.plan.outputs.device_columns`; devices of one role with two
  heights are two types);
* an MPO adapter panel ``PP01`` in rack ``1B01`` is device ``1B01-PP01``; adapter ``05`` is
  front port ``F05`` (the cord side) mapped to rear port ``R05`` position 1 (the trunk
  side): an MPO adapter passes every fiber of one connector straight through;
* a trunk of *L* legs is *L* cable records ``<label> leg k/L`` between rear ports (or a
  rear port and an OCS interface), because both tools join one termination to one;
* a breakout harness is one cable from the switch port to every leg's node port.

>>> plant = Plant.from_cutsheet([{"cable_id": 1, "label": "1B02.U01:1/1B01.U39:1",
...     "kind": "cord", "part": "MPO-12 cord", "connector": "MPO-12", "fiber": "OM4",
...     "legs": 1, "length_m": 5.0, "a_rack": "1B02", "a_ru": 1, "a_device": "node01",
...     "a_port": "1", "b_rack": "1B01", "b_ru": 39, "b_device": "leaf01", "b_port": "1"}])
>>> [d.name for d in plant.devices], plant.cables[0].a, plant.cables[0].b
(['leaf01', 'node01'], (PortRef(device='node01', name='1', kind='interface'),), \
(PortRef(device='leaf01', name='1', kind='interface'),))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mpokit.errors import InputError

__all__ = [
    "Cable", "Device", "DeviceType", "Hop", "Link", "Plant", "PortRef", "load_plant",
    "plant_from_plan",
]

PortKind = Literal["interface", "front", "rear"]

#: The cut-sheet columns the plant needs.
COLUMNS = ("cable_id", "label", "kind", "part", "connector", "fiber", "legs", "length_m",
           "a_rack", "a_ru", "a_device", "a_port", "b_rack", "b_ru", "b_device", "b_port")

_PANEL = re.compile(r"^PP(\d+)-(\d+)(?:\.\.(?:PP(\d+)-)?(\d+))?$")
_DEVPORT = re.compile(r"^(\d+)(?:\.\.(\d+))?$")
_ROLE = re.compile(r"^([A-Za-z_-]*[A-Za-z_])-?\d*$")


@dataclass(frozen=True, order=True)
class PortRef:
    """One port of one device: an interface, or a panel's front or rear port."""

    device: str
    name: str
    kind: PortKind


@dataclass(frozen=True)
class DeviceType:
    """A device model: its interfaces, front ports (with their rear port and position)
    and rear ports (with their position count)."""

    model: str
    role: str
    u_height: int
    interfaces: tuple[str, ...] = ()
    front_ports: tuple[tuple[str, str, int], ...] = ()  # (front, rear, rear position)
    rear_ports: tuple[tuple[str, int], ...] = ()  # (rear, positions)
    port_type: str = ""  # connector of the panel's ports (MPO-12 ...)
    front_port_type: str = ""  # connector of the front ports when it differs (cassette LC)

    @property
    def front_type(self) -> str:
        """The connector of the front ports (``port_type`` unless a cassette's differs)."""
        return self.front_port_type or self.port_type


@dataclass(frozen=True)
class Device:
    """A placed device: name, role, model, rack and its lowest rack unit (None: unknown)."""

    name: str
    role: str
    device_type: str
    rack: str
    ru: int | None
    height_ru: int = 1  # the device type's u_height (1 when the plan gave no height)


@dataclass(frozen=True)
class Cable:
    """One cable record: a label, its part and length, and the ports at each end."""

    label: str
    kind: str  # cord | trunk | breakout | dac | acc
    part: str
    connector: str
    fiber: str
    length_m: float
    a: tuple[PortRef, ...]
    b: tuple[PortRef, ...]
    cable_id: int = 0  # the cut sheet's cable_id (legs of one trunk share it)
    leg: int = 0  # 1-based leg of a trunk, 0 for a cable that is not split


@dataclass(frozen=True)
class Hop:
    """One cable of a traced path: the port it leaves, the cable, the port it reaches."""

    near: PortRef
    cable: str
    far: PortRef
    position: int = 1  # rear-port position of the front port at either end (1 if none)


@dataclass(frozen=True)
class Link:
    """A logical link between two device interfaces, with the cables it runs over."""

    a: PortRef
    b: PortRef
    hops: tuple[Hop, ...]


@dataclass(frozen=True)
class Plant:
    """Everything the inventory and fabric tools need from a plan."""

    site: str
    device_types: tuple[DeviceType, ...]
    devices: tuple[Device, ...]
    cables: tuple[Cable, ...]
    rack_units: int = 48  # rack height (the plan's layout.rack_units; the default there)
    notes: tuple[str, ...] = ()  # what the plan did not say (device heights of an old plan)

    # ------------------------------------------------------------------ building
    @staticmethod
    def from_cutsheet(rows: Iterable[Mapping[str, Any]], *, site: str = "mpokit",
                      source: str = "cutsheet", rack_units: int = 48,
                      cassette_ports: int | None = None,
                      devices: Iterable[Mapping[str, Any]] | None = None,
                      devices_source: str = "devices") -> Plant:
        """Build the plant from cut-sheet rows (dicts with the :data:`COLUMNS`).

        Parameters
        ----------
        rows
            The rows of ``cutsheet.csv`` / ``cutsheet.parquet`` as mappings.
        site
            The site (NetBox/Nautobot location) the racks belong to.
        source
            The file name used in error messages.
        rack_units
            Rack height; raised to the highest rack unit the cut sheet uses.
        cassette_ports
            Front ports of the plan's cassette model (``None``: the plan has none). The
            cut sheet names the cassette a duplex cord lands on, not its front port: the
            cords of one cassette take its ports 1, 2 ... in cut-sheet order, the order the
            planner numbers them in (tested against the plan's channel designs).
        devices
            The plan's devices table (``devices.csv``: ``device``, ``rack``, ``ru`` = lowest
            unit, ``height_ru``). It gives every device type its height and every device
            its rack unit. ``None`` (a plan folder written before the table existed): device
            types are 1 RU, panels sit at the cut sheet's unit, and :attr:`Plant.notes`
            says so.
        devices_source
            The devices table's file name, for error messages.

        Returns
        -------
        Plant
            Device types, devices and cables.

        Raises
        ------
        InputError
            A row whose ends cannot be read, two cables on one port, or more cords on a
            cassette than it has ports.

        Examples
        --------
        >>> Plant.from_cutsheet([], site="hall-1").site
        'hall-1'
        """
        b = _Builder(site, source, rack_units, cassette_ports)
        if devices is not None:
            b.read_devices(devices, devices_source)
        return b.build(rows)

    # ------------------------------------------------------------------ reading
    def device(self, name: str) -> Device:
        """The device called ``name`` (KeyError if none)."""
        return {d.name: d for d in self.devices}[name]

    def links(self) -> tuple[Link, ...]:
        """Every logical link: device interface to device interface, through panels.

        Each link is listed once, from the end whose (device, port) sorts first. A path that
        ends on a panel port with no cable beyond it is not a link and is left out.

        Returns
        -------
        tuple of Link
            The links, sorted by their A end.
        """
        out = []
        seen: set[PortRef] = set()
        for c in self.cables:
            for start in (*c.a, *c.b):
                if start.kind != "interface" or start in seen:
                    continue
                for hops in self.trace(start):
                    far = hops[-1].far
                    if far.kind != "interface":
                        continue
                    seen.add(start)
                    if far < start and far in seen:
                        continue
                    a, b = (start, far) if start <= far else (far, start)
                    if a != start:
                        hops = _reverse(hops)
                    out.append(Link(a, b, tuple(hops)))
        uniq = {(lk.a, lk.b): lk for lk in out}
        return tuple(sorted(uniq.values(), key=lambda lk: (_natural(lk.a), _natural(lk.b))))

    def trace(self, start: PortRef) -> list[list[Hop]]:
        """Follow the cable on ``start`` through panels to every far end.

        A breakout gives one path per leg; a path stops at an interface, at a port with no
        cable, or at a pass-through port whose peer has no cable.

        Parameters
        ----------
        start
            An interface (or any port) of the plant.

        Returns
        -------
        list of list of Hop
            One hop list per far end reached ([] when ``start`` has no cable).
        """
        idx = self._index()
        paths: list[list[Hop]] = []
        # (port, hops so far, the rear-port position carried from the last front port)
        stack: list[tuple[PortRef, list[Hop], int]] = [(start, [], 0)]
        while stack:
            port, hops, carried = stack.pop()
            hit = idx["cable"].get(port)
            if hit is None:
                if hops:
                    paths.append(hops)
                continue
            cable, side = hit
            fars = _far_ends(cable, port, side)
            for far in fars:
                # the rear-port position of the front port at either end of this cable,
                # else the one carried along rear-to-rear cables (1 when there is none)
                pos = idx["rear_of"].get(far, idx["rear_of"].get(port, ("", carried)))[1] or 1
                step = [*hops, Hop(port, cable.label, far, pos)]
                if far.kind == "front":
                    rear, rpos = idx["rear_of"].get(far, (None, 0))
                    peer, nxt = rear, rpos
                else:
                    peer, nxt = idx["front_of"].get((far, pos)), pos
                if peer is None or len(step) > 64:
                    paths.append(step)
                else:
                    stack.append((peer, step, nxt))
        return sorted(paths, key=lambda h: h[-1].far)

    def _index(self) -> dict[str, Any]:
        cache = self.__dict__.get("_idx")
        if cache is None:
            cable: dict[PortRef, tuple[Cable, str]] = {}
            for c in self.cables:
                for p in c.a:
                    cable[p] = (c, "a")
                for p in c.b:
                    cable[p] = (c, "b")
            rear_of: dict[PortRef, tuple[PortRef, int]] = {}
            front_of: dict[tuple[PortRef, int], PortRef] = {}
            types = {t.model: t for t in self.device_types}
            for d in self.devices:
                for front, rear, position in types[d.device_type].front_ports:
                    f, r = PortRef(d.name, front, "front"), PortRef(d.name, rear, "rear")
                    rear_of[f] = (r, position)
                    front_of[(r, position)] = f
            cache = {"cable": cable, "rear_of": rear_of, "front_of": front_of}
            object.__setattr__(self, "_idx", cache)
        return cache


def _panel_key(d: dict[str, Any]) -> str:
    """``panel:<rear connector>:<front connector of a cassette, or empty>``."""
    front = d.get("cassette", "")
    return f"panel:{d['connector'] or ('MPO-12' if front else 'MPO')}:{front}"


def _far_ends(cable: Cable, port: PortRef, side: str) -> tuple[PortRef, ...]:
    near, far = (cable.a, cable.b) if side == "a" else (cable.b, cable.a)
    if len(near) == len(far):  # leg k to leg k
        return (far[near.index(port)],)
    return far  # a breakout: the common end reaches every leg


def _natural(p: PortRef) -> tuple[str, int, str]:
    """Sort key: device, then port number order (``2`` before ``10``)."""
    digits = p.name.lstrip("FR")
    return (p.device, int(digits) if digits.isdigit() else -1, p.name)


def _reverse(hops: list[Hop]) -> list[Hop]:
    return [Hop(h.far, h.cable, h.near, h.position) for h in reversed(hops)]


def _role(name: str) -> str:
    m = _ROLE.match(name)
    return m.group(1) if m else "device"


class _Builder:
    def __init__(self, site: str, source: str, rack_units: int,
                 cassette_ports: int | None = None) -> None:
        self.site, self.source, self.rack_units = site, source, rack_units
        self.cassette_ports = cassette_ports
        self.devices: dict[str, dict[str, Any]] = {}
        self.cables: list[Cable] = []
        self.used: dict[PortRef, str] = {}
        self.cassette_next: dict[tuple[str, int], int] = {}
        self.placed: dict[str, tuple[str, int, int]] | None = None  # name -> rack, ru, height

    def read_devices(self, rows: Iterable[Mapping[str, Any]], source: str) -> None:
        """Take each device's rack, lowest unit and height from the plan's devices table."""
        self.placed = {}
        for i, r in enumerate(rows):
            missing = [c for c in ("device", "rack", "ru", "height_ru") if c not in r]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)}", file=source,
                                 line=i + 2, field=missing[0], fix="re-run `mpokit plan`")
            try:
                ru, h = int(r["ru"]), int(r["height_ru"])
            except (TypeError, ValueError):
                raise InputError(f"ru {r['ru']!r} / height_ru {r['height_ru']!r} is not a "
                                 "whole number", file=source, line=i + 2, field="ru",
                                 fix="re-run `mpokit plan`") from None
            if ru < 1 or h < 1:
                raise InputError(f"ru {ru} / height_ru {h} must be 1 or more", file=source,
                                 line=i + 2, field="ru" if ru < 1 else "height_ru",
                                 fix="re-run `mpokit plan`")
            self.placed[str(r["device"])] = (str(r["rack"]), ru, h)

    def _err(self, row: int, msg: str, field: str, fix: str) -> InputError:
        return InputError(msg, file=self.source, line=row + 2, field=field, fix=fix)

    def _device(self, name: str, rack: str, ru: Any, role: str) -> dict[str, Any]:
        d = self.devices.setdefault(name, {"rack": rack, "ru": None, "role": role,
                                           "ports": set(), "connector": ""})
        if ru is not None and int(ru) > 0:
            d["ru"] = int(ru) if d["ru"] is None else min(d["ru"], int(ru))
        return d

    def _ends(self, i: int, r: Mapping[str, Any], side: str) -> list[PortRef]:
        dev, port = r.get(f"{side}_device"), str(r.get(f"{side}_port") or "")
        rack = str(r.get(f"{side}_rack") or "")
        ru = r.get(f"{side}_ru")
        legs = int(r.get("legs") or 1)
        kind = str(r["kind"])
        if dev:
            m = _DEVPORT.match(port)
            if m is None:
                raise self._err(i, f"device port {port!r} is not a number or a range N..M",
                                f"{side}_port", "give the port as written by mpokit plan")
            lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
            d = self._device(str(dev), rack, ru, _role(str(dev)))
            ports = [str(p) for p in range(lo, hi + 1)]
            d["ports"].update(range(lo, hi + 1))
            return [PortRef(str(dev), p, "interface") for p in ports]
        m = _PANEL.match(port)
        if m is None:
            raise self._err(i, f"end {side.upper()} has neither a device nor a panel port "
                            f"(PPnn-mm) but {port!r}", f"{side}_port",
                            "give the cut sheet mpokit plan wrote")
        p_lo, lo = int(m.group(1)), int(m.group(2))
        p_hi = int(m.group(3)) if m.group(3) else p_lo
        hi = int(m.group(4)) if m.group(4) else lo
        if p_hi == p_lo:
            adapters = [(p_lo, k) for k in range(lo, hi + 1)]
        else:  # over panels p_lo..p_hi: the first from lo, full ones between, the last to hi
            span = p_hi - p_lo
            cap, rest = divmod(legs - hi + lo - 1, span)  # adapters per panel
            if rest or cap < max(lo, hi) or p_hi < p_lo:
                raise self._err(i, f"the port range {port!r} does not fit {legs} legs on "
                                "panels of equal size", f"{side}_port",
                                "give the cut sheet mpokit plan wrote")
            adapters = ([(p_lo, k) for k in range(lo, cap + 1)]
                        + [(p, k) for p in range(p_lo + 1, p_hi) for k in range(1, cap + 1)]
                        + [(p_hi, k) for k in range(1, hi + 1)])
        if kind == "trunk" and len(adapters) != legs:
            raise self._err(i, f"the port range {port!r} spans {len(adapters)} adapters but "
                            f"the trunk has {legs} legs", f"{side}_port",
                            "give the cut sheet mpokit plan wrote")
        conn = str(r.get("connector") or "")
        duplex = kind != "trunk" and not conn.upper().startswith("MPO")
        out = []
        for pn, k in adapters:
            name = f"{rack}-PP{pn:02d}"
            d = self._device(name, rack, ru if pn == p_lo else None, "panel")
            d["ports"].add(k)
            if kind == "trunk":
                d["connector"] = conn or d["connector"]
                out.append(PortRef(name, f"R{k:02d}", "rear"))
            elif duplex:  # a duplex cord onto a cassette: its next free front port
                out.append(self._cassette_port(i, d, name, k, conn, side))
            else:
                d["connector"] = d["connector"] or conn
                out.append(PortRef(name, f"F{k:02d}", "front"))
        return out

    def _cassette_port(self, i: int, d: dict[str, Any], name: str, k: int, conn: str,
                       side: str) -> PortRef:
        if self.cassette_ports is None:
            raise self._err(i, f"a {conn} cord lands on cassette {k:02d} of {name}, but the "
                            "plan names no cassette model (its front ports are unknown)",
                            f"{side}_port", "give the plan folder with its bom.csv, or the "
                            "plan in memory")
        j = self.cassette_next.get((name, k), 0) + 1
        if j > self.cassette_ports:
            raise self._err(i, f"cassette {k:02d} of {name} gets a {j}th cord but has "
                            f"{self.cassette_ports} front ports", f"{side}_port",
                            "give the cut sheet mpokit plan wrote")
        self.cassette_next[(name, k)] = j
        d["cassette"] = conn
        return PortRef(name, f"F{k:02d}-{j}", "front")

    def build(self, rows: Iterable[Mapping[str, Any]]) -> Plant:
        for i, r in enumerate(rows):
            missing = [c for c in COLUMNS if c not in r]
            if missing:
                raise self._err(i, f"missing column(s) {', '.join(missing)}", missing[0],
                                "give the cut sheet mpokit plan wrote")
            a, b = self._ends(i, r, "a"), self._ends(i, r, "b")
            if r.get("b2_device"):
                b2 = PortRef(str(r["b2_device"]), str(r["b2_port"]), "interface")
                self._device(b2.device, str(r.get("b_rack") or ""), None,
                             _role(b2.device))["ports"].add(int(r["b2_port"]))
                b = [*b, b2]
            label = str(r["label"])
            for p in (*a, *b):
                if p in self.used:
                    raise self._err(i, f"port {p.name} of {p.device} carries two cables "
                                    f"({self.used[p]!r} and {label!r})", "label",
                                    "a cut sheet where every port holds one cable (give the "
                                    "cut sheet mpokit plan wrote)")
                self.used[p] = label
            base = dict(kind=str(r["kind"]), part=str(r["part"]),
                        connector=str(r["connector"]), fiber=str(r["fiber"]),
                        length_m=float(r["length_m"]), cable_id=int(r["cable_id"]))
            if str(r["kind"]) == "trunk" and len(a) > 1:
                n = len(a)
                for k, (pa, pb) in enumerate(zip(a, b, strict=True), start=1):
                    self.cables.append(Cable(label=f"{label} leg {k}/{n}", a=(pa,), b=(pb,),
                                             leg=k, **base))  # type: ignore[arg-type]
            else:
                self.cables.append(Cable(label=label, a=tuple(a), b=tuple(b),
                                         **base))  # type: ignore[arg-type]
        return self._finish()

    def _heights(self) -> list[str]:
        """Put each device at the table's unit with its height; the notes on what is not."""
        unknown = []
        for name, d in self.devices.items():
            got = self.placed.get(name) if self.placed is not None else None
            if got is None:
                d["u"] = None
                unknown.append(name)
                continue
            rack, d["ru"], d["u"] = got
            d["rack"] = rack or d["rack"]
        if self.placed is None:
            return ["device heights: the plan folder has no devices.csv (written by mpokit "
                    "plan since device heights are exported): every device type is 1 RU and "
                    "each device sits at the cut sheet's rack unit; re-run `mpokit plan` for "
                    "the planned heights"] if self.devices else []
        if unknown:
            return [f"device heights: {len(unknown)} device(s) of the cut sheet are not in "
                    f"devices.csv ({', '.join(sorted(unknown)[:3])}"
                    f"{' ...' if len(unknown) > 3 else ''}): their types are 1 RU; re-run "
                    "`mpokit plan` so both files come from one plan"]
        return []

    def _finish(self) -> Plant:
        notes = self._heights()
        types: dict[Any, DeviceType] = {}
        devices = []

        def tail(u: int | None) -> str:  # the height in a type's name, when it is known
            return f"-{u}u" if u else ""

        by_role: dict[tuple[str, int | None], int] = {}
        panel_max: dict[tuple[str, int | None], int] = {}
        for d in self.devices.values():
            if d["role"] == "panel":
                d["type_key"] = key = (_panel_key(d), d["u"])
                panel_max[key] = max(panel_max.get(key, 0), max(d["ports"]))
            else:
                d["type_key"] = key = (d["role"], d["u"])
                by_role[key] = max(by_role.get(key, 0), max(d["ports"]))
        for (role, u), n in by_role.items():
            types[(role, u)] = DeviceType(f"mpokit-{role}-{n}p{tail(u)}", role, u or 1,
                                          interfaces=tuple(str(k) for k in range(1, n + 1)))
        for (pkey, u), n in panel_max.items():
            _, conn, front = pkey.split(":")
            if front:  # cassettes: front port j of cassette k is rear R<k> position j
                per = self.cassette_ports or 1
                types[(pkey, u)] = DeviceType(
                    f"mpokit-cassette-panel-{conn}-{per}{front}-{n}{tail(u)}", "panel", u or 1,
                    front_ports=tuple((f"F{k:02d}-{j}", f"R{k:02d}", j)
                                      for k in range(1, n + 1) for j in range(1, per + 1)),
                    rear_ports=tuple((f"R{k:02d}", per) for k in range(1, n + 1)),
                    port_type=conn, front_port_type=front)
                continue
            types[(pkey, u)] = DeviceType(
                f"mpokit-panel-{conn}-{n}{tail(u)}", "panel", u or 1,
                front_ports=tuple((f"F{k:02d}", f"R{k:02d}", 1) for k in range(1, n + 1)),
                rear_ports=tuple((f"R{k:02d}", 1) for k in range(1, n + 1)), port_type=conn)
        for name, d in sorted(self.devices.items()):
            t = types[d["type_key"]]
            devices.append(Device(name, d["role"], t.model, d["rack"], d["ru"], t.u_height))
        top = max([d.ru + d.height_ru - 1 for d in devices if d.ru is not None], default=0)
        return Plant(self.site, tuple(sorted(types.values(), key=lambda t: t.model)),
                     tuple(devices), tuple(self.cables), max(self.rack_units, top),
                     tuple(notes))


def load_plant(plan_dir: str | Path, *, site: str | None = None) -> Plant:
    """Read a plan output folder's cut sheet (``cutsheet.parquet``, else ``.csv``) and its
    devices table (``devices.csv``: each device's rack unit and height).

    Parameters
    ----------
    plan_dir
        A folder written by ``mpokit plan``.
    site
        The site name; the plan's cluster name (``summary.json``) by default.
        The rack height is the summary's ``rack_units`` (48 when a plan written before
        it has none).

    Returns
    -------
    Plant
        The plan as inventory objects.

    Raises
    ------
    InputError
        No cut sheet in the folder, or a cut sheet or devices table that cannot be read.
        A folder without ``devices.csv`` (an older plan) is read with 1-RU device types
        and a note in :attr:`Plant.notes`.

    Examples
    --------
    >>> load_plant("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mpokit.errors.InputError: /nonexistent: not found ...
    """
    import json

    folder = Path(plan_dir)
    if not folder.exists():
        raise InputError("not found", file=str(folder),
                         fix="give the output folder of `mpokit plan`")
    pq_file, csv_file = folder / "cutsheet.parquet", folder / "cutsheet.csv"
    if not folder.is_dir() or not (pq_file.is_file() or csv_file.is_file()):
        raise InputError("no cut sheet (cutsheet.parquet or cutsheet.csv) in this folder",
                         file=str(folder), fix="give the output folder of `mpokit plan`")
    summary, facts = folder / "summary.json", {}
    if summary.is_file():
        try:
            facts = json.loads(summary.read_text(encoding="utf-8"))
            rack_units = int(facts.get("rack_units") or 48)  # absent: a plan before it
        except (ValueError, AttributeError, TypeError) as exc:
            raise InputError(f"cannot read summary.json: {exc}", file=str(summary),
                             fix="re-run `mpokit plan`") from None
    else:
        rack_units = 48
    if site is None:
        site = str(facts.get("cluster") or "mpokit")
    try:
        if pq_file.is_file():
            import pyarrow.parquet as pq

            table = pq.read_table(pq_file)
            src = pq_file
        else:
            import pyarrow.csv as pacsv

            table = pacsv.read_csv(csv_file)
            src = csv_file
    except Exception as exc:  # pyarrow raises its own error types for damaged files
        raise InputError(f"cannot read the cut sheet: {exc}", file=str(pq_file if
                         pq_file.is_file() else csv_file), fix="re-run `mpokit plan`") from None
    return Plant.from_cutsheet(table.to_pylist(), site=site, source=str(src),
                               rack_units=rack_units,
                               cassette_ports=_bom_cassette_ports(folder / "bom.csv"),
                               devices=_read_devices(folder / "devices.csv"),
                               devices_source=str(folder / "devices.csv"))


def _read_devices(path: Path) -> list[dict[str, str]] | None:
    """The rows of a plan's ``devices.csv`` (None: the folder has none)."""
    import csv

    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the devices table: {exc}", file=str(path),
                         fix="re-run `mpokit plan`") from None


def _bom_cassette_ports(bom: Path) -> int | None:
    """Front ports of the cassette model the plan's ``bom.csv`` lists (None: no cassette,
    no bill of materials, or a model the built-in catalogue does not hold)."""
    import csv

    from mpokit.errors import CatalogError
    from mpokit.standards import cassette

    if not bom.is_file():
        return None
    with bom.open(encoding="utf-8", newline="") as fh:
        models = {r.get("item", "") for r in csv.DictReader(fh)
                  if r.get("category") == "cassette"}
    try:
        ports = {cassette(m).front.ports for m in models}
    except CatalogError:
        return None
    return ports.pop() if len(ports) == 1 else None


def plant_from_plan(plan: Any) -> Plant:
    """The plant of a :class:`~mpokit.plan.Plan` in memory (same result as the folder).

    Parameters
    ----------
    plan
        A made plan.

    Returns
    -------
    Plant
        The plan as inventory objects, site named after the cluster.

    Examples
    --------
    >>> from mpokit.plan import ClusterSpec, make_plan
    >>> spec = ClusterSpec.model_validate({
    ...     "cluster": {"name": "x", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
    ...     "fabric": {"scalable_unit": 4,
    ...                "switch": {"ports": 8, "port_speed_gbps": 400, "cages": 8}}})
    >>> len(plant_from_plan(make_plan(spec)).links())
    16
    """
    from mpokit.plan.outputs import cutsheet_table, device_columns

    ports = {plan.catalog.cassette.front.ports} if plan.cabling.cassettes else set()
    cols = device_columns(plan)
    rows = [dict(zip(cols, r, strict=True)) for r in zip(*(v.tolist() for v in cols.values()),
                                                          strict=True)]
    return Plant.from_cutsheet(cutsheet_table(plan).to_pylist(),
                               site=str(plan.spec.cluster.name), source="plan",
                               rack_units=int(plan.spec.layout.rack_units),
                               cassette_ports=ports.pop() if ports else None, devices=rows,
                               devices_source="plan")
