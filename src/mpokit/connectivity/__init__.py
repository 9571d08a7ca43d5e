"""Fiber-level connectivity: channel files, compiled channels, polarity and mating checks.

The loss budget and the combined verdict live above this package, in :mod:`mpokit.verify`.

Examples
--------
>>> from mpokit.connectivity import parse_channels, compile_channel, evaluate
>>> spec, = parse_channels({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
...     {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]})
>>> evaluate(compile_channel(spec)).ok
False
"""

from mpokit.connectivity.batch import BIT, BatchResult, ChannelBatch, verify_batch
from mpokit.connectivity.channels import ChannelSet, design_key
from mpokit.connectivity.checks import CODES, ChannelResult, Finding, LaneResult, evaluate
from mpokit.connectivity.fixes import Fix, apply_patch, find_fix
from mpokit.connectivity.io import (
    parse_channel,
    parse_channel_set,
    parse_channels,
    read_channel_set,
    read_channels,
)
from mpokit.connectivity.model import Channel, End, Face, Mating, Run, Stage, compile_channel
from mpokit.connectivity.spec import ChannelFile, ChannelSpec
from mpokit.connectivity.transform import reverse_spec

__all__ = [
    "BIT",
    "CODES",
    "BatchResult",
    "Channel",
    "ChannelBatch",
    "ChannelFile",
    "ChannelResult",
    "ChannelSet",
    "ChannelSpec",
    "End",
    "Face",
    "Finding",
    "Fix",
    "LaneResult",
    "Mating",
    "Run",
    "Stage",
    "apply_patch",
    "compile_channel",
    "design_key",
    "evaluate",
    "find_fix",
    "parse_channel",
    "parse_channel_set",
    "parse_channels",
    "read_channel_set",
    "read_channels",
    "reverse_spec",
    "verify_batch",
]
