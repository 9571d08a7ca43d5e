"""Limit profiles (data, not code) and the per-parameter pass/fail checks.

The built-in profiles live in ``mpokit/standards/data/qc_profiles.yaml``; a user profile is a
YAML file holding one profile document with the same fields (``name``, ``kind``,
``description``, ``limits``). Every limit names its ``source`` and ``status`` (``verified``,
``derived``, ``vendor`` or ``typical``); unknown keys are errors.

Example:
    >>> profile = get_profile("mt-apc")
    >>> profile.limits["angle_y_deg"].min, profile.limits["angle_y_deg"].status
    (7.8, 'verified')
    >>> get_profile("mt-acp")
    Traceback (most recent call last):
    ...
    mpokit.errors.CatalogError: unknown QC profile 'mt-acp'; did you mean 'mt-apc' or 'mt-pc'?
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from mpokit.errors import suggest
from mpokit.standards import Catalog, Status
from mpokit.standards.catalog import read_document

__all__ = [
    "MT_PARAMETERS",
    "PER_FIBER",
    "ROUND_PARAMETERS",
    "Check",
    "Limit",
    "Profile",
    "builtin_profiles",
    "default_profile_name",
    "evaluate",
    "get_profile",
    "load_profile_file",
    "unit_of",
]


MT_PARAMETERS: tuple[str, ...] = (
    "angle_x_deg", "angle_y_deg", "height_nm", "height_diff_nm", "adjacent_diff_nm",
    "minus_coplanarity_nm", "tip_radius_mm", "core_dip_nm",
)
ROUND_PARAMETERS: tuple[str, ...] = ("radius_mm", "apex_offset_um", "fiber_height_nm")
PER_FIBER: frozenset[str] = frozenset({"height_nm", "tip_radius_mm", "core_dip_nm"})


class Limit(BaseModel):
    """One limit: an inclusive ``min`` and/or ``max`` with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = None
    max: float | None = None
    status: Status
    source: str

    @model_validator(mode="after")
    def _bounds(self) -> Limit:
        if self.min is None and self.max is None:
            raise ValueError("a limit needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def text(self, unit: str = "") -> str:
        """Human form, e.g. ``-0.15..0.15``, ``<= 500`` or, with ``unit``, ``5..12 mm``.

        Parameters
        ----------
        unit
            Appended after the range when given.

        Returns
        -------
        str
            The allowed range: ``"5..12"``, ``">= 5"`` or ``"<= 50"``, then the unit.
        """
        tail = f" {unit}" if unit else ""
        if self.min is not None and self.max is not None:
            return f"{self.min:g}..{self.max:g}{tail}"
        return (f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}") + tail


class Profile(BaseModel):
    """A named set of limits for one ferrule kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["mt", "round"]
    description: str = ""
    limits: dict[str, Limit]

    @field_validator("limits")
    @classmethod
    def _known_names(cls, limits: dict[str, Limit]) -> dict[str, Limit]:
        known = MT_PARAMETERS + ROUND_PARAMETERS
        for key in limits:
            if key not in known:
                hint = suggest(key, known)
                more = f"; did you mean {' or '.join(repr(h) for h in hint)}?" if hint else ""
                raise ValueError(f"unknown parameter {key!r}{more}")
        return limits

    @model_validator(mode="after")
    def _kind_matches(self) -> Profile:
        allowed = MT_PARAMETERS if self.kind == "mt" else ROUND_PARAMETERS
        wrong = [k for k in self.limits if k not in allowed]
        if wrong:
            raise ValueError(f"parameters {wrong} do not apply to kind {self.kind!r}")
        return self


@lru_cache(maxsize=1)
def _builtin_catalog() -> Catalog[Profile]:
    return Catalog.builtin("QC profile", Profile, "profiles", "qc_profiles.yaml")


def builtin_profiles() -> dict[str, Profile]:
    """The built-in profiles by name.

    Returns
    -------
    dict
        Profile name -> :class:`Profile`, in file order.

    Examples
    --------
    >>> sorted(builtin_profiles())[:2]
    ['mt-apc', 'mt-pc']
    """
    return {p.name: p for p in _builtin_catalog()}


def load_profile_file(path: str | Path) -> Profile:
    """Load a user profile: one YAML document with ``name``, ``kind``, ``limits``.

    Parameters
    ----------
    path
        The YAML file; ``name`` defaults to the file's stem.

    Returns
    -------
    Profile
        The validated profile (errors name the file, line and field).
    """
    return read_document(path, Profile, {"name": Path(path).stem})


def get_profile(name_or_path: str | Profile) -> Profile:
    """A profile by built-in name, by YAML file path, or passed through.

    Parameters
    ----------
    name_or_path
        A built-in profile name (``mt-pc``, ``round-apc`` ...), a YAML file, or a
        :class:`Profile`.

    Returns
    -------
    Profile
        The limit profile.

    Raises
    ------
    InputError
        Unknown name (with close matches) or an invalid file.
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    text = str(name_or_path)
    if text.lower().endswith((".yaml", ".yml")) or Path(text).is_file():
        return load_profile_file(text)
    return _builtin_catalog().get(text)


_UNITS = {"_deg": "deg", "_nm": "nm", "_mm": "mm", "_um": "um"}


def unit_of(parameter: str) -> str:
    """The unit in a parameter's name: ``radius_mm`` -> ``mm`` (``""`` if none).

    >>> unit_of("radius_mm"), unit_of("angle_x_deg")
    ('mm', 'deg')
    """
    for suffix, unit in _UNITS.items():
        if parameter.endswith(suffix):
            return unit
    return ""


def default_profile_name(kind: str, fixture_angle_deg: float) -> str:
    """``mt-apc``/``round-apc`` for scans on an angled fixture, else ``mt-pc``/``round-pc``."""
    angled = abs(fixture_angle_deg) > 1.0
    return f"{kind}-{'apc' if angled else 'pc'}"


@dataclass(frozen=True)
class Check:
    """The verdict on one parameter. For per-fiber parameters ``value`` is the worst fiber's
    value, ``location`` names it and ``failed`` lists every failing fiber (1-based)."""

    parameter: str
    value: float
    limit: Limit
    ok: bool
    location: str = ""
    failed: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form.

        Returns
        -------
        dict[str, Any]
            Parameter, value, limit with its status, pass/fail and location.
        """
        return {
            "parameter": self.parameter,
            "value": None if not math.isfinite(self.value) else self.value,
            "min": self.limit.min,
            "max": self.limit.max,
            "limit": self.limit.text(),
            "ok": self.ok,
            "status": self.limit.status,
            "source": self.limit.source,
            "location": self.location,
            "failed_fibers": list(self.failed),
        }


def _margin(values: np.ndarray, limit: Limit) -> np.ndarray:
    """Distance inside the limit (negative = outside; NaN values count as -inf)."""
    m = np.full(values.shape, np.inf)
    if limit.min is not None:
        m = np.minimum(m, values - limit.min)
    if limit.max is not None:
        m = np.minimum(m, limit.max - values)
    return np.where(np.isfinite(values), m, -np.inf)


def evaluate(profile: Profile, values: dict[str, Any]) -> tuple[Check, ...]:
    """Checks of every limit in ``profile`` against measured ``values`` (name -> number or
    per-fiber array)."""
    checks: list[Check] = []
    for name, limit in profile.limits.items():
        if name not in values:
            continue
        arr = np.atleast_1d(np.asarray(values[name], dtype=np.float64))
        if arr.size == 0:
            checks.append(Check(name, math.nan, limit, False, "no fibers"))
            continue
        margin = _margin(arr, limit)
        worst = int(np.argmin(margin))
        ok = bool(np.all(margin >= 0))
        if name in PER_FIBER:
            failed = tuple(int(i) + 1 for i in np.nonzero(margin < 0)[0])
            checks.append(Check(name, float(arr[worst]), limit, ok, f"fiber {worst + 1}", failed))
        else:
            checks.append(Check(name, float(arr[0]), limit, ok))
    return tuple(checks)
