"""``mpokit loss``, ``reach`` and ``limits``: exit codes 0 (pass), 1 (input), 2 (fails)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mpokit.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, app

runner = CliRunner()


def test_loss_pass_and_fail(examples: Path) -> None:
    r = runner.invoke(app, ["loss", str(examples / "dr4-two-panels.yaml")])
    assert r.exit_code == EXIT_OK, r.output
    assert "0.762" in r.output
    r = runner.invoke(app, ["loss", str(examples / "sr8-over-budget.yaml"), "--json"])
    assert r.exit_code == EXIT_FAILED
    d = json.loads(r.stdout)["channels"][0]
    assert d["total_db"] == 2.035 and d["limit_db"] == 1.9
    assert [f["code"] for f in d["findings"]] == ["loss"]


def test_loss_statistical(examples: Path) -> None:
    r = runner.invoke(app, ["loss", str(examples / "sr8-over-budget.yaml"), "--statistical",
                            "--trials", "2000", "--json"])
    d = json.loads(r.stdout)["channels"][0]
    assert 0 < d["statistical"]["p_pass"] < 1
    assert len(d["statistical"]["p_pass_lanes"]) == 16


def test_loss_input_errors(tmp_path: Path, examples: Path) -> None:
    r = runner.invoke(app, ["loss", str(tmp_path / "missing.yaml")])
    assert r.exit_code == EXIT_INPUT
    bad = tmp_path / "bad.yaml"
    bad.write_text((examples / "sr8-over-budget.yaml").read_text().replace("grade: C", "grade: Q"))
    r = runner.invoke(app, ["loss", str(bad)])
    assert r.exit_code == EXIT_INPUT
    assert "path[0].cord.grade" in r.output and "unknown grade 'Q'" in r.output


def test_user_grades_file(tmp_path: Path, examples: Path) -> None:
    g = tmp_path / "grades.yaml"
    g.write_text("grades:\n  - {name: house-q, mean_db: 0.1, p97_db: 0.2, max_db: 0.3,"
                 " source: our lab, status: typical}\n")
    f = tmp_path / "ch.yaml"
    f.write_text((examples / "sr8-over-budget.yaml").read_text().replace("grade: C",
                                                                       "grade: house-q"))
    r = runner.invoke(app, ["loss", str(f), "--grades", str(g), "--json"])
    assert r.exit_code == EXIT_OK, r.output
    assert json.loads(r.stdout)["channels"][0]["total_db"] == 0.3 * 2 + 0.75 + 0.285


def test_reach_command() -> None:
    r = runner.invoke(app, ["reach", "--pmd", "400GBASE-SR8", "--fiber", "OM4",
                            "--connections", "2", "--grade", "C", "--json"])
    assert r.exit_code == EXIT_OK
    d = json.loads(r.stdout)
    assert d["result"]["length_m"] == 100 and len(d["table"]) == 9
    r = runner.invoke(app, ["reach", "--pmd", "400GBASE-SR8", "--fiber", "OM4",
                            "--connections", "4", "--grade", "C"])
    assert r.exit_code == EXIT_FAILED and "exceeds" in r.output
    r = runner.invoke(app, ["reach", "--pmd", "400GBASE-SR9", "--fiber", "OM4"])
    assert r.exit_code == EXIT_INPUT and "did you mean" in r.output


def test_limits_export(tmp_path: Path, examples: Path) -> None:
    out = tmp_path / "t.csv"
    r = runner.invoke(app, ["limits", str(examples / "dr4-two-panels.yaml"), "-o", str(out)])
    assert r.exit_code == EXIT_OK
    assert out.read_text().startswith("channel,direction,lane")
    r = runner.invoke(app, ["limits", str(examples / "dr4-two-panels.yaml"), "-o", str(out),
                            "--format", "xml"])
    assert r.exit_code == EXIT_INPUT
