"""Route environments, fire ratings and cable constructions as catalogue records.

Built-in records live in ``data/environments.yaml`` (environments, NEC fire ratings,
pathway fill limits) and ``data/cable_constructions.yaml`` (constructions, closures and
ODFs). :class:`EnvironmentCatalog` holds one set of them and takes user files with the
same sections (a record replacing a built-in one says ``override: true``).

A fire rating *satisfies* a requirement when it is at least as good: NEC types by their
rank in the substitution hierarchy (OFNP > OFNR > OFNG = OFN), EU CPR Euroclasses by
class (Aca best ... Fca) and by every additional class (smoke s1a < s1b < s2 < s3,
droplets d0 < d1 < d2, acidity a1 < a2 < a3).

>>> cat = environment_catalog()
>>> cat.environments.get("plenum").fire["NEC"]
'OFNP'
>>> cat.satisfies("NEC", "OFNR", "OFNP"), cat.satisfies("NEC", "OFNP", "OFNR")
(False, True)
>>> cpr_satisfies("B2ca-s1a,d0,a1", "Cca-s1b,d1,a1")
True
"""

from __future__ import annotations

import os
import re
from functools import cache
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mpokit._yaml import Lines, read_yaml
from mpokit.errors import InputError
from mpokit.standards._records import Record, Strict
from mpokit.standards.catalog import Catalog, check_sections, load_builtin

__all__ = [
    "CableConstruction",
    "Enclosure",
    "Environment",
    "EnvironmentCatalog",
    "FillLimit",
    "FireRating",
    "Jurisdiction",
    "cpr_satisfies",
    "environment_catalog",
    "parse_cpr",
]

Jurisdiction = Literal["NEC", "CPR"]
"""Fire-rating scheme: US NEC Article 770 cable types, or EU CPR Euroclasses (EN 13501-6)."""

Range = tuple[float, float]

_CPR = re.compile(
    r"^(Aca|B1ca|B2ca|Cca|Dca|Eca|Fca)(?:-(s1a|s1b|s1|s2|s3),(d0|d1|d2),(a1|a2|a3))?$")
_CPR_CLASS = ("Aca", "B1ca", "B2ca", "Cca", "Dca", "Eca", "Fca")
_SMOKE = {"s1a": 0, "s1b": 1, "s1": 1, "s2": 2, "s3": 3}


def parse_cpr(text: str) -> tuple[int, int, int, int]:
    """A CPR Euroclass as numbers, lower is better: (class, smoke, droplets, acidity).

    Eca and Fca have no additional classes (they count as the worst ones).

    Parameters
    ----------
    text
        E.g. ``"Cca-s1b,d1,a1"`` or ``"Eca"``.

    Returns
    -------
    tuple[int, int, int, int]
        Class index (Aca 0 ... Fca 6), smoke, droplets and acidity ranks.

    Raises
    ------
    ValueError
        Not a Euroclass of cables.

    Examples
    --------
    >>> parse_cpr("B2ca-s1a,d0,a1"), parse_cpr("Eca")
    ((2, 0, 0, 0), (5, 3, 2, 2))
    """
    m = _CPR.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a cable Euroclass (e.g. 'Cca-s1b,d1,a1', 'Eca')")
    cls, s, d, a = m.groups()
    if s is None:
        return _CPR_CLASS.index(cls), 3, 2, 2
    return _CPR_CLASS.index(cls), _SMOKE[s], int(d[1]), int(a[1]) - 1


def cpr_satisfies(have: str, need: str) -> bool:
    """Whether a cable of Euroclass ``have`` meets a requirement of ``need``.

    Parameters
    ----------
    have, need
        Euroclasses such as ``"B2ca-s1a,d0,a1"``.

    Returns
    -------
    bool
        True when the class and every additional class are at least as good.

    Examples
    --------
    >>> cpr_satisfies("Cca-s1b,d1,a1", "B2ca-s1a,d1,a1")
    False
    """
    h, n = parse_cpr(have), parse_cpr(need)
    return all(x <= y for x, y in zip(h, n, strict=True))


def _range(v: Range) -> Range:
    if v[0] > v[1]:
        raise ValueError(f"temperature range [{v[0]:g}, {v[1]:g}] C: the minimum is above "
                         "the maximum (write [min, max])")
    return v


