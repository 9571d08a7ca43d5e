"""The planner's catalogue (``standards/data/plan_catalog.yaml``) as typed records.

Standard lengths, trunk fiber counts, panels, copper reach, the optics-by-reach table and
the ``roles`` section naming which record the planner uses for each job (the MPO panel,
the cassette and its enclosure, the OCS, the copper cables): no part name is written in
planner code, so a user catalogue can swap any of them.

>>> cat = plan_catalog()
>>> cat.round_length("cord", [0.7, 3.2, 101.0]).tolist()
[1.0, 5.0, 110.0]
>>> cat.optic("400G-DR4").twin
'800G-2xDR4'
>>> cat.mpo_panel.name, cat.cassette.name, cat.cassette_panel.adapters
('1U-MPO-48', 'MPO12-LC6-A', 4)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
from pydantic import Field

from mpokit._yaml import Lines, read_yaml, validate_model
from mpokit.errors import CatalogError, InputError
from mpokit.standards import Cassette, Catalog, Record, Status, Strict, cassette
from mpokit.standards.catalog import catalog_input_error, check_sections, load_builtin

__all__ = [
    "CopperRecord",
    "LengthSeries",
    "OcsRecord",
    "OpticRecord",
    "PanelRecord",
    "PlanCatalog",
    "PlanRoles",
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
    twin_flat: str | None = Field(
        default=None, description="Flat-top (riding heat sink) twin-port module for node cages.")
    breakout_switch: str | None = None
    breakout: str | None = None
    breakout_reach_m: float | None = None


class OcsRecord(Record):
    """Default figures of an optical circuit switch."""

    ports: int = Field(ge=2)
    loss_db: float = Field(ge=0)
    reflectance_db: float = Field(le=0)


class PlanRoles(Strict):
    """Which record of the catalogue the planner uses for each job."""

    mpo_panel: str = Field(description="Panel (kind mpo) for MPO trunk ends.")
    cassette_panel: str = Field(description="Enclosure (kind cassette) for cassettes.")
    cassette: str = Field(description="MPO-to-duplex cassette (standards cassettes).")
    ocs: str = Field(description="Optical circuit switch defaults.")
    dac: str = Field(description="Passive copper cable family.")
    acc: str = Field(description="Active copper cable family.")
    source: str
    status: Status


_ROLE_TARGETS: dict[str, tuple[str, str | None]] = {
    # role -> (catalogue attribute, required panel kind)
    "mpo_panel": ("panels", "mpo"),
    "cassette_panel": ("panels", "cassette"),
    "ocs": ("ocs", None),
    "dac": ("copper", None),
    "acc": ("copper", None),
}


class PlanCatalog:
    """All planner catalogues, with vectorised length rounding."""

    SECTIONS = ("lengths", "trunks", "panels", "copper", "optics", "ocs", "roles")

    def __init__(self) -> None:
        self.lengths: Catalog[LengthSeries] = Catalog("length series", LengthSeries, "lengths")
        self.trunks: Catalog[TrunkRecord] = Catalog("trunk", TrunkRecord, "trunks")
        self.panels: Catalog[PanelRecord] = Catalog("panel", PanelRecord, "panels")
        self.copper: Catalog[CopperRecord] = Catalog("copper cable", CopperRecord, "copper")
        self.optics: Catalog[OpticRecord] = Catalog("optics", OpticRecord, "optics")
        self.ocs: Catalog[OcsRecord] = Catalog("ocs", OcsRecord, "ocs")
        self._all = (self.lengths, self.trunks, self.panels, self.copper, self.optics, self.ocs)
        self.roles: PlanRoles | None = None

    def load(self, data: object, lines: Lines) -> None:
        """Load every section of a plan-catalogue file (unknown sections are errors).

        Parameters
        ----------
        data, lines
            The parsed file and its line index.

        Raises
        ------
        InputError
            An unknown section (with "did you mean"), an invalid record, or a role naming
            a record that does not exist or is of the wrong kind.
        """
        check_sections(data, lines, self.SECTIONS, "plan catalogue")
        assert isinstance(data, dict)
        for cat in self._all:
            if cat.key in data:
                cat.load(data, lines)
        if "roles" in data:
            self._load_roles(data["roles"], lines)

    def _load_roles(self, raw: object, lines: Lines) -> None:
        if not isinstance(raw, dict):
            raise InputError("'roles' must be a mapping of role to record name",
                             file=lines.file, line=lines.line_of(("roles",)), field="roles")
        merged = {**(self.roles.model_dump() if self.roles else {}), **raw}
        roles = validate_model(merged, PlanRoles, lines, prefix=("roles",))
        for role, name in roles.model_dump().items():
            field, line = f"roles.{role}", lines.line_of(("roles", role))
            try:
                if role == "cassette":
                    cassette(name)
                elif role in _ROLE_TARGETS:
                    attr, kind = _ROLE_TARGETS[role]
                    rec = getattr(self, attr).get(name)
                    if kind is not None and rec.kind != kind:
                        raise InputError(f"panel {name!r} is of kind {rec.kind!r}, not {kind!r}",
                                         fix=f"name a panel of kind {kind}", field=field,
                                         file=lines.file, line=line)
            except CatalogError as exc:
                raise catalog_input_error(exc, field=field, file=lines.file, line=line) from None
        self.roles = roles

    def _role(self) -> PlanRoles:
        if self.roles is None:
            raise InputError("the plan catalogue has no 'roles' section",
                             fix="load the built-in plan catalogue first")
        return self.roles

    @property
    def mpo_panel(self) -> PanelRecord:
        """The panel holding MPO adapters at structured trunk ends."""
        return self.panels.get(self._role().mpo_panel)

    @property
    def cassette_panel(self) -> PanelRecord:
        """The enclosure holding cassettes at duplex trunk ends."""
        return self.panels.get(self._role().cassette_panel)

    @property
    def cassette(self) -> Cassette:
        """The MPO-to-duplex cassette at duplex trunk ends."""
        return cassette(self._role().cassette)

    @property
    def ocs_default(self) -> OcsRecord:
        """The optical circuit switch whose figures a spec gets by default."""
        return self.ocs.get(self._role().ocs)

    def copper_cable(self, which: Literal["dac", "acc"]) -> CopperRecord:
        """The passive (``dac``) or active (``acc``) copper cable family.

        Parameters
        ----------
        which
            ``dac`` or ``acc``.

        Returns
        -------
        CopperRecord
            The record the ``roles`` section names for it.
        """
        return self.copper.get(getattr(self._role(), which))

    def extend(self, path: str | os.PathLike[str]) -> None:
        """Add the records of a user file of the same shape.

        Parameters
        ----------
        path
            A YAML file with any of the sections of ``plan_catalog.yaml``.

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
