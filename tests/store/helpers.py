"""Small builders of station files for the store tests, and a CLI runner."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

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
