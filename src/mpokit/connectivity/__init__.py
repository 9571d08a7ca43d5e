"""Fiber-level connectivity: channel files, compiled channels, polarity and mating checks.

Examples
--------
>>> from mpokit.connectivity import parse_channels, check_channel
>>> spec, = parse_channels({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
...     {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]})
>>> result = check_channel(spec, loss=False)
>>> result.ok, result.findings[0].fix
(False, 'replace path[0] (MPO-12 Type A cord) with a Type B cord')
"""

from mpokit.connectivity.batch import BIT, BatchResult, ChannelBatch, verify_batch
from mpokit.connectivity.checks import CODES, ChannelResult, Finding, LaneResult, evaluate
from mpokit.connectivity.fixes import Fix, apply_patch, find_fix
from mpokit.connectivity.io import parse_channel, parse_channels, read_channels
from mpokit.connectivity.model import Channel, End, Face, Mating, Run, Stage, compile_channel
from mpokit.connectivity.spec import ChannelFile, ChannelSpec
from mpokit.connectivity.transform import reverse_spec
from mpokit.connectivity.verify import check_channel, check_channels

__all__ = [
    "BIT",
    "CODES",
    "BatchResult",
    "Channel",
    "ChannelBatch",
    "ChannelFile",
    "ChannelResult",
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
    "check_channel",
    "check_channels",
    "compile_channel",
    "evaluate",
    "find_fix",
    "parse_channel",
    "parse_channels",
    "read_channels",
    "reverse_spec",
    "verify_batch",
]
