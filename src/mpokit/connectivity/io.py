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
import re
from typing import Any

import numpy as np
from pydantic import ValidationError

from mpokit._files import read_input_bytes
from mpokit._yaml import (
    Lines,
    format_loc,
    load_yaml,
    read_text,
    validation_error,
    validation_errors,
)
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
        raise _err("a channel must be a mapping with keys a, b and path", lines, prefix)
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
                ELEMENT_KINDS[kind].model_validate(el)
            except ValidationError as exc:
                errors.append(validation_error(exc, lines, prefix=loc,
                                               model=ELEMENT_KINDS[kind]))
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


def _catalog_ok(spec: ChannelSpec, known: dict[str, set[str]]) -> bool:
    """True when every catalogue name of ``spec`` is known (the slow path says which is not)."""
    for which in ("a", "b"):
        if spec.end(which).transceiver.upper() not in known["t"]:
            return False
    for el in spec.path:
        kind = element_kind(el)
        body = getattr(el, kind)
        conn = getattr(body, "connector", None)
        if conn is not None and conn.upper() not in known["c"]:
            return False
        if kind == "cassette" and body.model.upper() not in known["cas"]:
            return False
        if kind == "breakout" and body.model.upper() not in known["bo"]:
            return False
    return True


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
    if not _known_names(builder.designs):
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




def _line(text: str, parsed: dict[str, Any]) -> Any:
    """One YAML line parsed (each distinct line once)."""
    if text not in parsed:
        parsed[text] = load_yaml(text, fast=True)[0]
    return parsed[text]


def _body(lines: list[str], parsed: dict[str, Any]) -> dict[str, Any] | None:
    """An item body whose every line is ``key: value``, ``path:`` or ``  - element``.

    The lines (indented four spaces in the file) repeat across thousands of bodies, so
    each distinct line is parsed once. None when the body has any other shape.
    """
    out: dict[str, Any] = {}
    items: list[Any] | None = None
    for ln in lines:
        if ln.startswith("      - "):
            if items is None:
                return None
            items.append(_line(ln[8:], parsed))
        elif ln.startswith("    ") and not ln.startswith("     "):
            kv = _line(ln[4:], parsed)
            if not isinstance(kv, dict) or len(kv) != 1:
                return None
            (key, value), = kv.items()
            if key in out:
                return None
            if value is None and key == "path":
                items = out["path"] = []
            else:
                items = None
                out[key] = value
        else:
            return None
    if "path" in out and not out["path"]:
        return None
    return out


#: A named item of a machine-written ``channels:`` list: its name in plain double quotes
#: (no quote, backslash or control character, which the YAML reader would decode).
_YAML_ITEM = re.compile(r'\n  - name: "([^"\\\x00-\x08\x0a-\x1f\x7f]*)"\n')
_YAML_ITEM_B = re.compile(_YAML_ITEM.pattern.encode())


def _yaml_items(text: str) -> tuple[list[str | None], list[str]] | None:
    """Names and body texts (indented four spaces) of every item of a ``channels:`` list.

    One regular-expression split when every item starts with a plain quoted name (an
    item that does not is left inside the body before it, which :func:`_plain_list`
    sees and then asks :func:`_each_item`); None when the text has another shape.
    """
    parts = _YAML_ITEM.split(text)
    if len(parts) > 1 and len(parts[0]) < 65536:
        head = [ln for ln in parts[0].split("\n") if ln.strip() and not _comment_line(ln)]
        if head == ["channels:"]:
            parts[-1] = parts[-1].rstrip("\n")
            return parts[1::2], parts[2::2]
    del parts
    return _each_item(text)


def _each_item(text: str) -> tuple[list[str | None], list[str]] | None:
    """:func:`_yaml_items` item by item (unnamed items, comments between items)."""
    start = _skip_comments(text, 0)
    if not text.startswith("channels:\n", start):
        return None
    start = _skip_comments(text, start + len("channels:\n"))
    if not text.startswith("  - ", start):
        return None
    names: list[str | None] = []
    bodies: list[str] = []
    for c in text[start + 4:].rstrip("\n").split("\n  - "):
        if c.startswith('name: "'):
            n = c.find("\n")
            if n < 0 or c[n - 1] != '"' or '"' in c[7:n - 1] or "\\" in c[7:n - 1]:
                return None  # quotes or escapes in a name: the YAML reader decodes them
            names.append(c[7:n - 1])
            bodies.append(c[n + 1:])
        elif c.startswith("name:"):
            return None
        else:
            names.append(None)
            bodies.append("    " + c)
    return names, bodies


