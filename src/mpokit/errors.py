"""The exceptions mpokit raises, all rooted in :class:`MpokitError`.

Exceptions are for input mpokit cannot interpret. Findings about a design that
*can* be interpreted (a polarity fault, a loss over budget) are results, not
exceptions.

::

    MpokitError
    ├── InputError      a file, line or field that cannot be read; says where and how to fix it
    ├── CatalogError    an unknown catalogue name; carries "did you mean" suggestions
    └── DesignError     a design that cannot be built at all (e.g. two plugs with no adapter)

Example:
    >>> try:
    ...     raise InputError("unknown key 'lenght_m'", file="ch.yaml", line=4, field="path[0].cord")
    ... except MpokitError as exc:
    ...     print(exc)
    ch.yaml:4: path[0].cord: unknown key 'lenght_m'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["CatalogError", "DesignError", "InputError", "MpokitError", "suggest"]


class MpokitError(Exception):
    """Base class of every exception mpokit raises on purpose."""


class InputError(MpokitError):
    """Input that cannot be interpreted: names the file, line and field, and the fix."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        if self.field:
            where += f"{self.field}: "
        text = where + self.message
        if self.fix:
            text += f" ({self.fix})"
        return text

    def located(self, *, file: str | None = None, line: int | None = None) -> InputError:
        """Return a copy with the file (and line, if unknown so far) filled in."""
        return InputError(
            self.message,
            file=self.file or file,
            line=self.line or line,
            field=self.field,
            fix=self.fix,
        )


class CatalogError(MpokitError):
    """An unknown name in a catalogue, with close matches."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggest(name, known)
        hint = f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?"
        super().__init__(f"unknown {kind} {name!r}" + (hint if self.suggestions else ""))


class DesignError(MpokitError):
    """A design that cannot be built at all.

    ``loc`` is where in the input it sits, as a field path (``("path", 2)``), so that a
    caller holding the file's line index can name the line.
    """

    def __init__(self, message: str, *, loc: tuple[str | int, ...] = ()) -> None:
        self.loc = loc
        super().__init__(message)


def suggest(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Close matches for ``name`` among ``known``, case-insensitively.

    >>> suggest("400GBASE-DR", ["400GBASE-DR4", "100GBASE-DR", "800G-2xFR4"])
    ['400GBASE-DR4', '100GBASE-DR']
    """
    known = list(known)
    lower = {k.lower(): k for k in known}
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.6)
    return [lower[h] for h in hits]
