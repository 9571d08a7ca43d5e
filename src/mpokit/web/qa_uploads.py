"""Uploaded files for the QC and acceptance routes: safe names and a private staging folder.

An upload's name is reduced to its last path part and to letters, digits, ``.``, ``_`` and
``-`` (no ``..``, no folder), so no name can reach outside the staging folder. Library
readers that need a path get the staged file; an :class:`~mpokit.errors.InputError` they
raise names the upload as the user called it, not the staging path.

Example:
    >>> safe_name("../../etc/passwd.csv", (".csv",))
    'passwd.csv'
    >>> with staged([("a b.csv", b"x")], (".csv",)) as paths:
    ...     paths[0].name, paths[0].read_bytes()
    ('a_b.csv', b'x')
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mpokit.errors import InputError

__all__ = ["safe_name", "staged"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, suffixes: Sequence[str], *, field: str = "file") -> str:
    """The upload's file name made safe, checked against the accepted suffixes.

    Parameters
    ----------
    name
        The name the client sent (may hold folders, ``..`` or odd characters).
    suffixes
        Accepted suffixes, lower case with the dot.
    field
        The form field, for the error.

    Returns
    -------
    str
        A plain file name (at most 120 characters).

    Raises
    ------
    InputError
        No name left, or a suffix not accepted.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = _UNSAFE.sub("_", base).lstrip("._")[-120:]
    if not clean:
        raise InputError("the uploaded file has no usable name", field=field,
                         fix="name the file like results.csv")
    if not clean.lower().endswith(tuple(suffixes)):
        raise InputError(f"{clean!r} is not one of the accepted kinds", field=field,
                         fix="upload " + " or ".join(suffixes) + " files")
    return clean


@contextmanager
def staged(files: Sequence[tuple[str, bytes]], suffixes: Sequence[str], *,
           field: str = "file") -> Iterator[list[Path]]:
    """Write uploads into a new private folder for the duration of the ``with`` block.

    Parameters
    ----------
    files
        ``(name as sent, content)`` per upload.
    suffixes
        Accepted suffixes.
    field
        The form field, for errors.

    Returns
    -------
    Iterator[list[Path]]
        The staged paths, in input order; the folder is deleted afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="mpokit-upload-") as tmp:
        root = Path(tmp)
        paths, shown = [], {}
        for k, (name, data) in enumerate(files):
            clean = safe_name(name, suffixes, field=field)
            sub = root / str(k)
            sub.mkdir()
            p = sub / clean
            p.write_bytes(data)
            paths.append(p)
            shown[str(p)] = clean
        try:
            yield paths
        except InputError as exc:
            for e in (exc, *exc.all_errors()):
                if e.file is not None:
                    e.file = shown.get(e.file, e.file.replace(str(root), "<upload>"))
            raise
