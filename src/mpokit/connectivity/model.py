"""Compile a channel spec into fiber-level stages, matings and fiber runs.

A :class:`Channel` is the immutable, fiber-level view of a :class:`ChannelSpec`:

* ``stages``: position maps from end A's receptacle (module view) to end B's, one per
  mating and per cable; composing them gives the end-to-end map;
* ``matings``: every place two end faces meet, with the plugs' attributes and the
  adapter (or receptacle) between them -- the checks and the loss budget read these;
* ``runs``: every stretch of fiber (cables and harnesses), for length and attenuation.

>>> from mpokit.connectivity.io import parse_channel
>>> ch = compile_channel(parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]}))
>>> ch.end_to_end().tolist()[:4]
[11, 10, 9, 8]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from mpokit.connectivity import geometry as geo
from mpokit.connectivity.spec import (
    AdapterSpec,
    BreakoutSpec,
    CableSpec,
    CassetteSpec,
    ChannelSpec,
    OcsSpec,
    SpliceSpec,
    element_body,
    element_kind,
)
from mpokit.errors import DesignError
from mpokit.standards import (
    Breakout,
    Cassette,
    Connector,
    MdiPort,
    Transceiver,
    breakout,
    cassette,
    connector,
    transceiver,
)

__all__ = ["Channel", "End", "Face", "Mating", "Run", "Stage", "compile_channel"]

MatingKind = Literal["mdi", "adapter", "cassette", "ocs", "splice"]


@dataclass(frozen=True)
class Face:
    """One end face taking part in a mating: a plug or a receptacle's internal ferrule."""

    connector: Connector
    gender: str  # male | female | none | spliced
    polish: str  # UPC | APC
    grade: str | None = None
    owner: int = -1  # path index of the element the face belongs to (-1: end A, n: end B)


@dataclass(frozen=True)
class Mating:
    """Two faces meeting at path element ``at`` (for an MDI: the cable's index)."""

    kind: MatingKind
    at: int
    near: Face
    far: Face
    adapter: str | None = None  # "A"/"B" for adapters, the model for cassettes
    orientation: geo.Orientation = "up-up"
    loss_db: float | None = None
    reflectance_db: float | None = None
    grade: str | None = None
    end: str | None = None  # "a" / "b" for MDI matings
    via: Connector | None = None  # the adapter's own connector family, when the file names it


@dataclass(frozen=True)
class Run:
    """A stretch of fiber: a cable or a harness."""

    at: int
    kind: str  # cord | trunk | breakout
    fiber: str
    length_m: float
    attenuation_db_per_km: float | None = None


@dataclass(frozen=True)
class Stage:
    """A position map from one face to the next, caused by path element ``at``.

    ``back`` maps the other way; it is the inverse of ``map`` except that fibers which
    come from outside the channel (the other legs of a breakout, the other ports of a
    cassette) are ``AWAY`` rather than ``DARK``.
    """

    at: int
    what: str
    map: np.ndarray = field(repr=False)
    back: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class End:
    """A transceiver port at one end of the channel."""

    transceiver: Transceiver
    port_index: int  # 0-based

    @property
    def port(self) -> MdiPort:
        return self.transceiver.ports[self.port_index]

    @property
    def connector(self) -> Connector:
        return connector(self.port.connector)

    @cached_property
    def tx(self) -> np.ndarray:
        """0-based module-view positions of the transmit lanes."""
        return self._positions(self.port.tx)

    @cached_property
    def rx(self) -> np.ndarray:
        """0-based module-view positions of the receive lanes."""
        return self._positions(self.port.rx)

    @cached_property
    def tx_nm(self) -> np.ndarray:
        """Wavelength of each transmit lane (0 where the port gives none: one per fiber)."""
        w = self.port.tx_nm
        return np.zeros(len(self.port.tx), np.int32) if w is None else np.asarray(w, np.int32)

    @cached_property
    def rx_nm(self) -> np.ndarray:
        """Wavelength each receive lane listens at (0 where the port gives none)."""
        w = self.port.rx_nm
        return np.zeros(len(self.port.rx), np.int32) if w is None else np.asarray(w, np.int32)

    def _positions(self, pos: tuple[int, ...]) -> np.ndarray:
        p = np.asarray(pos, dtype=np.int16) - 1
        if self.port.frame == "plug":  # convert a plug-frame table to the module view
            p = geo.mate_map(self.connector, "up-up")[p]
        return p

    def face(self, owner: int) -> Face:
        """The end's port as the face that the first (or last) plug of the path meets.

        Parameters
        ----------
        owner
            The path index that owns the face.

        Returns
        -------
        Face
            Connector, gender and polish of the port.
        """
        return Face(self.connector, self.port.gender, self.port.polish, None, owner)


