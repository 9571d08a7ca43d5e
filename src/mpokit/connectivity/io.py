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

from mpokit._yaml import (
    Lines,
    format_loc,
    load_yaml,
    read_text,
    validate_model,
    validation_errors,
)
from mpokit.connectivity._fastread import known_names, no_constant, plain_list, read_big
from mpokit.connectivity.channels import ChannelSet, DesignIndex
from mpokit.connectivity.spec import ELEMENT_KINDS, ChannelSpec, element_kind
from mpokit.errors import MAX_REPORTED, CatalogError, InputError, InputErrors, suggest

__all__ = [
    "parse_channel", "parse_channel_set", "parse_channels", "read_channel_set", "read_channels",
]

_TOP_KEYS = ("name", "a", "b", "path")
_NAMED = frozenset(_TOP_KEYS)
_UNNAMED = frozenset(_TOP_KEYS[1:])


def _err(msg: str, lines: Lines, loc: tuple[str | int, ...], fix: str | None = None) -> InputError:
    return InputError(msg, file=lines.file, line=lines.line_of(loc), field=format_loc(loc) or None,
                      fix=fix)


def parse_channel(
    data: Any, lines: Lines | None = None, prefix: tuple[str | int, ...] = ()
) -> ChannelSpec:
    """Validate one channel mapping into a :class:`ChannelSpec`.

    Parameters
    ----------
    data
        One channel mapping (keys ``name``, ``a``, ``b``, ``path``).
    lines
        The file's line index.
    prefix
        Where the mapping sits in the file (``("channels", 3)``), for error locations.

    Returns
    -------
    ChannelSpec
        The validated channel; every catalogue name in it is known.

    Raises
    ------
    InputError
        Every problem of the channel, each with file, line and field.
    """
    lines = lines or Lines()
    if not isinstance(data, dict):
        # a whole file that is one scalar (a CSV, a text file) is not a channel file at all
        fix = ("channel files are YAML or JSON; this one reads as plain text"
               if not prefix and isinstance(data, str | int | float) else None)
        raise _err("a channel must be a mapping with keys a, b and path", lines, prefix, fix)
    errors: list[InputError] = []
    for key in data:
        if key not in _TOP_KEYS:
            hint = suggest(str(key), _TOP_KEYS)
            errors.append(_err(f"unknown key {key!r}", lines, (*prefix, key),
                               f"did you mean {hint[0]!r}?" if hint
                               else "allowed: name, a, b, path"))
    path = data.get("path")
    if path is not None:
        if not isinstance(path, list):
            raise InputErrors.of([*errors, _err("'path' must be a list of elements", lines,
                                                (*prefix, "path"))])
        for i, el in enumerate(path):
            loc = (*prefix, "path", i)
            if not isinstance(el, dict) or len(el) != 1:
                errors.append(_err(
                    "each path element is a one-key mapping such as {cord: {...}}",
                    lines, loc, f"kinds: {', '.join(ELEMENT_KINDS)}",
                ))
                continue
            kind = next(iter(el))
            if kind not in ELEMENT_KINDS:
                hint = suggest(str(kind), ELEMENT_KINDS)
                errors.append(_err(f"unknown element kind {kind!r}", lines, (*loc, kind),
                                   f"did you mean {hint[0]!r}?" if hint else
                                   f"kinds: {', '.join(ELEMENT_KINDS)}"))
                continue
            try:
                validate_model(el, ELEMENT_KINDS[kind], lines, prefix=loc, suggest_keys=True)
            except InputError as exc:
                errors.append(exc)
    try:
        spec = ChannelSpec.model_validate(data)
    except ValidationError as exc:
        # each element was validated above; here only the channel's own keys count
        path = format_loc((*prefix, "path"))
        done = {e.field for e in _flat(errors)}
        errors += [e for e in validation_errors(exc, lines, prefix=prefix, model=ChannelSpec)
                   if e.field not in done and (not (e.field or "").startswith(path)
                                               or (e.field == path and not errors))]
        errors = sorted(_flat(errors), key=lambda e: e.line or 0)
        raise InputErrors.of(errors) from None
    if errors:
        raise InputErrors.of(errors)
    _check_names(spec, lines, prefix)
    return spec


def _flat(errors: list[InputError]) -> list[InputError]:
    return [x for e in errors for x in e.all_errors()]


def _check_names(spec: ChannelSpec, lines: Lines, prefix: tuple[str | int, ...]) -> None:
    """Resolve every catalogue name now, so unknown names point at their line."""
    from mpokit.standards import breakout, cassette, connector, transceiver

    errors: list[InputError] = []
    for which in ("a", "b"):
        end = spec.end(which)
        try:
            transceiver(end.transceiver)
        except CatalogError as exc:
            errors.append(_err(str(exc), lines, (*prefix, which)))
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
            errors.append(_err(str(exc), lines, (*loc, field)))
    if errors:
        raise InputErrors.of(errors)


def _parse_fast(items: list[Any]) -> ChannelSet | None:
    """Validate each distinct channel body once; None if anything is wrong.

    Bodies are told apart by the objects the reader shared between equal items (the YAML
    fast reader shares them) and then by their ``repr``; the slow path gives the located
    error for anything invalid.
    """
    builder = DesignIndex()
    by_id: dict[tuple[int, int, int], int] = {}
    try:
        for raw in items:
            if type(raw) is not dict:
                return None
            name = raw.get("name")
            if name is not None and type(name) is not str:
                return None
            plain = raw.keys() == _NAMED or raw.keys() == _UNNAMED
            ids = (id(raw.get("a")), id(raw.get("b")), id(raw.get("path")))
            d = by_id.get(ids) if plain else None
            if d is None:
                body = {k: v for k, v in raw.items() if k != "name"}
                key = repr(body)
                d = builder.lookup(key)
                if d is None:
                    d = builder.add_design(key, ChannelSpec.model_validate(body))
                if plain:
                    by_id[ids] = d
            builder.add_channel(d, name)
    except (ValidationError, RecursionError, TypeError, ValueError):  # e.g. a number as a key
        return None
    if not known_names(builder.designs):
        return None
    return builder.build()


