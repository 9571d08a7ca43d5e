"""Resource limits on every input, with defaults that cover every real use.

A tiny hostile file must not be able to exhaust the machine: a YAML "billion laughs",
a file that never ends (``/dev/zero``, a FIFO), an absurd numeric option. Each limit has
a default far above any real plant (the 131,072-GPU plan's ``channels.yaml`` is well
inside them) and can be raised with an environment variable ``MPOKIT_LIMIT_<NAME>``
(for example ``MPOKIT_LIMIT_FILE_MB=8192``). A refusal names the limit and says how to
raise it.

>>> limit("yaml_depth")
64
>>> try:
...     check_limit("yaml_depth", 500, what="YAML nesting depth", file="x.yaml")
... except InputError as exc:
...     print(exc.fix)
raise the limit with MPOKIT_LIMIT_YAML_DEPTH=500 if the input is genuine
"""

from __future__ import annotations

import os

from mpokit.errors import InputError

__all__ = ["DEFAULTS", "check_limit", "limit"]

DEFAULTS: dict[str, int] = {
    # a file mpokit reads (channel files, specs, catalogues, profiles), in MiB
    "file_mb": 512,
    # YAML: mapping/sequence nesting, and nodes reached through aliases (anchors expanded)
    "yaml_depth": 64,
    "yaml_alias_nodes": 100_000,
    # elements in one channel path (patch cords, trunks, cassettes, splices ...)
    "path_elements": 10_000,
    # numeric CLI options that size the work (reach --connections / --table-to, loss --trials)
    "reach_connections": 1_000,
    "trials": 1_000_000,
    # the fix search for one channel, in milliseconds of CPU time
    "fix_search_ms": 2_000,
}
"""Default of each limit (see the module docstring for how to raise one)."""


def env_name(name: str) -> str:
    """The environment variable that raises limit ``name``."""
    return f"MPOKIT_LIMIT_{name.upper()}"


def limit(name: str) -> int:
    """The current value of limit ``name`` (the default unless the environment raises it).

    Parameters
    ----------
    name:
        A key of :data:`DEFAULTS`.

    Returns
    -------
    int
        The limit; a malformed environment value is an :class:`InputError`.
    """
    raw = os.environ.get(env_name(name))
    if raw is None or raw.strip() == "":
        return DEFAULTS[name]
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):
        raise InputError(f"{env_name(name)}={raw!r} is not a number",
                         fix=f"set it to a whole number (default {DEFAULTS[name]})") from None
    if value <= 0:
        raise InputError(f"{env_name(name)}={raw!r} must be positive",
                         fix=f"set it to a whole number (default {DEFAULTS[name]})")
    return value


def check_limit(name: str, value: float, *, what: str, file: str | None = None,
                field: str | None = None, line: int | None = None) -> None:
    """Refuse ``value`` when it is over limit ``name``, naming the limit and how to raise it.

    Parameters
    ----------
    name:
        A key of :data:`DEFAULTS`.
    value:
        The size of the input (same unit as the limit).
    what:
        What was measured, for the message ("YAML nesting depth").
    file, field, line:
        Where the input sits, for the message.
    """
    cap = limit(name)
    if value > cap:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        raise InputError(
            f"{what} {shown} is over the limit of {cap}",
            file=file, line=line, field=field,
            fix=f"raise the limit with {env_name(name)}={_suggest(value)} if the input is genuine",
        )


def _suggest(value: float) -> int:
    try:
        return int(value)
    except (OverflowError, ValueError):
        return 2**62
