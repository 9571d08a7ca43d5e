"""One consistent command line, through the real entry point (``python -m mpokit``).

Each test names the defect of the issue it guards; each failed on the code before the fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mpokit import __version__
from mpokit.errors import MAX_REPORTED

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"

CHANNEL = """\
name: {name}
a: 100GBASE-SR4
b: 100GBASE-SR4
path:
  - trunk: {{connector: MPO-12, type: B, ends: [female, female], fiber: OM4, length_m: 30,
      grade: {grade}}}
"""
GRADES = ("grades:\n  - {name: house-q, mean_db: 0.1, p97_db: 0.2, max_db: 0.3,"
          " source: our lab, status: typical}\n")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mpokit", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, env={**os.environ, **(env or {})})


def clean(r: subprocess.CompletedProcess[str]) -> str:
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out
    return out


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0, clean(r)
    assert r.stdout.strip() == f"mpokit {__version__}"


@pytest.mark.parametrize("command", ["check", "trace", "loss", "limits"])
def test_every_channel_command_takes_the_same_options(command: str) -> None:
    r = run(command, "--help", env={"COLUMNS": "200"})
    assert r.returncode == 0, clean(r)
    for option in ("--catalog", "--grades", "FILE_OR_FOLDER"):
        assert option in r.stdout, f"{command} lacks {option}"


def test_check_takes_grades_and_loss_takes_catalog(tmp_path: Path) -> None:
    """Before: `check` rejected --grades, `loss` and `limits` rejected --catalog."""
    grades = tmp_path / "grades.yaml"
    grades.write_text(GRADES)
    ch = tmp_path / "ch.yaml"
    ch.write_text((EX / "loss" / "sr8-over-budget.yaml").read_text()
                  .replace("grade: C", "grade: house-q"))
    r = run("check", str(ch), "--grades", str(grades), "--json")
    assert r.returncode == 0, clean(r)
    (only,) = json.loads(r.stdout)["channels"]
    assert only["loss"]["total_db"] == pytest.approx(0.3 * 2 + 0.75 + 0.285)
    r = run("check", str(ch))  # without the grades file the grade is unknown
    assert r.returncode == 1 and "unknown grade 'house-q'" in clean(r)

    acme = str(EX / "catalog" / "acme-channel.yaml")
    parts = str(EX / "catalog" / "my-parts.yaml")
    r = run("loss", acme, "--catalog", parts, "--json")
    assert r.returncode == 0, clean(r)
    assert json.loads(r.stdout)["channels"][0]["name"] == "ACME PSM4 to DR4"
    out = tmp_path / "limits.csv"
    r = run("limits", acme, "--catalog", parts, "-o", str(out))
    assert r.returncode == 0, clean(r)
    assert "ACME PSM4 to DR4" in out.read_text()
    assert r.stdout == "" and f"wrote tester limits for 1 channel(s) to {out}" in r.stderr


def test_all_errors_of_a_file_in_one_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\n"
        "a: 10GBASE-SR\n"
        "b: 10GBASE-SR\n"
        "colour: red\n"                                                        # line 4
        "path:\n"
        "  - cord: {connector: LC, type: A-B, fiber: OM4, lenght_m: 2}\n"      # line 6
        "  - cable: {connector: LC}\n"                                         # line 7
        "  - cord: {connector: LC, type: A-B, fiber: OM4, length_m: -2}\n"     # line 8
    )
    r = run("check", str(bad))
    assert r.returncode == 1
    errors = [ln for ln in clean(r).splitlines() if ln.startswith("error:")]
    assert errors == [
        f"error: {bad}:4: colour: unknown key 'colour' (allowed: name, a, b, path)",
        f"error: {bad}:6: path[0].cord.lenght_m: unknown key 'lenght_m' (did you mean "
        "'length_m'?)",
        f"error: {bad}:7: path[1].cable: unknown element kind 'cable' (kinds: cord, trunk, "
        "adapter, cassette, breakout, splice, ocs)",
        f"error: {bad}:8: path[2].cord.length_m: Input should be greater than or equal to 0 "
        "(got -2)",
    ]
    assert r.stdout == ""


def test_errors_across_channels_stop_at_the_cap(tmp_path: Path) -> None:
    body = "".join(f"  - name: c{i}\n    a: 10GBASE-SR\n    b: 10GBASE-SR\n    pth: []\n"
                   for i in range(MAX_REPORTED + 10))
    bad = tmp_path / "many.yaml"
    bad.write_text("channels:\n" + body)
    r = run("check", str(bad))
    assert r.returncode == 1
    errors = [ln for ln in clean(r).splitlines() if ln.startswith("error:")]
    assert len(errors) == MAX_REPORTED
    assert errors[0] == (f"error: {bad}:5: channels[0].pth: unknown key 'pth' "
                         "(did you mean 'path'?)")
    assert errors[-1].startswith(f"error: {bad}:{4 * MAX_REPORTED + 1}: ")
    assert f"stopped after {MAX_REPORTED} errors" in r.stderr


def test_cluster_spec_did_you_mean(tmp_path: Path) -> None:
    """A misspelt optional section gets the same 'did you mean' as a channel file."""
    text = (EX / "cluster" / "superpod-1su.yaml").read_text()
    assert "\nlayout:" not in text  # layout is optional: no "missing key" to match
    spec = tmp_path / "spec.yaml"
    spec.write_text(text + "layuot: {rows: 2}\n")
    r = run("plan", str(spec), "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "layuot: unknown key 'layuot' (did you mean 'layout'?)" in clean(r)
    assert not (tmp_path / "out").exists()


def test_plan_summary_on_stdout(tmp_path: Path) -> None:
    """Results on stdout: the plan's summary went to stderr."""
    r = run("plan", str(EX / "cluster" / "superpod-1su.yaml"), "-o", str(tmp_path / "p"))
    assert r.returncode == 0, clean(r)
    assert "channels checked: all channels pass" in r.stdout
    assert "channels checked" not in r.stderr


