"""OTDR traces (Telcordia SR-4731 ``.sor``): events mapped onto the designed matings.

Files are parsed with ``otdrs`` (PyPI; a Rust parser and writer, LGPL-3.0 since 1.0.5; the
choice is argued in docs/accept.md). From a file mpokit takes the instrument's key-event
table -- distance, loss, reflectance, end-of-fiber flag -- and two fields of the general
parameters: the cable id is the channel label and the fiber id the traced end-A position
(1-based). Distances come from the one-way travel time and the group index; the launch cord
(the user offset) is subtracted, so 0 m is the link's end-A connection.

:func:`attribute` maps every event onto the nearest designed mating or splice along the
channel (within ``max(tolerance_m, 1 %)``) and reports the ones whose loss or reflectance
exceeds the designed value: ``path[1] adapter PP05-25 (type A adapter (MPO-12)): 0.90 dB,
designed 0.75``. Events matching nothing are reported when they lose more than the
instrument's loss threshold or reflect.

>>> from mpokit.accept.sor import SorEvent, generate_sor
>>> t = parse_sor(generate_sor(SorEvent(0.0, 0.2, -48.0), label="x", fiber=2,
...                            wavelength_nm=850), file="x.sor")
>>> t.label, t.fiber, t.wavelength_nm, t.events[0].reflectance_db
('x', 1, 850.0, -48.0)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mpokit._files import read_input_bytes
from mpokit.accept.design import MatingPoint, PlanDesigns
from mpokit.errors import InputError

__all__ = ["EventFinding", "OtdrEvent", "OtdrTrace", "attribute", "parse_sor", "read_sor"]

C_M_PER_S = 299_792_458.0
TOLERANCE_M = 1.5
LOSS_THRESHOLD_DB = 0.2


@dataclass(frozen=True)
class OtdrEvent:
    """One key event of a trace, ``distance_m`` from the link's end-A connection."""

    distance_m: float
    loss_db: float
    reflectance_db: float | None
    end: bool


@dataclass(frozen=True)
class OtdrTrace:
    """The events of one traced fiber of one channel."""

    file: str
    label: str
    fiber: int  # 0-based end-A position
    wavelength_nm: float
    events: tuple[OtdrEvent, ...]


