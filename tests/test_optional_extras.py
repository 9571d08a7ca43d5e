"""``pip install mpokit`` alone: the core commands run without any optional extra.

Each command runs in a child process whose import system refuses every module an extra
of ``pyproject.toml`` brings (as if it were not installed). Outputs that need an extra
are left out with a note naming the extra; nothing ends in a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"

#: Import names of the distributions the extras bring (pyproject name -> import name).
IMPORT_NAMES = {"pyyaml": "yaml", "scikit-image": "skimage", "pillow": "PIL",
                "psycopg": "psycopg", "dask": "dask", "mkdocstrings": "mkdocstrings"}
CORE = {"numpy", "pydantic", "yaml", "typer", "rich"}


def _requirement_name(req: str) -> str:
    for stop in "[<>=!~; ":
        req = req.split(stop)[0]
    return req.strip().lower()


def optional_modules() -> set[str]:
    """Every top-level module an extra (other than dev/docs tooling) brings."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    names = set()
    for extra, reqs in extras.items():
        if extra in ("all", "dev", "docs"):
            continue
        for r in reqs:
            n = _requirement_name(r)
            if n == "mpokit":  # an extra that pulls in another extra of this package
                continue
            names.add(IMPORT_NAMES.get(n, n.replace("-", "_")))
    names |= {"distributed"}  # dask[distributed]
    return names - CORE


BLOCKER = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = set(sys.argv[1].split(","))

class Blocker(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
sys.argv = ["mpokit", *sys.argv[2:]]
from mpokit.cli import main
main()
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    blocked = ",".join(sorted(optional_modules()))
    r = subprocess.run([sys.executable, "-c", BLOCKER, blocked, *args], capture_output=True,
                       text=True, cwd=tmp_path, timeout=300)
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    return r


def test_the_blocked_set_covers_the_extras() -> None:
    mods = optional_modules()
    assert {"pyarrow", "scipy", "matplotlib", "h5py", "openpyxl", "sqlalchemy"} <= mods
    assert not mods & CORE


def test_the_blocker_blocks(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", BLOCKER.replace("from mpokit.cli import main\n"
                        "main()", "import pyarrow"), "pyarrow"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "blocked" in r.stderr


@pytest.mark.parametrize("args", [
    ["--version"],
    ["--help"],
    ["check", str(EX / "channels")],
    ["check", str(EX / "channels" / "direct-type-b-cord.yaml"), "--json"],
    ["trace", str(EX / "channels" / "direct-type-b-cord.yaml")],
    ["loss", str(EX / "loss"), "--statistical", "--trials", "200"],
    ["reach", "--pmd", "400GBASE-SR4", "--fiber", "OM4"],
])
def test_core_commands_run_without_extras(tmp_path: Path, args: list[str]) -> None:
    r = run(tmp_path, *args)
    assert r.returncode in (0, 2), r.stderr
    assert r.stdout.strip()


def test_limits_without_extras(tmp_path: Path) -> None:
    r = run(tmp_path, "limits", str(EX / "channels" / "direct-type-b-cord.yaml"),
            "-o", str(tmp_path / "l.csv"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "l.csv").read_text().startswith("channel,")


def test_plan_without_extras_leaves_out_parquet_and_xlsx_and_says_why(tmp_path: Path) -> None:
    out = tmp_path / "p"
    r = run(tmp_path, "plan", str(EX / "cluster" / "superpod-1su.yaml"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "cutsheet.parquet not written: Parquet needs pyarrow" in r.stderr
    assert "bom.xlsx not written" in r.stderr and "mpokit[plan]" in r.stderr
    assert not (out / "cutsheet.parquet").exists() and not (out / "bom.xlsx").exists()
    for f in ("cutsheet.csv", "bom.csv", "channels.yaml", "tester_limits.csv", "summary.json"):
        assert (out / f).stat().st_size > 0, f
    # the CSV written without pyarrow holds what pyarrow's writer writes
    ref = tmp_path / "ref"
    full = subprocess.run([sys.executable, "-m", "mpokit", "plan",
                           str(EX / "cluster" / "superpod-1su.yaml"), "-o", str(ref)],
                          capture_output=True, text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    for f in ("cutsheet.csv", "bom.csv", "tester_limits.csv", "channels.yaml"):
        assert (out / f).read_text() == (ref / f).read_text(), f
    assert json.loads((out / "summary.json").read_text()) == json.loads(
        (ref / "summary.json").read_text())