@dataclass(frozen=True)
class Channel:
    """A compiled channel (see module docstring)."""

    spec: ChannelSpec
    a: End
    b: End
    stages: tuple[Stage, ...]
    matings: tuple[Mating, ...]
    runs: tuple[Run, ...]

    @property
    def name(self) -> str:
        return self.spec.name or f"{self.a.transceiver.name} to {self.b.transceiver.name}"

    def with_spec(self, spec: ChannelSpec) -> Channel:
        """This channel under ``spec``, which differs from ``self.spec`` only in lengths
        (and names): stages and matings are reused, each run takes its new length.

        Parameters
        ----------
        spec
            The same element sequence with other ``length_m`` values.

        Returns
        -------
        Channel
            Equal to ``compile_channel(spec)``.
        """
        runs = tuple(
            r if (n := element_body(spec.path[r.at]).length_m) == r.length_m
            else Run(r.at, r.kind, r.fiber, n, r.attenuation_db_per_km)
            for r in self.runs
        )
        return Channel(spec, self.a, self.b, self.stages, self.matings, runs)

    def end_to_end(self) -> np.ndarray:
        """End A module-view position -> end B module-view position (or DARK/AWAY).

        Returns
        -------
        numpy.ndarray
            For each position of end A, the position it reaches at end B (``DARK``, ``AWAY``
            where it reaches none).
        """
        m = geo.identity(self.a.connector.positions)
        for s in self.stages:
            m = geo.compose(m, s.map)
        return m

    def trace(self, start: np.ndarray) -> np.ndarray:
        """Positions after every stage, shape (stages + 1, len(start)).

        Parameters
        ----------
        start
            0-based module-view positions at end A.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(stages) + 1, len(start))``: the positions before the first stage and
            after each one.
        """
        out = [np.asarray(start, dtype=np.int16)]
        for s in self.stages:
            out.append(geo.apply(s.map, out[-1]))
        return np.stack(out)

    def trace_back(self, start: np.ndarray) -> np.ndarray:
        """Positions from end B back to end A after every stage, last stage first.

        Parameters
        ----------
        start
            0-based module-view positions at end B.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(stages) + 1, len(start))``, the last stage first.
        """
        out = [np.asarray(start, dtype=np.int16)]
        for s in reversed(self.stages):
            out.append(geo.apply(s.back, out[-1]))
        return np.stack(out)


def _stage(at: int, what: str, m: np.ndarray, n_out: int, back: np.ndarray | None = None) -> Stage:
    """A stage whose backward map is the plain inverse unless given."""
    return Stage(at, what, m, geo.invert(m, n_out) if back is None else back)


def _end(spec: ChannelSpec, which: Literal["a", "b"]) -> End:
    e = spec.end(which)
    t = transceiver(e.transceiver)
    if e.port > len(t.ports):
        raise DesignError(
            f"end {which}: {t.name} has {len(t.ports)} port(s), not port {e.port}", loc=(which,)
        )
    return End(t, e.port - 1)


def _default_polish(conn: Connector, fiber: str, polish: str | None) -> str:
    if polish:
        return polish
    return "APC" if conn.family == "MPO" and fiber.startswith("OS") else "UPC"


def _cable_faces(c: CableSpec, kind: str, at: int) -> tuple[Face, Face, Connector]:
    conn = connector(c.connector)
    polish = _default_polish(conn, c.fiber, c.polish)
    if conn.family == "LC":
        ends = ("none", "none")
    elif c.ends is not None:
        ends = c.ends
    else:
        ends = ("female", "female") if kind == "cord" else ("male", "male")
    grades = c.grade if isinstance(c.grade, tuple) else (c.grade, c.grade)
    return (
        Face(conn, ends[0], polish, grades[0], at),
        Face(conn, ends[1], polish, grades[1], at),
        conn,
    )


