"""Cluster planner: spec -> fabric -> floor layout -> channels -> verified outputs.

Examples
--------
>>> from mpokit.plan import ClusterSpec, make_plan
>>> spec = ClusterSpec.model_validate({
...     "cluster": {"name": "su1", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
...     "fabric": {"scalable_unit": 32,
...                "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
>>> make_plan(spec).summary["links"]["leaf_spine"]
256
"""

from mpokit.plan.cabling import Cabling, Design, LinkMode, build_cabling
from mpokit.plan.campus import Campus, plan_campus
from mpokit.plan.catalog import PlanCatalog, plan_catalog
from mpokit.plan.fabric import Fabric, LinkSet, build_fabric
from mpokit.plan.layout import Layout, build_layout
from mpokit.plan.outputs import generate_channels, write_plan
from mpokit.plan.planner import Plan, make_plan
from mpokit.plan.routes import RouteFinding, Run, RunChoice, choose_construction
from mpokit.plan.spec import ClusterSpec, load_spec, parse_spec, schema_json

__all__ = [
    "Cabling",
    "Campus",
    "ClusterSpec",
    "Design",
    "Fabric",
    "Layout",
    "LinkMode",
    "LinkSet",
    "Plan",
    "PlanCatalog",
    "RouteFinding",
    "Run",
    "RunChoice",
    "build_cabling",
    "build_fabric",
    "build_layout",
    "choose_construction",
    "generate_channels",
    "load_spec",
    "make_plan",
    "parse_spec",
    "plan_campus",
    "plan_catalog",
    "schema_json",
    "write_plan",
]
