"""The mistakes a new user makes first, through the real entry point, from an empty folder.

Each exits 1 with one clear line naming what is wrong (and no traceback): a missing file, a
folder where a file is expected, a wrong extension, a typo'd command at every level (with
"did you mean"), a typo'd option (with the close ones).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPOKIT_DB": str(cwd / "store.db")}
    return subprocess.run([sys.executable, "-m", "mpokit", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, env=env)


@pytest.mark.parametrize(("args", "says"), [
    # a missing file or folder is named as missing, not as a wrong kind of file
    (("check", "nope.yaml"), "nope.yaml: file not found"),
    (("plan", "nope.yaml"), "nope.yaml: file not found"),
    (("routes", "check", "nope.yaml"), "nope.yaml: file not found"),
    (("qc", "geometry", "nope.npz"), "nope.npz: file not found"),
    (("accept", "nope", "results.csv"), "nope: not found"),
    (("accept-limits", "nope"), "nope: not found"),
    (("export", "ptm", "nope", "-o", "out"), "nope: not found"),
    (("push", "nope", "--to", "nautobot", "http://127.0.0.1:9"), "nope: not found"),
    (("demo", "--examples", "nope"), "nope: examples folder not found"),
    # a folder where a file is expected
    (("plan", str(EX / "cluster")), "is a folder, not a file"),
    (("check", str(EX / "channels"), "--catalog", str(EX)), "is a folder, not a file"),
    (("qc", "simulate", str(EX)), f"{EX}: is a folder"),
    (("qc", "certificate", "S1", "-o", str(EX)), f"{EX}: -o: is a folder"),
    # a wrong extension
    (("qc", "geometry", str(EX / "qc" / "buyer_spec.yaml")), "unsupported file type '.yaml'"),
    (("qc", "simulate", "scan.png"), "unsupported file type '.png'"),
    (("qc", "import", str(EX / "qc" / "buyer_spec.yaml")), "unknown file type '.yaml'"),
    # a folder without the files a command looks for names the folder
    (("qc", "inspect", str(EX / "qc"), "--class", "sm-pc"), f"no images found in {EX / 'qc'}"),
    (("qc", "batch", str(EX / "cluster")), f"no scan files found in {EX / 'cluster'}"),
    # a named image that is not there stops the command, as for the other qc commands
    (("qc", "inspect", "missing.png", "--class", "sm-pc"), "missing.png: file not found"),
    (("qc", "import", str(EX / "qc"), "--mapping", "missing.yaml"),
     "error: missing.yaml: file not found"),
    (("qc", "grade", "--profile", "missing.yaml"), "error: missing.yaml: file not found"),
    # an output file whose suffix names a format the command does not write
    (("limits", str(EX / "channels" / "direct-type-b-cord.yaml"), "-o", "x.txt"),
     "unknown output format '.txt': this command writes .csv or .json"),
    (("accept-limits", str(EX / "channels" / "direct-type-b-cord.yaml"), "-o", "x.json"),
     "unknown output format '.json': this command writes .csv"),
    (("qc", "batch", str(EX / "cluster"), "--summary", "s.txt"), "--summary: unknown output"),
    (("qc", "geometry", "scan.npz", "--summary", "s.xlsx"), "--summary: unknown output"),
    (("qc", "inspect", "x.png", "--class", "sm-pc", "--summary", "s"), "format (no suffix)"),
    # a file that is neither YAML nor JSON given where a channel is expected
    (("check", str(EX / "qc" / "lot-L1_supplier.csv")), "channel files are YAML or JSON"),
    # a misspelt value is refused even where the files would override it
    (("qc", "geometry", "scan.npz", "--kind", "mtt"), "--kind: unknown kind 'mtt'"),
])
def test_input_mistake_is_one_error_line(tmp_path: Path, args: tuple[str, ...],
                                         says: str) -> None:
    r = run(tmp_path, *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and says in errors[0], r.stderr


@pytest.mark.parametrize(("args", "hint"), [
    (("check", str(EX / "cluster" / "superpod-1su.yaml")),
     "superpod-1su.yaml looks like a cluster spec; mpokit plan SPEC -o OUT reads those"),
    (("plan", str(EX / "channels" / "direct-type-b-cord.yaml"), "-o", "out"),
     "direct-type-b-cord.yaml looks like a channel file; mpokit check FILE reads those"),
])
def test_a_file_given_to_the_wrong_command_gets_a_hint(tmp_path: Path, args: tuple[str, ...],
                                                       hint: str) -> None:
    r = run(tmp_path, *args)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    last = r.stderr.splitlines()[-1]  # after every error line
    assert last.startswith(f"hint: {args[1]}") and last.endswith(hint), r.stderr


def test_no_hint_for_an_ordinary_mistake(tmp_path: Path) -> None:
    bad = tmp_path / "ch.yaml"
    bad.write_text((EX / "channels" / "direct-type-b-cord.yaml").read_text()
                   .replace("path:", "pth:"))
    r = run(tmp_path, "check", str(bad))
    assert r.returncode == 1 and "unknown key 'pth'" in r.stderr
    assert "hint:" not in r.stderr


@pytest.mark.parametrize(("args", "says"), [
    (("chek", "x.yaml"), "No such command 'chek'. Did you mean 'check'?"),
    (("qc", "gemetry", "x"), "Did you mean 'geometry'?"),
    (("routes", "chek", "x"), "Did you mean 'check'?"),
    (("token", "crate", "x"), "Did you mean 'create'?"),
    (("check", "x.yaml", "--jsn"), "No such option: --jsn (Possible options: --json)"),
    (("qc", "geometry", "x.npz", "--jsn"), "--json"),
    (("catalog", "conectors"), "did you mean 'connectors'?"),
    (("trace", str(EX / "channels"), "--channel", "Method B duplex 10GBASE-SR"),
     "did you mean 'Method B duplex, 10GBASE-SR'"),
    (("reach", "--pmd", "400GBASE-SR9", "--fiber", "OM4"), "did you mean '400GBASE-SR8'"),
    (("export", "netbx", "x", "-o", "out"), "use one of netbox, nautobot"),
    (("qc", "grade", "--profile", "iec-B2"), "did you mean 'iec-B-2'"),
    # no close name: the known ones, and a geometry profile given to grade is named as such
    (("qc", "grade", "--profile", "typo"), "use one of iec-B-2, iec-C-3, iec-B-1, tia-568"),
    (("qc", "grade", "--profile", "mt-pc"), "mt-pc is an end-face geometry profile"),
])
def test_typo_gets_a_suggestion(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    r = run(tmp_path, *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert says in r.stderr, r.stderr


@pytest.mark.parametrize(("args", "package"), [
    (("qc", "inspect", "x.png", "--class", "sm-pc"), "scipy"),
    (("qc", "stats"), "sqlalchemy"),
    (("token", "list"), "sqlalchemy"),
    (("accept-limits", str(EX / "channels" / "direct-type-b-cord.yaml")), "pyarrow"),
])
def test_a_missing_extra_is_named_with_what_to_install(tmp_path: Path, args: tuple[str, ...],
                                                       package: str) -> None:
    """``pip install mpokit`` alone: a command that needs an extra says which, no traceback."""
    from tests.test_optional_extras import BLOCKER, optional_modules

    env = {**os.environ, "MPOKIT_DB": str(tmp_path / "store.db")}
    r = subprocess.run([sys.executable, "-c", BLOCKER, ",".join(sorted(optional_modules())),
                        *args], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                       env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"error: this command needs {package}, which is not installed")
    assert "pip install 'mpokit[EXTRA]'" in line


def test_a_refused_output_writes_nothing_and_prints_no_row(tmp_path: Path) -> None:
    """The two walkthrough cases: nothing on stdout, no file, exit 1."""
    r = run(tmp_path, "limits", str(EX / "channels" / "direct-type-b-cord.yaml"), "-o", "x.txt")
    assert r.returncode == 1 and r.stdout == "" and not (tmp_path / "x.txt").exists()
    r = run(tmp_path, "qc", "inspect", "missing.png", "--class", "sm-pc")
    assert r.returncode == 1 and r.stdout == "", r.stdout
    assert r.stderr.startswith("error: missing.png: file not found"), r.stderr


def test_the_suffix_picks_the_format_and_a_yaml_error_keeps_its_own_message(
    tmp_path: Path,
) -> None:
    r = run(tmp_path, "limits", str(EX / "channels" / "direct-type-b-cord.yaml"), "-o", "x.JSON")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.JSON").read_text().startswith("{")
    bad = tmp_path / "ch.yaml"
    bad.write_text("a: [1, 2\n")
    r = run(tmp_path, "check", str(bad))
    assert r.returncode == 1 and "not valid YAML" in r.stderr
    assert "YAML or JSON" not in r.stderr
