"""Read channel files: ``parse_channels(data)`` (pure) and ``read_channels(path)``.

A file holds one channel or a list under ``channels:``. Every problem is an
:class:`~mpokit.errors.InputError` naming the file, line and field.

>>> specs = parse_channels({"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [
...     {"cord": {"connector": "LC", "type": "A-B", "fiber": "OM4", "length_m": 2}}]})
>>> len(specs), specs[0].path[0].cord.fiber
(1, 'OM4')
"""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import ValidationError

from mpokit._yaml import Lines, format_loc, load_list_items, load_yaml, read_text, validation_error
from mpokit.connectivity.spec import ELEMENT_KINDS, ChannelSpec, element_kind
from mpokit.errors import CatalogError, InputError, suggest

__all__ = ["parse_channel", "parse_channels", "read_channels"]

_TOP_KEYS = ("name", "a", "b", "path")


def _err(msg: str, lines: Lines, loc: tuple[str | int, ...], fix: str | None = None) -> InputError:
    return InputError(msg, file=lines.file, line=lines.line_of(loc), field=format_loc(loc) or None,
                      fix=fix)


def parse_channel(
    data: Any, lines: Lines | None = None, prefix: tuple[str | int, ...] = ()
) -> ChannelSpec:
    """Validate one channel mapping into a :class:`ChannelSpec`."""
    lines = lines or Lines()
    if not isinstance(data, dict):
        raise _err("a channel must be a mapping with keys a, b and path", lines, prefix)
    for key in data:
        if key not in _TOP_KEYS:
            hint = suggest(str(key), _TOP_KEYS)
            raise _err(f"unknown key {key!r}", lines, (*prefix, key),
                       f"did you mean {hint[0]!r}?" if hint else "allowed: name, a, b, path")
    path = data.get("path")
    if path is not None:
        if not isinstance(path, list):
            raise _err("'path' must be a list of elements", lines, (*prefix, "path"))
        for i, el in enumerate(path):
            loc = (*prefix, "path", i)
            if not isinstance(el, dict) or len(el) != 1:
                raise _err(
                    "each path element is a one-key mapping such as {cord: {...}}",
                    lines, loc, f"kinds: {', '.join(ELEMENT_KINDS)}",
                )
            kind = next(iter(el))
            if kind not in ELEMENT_KINDS:
                hint = suggest(str(kind), ELEMENT_KINDS)
                raise _err(f"unknown element kind {kind!r}", lines, (*loc, kind),
                           f"did you mean {hint[0]!r}?" if hint else
                           f"kinds: {', '.join(ELEMENT_KINDS)}")
            try:
                ELEMENT_KINDS[kind].model_validate(el)
            except ValidationError as exc:
                raise validation_error(exc, lines, prefix=loc) from None
    try:
        spec = ChannelSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, lines, prefix=prefix) from None
    _check_names(spec, lines, prefix)
    return spec


def _check_names(spec: ChannelSpec, lines: Lines, prefix: tuple[str | int, ...]) -> None:
    """Resolve every catalogue name now, so unknown names point at their line."""
    from mpokit.standards import breakout, cassette, connector, transceiver

    for which in ("a", "b"):
        end = spec.end(which)
        try:
            transceiver(end.transceiver)
        except CatalogError as exc:
            raise _err(str(exc), lines, (*prefix, which)) from None
    for i, el in enumerate(spec.path):
        kind = element_kind(el)
        body = getattr(el, kind)
        loc = (*prefix, "path", i, kind)
        try:
            if hasattr(body, "connector") and body.connector is not None:
                connector(body.connector)
            if kind == "cassette":
                cassette(body.model)
            if kind == "breakout":
                breakout(body.model)
        except CatalogError as exc:
            field = "connector" if "connector" in str(exc) else "model"
            raise _err(str(exc), lines, (*loc, field)) from None


def _parse_fast(data: dict[str, Any]) -> list[ChannelSpec] | None:
    """Validate a whole list at once; None if anything is wrong (the slow path says what)."""
    from mpokit.standards import breakouts, cassettes, connectors, transceivers

    specs: list[ChannelSpec] = []
    seen: dict[str, ChannelSpec] = {}
    try:
        for raw in data["channels"]:
            if not isinstance(raw, dict):
                return None
            body = {k: v for k, v in raw.items() if k != "name"}
            key = json.dumps(body, sort_keys=True, default=str)
            spec = seen.get(key)
            if spec is None:
                spec = seen[key] = ChannelSpec.model_validate(body)
            name = raw.get("name")
            if name is not None:
                if not isinstance(name, str):
                    return None
                spec = spec.model_copy(update={"name": name})
            specs.append(spec)
    except (ValidationError, TypeError, ValueError):  # e.g. a number as a key: slow path says
        return None
    known_t = {n.upper() for n in transceivers().names()}
    known_c = {n.upper() for n in connectors().names()}
    known_cas = {n.upper() for n in cassettes().names()}
    known_bo = {n.upper() for n in breakouts().names()}
    for spec in specs:
        for which in ("a", "b"):
            if spec.end(which).transceiver.upper() not in known_t:
                return None
        for el in spec.path:
            kind = element_kind(el)
            body = getattr(el, kind)
            conn = getattr(body, "connector", None)
            if conn is not None and conn.upper() not in known_c:
                return None
            if kind == "cassette" and body.model.upper() not in known_cas:
                return None
            if kind == "breakout" and body.model.upper() not in known_bo:
                return None
    return specs


def parse_channels(data: Any, lines: Lines | None = None) -> list[ChannelSpec]:
    """Validate a whole file's data: one channel, or a list under ``channels:``."""
    lines = lines or Lines()
    if isinstance(data, dict) and "channels" in data:
        extra = [k for k in data if k != "channels"]
        if extra:
            raise _err(f"unknown key {extra[0]!r} beside 'channels'", lines, (extra[0],),
                       "a file holds one channel, or a list under 'channels:' and nothing else")
        chans = data["channels"]
        if not isinstance(chans, list) or not chans:
            raise _err("'channels' must be a non-empty list", lines, ("channels",))
        fast = _parse_fast(data)
        if fast is not None:
            return fast
        return [parse_channel(c, lines, ("channels", i)) for i, c in enumerate(chans)]
    if data is None:
        raise InputError("the file is empty", file=lines.file,
                         fix="write a channel (a, b, path) or a list under 'channels:'")
    if isinstance(data, list):  # a bare list of channels (a JSON array) reads as 'channels'
        if not data:
            raise InputError("the list of channels is empty", file=lines.file, line=1)
        return parse_channels({"channels": data}, lines.under(("channels",)))
    return [parse_channel(data, lines)]


def read_channels(path: str | os.PathLike[str]) -> list[ChannelSpec]:
    """Read a channel file (YAML or JSON).

    Big machine-written lists (a plan's ``channels.yaml``) take a fast path that parses
    each distinct channel body once; any other shape is parsed the ordinary way.
    """
    text = read_text(path)
    fast = load_list_items(text, "channels", file=str(path)) if len(text) > 256_000 else None
    data, lines = fast if fast is not None else load_yaml(text, file=str(path))
    return parse_channels(data, lines)
