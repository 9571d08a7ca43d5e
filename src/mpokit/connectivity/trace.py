"""Follow every transmit lane face by face: the table installers draw by hand.

Each row is the face a lane reaches after one stage of the channel (a mating or a
cable), with the lane's position on that face (1-based, plug-face frame; module view at
the two transceivers). ``-`` is no fiber, ``~`` a fiber that leaves for another port or
leg.

>>> from mpokit.connectivity.io import parse_channel
>>> from mpokit.connectivity.model import compile_channel
>>> ch = compile_channel(parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]}))
>>> t = trace(ch)[0]
>>> [(r.face, r.positions) for r in t.rows][-1]
('end B port (module view)', (12, 11, 10, 9))
>>> t.arrives
('Rx0', 'Rx1', 'Rx2', 'Rx3')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mpokit.connectivity import geometry as geo
from mpokit.connectivity.model import Channel, End, Stage

__all__ = ["Trace", "TraceRow", "format_trace", "trace"]


@dataclass(frozen=True)
class TraceRow:
    """Where the lanes are after one stage."""

    at: int | None
    face: str
    positions: tuple[int | None, ...]  # None: no fiber; 0: left the channel


@dataclass(frozen=True)
class Trace:
    """One direction of a channel: every Tx lane from its port to the far port."""

    direction: Literal["a->b", "b->a"]
    lanes: tuple[str, ...]
    rows: tuple[TraceRow, ...]
    arrives: tuple[str, ...]  # what each lane reaches at the far port: Rx2, Tx0, unused, -

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "lanes": list(self.lanes),
            "rows": [{"at": f"path[{r.at}]" if r.at is not None else None, "face": r.face,
                      "positions": list(r.positions)} for r in self.rows],
            "arrives": list(self.arrives),
        }


def _face(stage: Stage, last: bool, far: str, forward: bool) -> str:
    """The face a lane is on after ``stage``, named as the channel file lists it."""
    if last:
        return f"end {far} port (module view)"
    what = stage.what.split()[0]
    if what == "mdi":
        return f"path[{stage.at}] plug at end {stage.what[-1].upper()}"
    if what in ("cord", "trunk", "breakout"):
        return f"path[{stage.at}] {what}, {'B' if forward else 'A'}-side plug"
    return f"through path[{stage.at}] {what}"


def _arrival(end: End, p: int, nm: int = 0) -> str:
    if p == geo.DARK:
        return "-"
    if p == geo.AWAY:
        return "~"
    rx = {int(x): k for k, x in enumerate(end.rx)}
    tx = {int(x): k for k, x in enumerate(end.tx)}
    if p in rx and int(end.rx_nm[rx[p]]) != nm:  # BiDi: a receiver of the other wavelength
        return f"Rx{rx[p]}@{int(end.rx_nm[rx[p]])}nm"
    return f"Rx{rx[p]}" if p in rx else (f"Tx{tx[p]}" if p in tx else "unused")


def _pos(p: int) -> int | None:
    return None if p == geo.DARK else (0 if p == geo.AWAY else p + 1)


def trace(ch: Channel) -> tuple[Trace, Trace]:
    """Both directions of ``ch``: A's Tx lanes to B, then B's Tx lanes to A."""
    out = []
    for forward in (True, False):
        src, dst = (ch.a, ch.b) if forward else (ch.b, ch.a)
        states = ch.trace(src.tx) if forward else ch.trace_back(src.tx)
        stages = ch.stages if forward else tuple(reversed(ch.stages))
        names = ("B", "A") if forward else ("A", "B")
        rows = [TraceRow(None, f"end {names[1]} port (module view)",
                         tuple(_pos(int(p)) for p in states[0]))]
        for i, st in enumerate(stages):
            face = _face(st, i == len(stages) - 1, names[0], forward)
            rows.append(TraceRow(st.at, face, tuple(_pos(int(p)) for p in states[i + 1])))
        lanes = tuple(f"Tx{k}" for k in range(len(src.tx)))
        arrives = tuple(_arrival(dst, int(p), int(w))
                        for p, w in zip(np.asarray(states[-1]), src.tx_nm, strict=True))
        out.append(Trace("a->b" if forward else "b->a", lanes, tuple(rows), arrives))
    return out[0], out[1]


def format_trace(t: Trace) -> str:
    """A fixed-width text table of one direction."""
    w = max(len(r.face) for r in t.rows) + 2
    head = " " * w + " ".join(f"{x:>6}" for x in t.lanes)

    def cell(p: int | None) -> str:
        return "-" if p is None else ("~" if p == 0 else str(p))

    lines = [head] + [f"{r.face:<{w}}" + " ".join(f"{cell(p):>6}" for p in r.positions)
                      for r in t.rows]
    lines.append(f"{'reaches':<{w}}" + " ".join(f"{a:>6}" for a in t.arrives))
    return "\n".join(lines)
