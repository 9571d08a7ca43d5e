"""Small builders of station files for the store tests, a CLI runner, and a write
transaction held open in another thread (:class:`OpenWrite`)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert

from mpokit.store import Store
from mpokit.store.models import Assembly

HEADER = "serial,end,fiber,wavelength_nm,il_db,rl_db,station,timestamp"


def ilrl_csv(path: Path, serials: list[str], *, fibers: int = 12, il_db: float | None = None,
             seed: int = 0, station: str = "st1", rl_db: float = 58.0) -> Path:
    """A generic-layout file: every serial, ends A and B, ``fibers`` fibers, 1310/1550 nm."""
    rng = np.random.default_rng(seed)
    lines = [HEADER]
    for s in serials:
        for end in "AB":
            for f in range(1, fibers + 1):
                for wl in (1310, 1550):
                    v = il_db if il_db is not None else float(rng.uniform(0.02, 0.2))
                    lines.append(f"{s},{end},{f},{wl},{v:.4f},{rl_db:.1f},{station},"
                                 "2026-01-05T10:00:00Z")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
            *args: str) -> tuple[int, str, str]:
    """``mpokit ARGS...`` in this process: ``(exit code, stdout, stderr)``."""
    from mpokit.cli import main

    monkeypatch.setattr(sys, "argv", ["mpokit", *args])
    with pytest.raises(SystemExit) as ex:
        main()
    out = capsys.readouterr()
    return int(ex.value.code or 0), out.out, out.err


GUARD_S = 60.0  # longest a test waits for a thread before calling it stuck


class OpenWrite:
    """A write transaction held open in another thread: ``serial`` inserted, not committed."""

    def __init__(self, store: Store, serial: str = "W1") -> None:
        self.store, self.serial = store, serial
        self.held, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with self.store.session() as s:
                s.execute(insert(Assembly).values(serial=self.serial, lot="LW"))
                self.held.set()
                self.release.wait(GUARD_S)
        except BaseException as exc:  # reported by __exit__
            self.error = exc
            self.held.set()

    def __enter__(self) -> OpenWrite:
        self.thread.start()
        assert self.held.wait(GUARD_S) and self.error is None, self.error
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release.set()
        self.thread.join(GUARD_S)
        assert not self.thread.is_alive() and self.error is None, self.error


def finished_while_open(writer: OpenWrite, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a thread; assert it finished before the writer was released."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["out"] = fn()
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(GUARD_S)
    waited = t.is_alive()
    writer.release.set()  # unblocks a reader that (wrongly) queued behind the writer
    t.join(GUARD_S)
    assert not waited, f"{getattr(fn, '__name__', fn)} waited for the open write transaction"
    if "error" in box:
        raise box["error"]
    return box["out"]