def _yaml_bytes(data: bytes) -> tuple[list[str | None], list[str], np.ndarray] | None:
    """:func:`_yaml_items` and :func:`_designs_of` on a file's bytes, every item named.

    Names, distinct bodies and design of every item; None for any other shape (or text
    that is not UTF-8).
    """
    parts = _YAML_ITEM_B.split(data)
    if len(parts) < 2 or len(parts[0]) >= 65536:
        return None
    try:
        head = [ln for ln in parts[0].decode("utf-8").split("\n")
                if ln.strip() and not _comment_line(ln)]
        if head != ["channels:"]:
            return None
        parts[-1] = parts[-1].rstrip(b"\n")
        names: list[Any] = parts[1::2]
        bodies = parts[2::2]
        del parts
        distinct, design_of = _designs_of(bodies)
        del bodies
        if any(b"\n  - " in chunk for chunk in distinct):  # an item the split did not see
            return None
        texts, names = _decoded(distinct, names)
    except UnicodeDecodeError:
        return None
    return names, texts, design_of


def _decoded(distinct: list[bytes], names: list[bytes]) -> tuple[list[str], list[Any]]:
    """Distinct bodies and names as text. With the separators (ASCII) and the head they
    are every byte of the file, so this is the whole file's UTF-8 check."""
    texts = [d.decode("utf-8") for d in distinct]
    return texts, b"\n".join(names).decode("utf-8").split("\n") if names else []


