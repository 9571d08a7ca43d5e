"""Grading IL/RL results per fiber and per assembly, and random-mating grade estimates.

A :class:`LimitProfile` gives per-fiber limits for a test against a reference-grade plug
(``il_max_db``, ``rl_min_db``), either directly (a buyer's spec) or through an IEC 61753-1
IL grade (its 97 % value, from ``standards/data/grades.yaml``) and RL grade
(``store/data/limits.yaml``). Each fiber's worst value over the measured wavelengths is
judged; an assembly passes when every fiber of every end passes. A required RL that was not
measured makes the verdict ``unmeasurable``, never ``pass``.

The random-mating estimate follows IEC 61753-1's idea of a grade as the statistics of random
matings. mpokit's model (documented in ``docs/store.md``): the loss of a fiber against a
reference plug comes from its lateral offset, loss ~ offset squared, so two plugs with
losses ``a`` and ``b`` mated at a random relative offset direction ``t`` lose
``a + b - 2 sqrt(a b) cos t``. Pairs are drawn from the population with a seed.

Example:
    >>> import numpy as np
    >>> prof = get_profile("iec-B-2")
    >>> prof.il_max_db, prof.rl_min_db
    (0.25, 45.0)
    >>> g = grade_fibers(np.array([0.1, 0.3]), np.array([60.0, 50.0]), prof)
    >>> g.verdicts.tolist(), g.il_grades.tolist()
    (['pass', 'fail'], ['A', 'C'])
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from mpokit._files import read_input_text
from mpokit._yaml import load_yaml, parse_model
from mpokit.errors import CatalogError, suggest
from mpokit.standards._records import Record, Status, Strict
from mpokit.standards.catalog import load_builtin

__all__ = [
    "FiberGrades",
    "IlGrade",
    "LimitProfile",
    "MatingEstimate",
    "RlGrade",
    "estimate_random_mating",
    "get_profile",
    "grade_fibers",
    "il_grades",
    "profiles",
    "read_profile",
    "rl_grades",
]

Verdict = Literal["pass", "fail", "unmeasurable"]


class IlGrade(Strict):
    """An IEC 61753-1 IL grade: mean and 97 % loss of random-mated pairs."""

    name: str
    mean_db: float
    p97_db: float
    source: str
    status: Status


class RlGrade(Record):
    """An IEC 61753-1 RL grade: the minimum return loss."""

    min_rl_db: float
    description: str = ""


class LimitProfile(Record):
    """Per-fiber limits; give ``il_grade``/``rl_grade`` or the values themselves."""

    description: str = ""
    il_grade: str | None = None
    rl_grade: str | None = None
    il_max_db: float | None = Field(default=None, gt=0)
    rl_min_db: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _resolve(self) -> LimitProfile:
        if self.il_grade is None and self.il_max_db is None:
            raise ValueError("give il_max_db or il_grade")
        return self


def il_grades() -> list[IlGrade]:
    """IEC 61753-1 IL grades A..D from ``standards/data/grades.yaml``, best first."""
    return list(_il_grades())


@cache
def _il_grades() -> tuple[IlGrade, ...]:
    data, _ = load_builtin("grades.yaml")
    return tuple(IlGrade(name=g["name"], mean_db=g["mean_db"], p97_db=g["p97_db"],
                    source=g["source"], status=g["status"])
            for g in data["grades"] if g.get("kind") == "connection"
            and g["name"] in ("A", "B", "C", "D"))


@cache
def _limits() -> dict[str, Any]:
    text = resources.files("mpokit.store").joinpath("data", "limits.yaml").read_text("utf-8")
    data, _ = load_yaml(text, file="mpokit/store/data/limits.yaml")
    return dict(data)


def rl_grades() -> list[RlGrade]:
    """IEC 61753-1 RL grades 1..4, best first."""
    return list(_rl_grades())


@cache
def _rl_grades() -> tuple[RlGrade, ...]:
    return tuple(RlGrade.model_validate(r) for r in _limits()["rl_grades"])


def _resolved(p: LimitProfile) -> LimitProfile:
    upd: dict[str, Any] = {}
    if p.il_max_db is None and p.il_grade is not None:
        known = {g.name: g for g in il_grades()}
        if p.il_grade not in known:
            raise CatalogError("IL grade", p.il_grade, known)
        upd["il_max_db"] = known[p.il_grade].p97_db
    if p.rl_min_db is None and p.rl_grade is not None:
        rknown = {g.name: g for g in rl_grades()}
        if p.rl_grade not in rknown:
            raise CatalogError("RL grade", p.rl_grade, rknown)
        upd["rl_min_db"] = rknown[p.rl_grade].min_rl_db
    return p.model_copy(update=upd) if upd else p


def profiles() -> dict[str, LimitProfile]:
    """The built-in limit profiles by name."""
    return {p["name"]: _resolved(LimitProfile.model_validate(p))
            for p in _limits()["profiles"]}


def read_profile(path: str | os.PathLike[str]) -> LimitProfile:
    """Read a buyer's spec: a YAML file with one profile's keys (see ``docs/store.md``).

    Parameters:
        path: the YAML file.

    Returns:
        The resolved :class:`LimitProfile`.
    """
    p = Path(path)
    text = read_input_text(p)  # names the file: not found, a folder, too big, not UTF-8
    return _resolved(parse_model(text, LimitProfile, file=str(p)))


def get_profile(name_or_file: str) -> LimitProfile:
    """A built-in profile by name, or a spec file by path (a name with ``.yaml``/``.yml``)."""
    if name_or_file.endswith((".yaml", ".yml")):
        return read_profile(name_or_file)
    known = profiles()
    if name_or_file not in known:
        if suggest(name_or_file, known):
            raise CatalogError("limit profile", name_or_file, known)
        from mpokit.qc.profiles import builtin_profiles

        other = (f"; {name_or_file} is an end-face geometry profile, for 'mpokit qc geometry'"
                 if name_or_file in builtin_profiles() else "")
        raise CatalogError("limit profile", name_or_file, known,
                           fix=f"use one of {', '.join(known)}, or a buyer spec .yaml file{other}")
    return known[name_or_file]


@dataclass(frozen=True)
class FiberGrades:
    """Per-fiber verdicts and IEC grades (arrays aligned with the input)."""

    verdicts: NDArray[np.str_]
    il_grades: NDArray[np.str_]
    rl_grades: NDArray[np.str_]

    @property
    def verdict(self) -> Verdict:
        """The assembly verdict: fail if any fiber fails, else unmeasurable if any is."""
        v = set(self.verdicts.tolist())
        return "fail" if "fail" in v else "unmeasurable" if "unmeasurable" in v else "pass"

    @property
    def grade(self) -> str:
        """The worst fiber's IL grade and RL grade, e.g. ``"B/2"`` (``-`` when none fits)."""
        def worst(arr: NDArray[np.str_], order: list[str]) -> str:
            ranks = [order.index(x) if x in order else len(order) for x in arr.tolist()]
            r = max(ranks, default=len(order))
            return order[r] if r < len(order) else "-"
        il = worst(self.il_grades, [g.name for g in il_grades()])
        rl = worst(self.rl_grades, [g.name for g in rl_grades()])
        return f"{il}/{rl}"


