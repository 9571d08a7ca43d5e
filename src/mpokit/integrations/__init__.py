"""The plan in the tools the operator already runs: NetBox, Nautobot, fabric managers.

:mod:`~mpokit.integrations.plant` turns a plan (output folder or in memory) into inventory
objects; :mod:`~mpokit.integrations.netbox` and :mod:`~mpokit.integrations.nautobot` write
them as each tool's bulk-import CSVs and push them through each tool's REST API;
:mod:`~mpokit.integrations.fabric` writes the logical topology for ibdiagnet / UFM and
Cumulus PTM. See docs/integrations.md.
"""

from mpokit.integrations.plant import (
    Cable,
    Device,
    DeviceType,
    Hop,
    Link,
    Plant,
    PortRef,
    load_plant,
    plant_from_plan,
)

__all__ = [
    "Cable", "Device", "DeviceType", "Hop", "Link", "Plant", "PortRef", "load_plant",
    "plant_from_plan",
]
