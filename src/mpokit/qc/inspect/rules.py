"""IEC 61300-3-35 acceptance tables as data, and grading a fiber's features against them.

The tables live in ``mpokit/standards/data/inspection.yaml`` (each with ``source`` and
``status``); a user file with the same schema replaces them (``--rules FILE``).

Example:
    >>> rules = builtin_rules()
    >>> sorted(rules.classes)
    ['mm-apc', 'mm-pc', 'sm-apc', 'sm-pc']
    >>> zone_b = rules.get("sm-pc").zone("B")
    >>> zone_b.defect_class(3.0).max_count, zone_b.defect_class(6.0).max_count
    (5, 0)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mpokit._yaml import Lines, read_yaml, validate_model
from mpokit.errors import CatalogError, InputError
from mpokit.standards._records import Status
from mpokit.standards.catalog import load_builtin

__all__ = [
    "ClassRules",
    "Ferrule",
    "RuleSet",
    "SizeClass",
    "Violation",
    "ZoneRule",
    "builtin_rules",
    "get_rules",
    "grade_zone",
]

Ferrule = Literal["round", "mt"]
"""Ferrule geometry: a round (cylindrical) single-fiber ferrule or a rectangular MT."""

FeatureKind = Literal["scratch", "defect"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SizeClass(_Strict):
    """One rung of a size ladder: features up to ``max_um`` (None = any size), at most
    ``max_count`` of them (None = no limit)."""

    max_um: float | None = Field(default=None, gt=0)
    max_count: int | None = Field(default=None, ge=0)
    status: Status | None = None

    def text(self, lower_um: float | None, kind: str) -> str:
        """``'5 from 2 um to 5 um'`` style wording of this class."""
        count = "no limit" if self.max_count is None else (
            "none" if self.max_count == 0 else str(self.max_count))
        if self.max_um is None:
            size = f"> {lower_um:g} um" if lower_um else "of any size"
        elif lower_um:
            size = f"{lower_um:g}-{self.max_um:g} um"
        else:
            size = f"<= {self.max_um:g} um"
        return f"{count} {kind} {size}"


def _ladder_ok(classes: Sequence[SizeClass]) -> None:
    if not classes:
        raise ValueError("a size ladder needs at least one class")
    edges = [c.max_um for c in classes]
    if edges[-1] is not None:
        raise ValueError("the last size class must have max_um: null (any larger size)")
    finite = [e for e in edges[:-1] if e is not None]
    if len(finite) != len(edges) - 1 or finite != sorted(set(finite)):
        raise ValueError("max_um must increase from class to class and only the last "
                         "class may be null")


class ZoneRule(_Strict):
    """One inspection zone: an annulus given by diameters, and its two size ladders."""

    name: str
    label: str
    inner_um: float = Field(ge=0)
    outer_um: float = Field(gt=0)
    graded_on: tuple[Ferrule, ...] = ("round", "mt")
    scratches: tuple[SizeClass, ...]
    defects: tuple[SizeClass, ...]

    @model_validator(mode="after")
    def _check(self) -> ZoneRule:
        if self.outer_um <= self.inner_um:
            raise ValueError(f"zone {self.name}: outer_um must be larger than inner_um")
        _ladder_ok(self.scratches)
        _ladder_ok(self.defects)
        return self

    def ladder(self, kind: FeatureKind) -> tuple[SizeClass, ...]:
        """The size ladder for scratches or defects."""
        return self.scratches if kind == "scratch" else self.defects

    def size_class(self, kind: FeatureKind, size_um: float) -> int:
        """Index of the class a feature of ``size_um`` falls into."""
        for i, c in enumerate(self.ladder(kind)):
            if c.max_um is None or size_um <= c.max_um:
                return i
        raise AssertionError("validated ladders end with an open class")  # pragma: no cover

    def defect_class(self, size_um: float) -> SizeClass:
        """The defect class for a size (doctest helper)."""
        return self.defects[self.size_class("defect", size_um)]


class ClassRules(_Strict):
    """The acceptance table of one connector class (``sm-pc``, ``sm-apc``, ``mm-pc`` ...)."""

    name: str
    description: str
    source: str
    status: Status
    note: str | None = None
    zones: tuple[ZoneRule, ...]

    @model_validator(mode="after")
    def _check(self) -> ClassRules:
        for a, b in zip(self.zones, self.zones[1:], strict=False):
            if b.inner_um < a.outer_um - 1e-9:
                raise ValueError(f"zones {a.name} and {b.name} overlap")
        return self

    def zone(self, name: str) -> ZoneRule:
        """The zone called ``name``."""
        for z in self.zones:
            if z.name == name:
                return z
        raise CatalogError("zone", name, [z.name for z in self.zones])

    @property
    def outer_um(self) -> float:
        """Diameter of the outermost zone."""
        return self.zones[-1].outer_um


class FerruleAdvice(_Strict):
    """Debris on an MT ferrule outside the fibers' zones: advice to clean, never a failure."""

    min_debris_um: float = Field(gt=0)
    source: str
    status: Status


