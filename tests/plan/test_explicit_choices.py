"""Explicit spec choices are honoured or refused (exit 1, field named) -- never replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.errors import InputError
from mpokit.plan import make_plan
from mpokit.plan.cabling import _refuse_replaced_choices
from mpokit.plan.catalog import plan_catalog

from .helpers import spec

BASE: dict[str, Any] = {
    "cluster": {"name": "t", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
    "fabric": {"scalable_unit": 32, "switch": {"ports": 64, "port_speed_gbps": 400,
                                               "cages": 32}},
}


def _cli(tmp_path: Path, extra: dict[str, Any]) -> Any:
    data = {**BASE, **extra}
    f = tmp_path / "spec.yaml"
    f.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["plan", str(f), "-o", str(out)])
    return r, out


@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"cabling": {"polarity": "B"}}, "cabling.polarity", "APC plugs cannot mate"),
    ({"cabling": {"panel": "cassette"}}, "cabling.panel", "cassette panels carry duplex"),
    ({"fabric": {**BASE["fabric"], "switch": {"ports": 64, "port_speed_gbps": 800,
                                               "cages": 32}},
      "cabling": {"node_leaf": "structured"}}, "cabling.node_leaf", "breakout harnesses"),
])
def test_choice_that_cannot_be_kept_exits_1(tmp_path: Path, extra: dict[str, Any], field: str,
                                            words: str) -> None:
    r, out = _cli(tmp_path, extra)
    assert r.exit_code == 1, r.output
    assert field in r.output and words in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_polarity_b_is_honoured_with_upc_optics() -> None:
    p = make_plan(spec(31, nic=100, speed=100, ports=32, cages=None,
                       cabling__polarity="B", optics__leaf_spine="MM"))
    structured = [d for d in p.cabling.designs if d.mode == "structured"]
    assert structured
    for d in structured:
        kinds = {k: b for k, b, _ in d.elements}
        assert kinds["adapter"]["type"] == "B" and kinds["trunk"]["type"] == "B"
    assert set(p.cabling.adapters) == {"MPO Type B"}
    assert p.ok


def test_default_structured_lets_in_rack_links_take_cords_but_explicit_refuses() -> None:
    sp = spec(31)
    cat = plan_catalog()
    opts = [cat.optic("400G-SR4")]
    mode = np.array([1, 0, 1])  # structured, direct (same rack), structured
    same = np.array([False, True, False])
    choice = np.zeros(3, dtype=np.int64)
    _refuse_replaced_choices(sp, "leaf_spine", mode, opts, choice, same, False)  # default
    explicit = spec(31, cabling__leaf_spine="structured")
    with pytest.raises(InputError) as info:
        _refuse_replaced_choices(explicit, "leaf_spine", mode, opts, choice, same, False)
    assert info.value.field == "cabling.leaf_spine" and "1 of the 3" in info.value.message