def test_progress_on_stderr_results_on_stdout(tmp_path: Path) -> None:
    """With a terminal forced, the bar is drawn on stderr and stdout stays pure JSON."""
    files = [str(p) for p in sorted((EX / "channels").glob("*.yaml"))]
    r = run("check", *files, "--json", env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"})
    assert r.returncode == 0, clean(r)
    assert json.loads(r.stdout)["ok"] is True
    assert "checking" in r.stderr


def test_no_hard_wrapping_when_piped(tmp_path: Path) -> None:
    name = "leaf-" + "x" * 150 + "-end"
    ch = tmp_path / "long.yaml"
    ch.write_text(CHANNEL.format(name=name, grade="B"))
    for command in ("check", "loss"):
        r = run(command, str(ch), env={"COLUMNS": ""})
        assert r.returncode == 0, clean(r)
        assert any(name in ln for ln in r.stdout.splitlines()), r.stdout


def test_duplex_lanes_leaving_at_the_wrong_port_count(tmp_path: Path) -> None:
    """A duplex channel whose lanes exit at the wrong leg is 0/2 lanes, not 0/0."""
    ch = tmp_path / "legs.yaml"
    ch.write_text(
        "name: two legs\na: 100GBASE-DR\nb: 100GBASE-DR\npath:\n"
        "  - breakout: {model: MPO8-4xLC, leg: 1, enter: leg, fiber: OS2, length_m: 3}\n"
        "  - adapter: {connector: MPO-12}\n"
        "  - breakout: {model: MPO8-4xLC, leg: 2, enter: trunk, fiber: OS2, length_m: 3}\n")
    r = run("check", str(ch))
    assert r.returncode == 2, clean(r)
    assert "FAIL two legs  (0/2 lanes)" in r.stdout


def test_check_and_loss_take_folders_and_several_files() -> None:
    n_channels = 14  # examples/channels holds 12 files, 14 channels
    r = run("check", str(EX / "channels"), str(EX / "mistakes" / "apc-to-upc.yaml"), "--json")
    assert r.returncode == 2, clean(r)
    doc = json.loads(r.stdout)
    assert len(doc["channels"]) == n_channels + 1
    assert {Path(c["file"]).parent.name for c in doc["channels"]} == {"channels", "mistakes"}
    r = run("loss", str(EX / "loss"), str(EX / "channels" / "duplex-ab-cord.yaml"), "--json")
    assert r.returncode == 2, clean(r)  # sr8-over-budget fails its budget
    assert len(json.loads(r.stdout)["channels"]) == 5  # 4 in examples/loss, 1 more


def test_an_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    r = run("check", str(tmp_path))
    assert r.returncode == 1
    assert f"error: {tmp_path}: is a folder that holds no channel file" in clean(r)


def test_help_shows_flags_as_flags() -> None:
    r = run("check", "--help", env={"COLUMNS": "200"})
    assert r.returncode == 0, clean(r)
    flag_lines = [ln for ln in r.stdout.splitlines() if "--json" in ln or "--help" in ln]
    assert len(flag_lines) == 2
    assert not any("<bool>" in ln for ln in flag_lines), flag_lines


@pytest.mark.parametrize("command", ["check", "loss"])
def test_names_are_printed_literally(tmp_path: Path, command: str) -> None:
    """Rich markup in a name is printed as written (it raised MarkupError in `loss`)."""
    name = "[red]PASS[/red] [/] x"
    ch = tmp_path / "markup.yaml"
    ch.write_text(CHANNEL.format(name=json.dumps(name), grade="B"))
    r = run(command, str(ch))
    assert r.returncode == 0, clean(r)
    assert f"PASS {name}  " in r.stdout


def test_a_plan_output_folder_checks_its_channels_file_only(tmp_path: Path) -> None:
    """``check PLAN_OUT/`` read summary.json as a channel file (an input error)."""
    out = tmp_path / "p"
    r = run("plan", str(EX / "cluster" / "superpod-1su.yaml"), "-o", str(out))
    assert r.returncode == 0, clean(r)
    assert (out / "summary.json").is_file()
    mine = tmp_path / "p" / "extra.json"  # a file the user put there is still read
    mine.write_text((EX / "channels" / "direct-type-b-cord.yaml").read_text())
    r = run("check", str(out), "--json")
    assert r.returncode == 0, clean(r)
    files = {Path(c["file"]).name for c in json.loads(r.stdout)["channels"]}
    assert files == {"channels.yaml", "extra.json"}
    n_plan = sum(1 for ln in (out / "channels.yaml").read_text().splitlines()
                 if ln.startswith("  - name:"))
    assert len(json.loads(r.stdout)["channels"]) == n_plan + 1


def test_trace_prints_names_literally_on_stdout(tmp_path: Path) -> None:
    name = "[red]PASS[/red] [/] x"
    ch = tmp_path / "markup.yaml"
    ch.write_text(CHANNEL.format(name=json.dumps(name), grade="B"))
    r = run("trace", str(ch))
    assert r.returncode == 0, clean(r)
    assert r.stdout.startswith(f"{name}  (100GBASE-SR4 -> 100GBASE-SR4)")
    assert r.stderr == ""


@pytest.mark.parametrize("args", [
    ["reach", "--pmd", "400GBASE-SR4", "--fiber", "OM4", "--table-to", "12"],
    ["catalog", "transceivers"],
    ["trace", str(EX / "channels" / "twin-port-osfp.yaml")],
])
def test_results_on_stdout_nothing_on_stderr(args: list[str]) -> None:
    r = run(*args, env={"COLUMNS": ""})
    assert r.returncode == 0, clean(r)
    assert r.stdout.strip() and r.stderr == ""
    if args[0] == "catalog":  # one record a line, never wrapped at 80 columns
        lines = r.stdout.splitlines()
        assert all(") " in ln for ln in lines) and max(map(len, lines)) > 80, lines


def test_limits_reports_on_stderr_and_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "lim.json"
    r = run("limits", str(EX / "channels"), "-o", str(out))
    assert r.returncode == 0, clean(r)
    assert r.stdout == ""  # the result is the file; the note is a diagnostic
    assert f"to {out}" in r.stderr
    assert len(json.loads(out.read_text())["channels"]) == 14
