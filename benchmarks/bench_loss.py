"""Loss-budget throughput: deterministic array budgets and the Monte Carlo.

Run: ``.venv/bin/python benchmarks/bench_loss.py`` (prints figures; no timing asserts).
Also collected by pytest-benchmark: ``.venv/bin/pytest benchmarks/bench_loss.py``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from mpokit.loss import budget_arrays, monte_carlo_arrays

GRADES = ["A", "B", "C", "TIA", "low-loss"]


def deterministic_inputs(n: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {
        "mating_db": rng.uniform(0.05, 0.5, size=(n, 4)),  # 4 matings per channel
        "lengths_m": rng.uniform(1, 40, size=(n, 3)),  # cord, trunk, cord
        "db_per_km": np.array([3.0, 3.0, 3.0]),
        "limit_db": 1.9,
        "reach_m": 100.0,
    }


def mc_inputs(n: int, matings: int = 4, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {
        "fixed_db": rng.uniform(0.0, 0.3, size=n),
        "graded": [[GRADES[k] for k in rng.integers(0, len(GRADES), matings)] for _ in range(n)],
        "limit_db": np.full(n, 3.0),
    }


def run_deterministic(n: int = 1_000_000) -> float:
    args = deterministic_inputs(n)
    t0 = time.perf_counter()
    r = budget_arrays(**args)
    dt = time.perf_counter() - t0
    print(f"deterministic: {n:,} channels x 4 matings + 3 runs in {dt:.3f} s "
          f"({n / dt / 1e6:.1f} M channels/s; {r.ok.mean():.1%} pass)")
    return dt


def run_mc(n: int = 1000, trials: int = 10_000, fibers: int = 8) -> float:
    args = mc_inputs(n)
    t0 = time.perf_counter()
    r = monte_carlo_arrays(**args, fibers=fibers, trials=trials, seed=0)
    dt = time.perf_counter() - t0
    draws = n * trials * fibers * 4
    print(f"monte carlo: {n:,} channels x {trials:,} trials x {fibers} fibers x 4 graded "
          f"matings ({draws / 1e6:.0f} M draws) in {dt:.2f} s; median p_pass "
          f"{np.median(r.p_pass):.4f}")
    return dt


def test_bench_deterministic(benchmark: Any) -> None:
    args = deterministic_inputs(1_000_000)
    benchmark(lambda: budget_arrays(**args))


def test_bench_monte_carlo(benchmark: Any) -> None:
    args = mc_inputs(100)
    benchmark.pedantic(lambda: monte_carlo_arrays(**args, fibers=8, trials=10_000),
                       rounds=1, iterations=1)


def run_objects(n: int = 1000) -> float:
    """Full per-channel budgets (compiled channel -> LossBudget with findings)."""
    from mpokit.connectivity.io import parse_channel
    from mpokit.connectivity.model import compile_channel
    from mpokit.loss import budget

    ch = compile_channel(parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
        {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}},
        {"adapter": {"type": "A", "grade": "B"}},
        {"trunk": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 150}},
        {"adapter": {"type": "A"}},
        {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]}))
    t0 = time.perf_counter()
    for _ in range(n):
        budget(ch)
    dt = time.perf_counter() - t0
    print(f"object budgets: {n:,} compiled channels in {dt:.3f} s ({dt / n * 1e6:.0f} us each)")
    return dt


if __name__ == "__main__":
    run_deterministic()
    run_mc()
    run_objects()
