"""Tool-neutral inventory records of a plant: what NetBox and Nautobot both hold.

Both tools want the same chain of objects, each referring to the ones before it by
name: site (NetBox) / location (Nautobot), racks, a manufacturer, device roles, device
types with their port templates, devices, cables. :func:`inventory` lists them once;
:mod:`~mpokit.integrations.netbox` and :mod:`~mpokit.integrations.nautobot` only spell
them in each tool's field names.

>>> from mpokit.integrations.plant import Plant
>>> inventory(Plant("hall", (), (), ())).manufacturer
'mpokit'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mpokit.errors import InputError
from mpokit.integrations.plant import Cable, Device, DeviceType, Plant, PortRef

__all__ = ["BREAKOUT_PROFILES", "MANUFACTURER", "Inventory", "PanelPort", "cable_type",
           "inventory", "panel_ports", "port_type", "slug"]

#: The manufacturer the generated device types are filed under (they are the plan's
#: port sets, not a vendor's catalogue models).
MANUFACTURER = "mpokit"

#: Role colours (hex, no '#') shown by both tools.
ROLE_COLORS = {"node": "2196f3", "leaf": "4caf50", "spine": "ff9800", "core": "9c27b0",
               "ocs": "795548", "ufm": "607d8b", "panel": "9e9e9e"}


def slug(text: str) -> str:
    """A URL slug as both tools accept it (lower case, ``a-z0-9_-``).

    Parameters
    ----------
    text
        Any name.

    Returns
    -------
    str
        The slug.

    Examples
    --------
    >>> slug("mpokit-panel-MPO-12-48")
    'mpokit-panel-mpo-12-48'
    """
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "x"


def cable_type(c: Cable) -> str:
    """The cable ``type`` choice (both tools share these slugs) for a planned cable.

    Parameters
    ----------
    c
        A cable of the plant.

    Returns
    -------
    str
        ``mmf-om4``, ``smf-os2``, ``dac-passive`` ... or ``""`` when none fits.

    Examples
    --------
    >>> from mpokit.integrations.plant import Cable
    >>> cable_type(Cable("x", "cord", "", "MPO-12", "OS2", 3.0, (), ()))
    'smf-os2'
    """
    if c.kind == "dac":
        return "dac-passive"
    if c.kind == "acc":
        return "dac-active"
    return {"OM3": "mmf-om3", "OM4": "mmf-om4", "OM5": "mmf-om5",
            "OS2": "smf-os2"}.get(c.fiber.upper(), "")


def port_type(connector: str) -> str:
    """The front/rear port ``type`` choice for a panel connector (``mpo``, ``lc``).

    Parameters
    ----------
    connector
        The connector of the cut sheet (``MPO-12``, ``LC`` ...).

    Returns
    -------
    str
        The port type slug.

    Examples
    --------
    >>> port_type("MPO-16")
    'mpo'
    """
    up = connector.upper()
    return "mpo" if up.startswith("MPO") else ("lc" if up.startswith("LC") else "other")


@dataclass(frozen=True)
class Inventory:
    """The records to create, in dependency order."""

    site: str
    racks: tuple[str, ...]
    manufacturer: str
    roles: tuple[str, ...]
    device_types: tuple[DeviceType, ...]
    devices: tuple[Device, ...]
    cables: tuple[Cable, ...]
    rack_units: int = 48


#: Breakout harnesses NetBox's cable profiles describe: legs -> (profile, the first NetBox
#: release whose published API schema lists it: 4.5.5 lists the 1:4 and 1:6 ones, 4.6.6
#: all four; tests/integrations/test_netbox.py reads both schemas to hold this).
BREAKOUT_PROFILES = {2: ("breakout-1c2p-2c1p", (4, 6)), 4: ("breakout-1c4p-4c1p", (4, 5)),
                     6: ("breakout-1c6p-6c1p", (4, 5)), 8: ("breakout-1c8p-8c1p", (4, 6))}


def inventory(plant: Plant, *, breakouts: bool = False) -> Inventory:
    """The records of ``plant``; refuses what the target cannot hold one-to-one.

    Parameters
    ----------
    plant
        The plant (:func:`~mpokit.integrations.plant.load_plant`).
    breakouts
        Keep breakout harnesses of 2, 4, 6 or 8 legs (NetBox's REST API records them as
        one cable with a breakout profile); refused otherwise.

    Returns
    -------
    Inventory
        Site, racks, manufacturer, roles, device types, devices and cables.

    Raises
    ------
    InputError
        A breakout harness: one cable from one switch port to two or more NIC ports, which
        neither tool's cable (one termination per end in Nautobot and in NetBox's CSV
        import) can record.
    """
    for c in plant.cables:
        if breakouts and len(c.a) == 1 and len(c.b) in BREAKOUT_PROFILES:
            continue
        if len(c.a) != 1 or len(c.b) != 1:
            raise InputError(
                f"cable {c.label!r} is a breakout harness ({len(c.a)} to {len(c.b)} ports); "
                "the NetBox and Nautobot exports hold one port at each cable end",
                field="kind", fix="export the fabric files (ufm, ibdiagnet, ptm) for this "
                "plan; breakout harnesses are not exported to inventory tools yet")
    racks = tuple(sorted({d.rack for d in plant.devices if d.rack}))
    roles = tuple(sorted({d.role for d in plant.devices}))
    return Inventory(plant.site, racks, MANUFACTURER, roles, plant.device_types,
                     plant.devices, plant.cables, plant.rack_units)


@dataclass(frozen=True)
class PanelPort:
    """A panel port as both tools record it: type, positions and, for a front port, the
    rear port and position it maps to."""

    type: str
    positions: int
    rear: PortRef | None = None
    rear_position: int = 1


def panel_ports(inv: Inventory) -> dict[PortRef, PanelPort]:
    """Every front and rear port of the inventory's panels, from their device types.

    Parameters
    ----------
    inv
        The inventory.

    Returns
    -------
    dict
        ``PortRef -> PanelPort``: an MPO adapter's front ``F05`` maps to ``R05``
        position 1; a cassette's duplex front ``F01-3`` (type ``lc``) to ``R01`` position
        3, the rear port having as many positions as the cassette has front ports.

    Examples
    --------
    >>> t = DeviceType("m", "panel", 1, front_ports=(("F01-2", "R01", 2),),
    ...                rear_ports=(("R01", 6),), port_type="MPO-12", front_port_type="LC")
    >>> inv = Inventory("s", (), MANUFACTURER, (), (t,), (Device("p", "panel", "m", "", 1),), ())
    >>> panel_ports(inv)[PortRef("p", "F01-2", "front")].rear_position
    2
    """
    types = {t.model: t for t in inv.device_types}
    out: dict[PortRef, PanelPort] = {}
    for d in inv.devices:
        t = types[d.device_type]
        for r, n in t.rear_ports:
            out[PortRef(d.name, r, "rear")] = PanelPort(port_type(t.port_type), n)
        for f, r, pos in t.front_ports:
            out[PortRef(d.name, f, "front")] = PanelPort(
                port_type(t.front_type), 1, PortRef(d.name, r, "rear"), pos)
    return out
