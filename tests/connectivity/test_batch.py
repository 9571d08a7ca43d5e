"""The array verifier on the bundled fixtures, including breakouts and cassettes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mpokit.connectivity.batch import BIT, ChannelBatch, verify_batch
from mpokit.connectivity.checks import evaluate
from mpokit.connectivity.io import read_channels
from mpokit.connectivity.model import compile_channel

EX = Path(__file__).resolve().parents[2] / "examples"


def test_batch_matches_scalar_on_every_fixture() -> None:
    specs = [s for folder in ("channels", "mistakes")
             for f in sorted((EX / folder).glob("*.yaml")) for s in read_channels(f)]
    chans = [compile_channel(s) for s in specs]
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(chans), 500)
    res = verify_batch(ChannelBatch.from_channels(chans, idx))
    for row, i in enumerate(idx):
        r = evaluate(chans[i])
        codes = {f.code for f in r.findings if f.severity == "error"}
        got = {c for c, bit in BIT.items() if res.codes[row] & bit and c != "lane_order"}
        assert (bool(res.ok[row]), got) == (r.ok, codes), chans[i].name


def test_count_by_code() -> None:
    (good,) = read_channels(EX / "channels" / "direct-type-b-cord.yaml")
    (bad,) = read_channels(EX / "mistakes" / "type-a-cord-between-dr4.yaml")
    batch = ChannelBatch.from_designs([good, bad], np.array([0, 1, 1, 0, 1]))
    res = verify_batch(batch)
    assert res.ok.tolist() == [True, False, False, True, False]
    assert res.count("polarity") == 3
