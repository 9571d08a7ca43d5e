"""Incoming inspection by attributes: ISO 2859-1 single sampling plans and switching rules.

The tables are data (``store/data/iso2859_1.yaml``, with source and status per table): lot
size and inspection level give a code letter, the code letter its sample size, and code
letter plus AQL an acceptance number Ac and rejection number Re (or an arrow to the first
plan below or above). The sample is drawn from the lot's serials with a seed, so the same
seed names the same units on every machine.

Example:
    >>> p = plan_for(lot_size=2000, level="II", aql=1.0)
    >>> p.letter, p.sample_size, p.ac, p.re
    ('K', 125, 3, 4)
    >>> draw_sample([f"S{i}" for i in range(10)], 3, seed=7) == draw_sample(
    ...     [f"S{i}" for i in reversed(range(10))], 3, seed=7)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np

from mpokit._yaml import load_yaml
from mpokit.errors import InputError

__all__ = ["LEVELS", "SamplingPlan", "SwitchingState", "draw_sample", "plan_for"]

Severity = Literal["normal", "tightened", "reduced"]
LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")


@cache
def _tables() -> dict[str, Any]:
    text = resources.files("mpokit.store").joinpath("data", "iso2859_1.yaml").read_text("utf-8")
    data, _ = load_yaml(text, file="mpokit/store/data/iso2859_1.yaml")
    return dict(data)


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan: inspect ``sample_size`` units, accept with at most ``ac``
    nonconforming, reject with ``re`` or more."""

    lot_size: int
    level: str
    aql: float
    severity: str
    letter: str
    sample_size: int
    ac: int
    re: int
    status: str
    source: str

    @property
    def full_inspection(self) -> bool:
        """True when the sample is the whole lot (sample size reached the lot size)."""
        return self.sample_size >= self.lot_size

    def accepts(self, nonconforming: int) -> bool:
        """True when ``nonconforming`` units in the sample accept the lot."""
        return nonconforming <= self.ac

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"lot_size": self.lot_size, "level": self.level, "aql": self.aql,
                "severity": self.severity, "code_letter": self.letter,
                "sample_size": self.sample_size, "ac": self.ac, "re": self.re,
                "full_inspection": self.full_inspection, "status": self.status,
                "source": self.source}


def code_letter(lot_size: int, level: str) -> str:
    """ISO 2859-1 Table I: the sample size code letter.

    >>> code_letter(500, "II"), code_letter(501, "II"), code_letter(10**6, "S-1")
    ('H', 'J', 'D')
    """
    t = _tables()["code_letters"]
    if level not in t["levels"]:
        raise InputError(f"unknown inspection level {level!r}", field="--level",
                         fix="use one of " + ", ".join(t["levels"]))
    if lot_size < 2:
        raise InputError(f"lot size {lot_size} is below 2", field="lot",
                         fix="a lot needs at least 2 units for sampling")
    for row in t["lots"]:
        if lot_size >= row["min"] and (row["max"] is None or lot_size <= row["max"]):
            return str(row["letters"][t["levels"].index(level)])
    raise AssertionError("Table I covers every lot size")  # pragma: no cover


def _aql_index(aql: float) -> int:
    aqls = [float(a) for a in _tables()["aqls"]]
    for i, a in enumerate(aqls):
        if abs(a - aql) < 1e-9:
            return i
    raise InputError(f"AQL {aql:g} is not a preferred ISO 2859-1 value", field="--aql",
                     fix="use one of " + ", ".join(f"{a:g}" for a in aqls))


