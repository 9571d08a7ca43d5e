"""User strings print literally; mutated channel files and specs never end in a traceback.

The mutations are generated: every leaf of every example channel file (and of a cluster
spec) is replaced by each hostile value in turn, and the real CLI is run in-process.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mpokit.cli import app

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = [ROOT / "examples" / "channels" / n for n in
            ("direct-type-b-cord.yaml", "duplex-method-b.yaml")]
SPEC = ROOT / "examples" / "cluster" / "superpod-1su.yaml"

HOSTILE: list[Any] = [True, float("inf"), float("nan"), -1e30, 10**30, "[/]", None, {1: 2},
                      [[[[[[1]]]]]]]


def _leaves(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*prefix, i))
    else:
        yield prefix


def _mutants(doc: Any) -> Iterator[tuple[str, Any]]:
    for path in _leaves(doc):
        for value in HOSTILE:
            out = copy.deepcopy(doc)
            parent = out
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
            yield f"{'.'.join(map(str, path))}={value!r:.20}", out


def _no_traceback(result: Any) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("path", CHANNELS, ids=[p.stem for p in CHANNELS])
def test_mutated_channels_check_and_loss_cleanly(path: Path, tmp_path: Path) -> None:
    doc = yaml.safe_load(path.read_text())
    runner = CliRunner()
    n = 0
    for label, mutant in _mutants(doc):
        f = tmp_path / "m.yaml"
        f.write_text(yaml.safe_dump(mutant))
        for cmd in ("check", "loss")[: 1 + (n % 3 == 0)]:
            r = runner.invoke(app, [cmd, str(f)])
            _no_traceback(r)
            leaf = label.split("=")[0].rsplit(".", 1)[-1]
            if leaf == "length_m" and label.endswith(("=True", "=inf", "=nan")):
                assert r.exit_code == 1 and "length_m" in r.output, (label, r.output)
        n += 1
    assert n >= 10 * len(HOSTILE)


def test_mutated_specs_plan_cleanly(tmp_path: Path) -> None:
    doc = yaml.safe_load(SPEC.read_text())
    runner = CliRunner()
    leaves = list(_leaves(doc))
    for label, mutant in list(_mutants(doc))[:: max(1, len(leaves) * len(HOSTILE) // 10)]:
        f = tmp_path / "s.yaml"
        f.write_text(yaml.safe_dump(mutant))
        r = runner.invoke(app, ["plan", str(f), "-o", str(tmp_path / "out"), "--no-channels"])
        _no_traceback(r)
        if r.exit_code == 1:
            assert "s.yaml" in r.output, (label, r.output)


@pytest.mark.parametrize("name", ["[/]", "[red]PASS[/red]", "[bold]x", "a [link=file:///]b"])
def test_channel_names_print_literally(name: str, tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(yaml.safe_dump({
        "name": name, "a": "400GBASE-DR4", "b": "400GBASE-DR4",
        "path": [{"cord": {"connector": "MPO-12", "type": "A", "polish": "APC",
                           "ends": ["female", "female"], "fiber": "OS2", "length_m": 5}}]}))
    for cmd in ("check", "loss"):
        r = CliRunner().invoke(app, [cmd, str(f)])
        _no_traceback(r)
        assert f" {name}  " in r.output  # shown as typed, neither styled nor a crash


def test_cluster_name_prints_literally(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SPEC.read_text().replace("name: superpod-1su", 'name: "[red]x[/] [/]"'))
    r = CliRunner().invoke(app, ["plan", str(f), "-o", str(tmp_path / "out")])
    _no_traceback(r)
    assert r.exit_code == 0 and "[red]x[/] [/]:" in r.output