@dataclass(frozen=True)
class EventFinding:
    """An event over its designed value, or one no designed element explains."""

    label: str
    file: str
    fiber: int
    distance_m: float
    at: int | None  # path index (None: no designed element there)
    what: str
    measured_loss_db: float
    designed_loss_db: float | None
    measured_reflectance_db: float | None
    designed_reflectance_db: float | None

    @property
    def message(self) -> str:
        """One line: where, what was measured, what was designed."""
        bits = []
        if self.designed_loss_db is None or self.measured_loss_db > self.designed_loss_db:
            d = "" if self.designed_loss_db is None else f", designed {self.designed_loss_db:.2f}"
            bits.append(f"{self.measured_loss_db:.2f} dB{d}")
        r, rd = self.measured_reflectance_db, self.designed_reflectance_db
        if r is not None and (rd is None or r > rd):
            bits.append(f"reflectance {r:.1f} dB" + ("" if rd is None else f", designed "
                                                     f"{rd:.1f}"))
        return (f"{self.what} at {self.distance_m:.1f} m (fiber {self.fiber + 1}): "
                + "; ".join(bits))

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            Every field plus the message.
        """
        return {"at": None if self.at is None else f"path[{self.at}]", "what": self.what,
                "file": self.file, "fiber": self.fiber + 1,
                "distance_m": round(self.distance_m, 2),
                "loss_db": round(self.measured_loss_db, 3),
                "designed_loss_db": self.designed_loss_db,
                "reflectance_db": self.measured_reflectance_db,
                "designed_reflectance_db": self.designed_reflectance_db,
                "message": self.message}


def _foreign(file: str, why: str) -> InputError:
    return InputError(f"not a readable SR-4731 OTDR file: {why}", file=file,
                      fix="export the trace from the OTDR as Telcordia SR-4731 .sor (issue 2)")


def parse_sor(data: bytes, *, file: str = "<sor>") -> OtdrTrace:
    """Parse one ``.sor`` file's bytes.

    Parameters
    ----------
    data
        The file content.
    file
        The name errors give.

    Returns
    -------
    OtdrTrace
        Label, fiber, wavelength and key events.

    Raises
    ------
    InputError
        A truncated or foreign file, or one without the blocks or fields needed.

    Examples
    --------
    >>> parse_sor(b"not an otdr file", file="x.sor")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mpokit.errors.InputError: x.sor: not a readable SR-4731 OTDR file: ...
    """
    import otdrs

    if data[:4] != b"Map\0":
        why = ("it does not start with the Map block of issue 2" if data[:1] else "empty file")
        raise _foreign(file, why)
    try:
        sor = otdrs.parse_bytes(data)
    except (RuntimeError, ValueError) as exc:
        raise _foreign(file, f"truncated or damaged ({exc})") from None
    declared = sum(b.size for b in sor.map.block_info) + sor.map.block_size
    if declared > len(data):
        raise _foreign(file, f"truncated: the map declares {declared} bytes, the file has "
                             f"{len(data)}")
    gp, fp, ke = sor.general_parameters, sor.fixed_parameters, sor.key_events
    missing = [n for n, b in (("GenParams", gp), ("FxdParams", fp), ("KeyEvents", ke))
               if b is None]
    if missing or gp is None or fp is None or ke is None:
        raise _foreign(file, f"no {', '.join(missing)} block")
    label = gp.cable_id.strip()
    if not label:
        raise InputError("the cable id is empty", file=file, field="GenParams.cable_id",
                         fix="set the cable id to the channel's label when saving the trace")
    try:
        fiber = int(gp.fiber_id.strip())
    except ValueError:
        fiber = 0
    if fiber < 1:
        raise InputError(f"fiber id {gp.fiber_id!r} is not a fiber position",
                         file=file, field="GenParams.fiber_id",
                         fix="set the fiber id to the traced end-A position (1, 2, ...)")
    index = fp.group_index / 100_000 if fp.group_index else 1.468
    scale = 1e-10 * C_M_PER_S / index  # metres per 100 ps, one way
    offset = gp.user_offset * scale
    raw: list[Any] = list(ke.key_events)
    if ke.last_key_event is not None:
        raw.append(ke.last_key_event)
    events = tuple(OtdrEvent(e.event_propogation_time * scale - offset, e.event_loss / 1000.0,
                             None if e.event_reflectance == 0 else e.event_reflectance / 1000.0,
                             e.event_code[1:2] in ("E", "D"))
                   for e in raw)
    wl = float(gp.nominal_wavelength or round(fp.actual_wavelength / 10))
    return OtdrTrace(file, label, fiber - 1, wl, events)


def read_sor(path: str | os.PathLike[str]) -> OtdrTrace:
    """Read one ``.sor`` file.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    OtdrTrace
        Its label, fiber, wavelength and events.

    Raises
    ------
    InputError
        Unreadable, truncated or foreign file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mpokit.accept.sor import SorEvent, generate_sor
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.sor"
    >>> _ = p.write_bytes(generate_sor(SorEvent(0, 0.2, None), label="x", fiber=1,
    ...                                wavelength_nm=850))
    >>> read_sor(p).label
    'x'
    """
    p = Path(path)
    return parse_sor(read_input_bytes(p), file=str(p))


def attribute(trace: OtdrTrace, plan: PlanDesigns, channel: int, *,
              tolerance_m: float = TOLERANCE_M) -> list[EventFinding]:
    """Map the events of ``trace`` onto channel ``channel``'s matings; report the excess.

    Parameters
    ----------
    trace
        A parsed trace.
    plan
        The plan.
    channel
        The index of the traced channel in the plan.
    tolerance_m
        How far an event may sit from a designed mating (at least 1 % of its distance).

    Returns
    -------
    list[EventFinding]
        Events over their designed loss or reflectance, and unexplained events.

    Examples
    --------
    >>> from mpokit.connectivity import ChannelSet, parse_channels
    >>> from mpokit.accept.design import plan_designs
    >>> from mpokit.accept.sor import SorEvent, generate_sor
    >>> p = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
    ...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector":
    ...     "MPO-12", "type": "B", "fiber": "OM4", "length_m": 30}}]}]})))
    >>> t = parse_sor(generate_sor(SorEvent(0.0, 0.2, -50.0), SorEvent(30.0, 1.1, -50.0),
    ...     label="x", fiber=1, wavelength_nm=850))
    >>> [f.message for f in attribute(t, p, 0)]
    ['end B connection at 30.0 m (fiber 1): 1.10 dB, designed 0.75']
    """
    d = int(plan.channels.design_of[channel])
    shape = plan.shapes[int(plan.shape_of[d])]
    cum = np.concatenate([[0.0], np.cumsum(plan.run_lengths[d])])
    pts: tuple[MatingPoint, ...] = shape.points
    where = np.array([cum[p.run_before] for p in pts])
    total = float(cum[-1])
    out: list[EventFinding] = []
    for e in trace.events:
        tol = max(tolerance_m, 0.01 * abs(e.distance_m))
        if e.distance_m < -tol or e.distance_m > total + tol:
            continue  # in the launch or receive cord
        gap = np.abs(where - e.distance_m) if len(pts) else np.zeros(0)
        k = int(np.argmin(gap)) if gap.size else -1
        if k >= 0 and gap[k] <= tol:
            p = pts[k]
            if e.end and p.kind != "mdi":
                continue
            over_loss = not e.end and e.loss_db > p.loss_db + 1e-9
            over_refl = (e.reflectance_db is not None and p.reflectance_db is not None
                         and e.reflectance_db > p.reflectance_db + 1e-9)
            if over_loss or over_refl:
                out.append(EventFinding(trace.label, trace.file, trace.fiber, e.distance_m,
                                        p.at, p.what, e.loss_db, p.loss_db, e.reflectance_db,
                                        p.reflectance_db))
        elif not e.end and (e.loss_db >= LOSS_THRESHOLD_DB or e.reflectance_db is not None):
            near = "" if k < 0 else f" (nearest designed: {pts[k].what} at {where[k]:.1f} m)"
            out.append(EventFinding(trace.label, trace.file, trace.fiber, e.distance_m, None,
                                    f"an event no designed element explains{near}",
                                    e.loss_db, None, e.reflectance_db, None))
    return out
