"""Find the smallest change that makes a failing channel pass.

Candidate changes are real part swaps: another cable type, the other adapter type, a
cord with other ends or polish, another connector family, another cassette. Each
candidate is applied to the channel spec and the whole channel is checked again; the
cheapest passing change wins (cords are cheaper to swap than adapters, adapters than
cassettes, cassettes than installed trunks). Single changes are tried first, then pairs,
within a CPU-time budget (the ``fix_search_ms`` limit).

>>> from mpokit.connectivity.io import parse_channel
>>> spec = parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]})
>>> find_fix(spec).text
'replace path[0] (MPO-12 Type A cord) with a Type B cord'
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mpokit._limits import limit
from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.spec import ChannelSpec, element_kind
from mpokit.errors import MpokitError

__all__ = ["Fix", "FixSearch", "apply_patch", "candidates", "find_fix", "search_fix"]

_COST = {"cord": 1.0, "adapter": 1.5, "ocs": 9.0, "breakout": 2.0, "cassette": 3.0, "trunk": 4.0}


@dataclass(frozen=True)
class Change:
    """Set some keys of path element ``at``."""

    at: int
    kind: str
    set: dict[str, Any]
    text: str
    cost: float

    def patch(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, "set": dict(self.set)}


@dataclass(frozen=True)
class Fix:
    """One or two changes that make the channel pass."""

    changes: tuple[Change, ...]

    @property
    def text(self) -> str:
        return "; and ".join(c.text for c in self.changes)

    @property
    def patch(self) -> tuple[dict[str, Any], ...]:
        return tuple(c.patch() for c in self.changes)


def apply_patch(
    spec: ChannelSpec, patch: tuple[dict[str, Any], ...] | list[dict[str, Any]]
) -> ChannelSpec:
    """The spec with the changes of a fix applied.

    Parameters
    ----------
    spec
        The channel.
    patch
        The changes of a :class:`Fix` (``Fix.patch``).

    Returns
    -------
    ChannelSpec
        A new spec; ``spec`` is unchanged.
    """
    data = spec.model_dump(mode="json", exclude_none=True)
    for ch in patch:
        el = data["path"][ch["at"]][ch["kind"]]
        el.update(ch["set"])
    return parse_channel(data)


def _desc(kind: str, body: Any) -> str:
    if kind in ("cord", "trunk"):
        return f"{body.connector} Type {body.type} {kind}"
    if kind == "adapter":
        return f"Type {body.type} adapter"
    if kind == "cassette":
        return f"cassette {body.model}"
    if kind == "breakout":
        return f"breakout {body.model}"
    return kind


def candidates(spec: ChannelSpec) -> Iterator[Change]:
    """Every single-part swap worth trying, cheapest kinds first."""
    from mpokit.standards import (
        breakout,
        breakouts,
        cassette,
        cassettes,
        connector,
        connectors,
        transceiver,
    )

    end_conns = {
        transceiver(spec.end(w).transceiver).ports[spec.end(w).port - 1].connector
        for w in ("a", "b")
    }
    for at, el in enumerate(spec.path):
        kind = element_kind(el)
        body = getattr(el, kind)
        cost = _COST.get(kind, 5.0)
        what = f"path[{at}] ({_desc(kind, body)})"
        if kind in ("cord", "trunk"):
            conn = connector(body.connector)
            if conn.family == "LC":
                other = "A-A" if body.type == "A-B" else "A-B"
                yield Change(at, kind, {"type": other},
                             f"replace {what} with an {other} duplex {kind}", cost)
                continue
            types = ["A", "B"] + (["C"] if conn.columns % 2 == 0 else [])
            for t in types:
                if t != body.type:
                    yield Change(at, kind, {"type": t},
                                 f"replace {what} with a Type {t} {kind}", cost)
            ends = body.ends or (("female", "female") if kind == "cord" else ("male", "male"))
            flip = {"male": "female", "female": "male"}
            for new in ((flip[ends[0]], ends[1]), (ends[0], flip[ends[1]]),
                        (flip[ends[0]], flip[ends[1]])):
                yield Change(at, kind, {"ends": list(new)},
                             f"replace {what} with a {new[0]}-{new[1]} {kind} "
                             f"({'pinned' if new[0] == 'male' else 'unpinned'} at the A end, "
                             f"{'pinned' if new[1] == 'male' else 'unpinned'} at the B end)",
                             cost + 0.1)
            polish = body.polish or ("APC" if body.fiber.startswith("OS") else "UPC")
            other_p = "UPC" if polish == "APC" else "APC"
            yield Change(at, kind, {"polish": other_p},
                         f"replace {what} with an {other_p}-polished {kind}", cost + 0.2)
            same_ferrule = {c.name for c in connectors() if c.ferrule == conn.ferrule}
            for c in sorted((end_conns | same_ferrule) - {body.connector}):
                if connector(c).family == "MPO":
                    yield Change(at, kind, {"connector": c},
                                 f"replace {what} with an {c} {kind} of the same type", cost + 0.3)
        elif kind == "adapter":
            other = "B" if body.type == "A" else "A"
            label = "key-up/key-up" if other == "B" else "key-up/key-down"
            yield Change(at, kind, {"type": other},
                         f"replace {what} with a Type {other} ({label}) adapter", cost)
            for c in sorted(end_conns - {body.connector or ""}):
                if body.connector and connector(c).family == "MPO":
                    yield Change(at, kind, {"connector": c},
                                 f"replace {what} with an {c} adapter", cost + 0.3)
        elif kind == "breakout":
            cur = breakout(body.model)
            for leg in range(1, len(cur.legs) + 1):
                if leg != body.leg:
                    yield Change(at, kind, {"leg": leg},
                                 f"use leg {leg} of the harness at path[{at}] "
                                 f"instead of leg {body.leg}", 0.5)
            foot = connector(cur.trunk.connector).footprint()
            for bo in breakouts():
                if (bo.name != cur.name and len(bo.legs) >= body.leg
                        and connector(bo.trunk.connector).footprint() == foot):
                    yield Change(at, kind, {"model": bo.name},
                                 f"replace {what} with breakout {bo.name}", cost)
        elif kind == "cassette":
            ports = cassette(body.model).front
            for p in range(1, ports.ports + 1):
                if p != body.port:
                    yield Change(at, kind, {"port": p},
                                 f"use front port {p} of the cassette at path[{at}] "
                                 f"instead of port {body.port}", 0.5)
            for cas in cassettes():
                if cas.name != body.model and cas.front.ports >= body.port:
                    yield Change(at, kind, {"model": cas.name},
                                 f"replace {what} with cassette {cas.name}", cost)


def find_fix(
    spec: ChannelSpec,
    passes: Callable[[ChannelSpec], bool] | None = None,
    max_pair_evals: int = 600,
) -> Fix | None:
    """The cheapest one- or two-part change after which the channel passes, or None.

    See :func:`search_fix`, which also says whether the search was complete.

    Parameters
    ----------
    spec
        A channel that fails.
    passes
        Whether a changed channel passes (default: it compiles and every check passes).
    max_pair_evals
        At most this many two-part candidates are checked.

    Returns
    -------
    Fix | None
        The cheapest change that makes the channel pass, or None when no single or double
        part swap does.
    """
    return search_fix(spec, passes, max_pair_evals).fix


@dataclass(frozen=True)
class FixSearch:
    """The outcome of a fix search: the fix, and whether every planned trial was made."""

    fix: Fix | None
    complete: bool


def search_fix(
    spec: ChannelSpec,
    passes: Callable[[ChannelSpec], bool] | None = None,
    max_pair_evals: int = 600,
    budget_s: float | None = None,
) -> FixSearch:
    """Search the cheapest passing change within a CPU-time budget.

    Parameters
    ----------
    spec
        The failing channel.
    passes
        The verdict to reach (default: the connectivity checks pass).
    max_pair_evals
        How many two-part changes to try, cheapest first.
    budget_s
        CPU seconds for the search (default: the ``fix_search_ms`` limit, raised with
        ``MPOKIT_LIMIT_FIX_SEARCH_MS``). Pairs are generated lazily in cost order, so a
        channel of thousands of elements cannot make the search quadratic in memory.

    Returns
    -------
    FixSearch
        ``complete`` is False when the budget ran out first: "no fix found" is then not
        a claim that none exists.
    """
    from mpokit.connectivity.checks import quick_ok

    ok = passes or quick_ok
    budget = budget_s if budget_s is not None else limit("fix_search_ms") / 1000.0
    deadline = time.process_time() + budget
    cands = sorted(candidates(spec), key=lambda c: c.cost)

    def trial(changes: tuple[Change, ...]) -> bool:
        try:
            return ok(apply_patch(spec, [c.patch() for c in changes]))
        except (MpokitError, ValueError):
            return False

    for c in cands:
        if time.process_time() > deadline:
            return FixSearch(None, False)
        if trial((c,)):
            return FixSearch(Fix((c,)), True)
    for evals, p in enumerate(_pairs_by_cost(cands)):
        if evals >= max_pair_evals:
            break
        if time.process_time() > deadline:
            return FixSearch(None, False)
        if trial(p):
            return FixSearch(Fix(p), True)
    return FixSearch(None, True)


def _pairs_by_cost(cands: list[Change]) -> Iterator[tuple[Change, Change]]:
    """Compatible pairs of the cost-sorted candidates, cheapest first, made lazily."""
    heap = [(cands[i].cost + cands[i + 1].cost, i, i + 1) for i in range(len(cands) - 1)]
    heapq.heapify(heap)
    while heap:
        _, i, j = heapq.heappop(heap)
        if j + 1 < len(cands):
            heapq.heappush(heap, (cands[i].cost + cands[j + 1].cost, i, j + 1))
        a, b = cands[i], cands[j]
        if a.at != b.at or set(a.set).isdisjoint(b.set):
            yield a, b
