"""Mutated cluster specs give a plan or an MpokitError, never another exception."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpokit._yaml import Lines
from mpokit.errors import MpokitError
from mpokit.plan import make_plan, parse_spec

CLUSTERS = Path(__file__).resolve().parents[2] / "examples" / "cluster"
SEEDS = [yaml.safe_load(p.read_text()) for p in sorted(CLUSTERS.glob("*.yaml"))]
junk = st.one_of(st.none(), st.booleans(),
                 st.sampled_from([0, 1, 2, 3, 7, 16, 31, 33, 64, -1, 128]),
                 st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                 st.sampled_from(["auto", "fat-tree", "rail-optimized", "SM", "MM",
                                  "structured", "direct", "B", "D", "twin", "single"]),
                 st.lists(st.integers(), max_size=2))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_specs_plan_or_fail_cleanly(seed: Any, data: st.DataObject) -> None:
    doc = copy.deepcopy(seed)
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(st.sampled_from([p for p in _paths(doc) if p]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(junk)
    try:
        plan = make_plan(parse_spec(doc, Lines()))
    except MpokitError:
        return
    assert plan.summary["channels"] >= 0
