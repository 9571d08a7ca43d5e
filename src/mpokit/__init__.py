"""mpokit: MPO fiber plants from cluster spec to verified, procured and accepted cabling.

The user-facing API, one import away (stages load lazily, so ``import mpokit`` is cheap):

Examples
--------
>>> import mpokit
>>> spec, = mpokit.parse_channels({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
...     {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]})
>>> mpokit.check_channel(spec).ok
True
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from mpokit.errors import CatalogError, DesignError, InputError, MpokitError

__version__ = "0.1.0"

_LAZY = {
    # connectivity: channel files, checks, array verifier
    "parse_channels": "mpokit.connectivity",
    "read_channels": "mpokit.connectivity",
    "compile_channel": "mpokit.connectivity",
    "read_channel_set": "mpokit.connectivity",
    "ChannelSet": "mpokit.connectivity",
    "ChannelBatch": "mpokit.connectivity",
    "verify_batch": "mpokit.connectivity",
    "find_fix": "mpokit.connectivity",
    # verification: checks + fixes + loss, per channel or per design
    "check_channel": "mpokit.verify",
    "check_channels": "mpokit.verify",
    "check_set": "mpokit.verify",
    # loss budgets
    "budget": "mpokit.loss",
    "budget_batch": "mpokit.loss",
    "monte_carlo": "mpokit.loss",
    "supportable_length": "mpokit.loss",
    "reach_table": "mpokit.loss",
    "tester_limits": "mpokit.loss",
    # planner
    "load_spec": "mpokit.plan",
    "make_plan": "mpokit.plan",
    "write_plan": "mpokit.plan",
    # connector QC
    "read_scan": "mpokit.qc",
    "analyze_scan": "mpokit.qc",
    "simulate_mt": "mpokit.qc",
    "simulate_round": "mpokit.qc",
    # catalogues
    "connector": "mpokit.standards",
    "transceiver": "mpokit.standards",
    "cassette": "mpokit.standards",
    "breakout": "mpokit.standards",
}

__all__ = ["CatalogError", "DesignError", "InputError", "MpokitError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mpokit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
