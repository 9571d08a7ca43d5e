"""Application limits and fiber attenuation as data (``applications.yaml``, ``fibers.yaml``).

An :class:`Application` is a PMD (``400GBASE-SR8``) with one :class:`FiberLimit` per fiber
type; :func:`channel_limit` resolves the limit a channel is held to, carrying the
provenance (``status``) of every number so a report can say "limit (typical)".

>>> lim = channel_limit("400GBASE-SR8", "OM4")
>>> lim.max_il_db, lim.reach_m, lim.status
(1.9, 100.0, 'verified')
>>> attenuation("OS2", 1310).db_per_km
0.4
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from mpokit.errors import InputError
from mpokit.standards import Catalog, Record, Status, Strict
from mpokit.standards.provenance import weakest, with_provenance

__all__ = [
    "Application",
    "Attenuation",
    "Fiber",
    "FiberLimit",
    "Limit",
    "ReflectanceTable",
    "application",
    "applications",
    "attenuation",
    "channel_limit",
    "fiber",
    "fibers",
    "weakest",
]

Media = Literal["MM", "SM"]


class Attenuation(Strict):
    """Cabled attenuation of one fiber type at one wavelength."""

    wavelength_nm: float = Field(gt=0)
    db_per_km: float = Field(ge=0)
    source: str
    status: Status


class Fiber(Record):
    """A fiber type: its media, rank among its media (higher = better) and attenuation."""

    media: Media
    rank: int
    attenuation: tuple[Attenuation, ...] = Field(min_length=1)


class FiberLimit(Strict):
    """The channel limits of one application over one fiber type."""

    fiber: str
    max_il_db: float = Field(gt=0)
    reach_m: float = Field(gt=0)
    connection_allowance_db: float | None = Field(default=None, ge=0)
    status: Status
    reach_status: Status | None = None
    reach_informative: bool = Field(
        default=False,
        description="The reach is an informative range (e.g. IEEE 802.3's OS1a ranges): "
        "exceeding it warns; the PMD is specified by its loss and its main reach.")
    source: str


class ReflectanceTable(Strict):
    """Maximum value of each discrete reflectance, by the number of reflections counted.

    ``max_db_by_count`` rows ``(n, r)``: with at most ``n`` reflections above
    ``counted_above_db``, each may be at most ``r`` dB. A count between rows uses the next
    larger row; a count beyond the last row is itself a violation.
    """

    counted_above_db: float = -55.0
    count_mdi: bool = False
    max_db_by_count: tuple[tuple[int, float], ...] = Field(min_length=1)
    source: str
    status: Status

    def allowed_db(self, count: int) -> float | None:
        """The per-reflection maximum for ``count`` reflections (None: too many).

        >>> application("800GBASE-FR4-500").reflectance.allowed_db(3)
        -35.0
        """
        for n, r in self.max_db_by_count:
            if count <= n:
                return float(r)
        return None


class Application(Record):
    """A PMD's channel requirements."""

    media: Media
    wavelength_nm: float = Field(gt=0)
    fibers: tuple[FiberLimit, ...] = Field(min_length=1)
    reflectance: ReflectanceTable | None = None

    @model_validator(mode="after")
    def _check(self) -> Application:
        names = [f.fiber for f in self.fibers]
        if len(set(names)) != len(names):
            raise ValueError("a fiber type is listed twice")
        return self


@dataclass(frozen=True)
class Limit:
    """The resolved limit a channel is held to (with provenance)."""

    pmd: str
    fiber: str
    max_il_db: float
    reach_m: float
    connection_allowance_db: float | None
    status: Status
    reach_status: Status
    source: str
    via_fiber: str  # the row used (OM4 row for an OM5 channel without its own row)
    reach_informative: bool = False  # exceeding the reach warns instead of failing

    def label(self, what: Literal["loss", "reach"] = "loss") -> str:
        """``"1.9 dB"`` or ``"1.9 dB (typical)"`` -- never present a typical value bare.

        Parameters
        ----------
        what
            ``"loss"`` (the dB limit) or ``"reach"`` (the length).

        Returns
        -------
        str
            The value with its unit, and its status when that is not verified or derived.
        """
        if what == "loss":
            text, st = f"{self.max_il_db:g} dB", self.status
        else:
            text, st = f"{self.reach_m:g} m", self.reach_status
        return with_provenance(text, st)


