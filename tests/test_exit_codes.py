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