def _cassette_maps(
    cas: Cassette, port: int, plug: Connector
) -> tuple[np.ndarray, np.ndarray, Connector, Connector]:
    """Rear external ``plug`` -> front external plug of ``port`` (and the inverse)."""
    rear = connector(cas.rear.connector)
    front = connector(cas.front.connector)
    if port > cas.front.ports:
        raise DesignError(f"cassette {cas.name} has {cas.front.ports} front ports, not {port}")
    to_internal = geo.mate_map(plug, "up-up" if cas.rear_adapter == "B" else "up-down", rear)
    front_adapter = geo.mate_map(front, "up-up")  # LC duplex adapters are key-up/key-up
    harness = np.full(rear.positions, geo.DARK, dtype=np.int16)
    for i, h in enumerate(cas.harness):
        if h is None:
            continue
        p, pos = h
        harness[i] = front_adapter[pos - 1] if p == port else geo.AWAY
    fwd = geo.apply(harness, to_internal)
    return fwd, geo.invert(fwd, front.positions), rear, front





def _next_plug_connector(el: object) -> Connector | None:
    """The connector of the A-side plug of path element ``el`` (if it has one)."""
    if el is None:
        return None
    kind = element_kind(el)
    body = getattr(el, kind)
    if kind in ("cord", "trunk"):
        return connector(body.connector)
    if kind == "breakout":
        bo = breakout(body.model)
        return connector(bo.trunk.connector)
    return None


def _breakout_maps(bo: Breakout, leg: int) -> tuple[np.ndarray, np.ndarray, Connector, Connector]:
    """Trunk-end position -> leg position (and the inverse)."""
    trunk = connector(bo.trunk.connector)
    if leg > len(bo.legs):
        raise DesignError(f"breakout {bo.name} has {len(bo.legs)} legs, not leg {leg}")
    lg = bo.legs[leg - 1]
    leg_conn = connector(lg.connector)
    fwd = np.full(trunk.positions, geo.DARK, dtype=np.int16)
    for k, other in enumerate(bo.legs, 1):
        for j, t in enumerate(other.map):
            if t > 0:
                fwd[t - 1] = j if k == leg else geo.AWAY
    inv = np.full(leg_conn.positions, geo.DARK, dtype=np.int16)
    for j, t in enumerate(lg.map):
        if t > 0:
            inv[j] = t - 1
    return fwd, inv, trunk, leg_conn


