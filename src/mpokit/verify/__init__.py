"""Verification: connectivity checks, fixes and loss budgets of channels, together.

This package sits above :mod:`mpokit.connectivity` and :mod:`mpokit.loss` and imports
both: a channel's verdict is its polarity and mating checks, the cheapest fix of a
failure, and its loss budget.

>>> from mpokit.connectivity import parse_channels
>>> spec, = parse_channels({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
...     {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]})
>>> result = check_channel(spec, loss=False)
>>> result.ok, result.findings[0].fix
(False, 'replace path[0] (MPO-12 Type A cord) with a Type B cord')
"""

from mpokit.verify.channel import check_channel
from mpokit.verify.channels import SetResult, check_channels, check_set
from mpokit.verify.output import channel_dicts, lane_count, print_human, write_json

__all__ = [
    "SetResult",
    "channel_dicts",
    "check_channel",
    "check_channels",
    "check_set",
    "lane_count",
    "print_human",
    "write_json",
]
