"""Run the real CLI in a child process and measure what a hostile input costs.

Each run gets a fresh working folder holding a sentinel file; the result carries the exit
code, stdout/stderr, the child's own peak RSS, its wall time, and every file
created, changed or removed in the working folder, so a test can assert that nothing
outside the output was touched. The child runs under an address-space cap, so a memory
bomb that slipped through fails the test instead of the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MEMORY_CAP_MB = 3000  # address space of the child; peak RSS bounds are asserted well below
PEAK_RSS_MB = 600  # every hostile case must stay under this resident peak
TIME_S = 60.0  # and finish (the contended 2-core CI machine; typical cases take ~1-3 s)

SENTINEL = "precious.txt"

# The child runs mpokit through this launcher, which writes its own VmHWM at exit. ``wait4``'s
# ru_maxrss is not the child's own peak: Linux carries the forking parent's high-water mark
# (here the whole pytest process) across ``exec``, so it grows with the test session.
_LAUNCH = (
    "import atexit, os, runpy, sys\n"
    "def _hwm():\n"
    "    with open('/proc/self/status') as f:\n"
    "        kb = [ln.split()[1] for ln in f if ln.startswith('VmHWM:')]\n"
    "    with open(os.environ['MPOKIT_TEST_HWM'], 'w') as f:\n"
    "        f.write(kb[0] if kb else '')\n"
    "atexit.register(_hwm)\n"
    "sys.argv[0] = 'mpokit'\n"
    "runpy.run_module('mpokit', run_name='__main__', alter_sys=True)\n"
)


@dataclass
class Run:
    """What one CLI run did."""

    code: int
    out: str
    err: str
    peak_mb: float
    seconds: float
    changed: set[str] = field(default_factory=set)

    @property
    def text(self) -> str:
        return self.out + self.err


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry below ``folder`` (symlinks not followed) with its size and mtime."""
    out: dict[str, tuple[int, int]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            st = p.lstat()
            out[str(p.relative_to(folder))] = (st.st_size if not p.is_dir() else 0,
                                               st.st_mtime_ns if not p.is_dir() else 0)
    return out


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    cap = MEMORY_CAP_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_cli(args: list[str], cwd: Path, *, env: dict[str, str] | None = None,
            timeout: float = TIME_S, signal_after: tuple[float, int] | None = None) -> Run:
    """Run ``mpokit ARGS`` in ``cwd`` (a fresh folder); ``signal_after=(seconds, signum)``."""
    (cwd / SENTINEL).write_text("the user's own file\n")
    before = snapshot(cwd)
    out_f, err_f = cwd.parent / f"{cwd.name}.out", cwd.parent / f"{cwd.name}.err"
    hwm_f = cwd.parent / f"{cwd.name}.hwm"
    hwm_f.unlink(missing_ok=True)
    full_env = {**os.environ, **(env or {}), "COLUMNS": "200", "MPOKIT_TEST_HWM": str(hwm_f)}
    t0 = time.perf_counter()
    with out_f.open("wb") as o, err_f.open("wb") as e:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, *args], cwd=cwd, stdout=o, stderr=e,
            stdin=subprocess.DEVNULL, env=full_env, preexec_fn=_cap_memory)
        if signal_after is not None:
            time.sleep(signal_after[0])
            if proc.poll() is None:
                proc.send_signal(signal_after[1])
        deadline = t0 + timeout
        status = None
        while status is None:
            pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = st
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, st, usage = os.wait4(proc.pid, 0)
                status = st
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    after = snapshot(cwd)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    # A child killed before its atexit hook ran falls back to ru_maxrss (an upper bound).
    hwm = hwm_f.read_text().strip() if hwm_f.exists() else ""
    peak_kb = int(hwm) if hwm.isdigit() else usage.ru_maxrss
    return Run(proc.returncode, out_f.read_text(errors="replace"),
               err_f.read_text(errors="replace"), peak_kb / 1024.0, seconds, changed)


def assert_refused(r: Run, *, names: str, exit_code: int = 1, allowed: str | None = None,
                   peak_mb: float = PEAK_RSS_MB, seconds: float = TIME_S) -> None:
    """The common contract of a hostile case.

    Exit code as documented, a message naming ``names`` (the file or option, often with
    the field), no traceback, bounded memory and time, and nothing in the working folder
    changed except below ``allowed`` (the output folder, when the case has one).
    """
    assert r.code == exit_code, (r.code, r.text[-2000:])
    assert names in r.text, r.text[-2000:]
    assert "Traceback" not in r.text, r.text[-3000:]
    assert r.peak_mb < peak_mb, f"peak RSS {r.peak_mb:.0f} MB"
    assert r.seconds < seconds, f"took {r.seconds:.1f} s"
    stray = {c for c in r.changed if allowed is None or not (c == allowed
                                                             or c.startswith(allowed + "/"))}
    assert not stray, f"touched outside the output: {sorted(stray)}"
    assert SENTINEL not in r.changed
