"""The records of a loss budget: :class:`Part`, :class:`Reflection` and :class:`LossBudget`.

:mod:`mpokit.loss.budget` builds them and :mod:`mpokit.loss.findings` judges them; both
import this module, so neither imports the other back.

>>> p = Part(0, "adapter", "MPO adapter", 0.75, 0.35, "grade C", "vendor", "C", 1)
>>> LossBudget("c1", None, None, 850.0, 8, (p,), None, ()).connection_db
0.75
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np

from mpokit.connectivity.checks import Finding
from mpokit.loss.limits import Limit

__all__ = [
    "CONNECTION_KINDS", "EPS_DB", "RUN_KINDS", "Case", "LossBudget", "Part", "Reflection",
]

Case = Literal["worst", "nominal"]
EPS_DB = 1e-9  # totals equal to the limit pass
CONNECTION_KINDS = ("adapter", "cassette", "ocs")
RUN_KINDS = ("cord", "trunk", "breakout")


@dataclass(frozen=True)
class Part:
    """One line of the breakdown: a mating, splice, switch port pair or fiber run."""

    at: int
    kind: str  # adapter | cassette | ocs | splice | cord | trunk | breakout
    what: str
    loss_db: float  # worst case
    nominal_db: float
    basis: str  # "loss_db", "grade C", "default grade TIA", "attenuation_db_per_km", ...
    status: str  # explicit | verified | derived | vendor | typical
    grade: str | None = None
    connections: int = 0  # mated connector pairs this part stands for
    splices: int = 0
    length_m: float = 0.0
    db_per_km: float | None = None

    def value(self, case: Case) -> float:
        """The part's loss for ``case``.

        Parameters
        ----------
        case
            ``"worst"`` or ``"nominal"``.

        Returns
        -------
        float
            Loss in dB.
        """
        return self.loss_db if case == "worst" else self.nominal_db

    def to_dict(self) -> dict[str, Any]:
        """The part's row of the ``breakdown``.

        Returns
        -------
        dict[str, Any]
            Where, what, worst and nominal loss, basis and status (and length for fiber runs).
        """
        d: dict[str, Any] = {
            "at": f"path[{self.at}]",
            "kind": self.kind,
            "what": self.what,
            "loss_db": round(self.loss_db, 4),
            "nominal_db": round(self.nominal_db, 4),
            "basis": self.basis,
            "status": self.status,
        }
        if self.kind in RUN_KINDS:
            d["length_m"] = self.length_m
            d["db_per_km"] = self.db_per_km
        if self.grade:
            d["grade"] = self.grade
        return d


@dataclass(frozen=True)
class Reflection:
    """One discrete reflection: a mating's reflectance and where its value came from."""

    at: int
    kind: str
    reflectance_db: float
    status: str  # explicit or a catalogue status


@dataclass(frozen=True)
class LossBudget:
    """The deterministic loss result of one channel (see module docstring)."""

    name: str
    pmd: str | None
    fiber: str | None  # the limiting fiber type of the channel
    wavelength_nm: float
    fibers: int  # fiber paths: 2 directions x lanes
    parts: tuple[Part, ...]
    limit: Limit | None
    reflections: tuple[Reflection, ...]
    findings: tuple[Finding, ...] = ()

    def total(self, case: Case = "worst") -> float:
        """The channel's insertion loss, summed over its parts.

        Parameters
        ----------
        case
            ``"worst"`` or ``"nominal"`` per-part loss.

        Returns
        -------
        float
            Loss in dB.
        """
        return float(sum(p.value(case) for p in self.parts))

    @cached_property
    def total_db(self) -> float:
        """Worst-case insertion loss of every lane (dB)."""
        return self.total("worst")

    @cached_property
    def nominal_db(self) -> float:
        """Nominal (mean) insertion loss (dB)."""
        return self.total("nominal")

    @cached_property
    def fiber_db(self) -> float:
        return float(sum(p.loss_db for p in self.parts if p.kind in RUN_KINDS))

    @property
    def connection_db(self) -> float:
        """Loss of everything but fiber (worst case): what the connection allowance covers."""
        return self.total_db - self.fiber_db

    @property
    def length_m(self) -> float:
        return float(sum(p.length_m for p in self.parts))

    @property
    def connections(self) -> int:
        return sum(p.connections for p in self.parts)

    @property
    def splices(self) -> int:
        return sum(p.splices for p in self.parts)

    @property
    def margin_db(self) -> float | None:
        return None if self.limit is None else self.limit.max_il_db - self.total_db

    @property
    def lanes_db(self) -> np.ndarray:
        """Worst-case loss per fiber path (a->b lanes, then b->a); equal without per-fiber data."""
        return np.full(self.fibers, self.total_db)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The ``"loss"`` object of ``mpokit check --json`` (worst lane).

        Returns
        -------
        dict[str, Any]
            Totals, margins, length, reach and the per-part ``breakdown``, rounded for output.
        """
        lim = self.limit
        r = self.reflections
        return {
            "pmd": self.pmd,
            "fiber": self.fiber,
            "wavelength_nm": self.wavelength_nm,
            "total_db": round(self.total_db, 4),
            "nominal_db": round(self.nominal_db, 4),
            "limit_db": lim.max_il_db if lim else None,
            "limit_status": lim.status if lim else None,
            "margin_db": round(self.margin_db, 4) if self.margin_db is not None else None,
            "nominal_margin_db": round(lim.max_il_db - self.nominal_db, 4) if lim else None,
            "length_m": round(self.length_m, 4),
            "reach_m": lim.reach_m if lim else None,
            "reach_status": lim.reach_status if lim else None,
            "connections": self.connections,
            "splices": self.splices,
            "connection_db": round(self.connection_db, 4),
            "connection_allowance_db": lim.connection_allowance_db if lim else None,
            "fiber_db": round(self.fiber_db, 4),
            "lanes_db": [round(float(x), 4) for x in self.lanes_db],
            "reflections": {
                "count": len(r),
                "max_db": max((x.reflectance_db for x in r), default=None),
            },
            "breakdown": [p.to_dict() for p in self.parts],
        }
