"""Supportable distance: how far an application reaches with so many connections.

The planning question vendors answer with web calculators::

    length = min(reach_m, (max_il_db - connections x per_connection - splices x per_splice)
                           / db_per_km x 1000)

rounded down to 0.1 m. The per-connection loss is the grade's worst-case value
(``case="worst"``) or its mean (``case="nominal"``).

>>> r = supportable_length("400GBASE-SR8", "OM4", connections=2, grade="C")
>>> r.length_m, r.limited_by, round(r.loss_length_m, 1)
(100.0, 'reach', 300.0)
>>> [x.length_m for x in reach_table("400GBASE-SR8", "OM4", "TIA", connections=range(4))]
[100.0, 100.0, 100.0, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from mpokit.errors import InputError
from mpokit.loss.grades import defaults
from mpokit.loss.limits import application, attenuation, channel_limit

__all__ = ["Reach", "max_connections", "reach_table", "supportable_length"]

Case = Literal["worst", "nominal"]


@dataclass(frozen=True)
class Reach:
    """The longest channel an application supports with a given connection count."""

    pmd: str
    fiber: str
    connections: int
    grade: str
    splices: int
    case: str
    per_connection_db: float
    connection_db: float  # connections + splices
    max_il_db: float
    limit_status: str
    reach_m: float
    reach_status: str
    db_per_km: float
    loss_length_m: float  # where fiber loss uses up the remaining budget (may be < 0)
    length_m: float  # min(loss_length_m, reach_m), rounded down to 0.1 m, >= 0
    limited_by: Literal["reach", "loss", "infeasible"]

    def to_dict(self) -> dict[str, Any]:
        """The record of ``mpokit reach --json``.

        Returns
        -------
        dict[str, Any]
            Every field, losses rounded to 0.1 mdB.
        """
        d = asdict(self)
        for k in ("per_connection_db", "connection_db", "loss_length_m"):
            d[k] = round(d[k], 4)
        return d


def _floor01(x: float) -> float:
    return math.floor(x * 10 + 1e-9) / 10


def supportable_length(
    pmd: str,
    fiber: str,
    connections: int,
    grade: str | None = None,
    *,
    splices: int = 0,
    splice_grade: str | None = None,
    case: Case = "worst",
    per_connection_db: float | None = None,
    db_per_km: float | None = None,
) -> Reach:
    """The longest supported channel of ``pmd`` over ``fiber`` with these connections.

    ``per_connection_db`` overrides the grade's value; ``db_per_km`` the fiber's.

    Parameters
    ----------
    pmd
        A PMD name.
    fiber
        A fiber type.
    connections
        Mated connector pairs in the channel.
    grade
        Their grade (None: the default grade).
    splices
        Splices in the channel.
    splice_grade
        Their grade (None: the default splice grade).
    case
        ``"worst"`` or ``"nominal"`` per-connection loss.
    per_connection_db
        Overrides the grade's loss.
    db_per_km
        Overrides the fiber's attenuation.

    Returns
    -------
    Reach
        The longest length and what limits it (``loss``, ``reach`` or ``infeasible``).
    """
    if connections < 0 or splices < 0:
        raise InputError("connections and splices must be >= 0", field="connections")
    lim = channel_limit(pmd, fiber)
    if lim is None:
        listed = ", ".join(r.fiber for r in application(pmd).fibers)
        raise InputError(f"{pmd} has no limit over {fiber} in the data", field="fiber",
                         fix=f"listed fibers: {listed}")
    g = _grade(grade or defaults().connection, "grade")
    per = g.value(case) if per_connection_db is None else float(per_connection_db)
    sg = _grade(splice_grade or defaults().splice, "splice_grade")
    conn_db = connections * per + splices * sg.value(case)
    a = attenuation(fiber, application(pmd).wavelength_nm).db_per_km if db_per_km is None \
        else float(db_per_km)
    left = lim.max_il_db - conn_db
    loss_len = left / a * 1000.0 if a > 0 else (math.inf if left >= 0 else -math.inf)
    if left < -1e-9:
        length, by = 0.0, "infeasible"
    elif loss_len < lim.reach_m:
        length, by = _floor01(max(loss_len, 0.0)), "loss"
    else:
        length, by = lim.reach_m, "reach"
    return Reach(
        pmd=lim.pmd, fiber=fiber, connections=connections,
        grade=g.name if per_connection_db is None else f"{per_connection_db:g} dB",
        splices=splices, case=case, per_connection_db=per, connection_db=conn_db,
        max_il_db=lim.max_il_db, limit_status=lim.status, reach_m=lim.reach_m,
        reach_status=lim.reach_status, db_per_km=a, loss_length_m=loss_len,
        length_m=length, limited_by=by,  # type: ignore[arg-type]
    )


def _grade(name: str, field: str) -> Any:
    from mpokit.loss.budget import _lookup

    return _lookup(name, field)


def reach_table(
    pmd: str,
    fiber: str,
    grade: str | None = None,
    *,
    connections: Iterable[int] = range(0, 9),
    splices: int = 0,
    case: Case = "worst",
    per_connection_db: float | None = None,
    db_per_km: float | None = None,
) -> list[Reach]:
    """:func:`supportable_length` for each connection count (a vendor-style table).

    Parameters
    ----------
    pmd
        A PMD name.
    fiber
        A fiber type.
    grade
        The connection grade (None: the default grade).
    connections
        The connection counts to tabulate.
    splices
        Splices in every row.
    case
        ``"worst"`` or ``"nominal"`` per-connection loss.
    per_connection_db
        Overrides the grade's loss.
    db_per_km
        Overrides the fiber's attenuation.

    Returns
    -------
    list[Reach]
        One row per connection count.
    """
    return [
        supportable_length(pmd, fiber, n, grade, splices=splices, case=case,
                           per_connection_db=per_connection_db, db_per_km=db_per_km)
        for n in connections
    ]


def max_connections(
    pmd: str, fiber: str, length_m: float, grade: str | None = None, *,
    case: Case = "worst", per_connection_db: float | None = None,
    db_per_km: float | None = None,
) -> int:
    """How many connections of ``grade`` fit in the budget at ``length_m`` (-1: none fit).

    >>> max_connections("40GBASE-SR4", "OM4", 150, "TIA")
    1
    """
    r = supportable_length(pmd, fiber, 0, grade, case=case, per_connection_db=per_connection_db,
                           db_per_km=db_per_km)
    if length_m > r.reach_m + 1e-9:
        return -1
    g = _grade(grade or defaults().connection, "grade")
    per = g.value(case) if per_connection_db is None else per_connection_db
    left = r.max_il_db - length_m / 1000.0 * r.db_per_km
    if left < -1e-9:
        return -1
    return math.floor(left / per + 1e-9) if per > 0 else 10**6

