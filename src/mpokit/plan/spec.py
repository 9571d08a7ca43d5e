"""The cluster spec (``mpokit plan SPEC.yaml``) as pydantic models.

Every section rejects unknown keys; ``layout``, ``optics`` and ``cabling`` are optional
and default to the values documented in ``docs/planner.md``. The JSON Schema in
``docs/cluster-spec.schema.json`` is generated from :class:`ClusterSpec`.

>>> spec = ClusterSpec.model_validate({
...     "cluster": {"name": "pod", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
...     "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
...                "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
>>> spec.fabric.tiers, spec.cabling.leaf_spine
('auto', 'structured')
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from mpokit._yaml import Lines, read_yaml, validate_model
from mpokit.errors import InputError
from mpokit.plan.site_spec import SiteSpec
from mpokit.standards._records import Strict

__all__ = [
    "CablingSpec",
    "ClusterInfo",
    "ClusterSpec",
    "FabricSpec",
    "LayoutSpec",
    "OcsSpine",
    "OpticsSpec",
    "SwitchSpec",
    "load_spec",
    "parse_spec",
    "schema_json",
]


MAX_SPEED_GBPS = 102_400
"""Port speeds above 100 Tb/s are refused (the fastest ports today are 1.6 Tb/s)."""

RACK_RESERVE_RU = 2
"""RU kept free at the top of every rack for panels (the layout uses the same value)."""


class _Model(Strict):
    """Frozen, rejects unknown keys, keeps booleans and numbers apart."""


class ClusterInfo(_Model):
    """What is being connected: nodes with one NIC per rail."""

    name: str = Field(min_length=1, description="Cluster name, used in labels and the report.")
    nodes: int = Field(ge=1, le=10_000_000, description="Compute nodes.")
    rails: int = Field(ge=1, le=64, description="Compute-fabric NICs per node (one per rail).")
    nic_speed_gbps: int = Field(gt=0, le=MAX_SPEED_GBPS, description="Speed of each NIC port.")
    node_cage: Literal["single", "twin"] = Field(
        default="single",
        description="How the node's NIC ports sit in its OSFP cages: 'single' (one module per "
        "NIC: ConnectX cards, DGX B300) or 'twin' (two NIC ports per cage, twin-port flat-top "
        "modules: DGX H100/B200 with 4 cages for 8 NICs).")
    ufm_links: Annotated[int, Field(ge=0, le=64)] | Literal["auto"] = Field(
        default="auto",
        description=(
            "Fabric-manager (UFM) links placed in the first free node slot. 'auto': 4 when "
            "the last scalable unit has a free slot (DGX SuperPOD practice), else 0."
        ),
    )


class SwitchSpec(_Model):
    """A fabric switch: logical ports, their speed, and the cages holding them."""

    ports: int = Field(ge=2, le=4096, description="Logical ports (radix).")
    port_speed_gbps: int = Field(gt=0, le=MAX_SPEED_GBPS)
    cages: int | None = Field(
        default=None,
        ge=1,
        description="Transceiver cages; ports/cages ports share a twin-port module.",
    )
    model: str | None = None
    ru: int = Field(default=1, ge=1, le=48, description="Rack units.")

    @model_validator(mode="after")
    def _cages(self) -> SwitchSpec:
        if self.cages is not None and self.ports % self.cages:
            raise ValueError("ports must be a multiple of cages (e.g. 64 ports in 32 cages)")
        if self.cages is not None and self.ports // self.cages > 2:
            raise ValueError("at most two ports per cage (twin-port modules) are supported")
        return self

    @property
    def ports_per_cage(self) -> int:
        """1 for single-port cages, 2 for twin-port cages."""
        return self.ports // (self.cages or self.ports)


class OcsSpine(_Model):
    """Optical circuit switches in the spine role (passive, reconfigurable)."""

    ports: int | None = Field(default=None, ge=2, description="Ports per OCS (catalogue default).")
    loss_db: float | None = Field(default=None, ge=0, le=20)
    reflectance_db: float | None = Field(default=None, le=0, ge=-100)
    model: str | None = None
    ru: int = Field(default=4, ge=1, le=48)


class FabricSpec(_Model):
    """The logical fabric."""

    topology: Literal["rail-optimized", "fat-tree"] = "rail-optimized"
    scalable_unit: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Node slots per scalable unit (rail-optimized default 32). The fabric "
        "is built for full units even when slots are empty.",
    )
    switch: SwitchSpec
    spine_switch: SwitchSpec | None = Field(
        default=None,
        description="The spine tier's switch when it differs from the leaf's (same port "
        "speed): its radix sets the spine count (and, at 3 tiers, the pod size), its cages "
        "the spine-side modules.")
    core_switch: SwitchSpec | None = Field(
        default=None,
        description="The core tier's switch when it differs from the leaf's (3 tiers; same "
        "port speed): its radix sets the core count, its cages the core-side modules.")
    planes: int = Field(
        default=1, ge=1, le=16,
        description="Independent parallel fabrics (multi-plane, e.g. Spectrum-X twin-plane). "
        "NIC port r (0-based) joins plane r mod planes, so the two ports of a twin-port node "
        "cage go to two planes; each plane is its own leaf/spine(/core) fabric over "
        "rails / planes rails. cluster.rails must be a multiple of planes.")
    tiers: Literal["auto", 2, 3] = "auto"
    oversubscription: float = Field(
        default=1.0, ge=1, le=64, description="Leaf downlink : uplink bandwidth."
    )
    ocs: OcsSpine | None = Field(default=None, description="Use OCSs as the spine (2 tiers).")
    breakout: bool | Literal["auto"] = Field(
        default="auto",
        description="Node links split one switch port into NIC ports ('auto': when the "
        "switch port is faster than the NIC).",
    )


class LayoutSpec(_Model):
    """The floor: rows of racks, heights and the tray above them (all metres)."""

    racks_per_row: int = Field(default=16, ge=1, le=1000)
    rack_width_m: float = Field(default=0.6, gt=0, le=5)
    rack_depth_m: float = Field(default=1.2, gt=0, le=5)
    aisle_m: float = Field(default=1.2, ge=0, le=100, description="Aisle between rows.")
    rack_units: int = Field(default=48, ge=10, le=60)
    ru_m: float = Field(default=0.04445, ge=0.01, le=0.2)
    first_ru_m: float = Field(default=0.1, ge=0, le=3, description="Height of the bottom of RU 1.")
    tray_height_m: float = Field(default=2.6, gt=0, le=20,
                                 description="Overhead tray above floor (above the racks).")
    nodes_per_rack: int = Field(default=4, ge=1, le=128)
    node_ru: int = Field(default=8, ge=1, le=48)
    rows_per_hall: int = Field(default=40, ge=1, le=1000)
    hall_gap_m: float = Field(default=30.0, ge=0, le=10_000,
                              description="Extra route between halls (at most 10 km).")
    slack_per_end_m: float = Field(default=0.5, ge=0, le=100)
    slack_percent: float = Field(default=5.0, ge=0, le=100)
    tray_width_m: float = Field(default=0.6, gt=0, le=5)
    tray_depth_m: float = Field(default=0.15, gt=0, le=5)
    tray_fill_limit_percent: float = Field(default=50.0, gt=0, le=100)

    @model_validator(mode="after")
    def _geometry(self) -> LayoutSpec:
        top_m = self.first_ru_m + self.rack_units * self.ru_m
        if self.tray_height_m < top_m:
            raise ValueError(
                f"tray_height_m {self.tray_height_m:g} m is below the top of the racks "
                f"({top_m:.2f} m = first_ru_m + rack_units * ru_m): the tray runs above them")
        used = self.nodes_per_rack * self.node_ru
        if used + RACK_RESERVE_RU > self.rack_units:
            raise ValueError(
                f"{self.nodes_per_rack} nodes of {self.node_ru} RU need {used} RU plus "
                f"{RACK_RESERVE_RU} RU at the top, more than rack_units {self.rack_units}")
        return self


class OpticsSpec(_Model):
    """How each link's transceivers and medium are chosen."""

    allow_copper: bool = Field(default=False, description="DAC/ACC for in-rack links.")
    node_leaf: Literal["auto", "MM", "SM"] = "auto"
    leaf_spine: Literal["auto", "MM", "SM"] = "auto"
    spine_core: Literal["auto", "MM", "SM"] = "auto"
    multimode_max_m: float | None = Field(
        default=None, gt=0, description="Override the catalogue's multimode reach."
    )
    prefer_single_mode_above_m: float | None = Field(default=None, ge=0)


