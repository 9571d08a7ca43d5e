"""Loss budgets, Monte Carlo, tester limits and traces of a ChannelSet equal the
per-channel path: each design is done once and every channel gets its design's result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

from mpokit.connectivity import ChannelSet, compile_channel, parse_channels
from mpokit.connectivity.trace import trace
from mpokit.loss import (
    budget,
    budget_set,
    monte_carlo,
    monte_carlo_set,
)
from mpokit.loss import tester_limits as limits_per_channel
from mpokit.loss import tester_limits_set as limits_per_design

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def mixed_specs() -> list:
    """Every example channel that builds, repeated under other names and none, shuffled."""
    bodies = []
    for folder in ("channels", "loss"):
        for p in sorted((EX / folder).glob("*.yaml")):
            data = yaml.safe_load(p.read_text())
            for c in data.get("channels", [data]):
                bodies.append({k: v for k, v in c.items() if k != "name"})
    rng = np.random.default_rng(7)
    order = rng.integers(0, len(bodies), 120)
    items = [{**bodies[k], **({} if i % 9 == 4 else {"name": f"c{i}"})}
             for i, k in enumerate(order.tolist())]
    return parse_channels({"channels": items})


def test_budgets_equal_per_channel_budgets() -> None:
    specs = mixed_specs()
    sb = budget_set(ChannelSet.from_specs(specs))
    assert len(sb.designs) < len(specs)
    per_channel = [budget(compile_channel(s)) for s in specs]
    assert [b.name for b in sb.budgets()] == [b.name for b in per_channel]
    assert [b.to_dict() for b in sb.budgets()] == [b.to_dict() for b in per_channel]
    assert [[f.to_dict() for f in b.findings] for b in sb.budgets()] == \
        [[f.to_dict() for f in b.findings] for b in per_channel]
    assert sb.ok.tolist() == [b.ok for b in per_channel]


def test_monte_carlo_equals_the_per_channel_run() -> None:
    specs = mixed_specs()
    sb = budget_set(ChannelSet.from_specs(specs))
    per_channel = monte_carlo([budget(compile_channel(s)) for s in specs], 500, 3)
    got = monte_carlo_set(sb, 500, 3)
    assert [r.name for r in got] == [r.name for r in per_channel]
    assert [r.to_dict() for r in got] == [r.to_dict() for r in per_channel]
    assert any(0 < r.p_pass < 1 for r in got)  # the examples exercise the sampling


def test_a_channels_monte_carlo_does_not_depend_on_copies_before_it() -> None:
    specs = mixed_specs()
    b = [budget(compile_channel(s)) for s in specs[:40]]
    alone = monte_carlo(b, 500, 11)
    doubled = monte_carlo([b[0]] * 5 + b, 500, 11)[5:]
    assert [r.to_dict() for r in alone] == [r.to_dict() for r in doubled]


def test_tester_limits_equal_per_channel_records() -> None:
    specs = mixed_specs()
    sb = budget_set(ChannelSet.from_specs(specs))
    assert limits_per_design(sb) == limits_per_channel([compile_channel(s) for s in specs])


def test_trace_command_equals_tracing_each_channel(tmp_path: Path) -> None:
    specs = mixed_specs()
    f = tmp_path / "mixed.yaml"
    f.write_text(yaml.safe_dump({"channels": [s.model_dump(mode="json", exclude_none=True)
                                              for s in specs]}))
    r = subprocess.run([sys.executable, "-m", "mpokit", "trace", str(f), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    want = []
    for s in specs:
        ch = compile_channel(s)
        want.append({"name": ch.name, "file": str(f),
                     "directions": [t.to_dict() for t in trace(ch)]})
    assert got == want
