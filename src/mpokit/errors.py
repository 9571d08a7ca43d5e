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

__all__ = [
    "MAX_REPORTED", "CatalogError", "DesignError", "InputError", "InputErrors", "MpokitError",
    "suggest",
]

#: How many input errors of one run are reported before the rest are only counted.
MAX_REPORTED = 20


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

    def all_errors(self) -> tuple[InputError, ...]:
        """The errors this one stands for: itself (an :class:`InputErrors`: all it holds).

        Returns
        -------
        tuple[InputError, ...]
            ``(self,)``; an :class:`InputErrors` returns every error it holds.
        """
        return (self,)

    def located(self, *, file: str | None = None, line: int | None = None) -> InputError:
        """Return a copy with the file (and line, if unknown so far) filled in.

        Parameters
        ----------
        file
            The file, used when the error names none.
        line
            The line, used when the error names none.

        Returns
        -------
        InputError
            A new error; this one is unchanged.
        """
        return InputError(
            self.message,
            file=self.file or file,
            line=self.line or line,
            field=self.field,
            fix=self.fix,
        )


class InputErrors(InputError):
    """Several input errors found in one pass, reported together.

    It is an :class:`InputError` (the first one's file, line and field) so that callers
    catching ``InputError`` keep working; ``errors`` holds all of them.

    Parameters
    ----------
    errors
        The errors, in the order of the input; at least one.
    truncated
        True when reading stopped at :data:`MAX_REPORTED` errors and more may follow.

    Examples
    --------
    >>> e = InputErrors([InputError("bad", file="a.yaml", line=2),
    ...                  InputError("worse", file="a.yaml", line=5)])
    >>> print(e)
    a.yaml:2: bad
    a.yaml:5: worse
    """

    def __init__(self, errors: Iterable[InputError], *, truncated: bool = False) -> None:
        flat: list[InputError] = []
        for e in errors:
            flat.extend(e.all_errors())
        if not flat:
            raise ValueError("InputErrors needs at least one error")
        self.errors: tuple[InputError, ...] = tuple(flat)
        self.truncated = truncated
        first = flat[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field,
                         fix=first.fix)

    def __str__(self) -> str:
        text = "\n".join(InputError.__str__(e) for e in self.errors)
        if self.truncated:
            text += f"\n(stopped after {len(self.errors)} errors; fix these and run again)"
        return text

    def all_errors(self) -> tuple[InputError, ...]:
        """Every error held.

        Returns
        -------
        tuple[InputError, ...]
            The errors, in input order.
        """
        return self.errors

    def located(self, *, file: str | None = None, line: int | None = None) -> InputError:
        """Return a copy with the file filled in on every error.

        Parameters
        ----------
        file
            The file, used by each error that names none.
        line
            Ignored: each error keeps its own line.

        Returns
        -------
        InputError
            A new :class:`InputErrors`.
        """
        return InputErrors([e.located(file=file) for e in self.errors], truncated=self.truncated)

    @staticmethod
    def of(errors: list[InputError], *, truncated: bool = False) -> InputError:
        """One error as itself, several as :class:`InputErrors`.

        Parameters
        ----------
        errors
            At least one error.
        truncated
            More errors may follow the ones given.

        Returns
        -------
        InputError
            ``errors[0]`` when it is the only one, else an :class:`InputErrors`.
        """
        if len(errors) == 1 and not truncated:
            return errors[0]
        return InputErrors(errors, truncated=truncated)


class CatalogError(MpokitError):
    """An unknown name in a catalogue, with close matches (and the fix, when one is given)."""

    def __init__(self, kind: str, name: str, known: Iterable[str], *,
                 fix: str | None = None) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggest(name, known)
        self.fix = fix
        hint = f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?"
        super().__init__(f"unknown {kind} {name!r}" + (hint if self.suggestions else "")
                         + (f" ({fix})" if fix else ""))


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

    Parameters
    ----------
    name
        The name that was not found.
    known
        The names that exist.
    n
        At most this many suggestions.

    Returns
    -------
    list[str]
        Close matches, best first, spelt as in ``known``; empty when none is close.

    Examples
    --------
    >>> suggest("400GBASE-DR", ["400GBASE-DR4", "100GBASE-DR", "800G-2xFR4"])
    ['400GBASE-DR4', '100GBASE-DR']
    """
    known = list(known)
    lower = {k.lower(): k for k in known}
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.6)
    return [lower[h] for h in hits]