@cache
def fibers() -> Catalog[Fiber]:
    """The fiber catalogue (``fibers.yaml``)."""
    return Catalog.builtin("fiber type", Fiber, "fibers", "fibers.yaml")


@cache
def applications() -> Catalog[Application]:
    """The application (PMD) catalogue (``applications.yaml``)."""
    return Catalog.builtin("application", Application, "applications", "applications.yaml")


def fiber(name: str) -> Fiber:
    """Look up a fiber type (``CatalogError`` with suggestions if unknown).

    Parameters
    ----------
    name
        A fiber type (``OM4``, ``OS2`` ...).

    Returns
    -------
    Fiber
        The fiber record.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return fibers().get(name)


def application(pmd: str) -> Application:
    """Look up an application by PMD name (``CatalogError`` if unknown).

    Parameters
    ----------
    pmd
        A PMD name (``400GBASE-SR8`` ...).

    Returns
    -------
    Application
        Its limits per fiber type, wavelength and sources.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return applications().get(pmd)


def attenuation(fiber_name: str, wavelength_nm: float) -> Attenuation:
    """Cabled attenuation of ``fiber_name`` at the listed wavelength nearest ``wavelength_nm``.

    Wavelengths more than 100 nm from any listed one are an ``InputError``.

    Parameters
    ----------
    fiber_name
        A fiber type.
    wavelength_nm
        The wavelength of the application.

    Returns
    -------
    Attenuation
        dB/km with its source and status.

    Raises
    ------
    InputError
        No listed wavelength within 100 nm.
    """
    f = fiber(fiber_name)
    best = min(f.attenuation, key=lambda a: abs(a.wavelength_nm - wavelength_nm))
    if abs(best.wavelength_nm - wavelength_nm) > 100:
        listed = ", ".join(f"{a.wavelength_nm:g}" for a in f.attenuation)
        raise InputError(
            f"no attenuation for {f.name} near {wavelength_nm:g} nm",
            field="attenuation_db_per_km",
            fix=f"state attenuation_db_per_km on the cable (listed: {listed} nm)",
        )
    return best


def _row(app: Application, fiber_name: str) -> FiberLimit | None:
    """The application's row for ``fiber_name``; else the best lower-ranked same-media row."""
    for r in app.fibers:
        if r.fiber.upper() == fiber_name.upper():
            return r
    f = fiber(fiber_name)
    if f.media != app.media:
        return None
    lower = [
        (fiber(r.fiber).rank, r) for r in app.fibers
        if r.fiber in fibers() and fiber(r.fiber).media == f.media and fiber(r.fiber).rank < f.rank
    ]
    return max(lower, key=lambda t: t[0])[1] if lower else None


def channel_limit(pmd: str, fiber_name: str) -> Limit | None:
    """The limit of ``pmd`` over ``fiber_name`` (None when the data has no such row).

    A fiber type the application does not list (OM5 for 10GBASE-SR) is held to the row
    of the best lower-ranked fiber of the same media (OM4); its status becomes at best
    ``derived``.

    Parameters
    ----------
    pmd
        A PMD name.
    fiber_name
        A fiber type.

    Returns
    -------
    Limit | None
        Loss limit and reach with their status; None when the application does not run over
        that media.

    Examples
    --------
    >>> channel_limit("10GBASE-SR", "OM5").via_fiber
    'OM4'
    >>> channel_limit("400GBASE-SR8", "OS2") is None
    True
    """
    app = application(pmd)
    fiber(fiber_name)  # CatalogError with suggestions for an unknown fiber type
    r = _row(app, fiber_name)
    if r is None:
        return None
    status, reach_status = r.status, r.reach_status or r.status
    if r.fiber.upper() != fiber_name.upper():
        status = weakest(status, "derived")
        reach_status = weakest(reach_status, "derived")
    return Limit(
        pmd=app.name,
        fiber=fiber_name,
        max_il_db=float(r.max_il_db),
        reach_m=float(r.reach_m),
        connection_allowance_db=r.connection_allowance_db,
        status=status,
        reach_status=reach_status,
        source=r.source,
        via_fiber=r.fiber,
        reach_informative=r.reach_informative,
    )
