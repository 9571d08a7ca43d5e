"""Benchmark: verify 1,000,000 parallel channels of mixed designs (polarity + mating).

Run: ``.venv/bin/python benchmarks/bench_check.py [N]``. Prints channels per second
for the array verifier on one core (OPENBLAS/OMP threads pinned to 1).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from mpokit.connectivity.batch import ChannelBatch, verify_batch
from mpokit.connectivity.io import read_channels

ROOT = Path(__file__).resolve().parents[1]


def designs() -> list:
    out = []
    for folder in ("channels", "mistakes"):
        for f in sorted((ROOT / "examples" / folder).glob("*.yaml")):
            out.extend(read_channels(f))
    return out


def main(n: int = 1_000_000) -> None:
    ds = designs()
    rng = np.random.default_rng(1)
    index = rng.integers(0, len(ds), n)
    t0 = time.perf_counter()
    batch = ChannelBatch.from_designs(ds, index)
    t1 = time.perf_counter()
    best = float("inf")
    for _ in range(3):
        t2 = time.perf_counter()
        res = verify_batch(batch)
        best = min(best, time.perf_counter() - t2)
    print(f"designs: {len(ds)}  channels: {n:,}  stages per channel: {batch.stage_ids.shape[1]}")
    print(f"batch build: {t1 - t0:.3f} s")
    print(f"verify: {best:.3f} s  ->  {n / best:,.0f} channels/s  "
          f"({int(res.ok.sum()):,} pass, {int((~res.ok).sum()):,} fail)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
