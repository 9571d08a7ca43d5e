"""Built-in fan-outs: a DR4 port to 4 x 100G-DR and a DR8 port to 8 x 100G-DR, every leg
plugged straight into its duplex module::

    [400GBASE-DR4] ==MPO12-4xLC (MPO-12 F)==leg k (LC)== [100GBASE-DR no. k]
    [800GBASE-DR8] ==MPO16-8xLC (MPO-16 F)==leg k (LC)== [100GBASE-DR no. k]
"""

from __future__ import annotations

import pytest

from mpokit.connectivity.checks import evaluate
from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.model import compile_channel
from mpokit.standards import breakout


@pytest.mark.parametrize(("model", "module", "legs"), [
    ("MPO12-4xLC", "400GBASE-DR4", 4),
    ("MPO16-8xLC", "800GBASE-DR8", 8),
])
def test_every_leg_of_a_fan_out_passes(model: str, module: str, legs: int) -> None:
    assert len(breakout(model).legs) == legs
    for k in range(1, legs + 1):
        ch = {"a": module, "b": "100GBASE-DR", "path": [
            {"breakout": {"model": model, "leg": k, "polish": "APC", "fiber": "OS2",
                          "length_m": 3}}]}
        r = evaluate(compile_channel(parse_channel(ch)))
        assert r.ok, (k, r.findings)


def test_dr4_fan_out_pairs_fibers_1_12_2_11() -> None:
    assert [leg.map for leg in breakout("MPO12-4xLC").legs] == [(12, 1), (11, 2), (10, 3),
                                                                (9, 4)]
