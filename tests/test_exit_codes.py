"""The real entry point keeps the documented exit codes: 0 pass, 1 usage or input error,
2 a check failed, and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mpokit", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize(
    "args,code",
    [
        (("--help",), 0),
        (("check", "examples/channels/direct-type-b-cord.yaml"), 0),
        (("check", "examples/mistakes/apc-to-upc.yaml"), 2),
        (("check",), 1),                       # missing argument
        (("chek", "x.yaml"), 1),               # unknown command
        (("check", "--bogus", "x.yaml"), 1),   # unknown option
        (("check", "no/such/file.yaml"), 1),   # unreadable input
        ((), 1),                               # no command: the help, as a usage error
    ],
)
def test_exit_code(args: tuple[str, ...], code: int) -> None:
    r = run(*args)
    assert r.returncode == code, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("limits", "examples/channels/direct-type-b-cord.yaml", "-o", "{bad}/limits.csv"),
        ("plan", "examples/cluster/superpod-1su.yaml", "-o", "{bad}/plan"),
        ("qc", "simulate", "{bad}/scan.npz"),
    ],
)
def test_unwritable_output_is_an_input_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = run(*(a.format(bad=blocker) for a in args))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "error:" in r.stderr