class _Builder:
    """Walks the path from A to B; faces alternate plug / receptacle."""

    def __init__(self, spec: ChannelSpec) -> None:
        self.spec = spec
        self.a = _end(spec, "a")
        self.b = _end(spec, "b")
        self.stages: list[Stage] = []
        self.matings: list[Mating] = []
        self.runs: list[Run] = []
        # the open face pointing towards B: ("port", face, mating info) or ("plug", face)
        self.open_kind = "port"
        self.open_face: Face = self.a.face(-1)
        self.open_via: tuple[MatingKind, int, object] = ("mdi", -1, None)

    def fail(self, at: int, what: str) -> DesignError:
        return DesignError(f"path[{at}]: {what}", loc=("path", at))

    # -- plugs arriving at an open port ------------------------------------------------
    def _plug_in(self, plug: Face, at: int) -> None:
        """Mate ``plug`` (the near-A face of element ``at``) with the open port."""
        if self.open_kind == "plug":
            raise self.fail(at, "two plugs meet with nothing between them; add an adapter")
        if self.open_kind == "splice":
            if plug.gender != "spliced":
                raise self.fail(at, "internal error: splice not followed by a cable")
            self.open_kind = "plug"
            return
        kind, via_at, extra = self.open_via
        near = self.open_face
        if kind == "mdi":
            # end A's receptacle: module view -> plug face
            self.matings.append(Mating("mdi", at, near, plug, end="a"))
            self.stages.append(_stage(
                at, "mdi a", geo.mate_map(near.connector, "up-up", plug.connector),
                plug.connector.positions))
        elif kind == "adapter":
            ad = extra
            assert isinstance(ad, AdapterSpec)
            # LC duplex adapters hold both clips latch-up: position A always meets B,
            # whatever type the file gives; only MPO adapters come key-up/key-down.
            orient: geo.Orientation = (
                "up-down" if ad.type == "A" and near.connector.family == "MPO" else "up-up"
            )
            self.matings.append(
                Mating("adapter", via_at, near, plug, adapter=ad.type, orientation=orient,
                       loss_db=ad.loss_db, reflectance_db=ad.reflectance_db, grade=ad.grade,
                       via=connector(ad.connector) if ad.connector else None)
            )
            self.stages.append(_stage(
                via_at, kind, geo.mate_map(near.connector, orient, plug.connector),
                plug.connector.positions))
        elif kind == "ocs":
            # the circuit already moved positions to the out-port plug's frame
            assert isinstance(extra, OcsSpec)
            self.matings.append(Mating("ocs", via_at, near, plug, adapter="ocs",
                                       loss_db=extra.loss_db,
                                       reflectance_db=extra.reflectance_db))
        elif kind == "cassette":
            # the cassette already moved positions to its far side's external plug frame
            assert isinstance(extra, tuple)
            cas_model: Cassette = extra[0]
            cas_spec: CassetteSpec = extra[1]
            self.matings.append(
                Mating("cassette", via_at, near, plug, adapter=cas_model.name,
                       loss_db=cas_spec.loss_db, reflectance_db=cas_spec.reflectance_db)
            )
        self.open_kind = "plug"

    def cable(self, at: int, kind: str, c: CableSpec) -> None:
        f1, f2, conn = _cable_faces(c, kind, at)
        if self.open_kind == "splice":
            f1 = Face(conn, "spliced", f1.polish, f1.grade, at)
        self._plug_in(f1, at)
        try:
            m = geo.cable_map(conn, c.type, c.map)
        except ValueError as exc:
            raise self.fail(at, str(exc)) from None
        if conn.family == "LC" and c.type not in ("A-B", "A-A", "custom"):
            raise self.fail(at, f"an LC duplex cord is A-B or A-A, not type {c.type}")
        if conn.family == "MPO" and c.type in ("A-B", "A-A"):
            raise self.fail(at, f"an MPO cable is type A, B or C, not {c.type}")
        self.stages.append(_stage(at, kind, m, conn.positions))
        self.runs.append(Run(at, kind, c.fiber, c.length_m, c.attenuation_db_per_km))
        self.open_kind, self.open_face = "plug", f2

    def adapter(self, at: int, ad: AdapterSpec) -> None:
        if self.open_kind != "plug":
            raise self.fail(at, "an adapter needs a plug on its A side (a cord, trunk or breakout)")
        self.open_kind, self.open_via = "port", ("adapter", at, ad)

    def ocs(self, at: int, spec: OcsSpec) -> None:
        """An OCS circuit: in-port receptacle, cross-connect, out-port receptacle.

        Each port keeps an internal ferrule (``gender``, default pinned for MPO) that the
        external plug mates with. The circuit is a crossover: position i of the in port
        reaches position n+1-i of the out port (A to B for LC), as in a key-up/key-up
        mating, so identical cabling on every switch port keeps Tx to Rx whichever two
        ports a circuit joins.
        """
        if self.open_kind != "plug":
            raise self.fail(at, "an OCS port needs a plug on its A side (a cord or trunk)")
        near = self.open_face
        conn = connector(spec.connector) if spec.connector else near.connector
        gender = spec.gender or ("male" if conn.family == "MPO" else "none")
        port = Face(conn, gender, spec.polish or near.polish, None, at)
        self.matings.append(Mating("ocs", at, near, port, adapter="ocs",
                                   loss_db=spec.loss_db, reflectance_db=spec.reflectance_db))
        self.stages.append(_stage(
            at, "ocs", geo.mate_map(near.connector, "up-up", conn), conn.positions))
        self.open_kind, self.open_face = "port", port
        self.open_via = ("ocs", at, spec)

    def cassette(self, at: int, cs: CassetteSpec, nxt: object) -> None:
        if self.open_kind != "plug":
            raise self.fail(at, "a cassette needs a plug on its A side")
        cas = cassette(cs.model)
        enter = cs.enter or ("front" if self.open_face.connector.family == "LC" else "rear")
        # the external plug on the rear side: the open face, or (entering at the front)
        # the plug of the element after the cassette; assume the rear footprint if unknown
        rear_plug = (
            self.open_face.connector if enter == "rear"
            else _next_plug_connector(nxt) or connector(cas.rear.connector)
        )
        try:
            fwd, inv, rear, front = _cassette_maps(cas, cs.port, rear_plug)
        except DesignError as exc:
            raise self.fail(at, str(exc)) from None
        rear_face = Face(rear, cas.rear.gender, cas.rear.polish, None, at)
        front_face = Face(front, "none", "UPC", None, at)  # LC front ports: UPC
        near_internal, far_internal = (rear_face, front_face) if enter == "rear" else (
            front_face, rear_face)
        self.matings.append(
            Mating("cassette", at, self.open_face, near_internal, adapter=cas.name,
                   orientation="up-up" if cas.rear_adapter == "B" else "up-down",
                   loss_db=cs.loss_db, reflectance_db=cs.reflectance_db)
        )
        self.stages.append(Stage(at, f"cassette {enter}", *((fwd, inv) if enter == "rear"
                                                             else (inv, fwd))))
        self.open_kind, self.open_face = "port", far_internal
        self.open_via = ("cassette", at, (cas, cs))

    def breakout(self, at: int, bs: BreakoutSpec) -> None:
        bo = breakout(bs.model)
        try:
            fwd, inv, trunk, leg_conn = _breakout_maps(bo, bs.leg)
        except DesignError as exc:
            raise self.fail(at, str(exc)) from None
        if bs.enter:
            enter = bs.enter
        else:
            # enter by the trunk end when the open face matches its footprint
            enter = "trunk" if self.open_face.connector.footprint() == trunk.footprint() else "leg"
        leg = bo.legs[bs.leg - 1]
        polish = _default_polish(trunk, bs.fiber, bs.polish)
        tf = Face(trunk, bo.trunk.gender if trunk.family == "MPO" else "none", polish, bs.grade, at)
        lf = Face(leg_conn, leg.gender if leg_conn.family == "MPO" else "none",
                  _default_polish(leg_conn, bs.fiber, bs.leg_polish), bs.grade, at)
        f1, f2, m, back = (tf, lf, fwd, inv) if enter == "trunk" else (lf, tf, inv, fwd)
        self._plug_in(f1, at)
        self.stages.append(Stage(at, f"breakout {enter}", m, back))
        self.runs.append(Run(at, "breakout", bs.fiber, bs.length_m, bs.attenuation_db_per_km))
        self.open_kind, self.open_face = "plug", f2

    def splice(self, at: int, sp: SpliceSpec) -> None:
        if self.open_kind != "plug":
            raise self.fail(at, "a splice joins two cables; put it between them")
        f = self.open_face
        spliced = Face(f.connector, "spliced", f.polish, None, f.owner)
        self.matings.append(Mating("splice", at, spliced, spliced, loss_db=sp.loss_db,
                                   reflectance_db=sp.reflectance_db))
        self.open_kind = "splice"

    def finish(self) -> Channel:
        n = len(self.spec.path)
        if self.open_kind != "plug":
            raise DesignError(
                f"path[{n - 1}]: the path must end with a plug (cord, trunk or breakout) "
                "that goes into end B's transceiver", loc=("path", n - 1)
            )
        bface = self.b.face(n)
        self.matings.append(Mating("mdi", self.open_face.owner, self.open_face, bface, end="b"))
        self.stages.append(_stage(
            self.open_face.owner, "mdi b",
            geo.mate_map(self.open_face.connector, "up-up", bface.connector),
            bface.connector.positions))
        return Channel(self.spec, self.a, self.b, tuple(self.stages), tuple(self.matings),
                       tuple(self.runs))


def compile_channel(spec: ChannelSpec) -> Channel:
    """Compile a validated spec; ``DesignError`` if it cannot be assembled at all.

    Parameters
    ----------
    spec
        A validated channel.

    Returns
    -------
    Channel
        Its stages (position maps) and matings, ready for checks and budgets.

    Raises
    ------
    DesignError
        The path cannot be assembled (for example two plugs with no adapter between them);
        ``loc`` says where.
    """
    bld = _Builder(spec)
    for at, el in enumerate(spec.path):
        kind = element_kind(el)
        body = getattr(el, kind)
        if kind in ("cord", "trunk"):
            bld.cable(at, kind, body)
        elif kind == "adapter":
            bld.adapter(at, body)
        elif kind == "ocs":
            bld.ocs(at, body)
        elif kind == "cassette":
            nxt = spec.path[at + 1] if at + 1 < len(spec.path) else None
            bld.cassette(at, body, nxt)
        elif kind == "breakout":
            bld.breakout(at, body)
        elif kind == "splice":
            bld.splice(at, body)
    return bld.finish()
