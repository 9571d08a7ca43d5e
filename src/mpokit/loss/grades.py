"""Connection, splice and switch loss grades as data (``grades.yaml``).

A :class:`Grade` gives the loss of one mated pair per fiber: a nominal (mean) value, a
97th percentile and, where a standard gives one, a hard maximum. The worst-case budget
uses ``max_db`` (else ``p97_db``); the Monte Carlo draws from a distribution fitted to
``mean_db`` and ``p97_db``.

>>> g = grade("C")
>>> g.mean_db, g.worst_db
(0.25, 0.5)
>>> round(float(g.lognormal()[1]), 4)  # sigma of ln(loss)
0.4141
>>> worse("B", "C").name
'C'
"""

from __future__ import annotations

import math
import os
from functools import cache
from statistics import NormalDist
from typing import Literal

from pydantic import Field, model_validator

from mpokit.standards import Catalog, Record, Status, Strict
from mpokit.standards.catalog import load_builtin, load_section

__all__ = [
    "Z97",
    "Defaults",
    "Grade",
    "ReflectanceDefault",
    "defaults",
    "extend_grades",
    "grade",
    "grades",
    "worse",
]

Z97 = NormalDist().inv_cdf(0.97)
"""The standard-normal 97th percentile (1.8808)."""

GradeKind = Literal["connection", "splice", "ocs"]
Distribution = Literal["lognormal", "normal", "fixed"]


class Grade(Record):
    """Loss of one mated pair (or splice, or switch port pair) per fiber."""

    kind: GradeKind = "connection"
    description: str = ""
    mean_db: float = Field(ge=0)
    p97_db: float | None = Field(default=None, ge=0)
    max_db: float | None = Field(default=None, ge=0)
    max_status: Status | None = None
    installable: bool = True  # False for test-only grades (reference cords)
    distribution: Distribution = "lognormal"

    @model_validator(mode="after")
    def _check(self) -> Grade:
        if self.p97_db is not None and self.p97_db < self.mean_db:
            raise ValueError("p97_db must be at least mean_db")
        if self.max_db is not None and self.max_db < max(self.mean_db, self.p97_db or 0):
            raise ValueError("max_db must be at least mean_db and p97_db")
        if self.distribution == "lognormal" and self.p97_db is not None and self.mean_db > 0:
            ratio = self.p97_db / self.mean_db
            if math.log(ratio) > Z97**2 / 2:
                raise ValueError(
                    f"p97_db / mean_db = {ratio:.2f} is too skewed for a lognormal fit "
                    f"(at most {math.exp(Z97**2 / 2):.2f}); use distribution: normal"
                )
        return self

    @property
    def worst_db(self) -> float:
        """Worst-case value per mating: ``max_db``, else ``p97_db``, else ``mean_db``."""
        for v in (self.max_db, self.p97_db):
            if v is not None:
                return float(v)
        return float(self.mean_db)

    @property
    def worst_status(self) -> Status:
        """Status of :attr:`worst_db`."""
        if self.max_db is not None:
            return self.max_status or self.status
        return self.status

    def value(self, case: Literal["worst", "nominal"]) -> float:
        """The deterministic per-mating loss for ``case``.

        Parameters
        ----------
        case
            ``"worst"``: ``max_db``, else ``p97_db``, else ``mean_db``; ``"nominal"``: ``mean_db``.

        Returns
        -------
        float
            Loss in dB of one mating.
        """
        return self.worst_db if case == "worst" else float(self.mean_db)

    def lognormal(self) -> tuple[float, float]:
        """``(mu, sigma)`` of ``ln(loss)`` matching ``mean_db`` and ``p97_db``.

        From mean = exp(mu + s^2/2) and p97 = exp(mu + z s): s = z - sqrt(z^2 - 2 ln(p97/mean)).
        A grade without p97 (or with p97 == mean) gives sigma 0 (a fixed loss).

        Returns
        -------
        tuple[float, float]
            ``(mu, sigma)`` of the natural log of the loss in dB.
        """
        m = self.mean_db
        q = self.p97_db if self.p97_db is not None else self.max_db
        if q is None or m <= 0 or q <= m:
            return (math.log(m) if m > 0 else -math.inf, 0.0)
        s = Z97 - math.sqrt(Z97**2 - 2 * math.log(q / m))
        return (math.log(m) - s * s / 2, s)

    def normal(self) -> tuple[float, float]:
        """``(mean, sigma)`` of a normal loss with the grade's mean and 97th percentile.

        Returns
        -------
        tuple[float, float]
            ``(mean, sigma)`` in dB.
        """
        q = self.p97_db if self.p97_db is not None else self.max_db
        if q is None:
            return (float(self.mean_db), 0.0)
        return (float(self.mean_db), (q - self.mean_db) / Z97)


class ReflectanceDefault(Strict):
    """Default reflectance of a mating by polish and media."""

    polish: Literal["UPC", "APC"]
    media: Literal["MM", "SM", "any"] = "any"
    reflectance_db: float = Field(le=0)
    source: str
    status: Status


class Defaults(Strict):
    """What a mating gets when neither the channel file nor a grade says anything."""

    connection: str
    splice: str
    ocs: str
    reflectance: tuple[ReflectanceDefault, ...]
    splice_reflectance_db: float = Field(le=0)
    ocs_reflectance_db: float = Field(le=0)
    reflectance_status: Status
    reflectance_source: str

    def reflectance_for(self, polish: str, media: str) -> ReflectanceDefault | None:
        """The default reflectance of a connector mating."""
        for r in self.reflectance:
            if r.polish == polish and r.media in (media, "any"):
                return r
        return None


@cache
def grades() -> Catalog[Grade]:
    """The grade catalogue (built-in ``grades.yaml``; extend with :func:`extend_grades`)."""
    return Catalog.builtin("grade", Grade, "grades", "grades.yaml")


@cache
def defaults() -> Defaults:
    """The defaults section of ``grades.yaml``."""
    return load_section(*load_builtin("grades.yaml"), "defaults", Defaults)


def grade(name: str) -> Grade:
    """Look up a grade by name (``CatalogError`` with "did you mean" if unknown).

    Parameters
    ----------
    name
        A grade name (``"B"``, ``"TIA"`` ... or one added by :func:`extend_grades`).

    Returns
    -------
    Grade
        The grade record with its source and status.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return grades().get(name)


def extend_grades(path: str | os.PathLike[str]) -> None:
    """Add the grades of a user file (same schema as ``grades.yaml``) to the catalogue.

    Parameters
    ----------
    path
        A YAML file with a ``grades:`` list in the schema of ``grades.yaml``.

    Raises
    ------
    InputError
        The file cannot be read or a record is invalid (file, line and field).
    """
    grades().extend(path)


def worse(*names: str | None) -> Grade:
    """The worse of several grades (a mated pair is only as good as its worse plug).

    ``None`` entries (ungraded faces) are ignored; all ``None`` gives the default grade.
    """
    picked = [grade(n) for n in names if n is not None]
    if not picked:
        return grade(defaults().connection)
    return max(picked, key=lambda g: (g.worst_db, g.mean_db))
