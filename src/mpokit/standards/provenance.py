"""How sure a value is, and how that is shown: the one place provenance is worded.

Every catalogue value carries a :data:`~mpokit.standards.Status`; values a user states in
a channel file are ``explicit``. Values from a standard (``verified``), derived from one
(``derived``) or stated by the user (``explicit``) are shown bare; ``vendor`` and
``typical`` values always carry their status, so they are never mistaken for a
standard's limit.

>>> provenance_tag("typical"), provenance_tag("verified"), provenance_tag(None)
(' (typical)', '', '')
>>> with_provenance("1.9 dB", "vendor")
'1.9 dB (vendor)'
>>> weakest("verified", "vendor")
'vendor'
"""

from __future__ import annotations

from typing import Literal

from mpokit.standards._records import Status

__all__ = [
    "BARE",
    "Provenance",
    "is_standard",
    "provenance_tag",
    "weakest",
    "with_provenance",
]

Provenance = Literal["verified", "derived", "vendor", "typical", "explicit"]
"""A catalogue :data:`Status` or ``explicit`` (stated by the user in the input file)."""

BARE: frozenset[str] = frozenset({"verified", "derived", "explicit"})
"""Provenances shown without a tag."""

_ORDER: dict[str, int] = {"verified": 0, "derived": 1, "vendor": 2, "typical": 3}


def provenance_tag(status: str | None) -> str:
    """The suffix shown after a value of provenance ``status``.

    Parameters
    ----------
    status
        A :data:`Provenance` value, or None when the value has none (shown bare).

    Returns
    -------
    str
        ``""`` for verified, derived, explicit or None; else ``" (<status>)"``.

    Examples
    --------
    >>> "0.75 dB" + provenance_tag("typical")
    '0.75 dB (typical)'
    """
    return "" if status is None or status in BARE else f" ({status})"


def with_provenance(text: str, status: str | None) -> str:
    """``text`` followed by :func:`provenance_tag` of ``status``.

    Parameters
    ----------
    text
        The value as shown, e.g. ``"1.9 dB"``.
    status
        Its provenance.

    Returns
    -------
    str
        ``"1.9 dB"`` or ``"1.9 dB (typical)"``.

    Examples
    --------
    >>> with_provenance("500 m", "derived")
    '500 m'
    """
    return text + provenance_tag(status)


def is_standard(status: str) -> bool:
    """True when a limit of this status may fail a channel (verified or derived).

    Parameters
    ----------
    status
        A catalogue :data:`Status`.

    Returns
    -------
    bool
        Whether the value is a standard's (or derived from one).

    Examples
    --------
    >>> is_standard("derived"), is_standard("vendor")
    (True, False)
    """
    return status in ("verified", "derived")


def weakest(*statuses: Status) -> Status:
    """The least certain of several statuses (typical < vendor < derived < verified).

    Parameters
    ----------
    *statuses
        At least one catalogue status.

    Returns
    -------
    Status
        The least certain one.

    Examples
    --------
    >>> weakest("verified", "derived")
    'derived'
    """
    return max(statuses, key=lambda s: _ORDER[s])
