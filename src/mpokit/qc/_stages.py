"""Per-stage timing of the QC analyzers, for ``benchmarks/bench_qc.py`` (off by default).

The analyzers call :func:`lap` after each stage; it costs one attribute test when no clock
is running. :func:`record` runs a function with a clock and returns the CPU time of each
stage (ms, this thread), in the order the stages ran.

Example:
    >>> from mpokit.qc.simulate import simulate_round
    >>> from mpokit.qc.round import analyze_round
    >>> _, stages = record(analyze_round, simulate_round(seed=1)[0])
    >>> "sphere fit" in stages
    True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["lap", "record"]


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.last = time.thread_time()

    def lap(self, name: str) -> None:
        now = time.thread_time()
        self.stages[name] = self.stages.get(name, 0.0) + (now - self.last) * 1e3
        self.last = time.thread_time()


_clock: _Clock | None = None


def lap(name: str) -> None:
    """Close the stage ``name`` (the time since the previous lap) when a clock runs."""
    if _clock is not None:
        _clock.lap(name)


def record(fn: Callable[..., Any], *args: Any) -> tuple[Any, dict[str, float]]:
    """Run ``fn(*args)`` with a clock; returns its result and CPU ms per stage.

    Parameters
    ----------
    fn
        An analyzer (``analyze_mt``, ``analyze_round``).
    args
        Its arguments.

    Returns
    -------
    tuple[Any, dict[str, float]]
        The result and the thread CPU time of each stage in milliseconds.
    """
    global _clock
    _clock = _Clock()
    try:
        out = fn(*args)
        return out, dict(_clock.stages)
    finally:
        _clock = None