def _best_grade(values: NDArray[np.float64], names: list[str], limits: list[float],
                higher_better: bool) -> NDArray[np.str_]:
    out = np.full(values.shape, "-", dtype=object)
    for name, lim in reversed(list(zip(names, limits, strict=True))):
        ok = values >= lim if higher_better else values <= lim
        out[ok] = name
    out[np.isnan(values)] = "?"
    return out.astype(str)


def grade_fibers(il_db: NDArray[np.float64], rl_db: NDArray[np.float64],
                 profile: LimitProfile) -> FiberGrades:
    """Judge fibers' worst IL and RL (one value each, NaN where RL was not measured).

    Parameters:
        il_db: per-fiber IL against a reference plug (worst wavelength), dB.
        rl_db: per-fiber RL (worst wavelength), dB; NaN when not measured.
        profile: the limits.

    Returns:
        :class:`FiberGrades` with ``pass``/``fail``/``unmeasurable`` per fiber.
    """
    il = np.asarray(il_db, dtype=float)
    rl = np.asarray(rl_db, dtype=float)
    fail = il > (profile.il_max_db or np.inf)
    unmeas = np.isnan(il)
    if profile.rl_min_db is not None:
        fail |= rl < profile.rl_min_db
        unmeas |= np.isnan(rl)
    verdicts = np.where(fail, "fail", np.where(unmeas, "unmeasurable", "pass"))
    ig, rg = il_grades(), rl_grades()
    return FiberGrades(
        verdicts=verdicts.astype(str),
        il_grades=_best_grade(il, [g.name for g in ig], [g.p97_db for g in ig], False),
        rl_grades=_best_grade(rl, [g.name for g in rg], [g.min_rl_db for g in rg], True),
    )


