"""``mpokit trace``: every lane face by face, agreeing with the checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.connectivity.io import read_channels
from mpokit.connectivity.model import compile_channel
from mpokit.connectivity.trace import format_trace, trace

EX = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.mark.parametrize("path", sorted((EX / "channels").glob("*.yaml")), ids=lambda p: p.stem)
def test_passing_channels_reach_receivers_in_both_directions(path: Path) -> None:
    for spec in read_channels(path):
        ch = compile_channel(spec)
        for t in trace(ch):
            assert all(a.startswith("Rx") or a == "~" for a in t.arrives), t.arrives
            # one row per stage plus the starting port
            assert len(t.rows) == len(ch.stages) + 1


def test_trace_ends_where_the_end_to_end_map_says() -> None:
    (spec,) = read_channels(EX / "channels" / "parallel-method-a.yaml")
    ch = compile_channel(spec)
    fwd, _ = trace(ch)
    e2e = ch.end_to_end()
    assert list(fwd.rows[-1].positions) == [int(e2e[p]) + 1 for p in ch.a.tx]


def test_straight_cord_shows_tx_meeting_tx() -> None:
    (spec,) = read_channels(EX / "mistakes" / "type-a-cord-between-dr4.yaml")
    fwd, back = trace(compile_channel(spec))
    assert fwd.arrives == ("Tx0", "Tx1", "Tx2", "Tx3") == back.arrives
    assert "reaches" in format_trace(fwd).splitlines()[-1]


def test_dark_positions_show_as_dashes() -> None:
    (spec,) = read_channels(EX / "mistakes" / "base8-trunk-dark-port.yaml")
    fwd, _ = trace(compile_channel(spec))
    assert fwd.arrives == ("-",)
    assert None in [p for r in fwd.rows for p in r.positions]


def test_cli_trace_text_json_and_filter() -> None:
    f = str(EX / "channels" / "dr8-split-to-2xdr4.yaml")
    r = runner.invoke(app, ["trace", f, "--channel", "DR8 lanes 4-7 to DR4 no. 2"])
    assert r.exit_code == 0 and "DR8 lanes 0-3" not in r.output and "Rx3" in r.output
    r = runner.invoke(app, ["trace", f, "--json"])
    doc = json.loads(r.stdout)
    assert [d["name"] for d in doc] == ["DR8 lanes 0-3 to DR4 no. 1", "DR8 lanes 4-7 to DR4 no. 2"]
    assert doc[0]["directions"][0]["arrives"][:4] == ["Rx0", "Rx1", "Rx2", "Rx3"]
    r = runner.invoke(app, ["trace", f, "--channel", "nope"])
    assert r.exit_code == 1 and "no channel named 'nope'" in r.output
