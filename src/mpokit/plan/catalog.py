"""The planner's catalogue (``standards/data/plan_catalog.yaml``) as typed records.

Standard lengths, trunk fiber counts, panels, copper reach and the optics-by-reach table.

>>> cat = plan_catalog()
>>> cat.round_length("cord", [0.7, 3.2, 101.0]).tolist()
[1.0, 5.0, 110.0]
>>> cat.optic("400G-DR4").twin
'800G-2xDR4'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
from pydantic import Field

from mpokit._yaml import read_yaml
from mpokit.standards import Catalog, Record
from mpokit.standards.catalog import load_builtin

__all__ = [
    "CopperRecord",
    "LengthSeries",
    "OcsRecord",
    "OpticRecord",
    "PanelRecord",
    "PlanCatalog",
    "TrunkRecord",
    "plan_catalog",
]


class LengthSeries(Record):
    """Standard lengths of one cable kind; beyond the list, multiples of ``step_m``."""

    lengths_m: tuple[float, ...] = Field(min_length=1)
    step_m: float = Field(ge=0)
    diameter_mm: float = Field(default=3.0, ge=0)


class TrunkRecord(Record):
    """Trunk cables of one MPO base: available fiber counts and cable diameters."""

    connector: str
    fibers_per_leg: int = Field(ge=1)
    fiber_counts: tuple[int, ...] = Field(min_length=1)
    diameter_mm: dict[int, float] = Field(default_factory=dict)


class PanelRecord(Record):
    """A patch panel: its height and how many adapters (or cassettes) it holds."""

    ru: int = Field(ge=1)
    kind: Literal["mpo", "lc", "cassette"]
    adapters: int = Field(ge=1)


class CopperRecord(Record):
    """A copper cable family with its reach and its length series."""

    reach_m: float = Field(gt=0)
    lengths: str


class OpticRecord(Record):
    """Transceivers for one speed and medium, with the reach the policy allows."""

    speed_gbps: int = Field(gt=0)
    medium: Literal["MM", "SM"]
    fiber: Literal["OM3", "OM4", "OM5", "OS2", "OS1a"]
    reach_m: float = Field(gt=0)
    connector: str
    polish: Literal["UPC", "APC"]
    single: str
    twin: str | None = None
    breakout_switch: str | None = None
    breakout: str | None = None
    breakout_reach_m: float | None = None


class OcsRecord(Record):
    """Default figures of an optical circuit switch."""

    ports: int = Field(ge=2)
    loss_db: float = Field(ge=0)
    reflectance_db: float = Field(le=0)


class PlanCatalog:
    """All planner catalogues, with vectorised length rounding."""

    def __init__(self) -> None:
        self.lengths: Catalog[LengthSeries] = Catalog("length series", LengthSeries, "lengths")
        self.trunks: Catalog[TrunkRecord] = Catalog("trunk", TrunkRecord, "trunks")
        self.panels: Catalog[PanelRecord] = Catalog("panel", PanelRecord, "panels")
        self.copper: Catalog[CopperRecord] = Catalog("copper cable", CopperRecord, "copper")
        self.optics: Catalog[OpticRecord] = Catalog("optics", OpticRecord, "optics")
        self.ocs: Catalog[OcsRecord] = Catalog("ocs", OcsRecord, "ocs")
        self._all = (self.lengths, self.trunks, self.panels, self.copper, self.optics, self.ocs)

    def load(self, data: object, lines: object) -> None:
        """Load every section present in ``data``.

        Parameters
        ----------
        data
            The parsed catalogue file.
        lines
            Its line index, for errors.
        """
        for cat in self._all:
            if isinstance(data, dict) and cat.key in data:
                cat.load(data, lines)  # type: ignore[arg-type]

    def extend(self, path: str | os.PathLike[str]) -> None:
        """Add the records of a user file of the same shape.

        Parameters
        ----------
        path
            A YAML file in the schema of ``plan_catalog.yaml``.

        Raises
        ------
        InputError
            The file cannot be read or a record is invalid.
        """
        self.load(*read_yaml(path))

    def optic(self, name: str) -> OpticRecord:
        """An optics record by name.

        Parameters
        ----------
        name
            An optics model.

        Returns
        -------
        OpticRecord
            The record.

        Raises
        ------
        CatalogError
            Unknown name, with close matches.
        """
        return self.optics.get(name)

    def optics_for(self, speed_gbps: int) -> list[OpticRecord]:
        """Optics for ``speed_gbps``, shortest reach first.

        Parameters
        ----------
        speed_gbps
            The port speed.

        Returns
        -------
        list[OpticRecord]
            The optics of that speed.
        """
        return sorted(
            (o for o in self.optics if o.speed_gbps == speed_gbps), key=lambda o: o.reach_m
        )

    def round_length(self, kind: str, length_m: Sequence[float] | np.ndarray) -> np.ndarray:
        """Round routed lengths up to the standard lengths of ``kind`` (vectorised).

        Lengths past the last standard length go up to a multiple of ``step_m``; with a
        zero step they are clipped to the longest part (the caller checks reach).

        Parameters
        ----------
        kind
            The cable kind (a section of the catalogue's standard lengths).
        length_m
            Required lengths in metres.

        Returns
        -------
        numpy.ndarray
            The standard length to order for each required length.
        """
        series = self.lengths.get(kind)
        std = np.asarray(series.lengths_m, dtype=float)
        x = np.asarray(length_m, dtype=float)
        idx = np.searchsorted(std, x - 1e-9, side="left")
        out = std[np.minimum(idx, len(std) - 1)]
        over = idx >= len(std)
        if over.any():
            if series.step_m > 0:
                out = np.where(over, np.ceil(x / series.step_m - 1e-9) * series.step_m, out)
            else:
                out = np.where(over, std[-1], out)
        return out


@cache
def plan_catalog() -> PlanCatalog:
    """The built-in planner catalogue."""
    cat = PlanCatalog()
    cat.load(*load_builtin("plan_catalog.yaml"))
    return cat