def plan_for(lot_size: int, level: str = "II", aql: float = 1.0,
             severity: Severity = "normal") -> SamplingPlan:
    """The ISO 2859-1 single sampling plan for a lot.

    Parameters:
        lot_size: units in the lot.
        level: inspection level (``S-1``..``S-4``, ``I``, ``II``, ``III``; ``II`` is usual).
        aql: acceptance quality limit, percent nonconforming (0.010..10).
        severity: ``normal``, ``tightened`` or ``reduced``.

    Returns:
        The :class:`SamplingPlan` after following the table's arrows; when its sample size
        reaches the lot size the whole lot is inspected (same Ac/Re).
    """
    t = _tables()
    if severity not in ("normal", "tightened", "reduced"):
        raise InputError(f"unknown severity {severity!r}", field="--severity",
                         fix="use normal, tightened or reduced")
    letters = list(t["sample_sizes"]["normal"])
    start = letters.index(code_letter(lot_size, level))
    col = _aql_index(aql)
    rows = t[severity]["plans"]
    i, step = start, 0
    while True:
        cell = rows[letters[i]][col]
        if cell in ("down", "up"):
            step = step or (1 if cell == "down" else -1)
            nxt = i + step
            if not 0 <= nxt < len(letters):  # an arrow off the table: go the other way
                step, nxt = -step, i - step
            i = nxt
            continue
        ac, re = (int(x) for x in str(cell).split("/"))
        break
    sizes = t["sample_sizes"]["reduced" if severity == "reduced" else "normal"]
    n = int(sizes[letters[i]])
    status = t[severity]["status"]
    return SamplingPlan(lot_size, level, float(aql), severity, letters[i], min(n, lot_size),
                        ac, re, status, t[severity]["source"])


def draw_sample(serials: Sequence[str], n: int, seed: int) -> list[str]:
    """Draw ``n`` distinct serials reproducibly (sorted first, so input order does not matter).

    Parameters:
        serials: the lot's serials.
        n: sample size (the whole lot when ``n`` reaches its size).
        seed: the seed recorded with the inspection.

    Returns:
        The sampled serials, sorted.
    """
    pool = sorted(set(serials))
    if n >= len(pool):
        return pool
    idx = np.random.default_rng(seed).choice(len(pool), size=n, replace=False)
    return sorted(pool[int(i)] for i in idx)


@dataclass(frozen=True)
class SwitchingState:
    """Where a supplier's inspections stand under the ISO 2859-1 switching rules.

    ``recent`` holds the last results on normal inspection (True = accepted); ``score`` is the
    switching score towards reduced inspection.

    Example:
        >>> s = SwitchingState()
        >>> s = s.after(accepted=False, tighter_accepts=False, ac=1)
        >>> s = s.after(accepted=False, tighter_accepts=False, ac=1)
        >>> s.severity
        'tightened'
    """

    severity: Severity = "normal"
    recent: tuple[bool, ...] = ()
    accepted_run: int = 0
    rejected_on_tightened: int = 0
    score: int = 0
    discontinued: bool = False

    @property
    def reduced_eligible(self) -> bool:
        """Switching score reached 30 (reduced needs also steady production and the
        responsible authority's approval, which mpokit cannot know)."""
        return self.severity == "normal" and self.score >= 30

    def after(self, *, accepted: bool, tighter_accepts: bool, ac: int,
              allow_reduced: bool = False) -> SwitchingState:
        """The state after one lot's original inspection.

        Parameters:
            accepted: the lot was accepted.
            tighter_accepts: it would also have been accepted at the next stricter AQL.
            ac: the plan's acceptance number (for the switching score).
            allow_reduced: steady production and approval are given for reduced inspection.
        """
        if self.severity == "normal":
            recent = (*self.recent, accepted)[-5:]
            if ac >= 2:
                score = self.score + 3 if tighter_accepts else 0
            else:
                score = self.score + 2 if accepted else 0
            if recent.count(False) >= 2:
                return SwitchingState("tightened")
            if allow_reduced and score >= 30:
                return SwitchingState("reduced")
            return replace(self, recent=recent, score=score)
        if self.severity == "tightened":
            if accepted:
                run = self.accepted_run + 1
                return SwitchingState() if run >= 5 else replace(self, accepted_run=run)
            rej = self.rejected_on_tightened + 1
            return replace(self, accepted_run=0, rejected_on_tightened=rej,
                           discontinued=rej >= 5)
        return self if accepted else SwitchingState()


def tighter_aql(aql: float) -> float | None:
    """The next stricter preferred AQL (None below 0.010)."""
    aqls = [float(a) for a in _tables()["aqls"]]
    i = _aql_index(aql)
    return aqls[i - 1] if i > 0 else None