class FireRating(Record):
    """An NEC cable type and its rank in the substitution hierarchy."""

    scheme: Literal["NEC"] = "NEC"
    rank: int = Field(ge=0, le=10)
    description: str = ""


class Environment(Record):
    """What a route segment of this kind asks of a cable."""

    description: str = ""
    indoor: bool
    temperature_c: Range = Field(description="Default range when a segment states none.")
    fire: dict[Jurisdiction, str] = Field(default_factory=dict)
    water: bool = False
    rodents: bool = False
    uv: bool = False
    self_supporting: bool = False
    pulled: bool = Field(default=False, description="Installed by pulling (loaded limits).")
    fill: Literal["tray", "conduit"] | None = None
    pull_friction: float = Field(default=0.5, gt=0, le=2)

    _t = field_validator("temperature_c")(_range)

    @field_validator("fire")
    @classmethod
    def _cpr(cls, v: dict[str, str]) -> dict[str, str]:
        if "CPR" in v:
            parse_cpr(v["CPR"])
        return v

    @model_validator(mode="after")
    def _aerial(self) -> Environment:
        if self.uv and self.indoor:
            raise ValueError("an indoor environment does not ask for UV resistance")
        return self


class AttenuationChange(Strict):
    """Largest attenuation increase over the operating range (dB/km), at each end."""

    cold: float = Field(ge=0, le=10)
    hot: float = Field(ge=0, le=10)


class CableConstruction(Record):
    """One cable construction and its limits."""

    description: str = ""
    construction: Literal["tight-buffered", "loose-tube", "rollable-ribbon", "flat-ribbon"]
    jacket: str
    armour: Literal["none", "steel-tape", "corrugated-steel", "dielectric"] = "none"
    fibers: int = Field(ge=1, le=10_000)
    fiber_types: list[str] = Field(min_length=1)
    outside_diameter_mm: float = Field(gt=0, le=200)
    weight_kg_per_m: float = Field(gt=0, le=20)
    bend_radius_unloaded_mm: float = Field(gt=0, le=5000)
    bend_radius_loaded_mm: float = Field(gt=0, le=5000)
    max_pulling_tension_n: float = Field(gt=0, le=100_000)
    operating_temperature_c: Range
    installation_temperature_c: Range
    nec: str | None = None
    cpr: str | None = None
    water_blocked: bool = False
    rodent_resistant: bool = False
    uv_resistant: bool = False
    self_supporting: bool = False
    attenuation_change_db_per_km: AttenuationChange
    price_per_m: float = Field(ge=0)
    reel_lengths_m: list[float] = Field(min_length=1)

    _t = field_validator("operating_temperature_c", "installation_temperature_c")(_range)

    @field_validator("cpr")
    @classmethod
    def _cpr(cls, v: str | None) -> str | None:
        if v is not None:
            parse_cpr(v)
        return v

    @field_validator("reel_lengths_m")
    @classmethod
    def _reels(cls, v: list[float]) -> list[float]:
        if any(x <= 0 or x > 50_000 for x in v):
            raise ValueError("reel lengths are between 0 and 50,000 m")
        return sorted(v)

    @model_validator(mode="after")
    def _radii(self) -> CableConstruction:
        if self.bend_radius_loaded_mm < self.bend_radius_unloaded_mm:
            raise ValueError("the loaded (pulling) bend radius is never below the unloaded one")
        return self

    @property
    def max_reel_m(self) -> float:
        """The longest reel offered (one continuous piece of cable)."""
        return self.reel_lengths_m[-1]


class Enclosure(Record):
    """A splice closure or optical distribution frame."""

    kind: Literal["splice-enclosure", "odf", "odf-mpo"]
    description: str = ""
    capacity_fibers: int = Field(ge=1, le=100_000)
    price: float = Field(ge=0)


class FillLimit(Record):
    """Largest fill of a pathway's cross-section, percent."""

    cables: int = Field(ge=1, le=3)
    limit_percent: float = Field(gt=0, le=100)


_ENV_SECTIONS = ("environments", "fire_ratings", "fill_limits")
_CONS_SECTIONS = ("constructions", "enclosures")


