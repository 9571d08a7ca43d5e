"""Spec builders for the planner tests."""

from __future__ import annotations

from typing import Any

from mpokit.plan.spec import ClusterSpec


def spec(nodes: int, *, rails: int = 8, su: int | None = 32, ports: int = 64,
         cages: int | None = 32, speed: int = 400, nic: int = 400,
         topology: str = "rail-optimized", tiers: Any = "auto", over: float = 1,
         **extra: Any) -> ClusterSpec:
    data: dict[str, Any] = {
        "cluster": {"name": "t", "nodes": nodes, "rails": rails, "nic_speed_gbps": nic},
        "fabric": {"topology": topology, "tiers": tiers, "oversubscription": over,
                   "switch": {"ports": ports, "port_speed_gbps": speed, "cages": cages}},
    }
    if su is not None:
        data["fabric"]["scalable_unit"] = su
    for key, value in extra.items():
        section, _, field = key.partition("__")
        if field:
            data.setdefault(section, {})[field] = value
        else:
            data[section] = value
    return ClusterSpec.model_validate(data)