class _RulesFile(_Strict):
    classes: list[ClassRules]
    ferrule_advice: FerruleAdvice


@dataclass(frozen=True)
class RuleSet:
    """All connector classes of one rules file."""

    classes: dict[str, ClassRules]
    ferrule_advice: FerruleAdvice
    file: str

    def get(self, name: str) -> ClassRules:
        """The class ``name`` (case-insensitive); ``CatalogError`` with suggestions if
        unknown.

        Parameters
        ----------
        name
            A connector class, e.g. ``sm-apc``.

        Returns
        -------
        ClassRules
            Its zones and acceptance limits."""
        try:
            return self.classes[name.lower()]
        except KeyError:
            raise CatalogError("connector class", name, list(self.classes)) from None


def _parse(data: Any, lines: Lines) -> RuleSet:
    model = validate_model(data, _RulesFile, lines,
                           fix="see the header of mpokit/standards/data/inspection.yaml")
    return RuleSet({c.name.lower(): c for c in model.classes}, model.ferrule_advice,
                   lines.file or "<rules>")


@lru_cache(maxsize=1)
def builtin_rules() -> RuleSet:
    """The packaged tables (``standards/data/inspection.yaml``)."""
    return _parse(*load_builtin("inspection.yaml"))


def get_rules(path: str | os.PathLike[str] | None = None) -> RuleSet:
    """The packaged tables, or a user's rules file with the same schema.

    Parameters
    ----------
    path
        A rules file (None: the packaged tables).

    Returns
    -------
    RuleSet
        The acceptance tables by connector class."""
    if path is None:
        return builtin_rules()
    return _parse(*read_yaml(path))


@dataclass(frozen=True)
class Violation:
    """A broken rule: which zone, which kind and class, how many found against the limit."""

    zone: str
    kind: FeatureKind
    rule: str
    found: int
    allowed: int
    feature_ids: tuple[int, ...]
    status: Status

    def text(self) -> str:
        """One line for a report."""
        ids = ", ".join(f"#{i}" for i in self.feature_ids)
        return (f"zone {self.zone}: {self.found} found, rule '{self.rule}' "
                f"({self.status}) [{ids}]")


def grade_zone(
    rules: ClassRules,
    zone: ZoneRule,
    kind: FeatureKind,
    sizes_um: Sequence[float],
    ids: Sequence[int],
) -> list[Violation]:
    """Count features of one kind in one zone per size class and list the broken classes.

    Example:
        >>> r = builtin_rules().get("sm-pc")
        >>> [v.rule for v in grade_zone(r, r.zone("B"), "defect", [3, 3, 3, 3, 3, 3], range(6))]
        ['5 defects 2-5 um']
    """
    ladder = zone.ladder(kind)
    buckets: list[list[int]] = [[] for _ in ladder]
    for size, fid in zip(sizes_um, ids, strict=True):
        buckets[zone.size_class(kind, float(size))].append(int(fid))
    out: list[Violation] = []
    lower: float | None = None
    word = "scratches" if kind == "scratch" else "defects"
    for cls, members in zip(ladder, buckets, strict=True):
        if cls.max_count is not None and len(members) > cls.max_count:
            out.append(Violation(zone.name, kind, cls.text(lower, word), len(members),
                                 cls.max_count, tuple(members), cls.status or rules.status))
        lower = cls.max_um
    return out


def rules_error(name: str, rules: RuleSet) -> InputError:
    """An input error for an unknown class name, listing the known ones."""
    return InputError(f"unknown connector class {name!r}", field="--class",
                      fix=f"use one of {', '.join(rules.classes)}")
