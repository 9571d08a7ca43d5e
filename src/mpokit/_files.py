"""Atomic writes: a reader never sees a half-written file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> atomic_write_text(p, "hello\\n"); p.read_text()
'hello\\n'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from mpokit.errors import InputError

__all__ = ["atomic_write", "atomic_write_text"]


def atomic_write(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> None:
    """Let ``writer`` fill a temporary file beside ``path``, then rename it over ``path``.

    On any failure the temporary file is removed and ``path`` keeps its old content.
    """
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=p.suffix, dir=p.parent)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", file=str(p),
                         fix="choose a folder you can write to") from None
    os.close(fd)
    try:
        writer(Path(tmp))
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