class CablingSpec(_Model):
    """Direct cords or structured cabling per link class."""

    node_leaf: Literal["direct", "structured"] = "direct"
    leaf_spine: Literal["direct", "structured"] = "structured"
    spine_core: Literal["direct", "structured"] = "structured"
    panel: Literal["mpo", "cassette"] = Field(
        default="mpo", description="MPO pass-through panels or MPO-LC cassettes (duplex)."
    )
    polarity: Literal["A", "B"] = Field(
        default="A", description="TIA-568.3 method for parallel links (APC needs A)."
    )
    connector_grade: str | None = Field(
        default=None, description="Grade of every cable plug, e.g. 'B' (IEC 61753-1); "
        "see `mpokit.loss.grades`. Default: the loss package's default connection grade.")
    catalog: str | None = Field(default=None, description="Extra plan-catalogue YAML file.")

    @field_validator("connector_grade")
    @classmethod
    def _known_grade(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from mpokit.errors import CatalogError
        from mpokit.loss import grade

        try:
            return grade(v).name
        except CatalogError as exc:
            raise ValueError(str(exc)) from None


class BomSpec(_Model):
    """What the buyer orders beyond the plan's quantities."""

    spares_percent: float = Field(default=0.0, ge=0, le=100,
                                  description="Spares per orderable line, percent.")
    spares_min: int = Field(default=0, ge=0, le=10_000,
                            description="At least this many spares per orderable line.")
    prices: str | None = Field(
        default=None, description="Buyer file (YAML: currency, items with part_number, "
        "unit_price, lead_time_days), relative to the spec file.")


class ClusterSpec(_Model):
    """A whole cluster spec file."""

    cluster: ClusterInfo
    fabric: FabricSpec
    layout: LayoutSpec = LayoutSpec()
    optics: OpticsSpec = OpticsSpec()
    cabling: CablingSpec = CablingSpec()
    bom: BomSpec = BomSpec()
    site: SiteSpec | None = Field(default=None, description="Buildings, halls and the routes "
                                  "between them (docs/environments.md).")

    @model_validator(mode="after")
    def _coherent(self) -> ClusterSpec:
        f = self.fabric
        if f.ocs is not None and f.tiers == 3:
            raise ValueError("an OCS spine is supported with 2 tiers only (tiers: auto or 2)")
        if self.cluster.rails % f.planes:
            raise ValueError(
                f"cluster.rails {self.cluster.rails} is not a multiple of fabric.planes "
                f"{f.planes}: every plane takes the same number of NIC ports per node")
        if f.planes > 1 and self.cluster.ufm_links not in ("auto", 0):
            raise ValueError(
                "fabric-manager (UFM) links are planned for single-plane fabrics only; "
                "set cluster.ufm_links: 0 (or auto) with fabric.planes above 1")
        for what, ru in (("fabric.switch.ru", f.switch.ru),
                         ("fabric.spine_switch.ru", f.spine_switch.ru if f.spine_switch else 0),
                         ("fabric.core_switch.ru", f.core_switch.ru if f.core_switch else 0),
                         ("fabric.ocs.ru", f.ocs.ru if f.ocs else 0)):
            if ru + RACK_RESERVE_RU > self.layout.rack_units:
                raise ValueError(f"{what} {ru} plus {RACK_RESERVE_RU} RU for panels does not "
                                 f"fit a rack of {self.layout.rack_units} RU")
        ratio = f.switch.port_speed_gbps / self.cluster.nic_speed_gbps
        if ratio < 1 or ratio != int(ratio):
            raise ValueError(
                f"switch port speed {f.switch.port_speed_gbps}G must be the NIC speed "
                f"{self.cluster.nic_speed_gbps}G or a whole multiple of it (breakout)"
            )
        return self


def parse_spec(data: Any, lines: Lines | None = None) -> ClusterSpec:
    """Validate spec data; errors become ``InputError`` naming file, line and field.

    Parameters
    ----------
    data
        The parsed spec file.
    lines
        Its line index, for errors that name the line.

    Returns
    -------
    ClusterSpec
        The validated spec.

    Raises
    ------
    InputError
        Every problem of the spec (as :class:`~mpokit.errors.InputErrors` when there are
        several), with line, field and "did you mean" for misspelt keys.
    """
    lines = lines or Lines()
    if not isinstance(data, dict):
        raise InputError(
            "a cluster spec must be a mapping with 'cluster:' and 'fabric:'",
            file=lines.file,
            line=1,
            fix="see examples/cluster/superpod-4su.yaml",
        )
    spec = validate_model(data, ClusterSpec, lines, fixes=_FIXES, suggest_keys=True)
    if spec.site is not None:
        spec.site._lines = lines  # segments are named by file and line in route findings
    return spec


_FIXES = {
    "extra_forbidden": "remove it or check its spelling against docs/cluster-spec.schema.json",
    "missing": "see docs/planner.md for the keys each section needs",
}


def load_spec(path: str | os.PathLike[str]) -> ClusterSpec:
    """Read and validate a cluster spec file.

    A relative ``cabling.catalog`` path is taken relative to the spec file's folder.

    Parameters
    ----------
    path
        The spec file (YAML).

    Returns
    -------
    ClusterSpec
        The validated spec.

    Raises
    ------
    InputError
        The file cannot be read or is not a valid spec (see :func:`parse_spec`).
    """
    data, lines = read_yaml(path)
    spec = parse_spec(data, lines)
    extra = spec.cabling.catalog
    if extra is not None and not Path(extra).is_absolute():
        where = str(Path(path).parent / extra)
        spec = spec.model_copy(update={
            "cabling": spec.cabling.model_copy(update={"catalog": where})})
    prices = spec.bom.prices
    if prices is not None and not Path(prices).is_absolute():
        where = str(Path(path).parent / prices)
        spec = spec.model_copy(update={"bom": spec.bom.model_copy(update={"prices": where})})
    site = spec.site
    if site is not None and site.catalog is not None and not Path(site.catalog).is_absolute():
        where = str(Path(path).parent / site.catalog)
        spec = spec.model_copy(update={"site": site.model_copy(update={"catalog": where})})
    return spec


def schema_json() -> str:
    """The JSON Schema of the spec file (written to ``docs/cluster-spec.schema.json``).

    Returns
    -------
    str
        The JSON Schema text.
    """
    schema = ClusterSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mpokit cluster spec"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schema(path: str | os.PathLike[str]) -> None:
    """Write the JSON Schema to ``path``."""
    Path(path).write_text(schema_json(), encoding="utf-8")
