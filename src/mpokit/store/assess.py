"""Reading results back from the store and grading assemblies.

Per serial, the newest imported value of each (end, fiber, wavelength) counts (a re-test
replaces an earlier one); supplier data and incoming re-measurements are kept apart by
``origin``. Grading is array work per assembly and runs on any engine
(:mod:`mpokit._engines`) with the same result.

Example:
    >>> import numpy as np
    >>> from mpokit.store.grading import get_profile
    >>> d = AssemblyData("S1", np.array(["A", "A"]), np.array([1, 1]),
    ...     np.array([1310.0, 1550.0]), np.array([0.1, 0.2]), np.array([60.0, 58.0]))
    >>> grade_assembly(d, get_profile("iec-B-2")).verdict
    'pass'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from mpokit._engines import Engine
from mpokit.store.db import Store
from mpokit.store.grading import FiberGrades, LimitProfile, grade_fibers
from mpokit.store.models import Assembly, GeometryEnd, GeometryFiber, Measurement

__all__ = ["AssemblyData", "AssemblyGrade", "grade_all", "grade_assembly", "load_assemblies"]


@dataclass(frozen=True)
class AssemblyData:
    """One assembly's IL/RL values, one array element per (end, fiber, wavelength)."""

    serial: str
    end: NDArray[np.str_]
    fiber: NDArray[np.int64]
    wavelength_nm: NDArray[np.float64]
    il_db: NDArray[np.float64]
    rl_db: NDArray[np.float64]
    lot: str | None = None
    supplier: str | None = None
    stations: tuple[str, ...] = ()
    geometry: tuple[dict[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class AssemblyGrade:
    """An assembly's verdict, grade and per-fiber worst values."""

    serial: str
    profile: str
    verdict: str
    grade: str
    ends: tuple[str, ...]
    fibers: tuple[int, ...]
    il_worst_db: tuple[float, ...]
    rl_worst_db: tuple[float, ...]
    fiber_verdicts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"serial": self.serial, "profile": self.profile, "verdict": self.verdict,
                "grade": self.grade,
                "fibers": [{"end": e, "fiber": f, "il_db": _r(i), "rl_db": _r(r), "verdict": v}
                           for e, f, i, r, v in zip(self.ends, self.fibers, self.il_worst_db,
                                                    self.rl_worst_db, self.fiber_verdicts,
                                                    strict=True)]}


def _r(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def grade_assembly(data: AssemblyData, profile: LimitProfile) -> AssemblyGrade:
    """Grade one assembly: each fiber's worst IL (max) and RL (min) over wavelengths.

    Parameters:
        data: the assembly's values.
        profile: the limits.

    Returns:
        An :class:`AssemblyGrade`; ``unmeasurable`` when it has no values at all.
    """
    if data.il_db.size == 0:
        return AssemblyGrade(data.serial, profile.name, "unmeasurable", "-/-", (), (), (), (),
                             ())
    keys = np.char.add(np.char.add(data.end.astype(str), "\x00"), data.fiber.astype(str))
    uniq, inv = np.unique(keys, return_inverse=True)
    n = uniq.size
    il = np.full(n, -np.inf)
    np.maximum.at(il, inv, data.il_db)
    rl_src = np.where(np.isnan(data.rl_db), np.inf, data.rl_db)
    rl = np.full(n, np.inf)
    np.minimum.at(rl, inv, rl_src)
    # a fiber with RL missing at any wavelength has no trustworthy worst RL
    missing = np.zeros(n, dtype=bool)
    np.logical_or.at(missing, inv, np.isnan(data.rl_db))
    rl[missing] = np.nan
    first = np.zeros(n, dtype=np.int64)
    first[inv[::-1]] = np.arange(inv.size)[::-1]
    g: FiberGrades = grade_fibers(il, rl, profile)
    order = np.lexsort((data.fiber[first], data.end[first]))
    return AssemblyGrade(
        serial=data.serial, profile=profile.name, verdict=g.verdict, grade=g.grade,
        ends=tuple(data.end[first][order].tolist()),
        fibers=tuple(int(x) for x in data.fiber[first][order]),
        il_worst_db=tuple(float(x) for x in il[order]),
        rl_worst_db=tuple(float(x) for x in rl[order]),
        fiber_verdicts=tuple(g.verdicts[order].tolist()))


def load_assemblies(store: Store, serials: Sequence[str] | None = None, *,
                    origin: str = "supplier", lot: str | None = None,
                    with_geometry: bool = False) -> list[AssemblyData]:
    """Every assembly's newest values from the store (sorted by serial).

    Parameters:
        store: the open store.
        serials: only these (all when None).
        origin: ``"supplier"`` or ``"incoming"``.
        lot: only assemblies of this lot.
        with_geometry: also load geometry summaries and per-fiber heights.

    Returns:
        One :class:`AssemblyData` per serial that has IL/RL values.
    """
    with store.read() as s:
        q = (select(Measurement.serial, Measurement.end, Measurement.fiber,
                    Measurement.wavelength_nm, Measurement.il_db, Measurement.rl_db,
                    Measurement.station)
             .where(Measurement.origin == origin).order_by(Measurement.file_id))
        if serials is not None:
            q = q.where(Measurement.serial.in_(list(serials)))
        if lot is not None:
            q = q.join(Assembly, Assembly.serial == Measurement.serial).where(Assembly.lot == lot)
        latest: dict[tuple[str, str, int, float], tuple[float, float | None, str]] = {}
        for serial, end, fiber, wl, il, rl, st in s.execute(q):
            latest[(serial, end, fiber, wl)] = (il, rl, st)
        meta_q = select(Assembly.serial, Assembly.lot, Assembly.supplier)
        meta = {a: (b, c) for a, b, c in s.execute(meta_q)}
        geo: dict[str, list[dict[str, Any]]] = {}
        if with_geometry:
            gq = select(GeometryEnd).order_by(GeometryEnd.id)
            if serials is not None:
                gq = gq.where(GeometryEnd.serial.in_(list(serials)))
            ends_rows = list(s.scalars(gq))
            per_end: dict[int, list[dict[str, Any]]] = {}
            for i in range(0, len(ends_rows), 500):  # one query per 500 ends, not one per end
                ids = [ge.id for ge in ends_rows[i:i + 500]]
                for eid, f, x, y, h in s.execute(
                        select(GeometryFiber.end_id, GeometryFiber.fiber, GeometryFiber.x_um,
                               GeometryFiber.y_um, GeometryFiber.height_nm)
                        .where(GeometryFiber.end_id.in_(ids)).order_by(GeometryFiber.fiber)):
                    per_end.setdefault(eid, []).append(
                        {"fiber": f, "x_um": x, "y_um": y, "height_nm": h})
            for ge in ends_rows:
                entry = {"end": ge.end, "profile": ge.profile, "ok": ge.ok,
                         "parameters": ge.parameters, "failed_checks": ge.failed_checks,
                         "fibers": per_end.get(ge.id, [])}
                ends = geo.setdefault(ge.serial, [])
                ends[:] = [e for e in ends if e["end"] != ge.end] + [entry]
    by_serial: dict[str, list[tuple[Any, ...]]] = {}
    for (serial, end, fiber, wl), (il, rl, st) in latest.items():
        by_serial.setdefault(serial, []).append((end, fiber, wl, il, rl, st))
    out = []
    for serial in sorted(by_serial):
        rows = by_serial[serial]
        lot_, sup = meta.get(serial, (None, None))
        out.append(AssemblyData(
            serial=serial,
            end=np.array([r[0] for r in rows], dtype=str),
            fiber=np.array([r[1] for r in rows], dtype=np.int64),
            wavelength_nm=np.array([r[2] for r in rows], dtype=float),
            il_db=np.array([r[3] for r in rows], dtype=float),
            rl_db=np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float),
            lot=lot_, supplier=sup, stations=tuple(sorted({r[5] for r in rows})),
            geometry=tuple(geo.get(serial, ()))))
    return out


def _grade_chunk(chunk: list[AssemblyData], profile: LimitProfile) -> list[AssemblyGrade]:
    return [grade_assembly(d, profile) for d in chunk]


def grade_all(data: Sequence[AssemblyData], profile: LimitProfile,
              engine: Engine | None = None, chunk_size: int = 500) -> list[AssemblyGrade]:
    """Grade many assemblies, in chunks over ``engine`` (in this process when None).

    Returns:
        One :class:`AssemblyGrade` per input, in input order (the same on every engine).
    """
    chunks = [(list(data[i:i + chunk_size]), profile) for i in range(0, len(data), chunk_size)]
    if engine is None:
        parts = [_grade_chunk(*c) for c in chunks]
    else:
        parts = engine.starmap(_grade_chunk, chunks)
    return [g for part in parts for g in part]
