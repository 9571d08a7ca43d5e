"""Bad input never escapes as a traceback: mutated channel files give results or an
MpokitError (InputError / CatalogError / DesignError), nothing else."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpokit.connectivity.io import parse_channels
from mpokit.errors import MpokitError
from mpokit.verify import check_channels

EX = Path(__file__).resolve().parents[2] / "examples"
SEEDS = [yaml.safe_load(p.read_text()) for folder in ("channels", "mistakes")
         for p in sorted((EX / folder).glob("*.yaml"))]

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 40), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["A", "B", "C", "A-B", "MPO-16", "LC", "male", "APC",
                                           "OM4", "MPO12-LC6-A", "MPO8-4xLC", "800G-2xDR4"]),
    st.lists(st.integers(-1, 30), max_size=13), st.dictionaries(st.text(max_size=6),
                                                               st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_files_give_results_or_mpokit_errors(seed: Any, data: st.DataObject) -> None:
    doc = copy.deepcopy(seed)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = data.draw(junk)
    try:
        results = check_channels(parse_channels(doc))
    except MpokitError:
        return
    for r in results:
        d = r.to_dict()
        assert isinstance(d["ok"], bool) and isinstance(d["findings"], list)
