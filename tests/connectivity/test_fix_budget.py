"""The fix search stays within its time budget on long paths and says when it stopped."""

from __future__ import annotations

import time

from mpokit.connectivity.fixes import search_fix
from mpokit.connectivity.io import parse_channel


def _long(n_pairs: int) -> dict[str, object]:
    cord = {"cord": {"connector": "MPO-12", "type": "A", "polish": "APC",
                     "ends": ["female", "female"], "fiber": "OS2", "length_m": 1}}
    path: list[object] = []
    for _ in range(n_pairs):
        path += [cord, {"adapter": {"type": "A"}}]
    return {"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [*path, cord]}


def test_long_path_search_stops_at_budget_and_says_so() -> None:
    spec = parse_channel(_long(100))  # 201 elements: 50 s before the budget existed
    t0 = time.process_time()
    found = search_fix(spec, budget_s=0.5)
    spent = time.process_time() - t0
    assert found.fix is None and not found.complete
    assert spent < 0.5 + 3.0  # the budget plus making the candidates


def test_short_path_search_is_complete_and_finds_the_fix() -> None:
    spec = parse_channel(_long(0))  # one type A cord between two DR4s
    found = search_fix(spec, budget_s=30)
    assert found.complete and found.fix is not None
    assert "Type B" in found.fix.text
