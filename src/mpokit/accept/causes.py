"""The likeliest cause of a measured polarity map that differs from the design.

For a shape (a design without lengths) :func:`substitutions` builds every single-element
change an installer can make -- a cable of another polarity type (Type A for Type B ...),
an adapter with a flipped key (type A for type B) -- compiles each with the connectivity
model and keeps its end-to-end map. :func:`explain` then compares many measured maps with
all of them at once (``(channels, candidates, positions)`` integer arrays); when several
substitutions give the same map (they often do: any one element of another type flips the
whole channel) all are named, cords first, then adapters, then trunks. A measured map
that is the designed one with two fibers exchanged is a swapped pair; :func:`swapped_pair`
finds the two positions and where they sit at each cable of the channel.

>>> from mpokit.connectivity.io import parse_channel
>>> from mpokit.connectivity.model import compile_channel
>>> ch = compile_channel(parse_channel({"a": "400GBASE-SR4", "b": "400GBASE-SR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OM4",
...     "length_m": 7}}]}))
>>> subs = substitutions(ch)
>>> [s.text for s in subs]
['path[0] cord as Type A instead of Type B', 'path[0] cord as Type C instead of Type B']
>>> explain(np.arange(12, dtype=np.int16)[None, :], subs, ch.end_to_end() >= 0)
[['path[0] cord as Type A instead of Type B']]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mpokit.connectivity.model import Channel, compile_channel
from mpokit.connectivity.spec import ChannelSpec, element_body, element_kind
from mpokit.errors import MpokitError

__all__ = ["Substitution", "explain", "substitutions", "swapped_pair"]

CABLE_TYPES = ("A", "B", "C")
# which element an installer most likely got wrong: patch cords are handled most, adapters
# are flipped in panels, trunks are pre-terminated and installed once
_LIKELY = {"cord": 0, "adapter": 1, "breakout": 2, "trunk": 3}


@dataclass(frozen=True)
class Substitution:
    """One single-element change and the end-to-end map it gives."""

    at: int
    text: str
    map: np.ndarray  # (P,) int16


def _variant(spec: ChannelSpec, at: int, kind: str, **change: str) -> Channel | None:
    d = spec.model_dump(mode="json", exclude_none=True)
    d["path"][at][kind].update(change)
    try:
        return compile_channel(ChannelSpec.model_validate(d))
    except (MpokitError, ValueError):
        return None  # a change the model cannot build is no candidate


def substitutions(ch: Channel) -> list[Substitution]:
    """Every single-element substitution of ``ch`` and its end-to-end map.

    Parameters
    ----------
    ch
        A compiled channel (a shape of the plan).

    Returns
    -------
    list[Substitution]
        In path order; only changes that give a map other than the design's.

    Examples
    --------
    >>> from mpokit.connectivity.io import parse_channel
    >>> ch = compile_channel(parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
    ...     "path": [{"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2",
    ...     "length_m": 3}}, {"adapter": {"type": "A"}}, {"cord": {"connector": "MPO-12",
    ...     "type": "B", "fiber": "OS2", "length_m": 3}}]}))
    >>> [s.text for s in substitutions(ch)][2]
    'path[1] adapter with a flipped key (type B instead of type A)'
    """
    base = np.asarray(ch.end_to_end())
    out: list[Substitution] = []
    for at, el in enumerate(ch.spec.path):
        kind = element_kind(el)
        body = element_body(el)
        variants: list[tuple[str, Channel | None]] = []
        if kind in ("cord", "trunk") and body.type in CABLE_TYPES:
            for t in CABLE_TYPES:
                if t != body.type:
                    variants.append((f"path[{at}] {kind} as Type {t} instead of Type "
                                     f"{body.type}", _variant(ch.spec, at, kind, type=t)))
        elif kind == "adapter":
            t = "B" if body.type == "A" else "A"
            variants.append((f"path[{at}] adapter with a flipped key (type {t} instead of "
                             f"type {body.type})", _variant(ch.spec, at, kind, type=t)))
        for text, v in variants:
            if v is None:
                continue
            m = np.asarray(v.end_to_end(), dtype=np.int16)
            if m.shape == base.shape and not np.array_equal(m, base):
                out.append(Substitution(at, text, m))
    return out


def explain(measured: np.ndarray, subs: list[Substitution], live: np.ndarray) -> list[list[str]]:
    """For each measured map, the substitutions that reproduce it on the live positions.

    Parameters
    ----------
    measured
        ``(n, P)`` int16 measured end-B position per end-A position.
    subs
        Candidates of one shape (:func:`substitutions`).
    live
        ``(P,)`` bool: the positions that were tested.

    Returns
    -------
    list[list[str]]
        Per measured map, the texts of every substitution equal to it (empty: none).

    Examples
    --------
    >>> explain(np.zeros((1, 2), np.int16), [], np.ones(2, bool))
    [[]]
    """
    if not subs or measured.size == 0:
        return [[] for _ in range(len(measured))]
    cand = np.stack([s.map for s in subs])[:, live]  # (K, L)
    hit = (measured[:, None, live] == cand[None, :, :]).all(axis=2)  # (n, K)
    rank = sorted(range(len(subs)), key=lambda k: (_LIKELY.get(subs[k].text.split()[1], 9),
                                                   subs[k].at))
    return [[subs[k].text for k in rank if row[k]] for row in hit]


def swapped_pair(measured: np.ndarray, expected: np.ndarray, ch: Channel
                 ) -> tuple[tuple[int, int], list[str]] | None:
    """The two end-A positions whose fibers arrive exchanged, and where they cross.

    Parameters
    ----------
    measured, expected
        ``(P,)`` maps of one channel (measured and designed).
    ch
        The compiled channel.

    Returns
    -------
    tuple or None
        ``((i, j), places)`` with 0-based end-A positions and, per cable of the path, the
        two positions a crossed pair there would have ("path[0] cord, positions 3 and 4");
        None when the difference is not one exchanged pair.

    Examples
    --------
    >>> from mpokit.connectivity.io import parse_channel
    >>> ch = compile_channel(parse_channel({"a": "400GBASE-SR4", "b": "400GBASE-SR4",
    ...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OM4",
    ...     "length_m": 7}}]}))
    >>> m = ch.end_to_end().copy(); m[[0, 1]] = m[[1, 0]]
    >>> swapped_pair(m, ch.end_to_end(), ch)
    ((0, 1), ['path[0] cord, positions 11 and 12 at its A-side plug (plug-face frame)'])
    """
    diff = np.flatnonzero((measured != expected) & (expected >= 0))
    if diff.size != 2:
        return None
    i, j = int(diff[0]), int(diff[1])
    if measured[i] != expected[j] or measured[j] != expected[i]:
        return None
    states = ch.trace(np.array([i, j], dtype=np.int16))
    places = []
    seen: set[int] = set()
    for k, st in enumerate(ch.stages):
        kind = st.what.split()[0]
        if kind in ("cord", "trunk", "breakout") and st.at not in seen:
            seen.add(st.at)
            a, b = (int(x) + 1 for x in states[k])
            places.append(f"path[{st.at}] {kind}, positions {min(a, b)} and {max(a, b)} "
                          "at its A-side plug (plug-face frame)")
    return (i, j), places
