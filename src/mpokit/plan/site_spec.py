"""The cluster spec's optional ``site:`` section: buildings, halls and the routes between.

Each building holds halls of the layout (numbered from 1, as in rack names ``1A05``);
every route joins two buildings and is a list of segments, each with an environment
(``duct``, ``riser``, ``plenum`` ...) and a length. A link whose ends stand in different
buildings runs over the route between them. See ``docs/environments.md``.

>>> site = SiteSpec.model_validate({
...     "buildings": [{"name": "B1", "halls": [1]}, {"name": "B2", "halls": [2]}],
...     "routes": [{"name": "B1-B2", "between": ["B1", "B2"],
...                 "segments": [{"name": "duct", "environment": "duct", "length_m": 300}]}]})
>>> site.routes[0].length_m, site.jurisdiction
(300.0, 'NEC')
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr, field_validator, model_validator

from mpokit._yaml import Lines
from mpokit.errors import CatalogError, InputError, InputErrors
from mpokit.standards._records import Strict
from mpokit.standards.catalog import catalog_input_error
from mpokit.standards.environments import EnvironmentCatalog, Jurisdiction

__all__ = ["BuildingSpec", "RouteSpec", "SegmentSpec", "SiteSpec", "check_site_names"]

TempRange = tuple[float, float]


def _range(v: TempRange | None) -> TempRange | None:
    if v is not None and v[0] > v[1]:
        raise ValueError(f"temperature range [{v[0]:g}, {v[1]:g}] C is contradictory: the "
                         "minimum is above the maximum (write [min, max])")
    if v is not None and (v[0] < -80 or v[1] > 150):
        raise ValueError("temperatures are between -80 and 150 C")
    return v


class SegmentSpec(Strict):
    """One stretch of a route in one environment (one pull, for pulled environments)."""

    name: str = Field(min_length=1)
    environment: str = Field(min_length=1, description="An environment of the catalogue.")
    length_m: float = Field(gt=0, le=100_000)
    temperature_c: TempRange | None = Field(
        default=None, description="[min, max] in service; default: the environment's.")
    install_temperature_c: TempRange | None = Field(
        default=None, description="[min, max] while the cable is installed.")
    min_bend_radius_mm: float | None = Field(
        default=None, gt=0, le=100_000, description="Tightest bend of the pathway (sweep, "
        "offset, sheave).")
    bends_deg: float = Field(default=0, ge=0, le=3600,
                             description="Sum of the bend angles of this pull.")
    friction: float | None = Field(default=None, gt=0, le=2,
                                   description="Cable-to-duct friction (default: environment's).")
    duct_inner_diameter_mm: float | None = Field(default=None, gt=0, le=2000)
    tray_width_mm: float | None = Field(default=None, gt=0, le=5000)
    tray_depth_mm: float | None = Field(default=None, gt=0, le=2000)
    occupied_percent: float = Field(default=0, ge=0, le=100,
                                    description="Fill already taken by other cables.")
    transition: bool = Field(
        default=False, description="A transition splice at the start of this segment: the "
        "cable construction may change here (e.g. outside-plant cable to a rated indoor "
        "cable near the building entrance).")

    _t = field_validator("temperature_c", "install_temperature_c")(_range)

    @model_validator(mode="after")
    def _tray(self) -> SegmentSpec:
        if (self.tray_width_mm is None) != (self.tray_depth_mm is None):
            raise ValueError("give both tray_width_mm and tray_depth_mm, or neither")
        if self.duct_inner_diameter_mm is not None and self.tray_width_mm is not None:
            raise ValueError("a segment is a duct or a tray, not both")
        return self


class RouteSpec(Strict):
    """A route between two buildings."""

    name: str = Field(min_length=1)
    between: tuple[str, str]
    segments: list[SegmentSpec] = Field(min_length=1, max_length=200)
    termination: str = Field(
        default="spliced", pattern="^(spliced|pre-terminated)$",
        description="'spliced': fusion-spliced to MPO pigtails in an ODF at each end; "
        "'pre-terminated': factory MPO ends mated in an ODF at each end.")
    splice_points: int = Field(default=0, ge=0, le=100,
                               description="Splice points besides reel joints (handholes, "
                               "building-entrance transitions).")
    construction: str | None = Field(default=None,
                                     description="Use this construction (default: cheapest "
                                     "that serves every segment).")
    spare_percent: float = Field(default=0, ge=0, le=400,
                                 description="Spare fibers on top of the links' fibers.")

    @field_validator("between")
    @classmethod
    def _two(cls, v: tuple[str, str]) -> tuple[str, str]:
        if v[0] == v[1]:
            raise ValueError("a route joins two different buildings")
        return v

    @field_validator("segments")
    @classmethod
    def _first_is_no_transition(cls, v: list[SegmentSpec]) -> list[SegmentSpec]:
        if v and v[0].transition:
            raise ValueError("the first segment starts at the ODF, not at a transition splice "
                             "(remove 'transition' from it)")
        return v

    @property
    def length_m(self) -> float:
        """Route length (sum of its segments)."""
        return float(sum(s.length_m for s in self.segments))


class BuildingSpec(Strict):
    """A building and the layout halls in it."""

    name: str = Field(min_length=1)
    halls: list[int] = Field(min_length=1, description="Layout hall numbers (from 1).")
    hall_environment: str = Field(default="overhead-tray",
                                  description="Environment of the in-hall cable pathways.")
    hall_temperature_c: TempRange | None = None

    _t = field_validator("hall_temperature_c")(_range)

    @field_validator("halls")
    @classmethod
    def _halls(cls, v: list[int]) -> list[int]:
        if any(h < 1 for h in v):
            raise ValueError("hall numbers start at 1 (as in rack names, 1A05)")
        return v


class SiteSpec(Strict):
    """Buildings, the environment of their halls, and the routes between them."""

    jurisdiction: Jurisdiction = Field(default="NEC",
                                       description="Fire-rating rules: NEC or EU CPR.")
    buildings: list[BuildingSpec] = Field(min_length=1, max_length=1000)
    routes: list[RouteSpec] = Field(default_factory=list, max_length=10_000)
    catalog: str | None = Field(default=None, description="Extra environments/constructions "
                                "YAML file, relative to the spec file.")
    _lines: Lines = PrivateAttr(default_factory=Lines)

    @model_validator(mode="after")
    def _coherent(self) -> SiteSpec:
        names = [b.name for b in self.buildings]
        if len(set(names)) != len(names):
            raise ValueError("building names must be unique")
        seen: dict[int, str] = {}
        for b in self.buildings:
            for h in b.halls:
                if h in seen:
                    raise ValueError(f"hall {h} is in two buildings ({seen[h]}, {b.name})")
                seen[h] = b.name
        pairs: set[frozenset[str]] = set()
        for r in self.routes:
            for end in r.between:
                if end not in names:
                    raise ValueError(f"route {r.name!r} joins unknown building {end!r} "
                                     f"(buildings: {', '.join(names)})")
            pair = frozenset(r.between)
            if pair in pairs:
                raise ValueError(f"two routes join {r.between[0]} and {r.between[1]}")
            pairs.add(pair)
        return self

    @property
    def lines(self) -> Lines:
        """Line index of the spec file (set by :func:`~mpokit.plan.spec.load_spec`)."""
        return self._lines

    def where(self, *loc: str | int) -> str:
        """``file:line: site.routes[0].segments[1]`` for a location under ``site``.

        Parameters
        ----------
        *loc
            Keys and indices below ``site``.

        Returns
        -------
        str
            File, line (when known) and field.
        """
        path = "site" + "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc)
        line = self._lines.line_of(("site", *loc))
        file = self._lines.file
        if file:
            return f"{file}:{line}: {path}" if line else f"{file}: {path}"
        return path


def check_site_names(site: SiteSpec, cat: EnvironmentCatalog) -> None:
    """Refuse unknown environment and construction names, each with the field naming it.

    Parameters
    ----------
    site
        The validated site section.
    cat
        The environment catalogue the plan uses.

    Raises
    ------
    InputError
        Every unknown name (as :class:`~mpokit.errors.InputErrors` when several), with
        file, line, field and "did you mean".
    """
    errors: list[InputError] = []

    def look(get: object, name: str, *loc: str | int) -> None:
        try:
            get(name)  # type: ignore[operator]
        except CatalogError as exc:
            lines = site.lines
            path = "site" + "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc)
            err = catalog_input_error(exc, field=path, file=lines.file,
                                      line=lines.line_of(("site", *loc)))
            if not exc.suggestions:
                listing = "environments" if loc[-1] != "construction" else "constructions"
                err.fix = (f"run 'mpokit routes catalog {listing}' for the names, or add the "
                           "record in site.catalog")
            errors.append(err)

    for i, b in enumerate(site.buildings):
        look(cat.environments.get, b.hall_environment, "buildings", i, "hall_environment")
    for i, r in enumerate(site.routes):
        if r.construction is not None:
            look(cat.constructions.get, r.construction, "routes", i, "construction")
        for j, s in enumerate(r.segments):
            look(cat.environments.get, s.environment, "routes", i, "segments", j, "environment")
    if errors:
        raise InputErrors.of(errors)
