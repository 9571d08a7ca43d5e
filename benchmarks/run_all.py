"""Run every benchmark script in this folder, one after another, each in its own process.

``make bench`` calls this. Each script prints its own figures; the README quotes them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_check.py", "bench_loss.py", "bench_plan.py", "bench_qc.py", "bench_store.py",
           "bench_hostile.py", "bench_campus.py")


def main() -> int:
    failed = 0
    for name in SCRIPTS:
        print(f"== {name}", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / name)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
