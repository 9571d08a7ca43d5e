"""User catalogue files: add transceivers, cassettes, breakouts or connectors of your own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mpokit._yaml import read_yaml
from mpokit.errors import InputError, suggest
from mpokit.standards.catalog import Catalog
from mpokit.standards.connectors import connectors, polishes, transceivers
from mpokit.standards.parts import breakouts, cassettes

__all__ = ["CATALOGUES", "load_user_catalog"]

CATALOGUES: dict[str, Callable[[], Catalog[Any]]] = {
    "connectors": connectors,
    "transceivers": transceivers,
    "cassettes": cassettes,
    "breakouts": breakouts,
    "polishes": polishes,
}
"""The user-facing catalogues by file key (the key a user catalogue file uses)."""


def load_user_catalog(path: str) -> list[str]:
    r"""Add the records of a user catalogue file to the built-in catalogues.

    The file has any of the top-level keys ``connectors``, ``polishes``,
    ``transceivers``, ``cassettes`` and ``breakouts``, each a list of records in the
    built-in schema. Returns the keys it loaded.

    A record extends the catalogue; to replace a record of the same name it must say
    ``override: true``. No user record may claim status ``verified``.

    Parameters
    ----------
    path
        A YAML catalogue file.

    Returns
    -------
    list[str]
        The top-level keys loaded.

    Raises
    ------
    InputError
        The file cannot be read or a record is invalid (file, line, field).

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "mine.yaml")
    >>> _ = open(f, "w").write("breakout:\n  - name: MY-HARNESS\n")
    >>> try:
    ...     load_user_catalog(f)
    ... except InputError as exc:
    ...     print(exc.field, exc.line, exc.fix)
    breakout 1 did you mean 'breakouts'?
    """
    data, lines = read_yaml(path)
    if not isinstance(data, dict) or not data:
        raise InputError("a catalogue file is a mapping of catalogue names to record lists",
                         file=lines.file, line=1, fix=f"use keys: {', '.join(CATALOGUES)}")
    loaded = []
    for key in data:
        if key not in CATALOGUES:
            close = suggest(str(key), CATALOGUES)
            raise InputError(f"unknown catalogue {key!r}", file=lines.file,
                             line=lines.line_of((key,)), field=str(key),
                             fix=f"did you mean {close[0]!r}?" if close
                             else f"use keys: {', '.join(CATALOGUES)}")
    for key, get in CATALOGUES.items():
        if key in data:
            get().load({key: data[key]}, lines, user=True)
            loaded.append(key)
    return loaded
