"""``pmd_mismatch``: modules whose lanes cannot talk fail, whatever the fibers do.

    [800GBASE-DR8] --MPO-16 cord type B F-F APC-- [1.6TBASE-DR8]    100G vs 200G lanes: fail
    [800GBASE-DR8] --MPO-16 cord type B F-F APC-- [800GBASE-DR8]    pass
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.connectivity.checks import evaluate, pmd_findings
from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.model import compile_channel
from mpokit.standards import transceiver, transceivers


def _cord(connector: str, polish: str) -> dict[str, Any]:
    return {"cord": {"connector": connector, "type": "B", "polish": polish,
                     "ends": ["female", "female"], "fiber": "OS2", "length_m": 5}}


def _channel(a: str, b: str, connector: str = "MPO-16", polish: str = "APC") -> dict[str, Any]:
    return {"name": f"{a}-{b}", "a": a, "b": b, "path": [_cord(connector, polish)]}


def test_dr8_to_dr8_passes_and_dr8_to_1_6t_dr8_fails_on_pmd_only() -> None:
    assert evaluate(compile_channel(parse_channel(_channel("800GBASE-DR8", "800GBASE-DR8")))).ok
    r = evaluate(compile_channel(parse_channel(_channel("800GBASE-DR8", "1.6TBASE-DR8"))))
    assert not r.ok
    assert [f.code for f in r.findings if f.severity == "error"] == ["pmd_mismatch"]
    f = next(f for f in r.findings if f.code == "pmd_mismatch")
    assert "100G and 200G lanes" in f.message
    assert f.fix is not None and "1.6TBASE-DR8" in f.fix and "800GBASE-DR8" in f.fix


@pytest.mark.parametrize(("a", "b", "why"), [
    ("400GBASE-SR4", "400GBASE-DR4", "MM and SM"),
    ("100GBASE-SR4", "400GBASE-SR4", "25G and 100G lanes"),
    ("400GBASE-DR4", "800GBASE-DR4", "100G and 200G lanes"),
    ("800G-2xDR4", "1.6T-2xDR4", "100G and 200G lanes"),
])
def test_modules_that_cannot_talk(a: str, b: str, why: str) -> None:
    found = pmd_findings(transceiver(a), transceiver(b))
    assert [f.code for f in found] == ["pmd_mismatch"] and why in found[0].message
    # symmetric
    assert [f.code for f in pmd_findings(transceiver(b), transceiver(a))] == ["pmd_mismatch"]


@pytest.mark.parametrize(("a", "b"), [
    ("800GBASE-DR8", "400GBASE-DR4"),  # DR8 -> 2 x DR4 breakout: 100G-DR lanes
    ("800G-2xDR4", "400GBASE-DR4"),
    ("400GBASE-DR4", "100GBASE-DR"),
    ("1.6TBASE-DR8", "800GBASE-DR4"),  # 200G-DR lanes
    ("1.6T-2xDR4", "800GBASE-DR4"),
    ("800G-2xSR4", "400GBASE-SR4"),
])
def test_modules_that_interoperate(a: str, b: str) -> None:
    assert pmd_findings(transceiver(a), transceiver(b)) == []


def test_every_module_talks_to_itself() -> None:
    for t in transceivers():
        assert pmd_findings(t, t) == []


def test_cli_check_exits_2_on_a_pmd_mismatch(tmp_path: Path) -> None:
    f = tmp_path / "ch.yaml"
    f.write_text(yaml.safe_dump({"channels": [_channel("800GBASE-DR8", "1.6TBASE-DR8")]}))
    r = CliRunner().invoke(app, ["check", str(f)])
    assert r.exit_code == 2, r.output
    assert "pmd_mismatch" in r.output or "cannot talk" in r.output