def _parse_each(chans: list[Any], lines: Lines) -> list[ChannelSpec]:
    """Parse channel by channel, collecting errors up to ``MAX_REPORTED``."""
    specs: list[ChannelSpec] = []
    errors: list[InputError] = []
    for i, c in enumerate(chans):
        try:
            specs.append(parse_channel(c, lines, ("channels", i)))
        except InputError as exc:
            errors.extend(exc.all_errors())
            if len(errors) > MAX_REPORTED:
                raise InputErrors(errors[:MAX_REPORTED], truncated=True) from None
    if errors:
        raise InputErrors.of(errors)
    return specs


def parse_channel_set(data: Any, lines: Lines | None = None) -> ChannelSet:
    """Validate a whole file's data into a :class:`ChannelSet` (see :func:`parse_channels`).

    Parameters
    ----------
    data
        One channel mapping, a mapping with a ``channels`` list, or a bare list.
    lines
        Where each field sits in the file, for error messages.

    Returns
    -------
    ChannelSet
        Every channel, each distinct design validated once.

    Raises
    ------
    InputError
        Every problem of the file (up to ``MAX_REPORTED``, as :class:`InputErrors` when there
        are several), each with file, line and field.

    >>> cs = parse_channel_set({"channels": [{"a": "400GBASE-DR4", "b": "400GBASE-DR4",
    ...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2",
    ...                        "length_m": 3}}]}] * 5})
    >>> len(cs), len(cs.designs)
    (5, 1)
    """
    lines = lines or Lines()
    if isinstance(data, dict) and "channels" in data:
        extra = [k for k in data if k != "channels"]
        if extra:
            raise _err(f"unknown key {extra[0]!r} beside 'channels'", lines, (extra[0],),
                       "a file holds one channel, or a list under 'channels:' and nothing else")
        chans = data["channels"]
        if not isinstance(chans, list) or not chans:
            raise _err("'channels' must be a non-empty list", lines, ("channels",))
        fast = _parse_fast(chans)
        if fast is not None:
            return fast
        return ChannelSet.from_specs(_parse_each(chans, lines))
    if data is None:
        raise InputError("the file is empty", file=lines.file,
                         fix="write a channel (a, b, path) or a list under 'channels:'")
    if isinstance(data, list):  # a bare list of channels (a JSON array) reads as 'channels'
        if not data:
            raise InputError("the list of channels is empty", file=lines.file, line=1)
        return parse_channel_set({"channels": data}, lines.under(("channels",)))
    return ChannelSet.from_specs([parse_channel(data, lines)])


def parse_channels(data: Any, lines: Lines | None = None) -> list[ChannelSpec]:
    """Validate a whole file's data: one channel, or a list under ``channels:``.

    Parameters
    ----------
    data
        One channel mapping, a mapping with a ``channels`` list, or a bare list.
    lines
        Where each field sits in the file, for error messages.

    Returns
    -------
    list[ChannelSpec]
        One spec per channel (:func:`parse_channel_set` keeps the shared designs).
    """
    return list(parse_channel_set(data, lines).specs())


def _load(text: str, file: str) -> ChannelSet | tuple[Any, Lines]:
    """Parse a channel file: JSON by the JSON parser, big plain lists item by item."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text, parse_constant=no_constant), Lines(file, None, text)
        except (ValueError, RecursionError):
            pass  # not strict JSON: the YAML reader below reads it or says where it is wrong
    if len(text) > _BIG_BYTES:
        fast = plain_list(text)
        if fast is not None:
            return fast
    return load_yaml(text, file=file)


#: Files over this size are first tried by the fast readers (:mod:`._fastread`).
_BIG_BYTES = 256_000


def read_channel_set(path: str | os.PathLike[str]) -> ChannelSet:
    """Read a channel file (YAML or JSON) as a :class:`ChannelSet`.

    A big machine-written list is read block by block, keeping only the names, the
    design of every channel and each distinct body (:func:`._fastread.read_big`); any
    other file, or anything unusual in a big one, is read whole by the ordinary readers,
    which say where a problem is.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    ChannelSet
        Its channels; each distinct body is parsed and validated once.

    Raises
    ------
    InputError
        The file cannot be read or holds invalid channels (see :func:`parse_channels`).
    """
    try:
        big = os.stat(path).st_size > _BIG_BYTES
    except (OSError, ValueError):
        big = False  # reading it says what is wrong
    if big:
        fast = read_big(path)
        if fast is not None:
            return fast
    text = read_text(path)  # which says where a file is not UTF-8
    loaded = _load(text, str(path))
    return loaded if isinstance(loaded, ChannelSet) else parse_channel_set(*loaded)


def read_channels(path: str | os.PathLike[str]) -> list[ChannelSpec]:
    """Read a channel file (YAML or JSON); one spec per channel.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    list[ChannelSpec]
        One spec per channel, in file order.

    Raises
    ------
    InputError
        The file cannot be read or holds invalid channels (all its problems, see
        :func:`parse_channels`).
    """
    return list(read_channel_set(path).specs())
