"""QC analyzer speed on one core.

Targets (issue 10): a 12-fiber MT scan of about 1600 x 300 pixels at 2 um and a round scan
of 600 x 600 pixels in at most 10 ms each on one core (not met yet; see README).

Run either way (pin BLAS to one thread for the one-core figure):

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_qc.py
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/pytest benchmarks/bench_qc.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from mpokit.qc.mt import analyze_mt  # noqa: E402
from mpokit.qc.round import analyze_round  # noqa: E402
from mpokit.qc.simulate import simulate_mt, simulate_round  # noqa: E402

CASES: dict[str, tuple[Callable[..., Any], Any]] = {}


def _cases() -> dict[str, tuple[Callable[..., Any], Any]]:
    if not CASES:
        CASES["mt12 1600x300 @2um"] = (analyze_mt, simulate_mt(fibers=12, seed=1)[0])
        CASES["mt32 2100x550 @2um"] = (analyze_mt, simulate_mt(fibers=32, seed=1)[0])
        CASES["round 600x600 @1um"] = (analyze_round, simulate_round(seed=1)[0])
    return CASES


def test_mt12(benchmark: Any) -> None:
    fn, scan = _cases()["mt12 1600x300 @2um"]
    benchmark(fn, scan)


def test_mt32(benchmark: Any) -> None:
    fn, scan = _cases()["mt32 2100x550 @2um"]
    benchmark(fn, scan)


def test_round(benchmark: Any) -> None:
    fn, scan = _cases()["round 600x600 @1um"]
    benchmark(fn, scan)


def main(repeats: int = 10) -> None:
    """Print median and 90th-percentile times per case."""
    print(f"{'case':<22} {'shape':>12} {'median ms':>10} {'p90 ms':>8}")
    for name, (fn, scan) in _cases().items():
        fn(scan)  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn(scan)
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        shape = "x".join(str(s) for s in scan.shape[::-1])
        print(f"{name:<22} {shape:>12} {statistics.median(times):>10.1f} "
              f"{times[int(0.9 * len(times))]:>8.1f}")


if __name__ == "__main__":
    main()
