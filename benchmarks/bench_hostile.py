"""Peak memory and time of the largest hostile inputs, each run through the real CLI.

Every case runs ``python -m mpokit ...`` in a fresh folder; the child's own peak RSS comes
from ``wait4``. A case is expected to be refused (exit 1) or to give its verdict (exit 2)
quickly and within a small memory bound, whatever the size its file declares. The last
rows are legitimate big channel files, giving peak RSS per input byte.

Run: ``.venv/bin/python benchmarks/bench_hostile.py`` (about a minute).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CORD = ("      - cord: {connector: MPO-12, type: B, polish: APC, ends: [female, female], "
        "fiber: OS2, length_m: %s}\n")


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _long_path(n: int) -> str:
    cord = CORD.replace("type: B", "type: A").replace("      - ", "  - ") % 1
    body = "".join(cord + "  - adapter: {type: A}\n" for _ in range(n // 2))
    return "a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n" + body + cord


def _channels(n: int, distinct: int) -> str:
    items = []
    for i in range(n):
        items.append(f'  - name: "ch{i}"\n    a: 400GBASE-DR4\n    b: 400GBASE-DR4\n    path:\n'
                     + CORD % (1 + i % distinct))
    return "channels:\n" + "".join(items)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mpokit", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024.0, time.perf_counter() - t0


Case = tuple[str, Callable[[Path], list[str]], dict[str, str] | None]


def _file(name: str, text: str, args: Callable[[str], list[str]]) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        (d / name).write_text(text)
        return args(name)
    return make


CASES: list[Case] = [
    ("alias bomb 9 levels (387 B, 4e8 nodes)", _file("b.yaml", _bomb(9), lambda f: ["check", f]),
     None),
    ("alias bomb 20 levels", _file("b.yaml", _bomb(20), lambda f: ["check", f]), None),
    ("flow nesting 100k deep (200 kB)",
     _file("d.yaml", "a: " + "[" * 100_000 + "]" * 100_000, lambda f: ["check", f]), None),
    ("/dev/zero as a channel file", lambda d: ["check", "/dev/zero"], None),
    ("FIFO as a cluster spec",
     lambda d: (os.mkfifo(d / "p.yaml"), ["plan", "p.yaml", "-o", "out"])[1], None),
    ("30 MB file over a 16 MB limit",
     _file("big.yaml", _channels(150_000, 7), lambda f: ["check", f]),
     {"MPOKIT_LIMIT_FILE_MB": "16"}),
    ("fix search, 2001-element failing path", _file("l.yaml", _long_path(2001),
                                                    lambda f: ["check", f]), None),
    ("loss --trials at the limit (1e6)", lambda d: [
        "loss", "--statistical", "--trials", "1000000",
        str(Path(__file__).resolve().parents[1] / "examples/channels/direct-type-b-cord.yaml")],
     None),
    ("reach --connections 1e13", lambda d: ["reach", "--pmd", "400GBASE-SR8", "--fiber", "OM4",
                                            "--connections", "10000000000000"], None),
    ("a million-item channel list (2 MB)",
     _file("m.yaml", "channels: [" + "1," * 1_000_000 + "1]\n", lambda f: ["check", f]), None),
    ("legit: 20k channels, 7 bodies", _file("c.yaml", _channels(20_000, 7),
                                            lambda f: ["check", f]), None),
    ("legit: 100k channels, 7 bodies", _file("c.yaml", _channels(100_000, 7),
                                             lambda f: ["check", f]), None),
]


def main() -> int:
    print(f"{'case':45} {'exit':>4} {'peak MB':>8} {'s':>6} {'input':>9} {'MB/MB in':>8}")
    for label, make, env in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            args = make(d)
            size = sum(p.stat().st_size for p in d.iterdir() if p.is_file())
            code, peak, secs = _run(args, d, env)
        ratio = f"{peak / (size / 2**20):8.1f}" if size > 2**20 else "       -"
        print(f"{label:45} {code:>4} {peak:8.0f} {secs:6.1f} {size / 2**20:7.2f}MB {ratio}",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