class EnvironmentCatalog:
    """Environments, fire ratings, fill limits, constructions and enclosures."""

    def __init__(self) -> None:
        self.environments: Catalog[Environment] = Catalog(
            "environment", Environment, "environments")
        self.fire_ratings: Catalog[FireRating] = Catalog("fire rating", FireRating, "fire_ratings")
        self.fill_limits: Catalog[FillLimit] = Catalog("fill limit", FillLimit, "fill_limits")
        self.constructions: Catalog[CableConstruction] = Catalog(
            "cable construction", CableConstruction, "constructions")
        self.enclosures: Catalog[Enclosure] = Catalog("enclosure", Enclosure, "enclosures")

    def _all(self) -> dict[str, Catalog[Any]]:
        return {c.key: c for c in (self.environments, self.fire_ratings, self.fill_limits,
                                   self.constructions, self.enclosures)}

    def load(self, data: object, lines: Lines, *, user: bool = False) -> None:
        """Add the records of every section in ``data``.

        Parameters
        ----------
        data, lines
            A parsed file and its line index.
        user
            A user's file (``override: true`` to replace, no ``verified`` claims).
        """
        data = check_sections(data, lines, list(self._all()), "environment catalogue")
        for key, cat in self._all().items():
            if key in data:
                cat.load({key: data[key]}, lines, user=user)
        self._check_references(lines)

    def _check_references(self, lines: Lines) -> None:
        for i, c in enumerate(self.constructions):
            if c.nec is not None and c.nec not in self.fire_ratings:
                raise InputError(f"cable construction {c.name!r}: unknown NEC type {c.nec!r}",
                                 file=lines.file, field=f"constructions[{i}].nec",
                                 fix=f"use one of {', '.join(self.fire_ratings.names())}")
        for e in self.environments:
            need = e.fire.get("NEC")
            if need is not None and need not in self.fire_ratings:
                raise InputError(f"environment {e.name!r}: unknown NEC type {need!r}",
                                 file=lines.file, field="environments.fire.NEC",
                                 fix=f"use one of {', '.join(self.fire_ratings.names())}")

    def extend(self, path: str | os.PathLike[str]) -> None:
        """Add the records of a user file with any of the catalogue's sections.

        Parameters
        ----------
        path
            A YAML file with ``environments``, ``fire_ratings``, ``fill_limits``,
            ``constructions`` and/or ``enclosures`` lists.
        """
        self.load(*read_yaml(path), user=True)

    def satisfies(self, jurisdiction: Jurisdiction, have: str | None, need: str | None) -> bool:
        """Whether a cable rated ``have`` may go where ``need`` is required.

        Parameters
        ----------
        jurisdiction
            ``"NEC"`` or ``"CPR"``.
        have
            The cable's rating (None: unrated).
        need
            The requirement (None: none).

        Returns
        -------
        bool
            True when nothing is required or the rating is at least as good.
        """
        if need is None:
            return True
        if have is None:
            return False
        if jurisdiction == "CPR":
            return cpr_satisfies(have, need)
        return self.fire_ratings.get(have).rank >= self.fire_ratings.get(need).rank

    def fill_limit(self, kind: str, cables: int) -> FillLimit:
        """The fill limit of a ``"tray"`` or ``"conduit"`` holding ``cables`` cables.

        Parameters
        ----------
        kind
            ``"tray"`` or ``"conduit"``.
        cables
            How many cables share it.

        Returns
        -------
        FillLimit
            The record (conduit: by cable count, 1, 2, or 3 and more).
        """
        if kind == "tray":
            return self.fill_limits.get("tray")
        return self.fill_limits.get(f"conduit-{min(max(cables, 1), 3)}")


def _builtin() -> EnvironmentCatalog:
    cat = EnvironmentCatalog()
    env, env_lines = load_builtin("environments.yaml")
    cons, cons_lines = load_builtin("cable_constructions.yaml")
    cat.load(env, env_lines)
    cat.load(cons, cons_lines)
    return cat


@cache
def _cached() -> EnvironmentCatalog:
    return _builtin()


def environment_catalog(extra: str | os.PathLike[str] | None = None) -> EnvironmentCatalog:
    """The built-in environment catalogue, extended by a user file.

    Parameters
    ----------
    extra
        A user file (see :meth:`EnvironmentCatalog.extend`), or None.

    Returns
    -------
    EnvironmentCatalog
        The built-in one is shared; with ``extra`` a fresh copy is made.

    Examples
    --------
    >>> environment_catalog().constructions.get("RR-OSP-3456").fibers
    3456
    """
    if extra is None:
        return _cached()
    cat = _builtin()
    cat.extend(extra)
    return cat