@dataclass(frozen=True)
class MatingEstimate:
    """Random-mating statistics of a population and the best IEC IL grade they meet."""

    fibers: int
    matings: int
    mean_db: float
    p97_db: float
    grade: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"fibers": self.fibers, "matings": self.matings,
                "mean_db": round(self.mean_db, 4), "p97_db": round(self.p97_db, 4),
                "grade": self.grade, "reason": self.reason}


MIN_FIBERS_FOR_ESTIMATE = 30


def random_mating_chunk(il_db: NDArray[np.float64], owner: NDArray[np.int64], n: int,
                        seed: int | np.random.SeedSequence) -> NDArray[np.float64]:
    """``n`` random-mated losses drawn from per-fiber IL values (pure; one engine task).

    Two fibers of the same assembly are never mated with each other (``owner`` ids).

    Example:
        >>> x = random_mating_chunk(np.array([0.1, 0.1]), np.array([0, 1]), 1000, 1)
        >>> bool(0.0 <= x.min() and x.max() <= 0.4 + 1e-12)
        True
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(0, il_db.size, n)
    b = rng.integers(0, il_db.size, n)
    same = owner[a] == owner[b]
    while same.any():
        b[same] = rng.integers(0, il_db.size, int(same.sum()))
        same = owner[a] == owner[b]
    x, y = np.clip(il_db[a], 0, None), np.clip(il_db[b], 0, None)
    t = rng.uniform(0.0, 2.0 * np.pi, n)
    return np.asarray(x + y - 2.0 * np.sqrt(x * y) * np.cos(t))


def estimate_random_mating(
    il_db: NDArray[np.float64],
    owner: NDArray[np.int64],
    *,
    matings: int = 200_000,
    seed: int = 0,
    chunks: int = 8,
    map_fn: Any = None,
) -> MatingEstimate:
    """Mean and 97 % loss of random matings of a population, and its IEC 61753-1 IL grade.

    Parameters:
        il_db: per-fiber IL against a reference plug (one value per fiber), dB.
        owner: the assembly (any integer id) of each fiber; a plug never mates itself.
        matings: how many random matings to draw.
        seed: the seed; the same seed gives the same answer on every engine.
        chunks: the draws are split into this many independent tasks.
        map_fn: ``map_fn(function, list_of_argument_tuples) -> list``; an engine's
            ``starmap`` (local by default).

    Returns:
        A :class:`MatingEstimate`; grade ``unmeasurable`` with a reason when the population
        is too small (under 30 fibers or from one assembly).
    """
    il = np.asarray(il_db, dtype=float)
    own = np.asarray(owner, dtype=np.int64)
    keep = np.isfinite(il)
    il, own = il[keep], own[keep]
    if il.size < MIN_FIBERS_FOR_ESTIMATE or np.unique(own).size < 2:
        return MatingEstimate(int(il.size), 0, float("nan"), float("nan"), "unmeasurable",
                              f"needs at least {MIN_FIBERS_FOR_ESTIMATE} fibers from 2 or more "
                              "assemblies")
    seeds = np.random.SeedSequence(seed).spawn(chunks)
    sizes = [matings // chunks + (1 if i < matings % chunks else 0) for i in range(chunks)]
    args = [(il, own, n, s) for n, s in zip(sizes, seeds, strict=True)]
    if map_fn is None:
        parts = [random_mating_chunk(*a) for a in args]
    else:
        parts = list(map_fn(random_mating_chunk, args))
    loss = np.concatenate(parts)
    mean, p97 = float(loss.mean()), float(np.quantile(loss, 0.97))
    grade = next((g.name for g in il_grades() if mean <= g.mean_db and p97 <= g.p97_db), "-")
    return MatingEstimate(int(il.size), int(loss.size), mean, p97, grade)