def _designs_of(bodies: list[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct bodies in order of first use, and every item's index among them."""
    distinct = list(dict.fromkeys(bodies))
    pos = {b: i for i, b in enumerate(distinct)}
    return distinct, np.fromiter(map(pos.__getitem__, bodies), dtype=np.int64,
                                 count=len(bodies))


def _known_names(designs: list[ChannelSpec]) -> bool:
    """Every catalogue name the designs use is known (the slow path says which is not)."""
    from mpokit.standards import breakouts, cassettes, connectors, transceivers

    known = {"t": {n.upper() for n in transceivers().names()},
             "c": {n.upper() for n in connectors().names()},
             "cas": {n.upper() for n in cassettes().names()},
             "bo": {n.upper() for n in breakouts().names()}}
    return all(_catalog_ok(d, known) for d in designs)


def _plain_list(text: str | bytes) -> ChannelSet | None:
    """A machine-written ``channels:`` list, read item by item; None for any other shape.

    Items are split on their ``  - `` lines; an item's first line may be its name in
    plain double quotes. Each distinct item body (the text without the name line) is
    parsed and validated once and becomes one design; the per-item work is one split
    and one dict lookup, at C speed. Anything unusual (other indents, escapes in names,
    invalid bodies) returns None and the caller reads the file the ordinary way, which
    says exactly what and where is wrong.
    """
    if isinstance(text, bytes):
        split = _yaml_bytes(text)
        if split is None:
            return None
        names, distinct, design_of = split
    else:
        items = _yaml_items(text)
        if items is None:
            return None
        names, bodies = items
        distinct, design_of = _designs_of(bodies)
        del bodies
        if any("\n  - " in chunk for chunk in distinct):  # an item the split did not see
            items = _each_item(text)
            if items is None:
                return None
            names, bodies = items
            distinct, design_of = _designs_of(bodies)
            del bodies
    parsed: dict[str, Any] = {}
    elements: dict[str, Any] = {}
    designs = []
    for chunk in distinct:
        body = [ln for ln in chunk.split("\n") if not _comment_line(ln)]
        if any(ln and not ln.startswith("    ") for ln in body):
            return None
        try:
            data = _body(body, parsed)
            if data is None:
                data, _ = load_yaml("\n".join(ln[4:] for ln in body), fast=True)
            if not isinstance(data, dict) or "name" in data:
                return None
            designs.append(_validate(data, elements))
        except (InputError, ValidationError, RecursionError, TypeError, ValueError):
            return None
    if not _known_names(designs):
        return None
    return ChannelSet(tuple(designs), design_of, tuple(names))


def _validate(data: dict[Any, Any], elements: dict[str, Any]) -> ChannelSpec:
    """``ChannelSpec.model_validate(data)``, each distinct path element validated once.

    Bodies of one plan repeat their elements (lengths differ, elements recur), so an
    element is validated by its own model once per distinct ``repr`` and handed to the
    channel's validation as that instance (which pydantic takes as it is).
    """
    path = data.get("path")
    if type(path) is list:
        out = []
        for el in path:
            key = repr(el)
            done = elements.get(key)
            if done is None:
                done = el
                if type(el) is dict and len(el) == 1:
                    kind = next(iter(el))
                    model = ELEMENT_KINDS.get(kind) if type(kind) is str else None
                    if model is not None:
                        done = model.model_validate(el)
                elements[key] = done
            out.append(done)
        data = {**data, "path": out}
    return ChannelSpec.model_validate(data)


#: The first item of a JSON ``{"channels": [...]}`` whose items start with a plain name,
#: the boundary between two such items (up to the name's opening quote), and the end.
_JSON_HEAD = re.compile(r'\s*\{\s*"channels"\s*:\s*\[\s*\{\s*"name"\s*:\s*"([^"\\\x00-\x1f]*)"')
_JSON_ITEM = re.compile(r'\}\s*,\s*\{\s*"name"\s*:\s*"')
_JSON_TAIL = re.compile(r'\}\s*\]\s*\}\s*\Z')
_JSON_AFTER_NAME = re.compile(r'\s*,')
_JSON_NAME = re.compile(r'([^"\\\x00-\x1f]*)"')
_JSON = (_JSON_HEAD, _JSON_ITEM, _JSON_TAIL)
_JSON_B = tuple(re.compile(r.pattern.encode()) for r in _JSON)


def _json_list(text: str | bytes) -> ChannelSet | None:
    """A ``{"channels": [...]}`` JSON text whose items each start with a plain name.

    The text is split at every boundary between two items, taken literally from the
    first one (a machine-written file repeats it exactly) and followed by a plain name;
    each distinct item body (the text after the name) is parsed and validated once. A
    boundary found inside an item (in a string or a nested object) leaves pieces that
    are not JSON objects, and then None is returned, as for anything unusual: the caller
    parses the whole text, which says exactly what and where is wrong. On a file's
    bytes, only the names and the distinct bodies are decoded.
    """
    b = isinstance(text, bytes)
    src: Any = text  # str or bytes, with the patterns of its kind
    head_re, item_re, tail_re = _JSON_B if b else _JSON
    head = head_re.match(src)
    tail = tail_re.search(src, max(0, len(src) - 4096))
    if head is None or tail is None:
        return None
    sep = item_re.search(src, head.end())
    if sep:  # one split at every boundary, each followed by a plain name
        name = _JSON_NAME.pattern.encode() if b else _JSON_NAME.pattern
        item: Any = re.compile(re.escape(src[sep.start():sep.end()]) + name)
        parts = item.split(src)
        names: list[Any] = [head.group(1), *parts[1::2]]
        bodies = [parts[0][head.end():], *parts[2::2]]
        del parts
    else:
        names, bodies = [head.group(1)], [src[head.end():]]
    bodies[-1] = bodies[-1][:tail.start() - len(text)]
    distinct, design_of = _designs_of(bodies)
    del bodies
    if b:
        try:
            distinct, names = _decoded(distinct, names)
        except UnicodeDecodeError:
            return None
    designs = []
    elements: dict[str, Any] = {}
    for body in distinct:
        after = _JSON_AFTER_NAME.match(body)
        if after is None:
            return None
        try:
            data = json.loads("{" + body[after.end():] + "}", parse_constant=_no_constant)
            if not isinstance(data, dict) or "name" in data:
                return None
            designs.append(_validate(data, elements))
        except (ValueError, ValidationError, RecursionError, TypeError):
            return None
    if not _known_names(designs):
        return None
    return ChannelSet(tuple(designs), design_of, tuple(names))


def _skip_comments(text: str, start: int) -> int:
    """The offset of the first line at or after ``start`` that is not blank or a comment."""
    while True:
        end = text.find("\n", start)
        line = text[start:end].strip(" ")
        if end < 0 or (line and not line.startswith("#")):
            return start
        start = end + 1


def _comment_line(line: str) -> bool:
    """A whole-line comment indented less than an item's body (it holds no data)."""
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) < 4


def _load(text: str, file: str) -> ChannelSet | tuple[Any, Lines]:
    """Parse a channel file: JSON by the JSON parser, big plain lists item by item."""
    head = text.lstrip()[:1]
    if head == "{" and len(text) > 256_000:
        fast = _json_list(text)
        if fast is not None:
            return fast
    if head in ("{", "["):
        try:
            return json.loads(text, parse_constant=_no_constant), Lines(file, None, text)
        except (ValueError, RecursionError):
            pass  # not strict JSON: the YAML reader below reads it or says where it is wrong
    if len(text) > 256_000:
        fast = _plain_list(text)
        if fast is not None:
            return fast
    return load_yaml(text, file=file)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number here")


def read_channel_set(path: str | os.PathLike[str]) -> ChannelSet:
    """Read a channel file (YAML or JSON) as a :class:`ChannelSet`.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    ChannelSet
        Its channels; each distinct body is parsed and validated once.
    """
    data = _big_file(path)
    if data is None:
        text = read_text(path)
    else:  # a big file: first the fast readers on its bytes
        lead = _LEAD.match(data)
        start = lead.end() if lead else 0
        fast = (_json_list if data[start:start + 1] == b"{" else _plain_list)(data)
        if fast is not None:
            return fast
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = read_text(path)  # which says where the file is not UTF-8
        del data
    loaded = _load(text, str(path))
    return loaded if isinstance(loaded, ChannelSet) else parse_channel_set(*loaded)


_LEAD = re.compile(rb"[ \t\r\n]*")


def _big_file(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of a file over 256 kB (read with the usual checks); None for others."""
    try:
        big = os.stat(path).st_size > 256_000
    except (OSError, ValueError):
        return None
    return read_input_bytes(path) if big else None


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
