"""Fast readers of big machine-written channel lists (a plan's ``channels.yaml``, its JSON twin).

A plan writes hundreds of thousands of channels that share a few thousand distinct
bodies, each item a name line and its body. These readers split the file at its item
boundaries, keep every name, the index of every item's body among the distinct ones and
each distinct body once, and parse and validate only the distinct bodies
(:class:`~mpokit.connectivity.channels.ChannelSet`). :func:`read_big` does it block by
block on a file's bytes (512 kB in memory at a time, whatever the file's size);
:func:`plain_list` on a text already read.

Each of them returns None for anything unusual -- another layout, an escape or a line
break in a name, a comment inside a name's line, text that is not UTF-8, a body that
does not validate -- and the caller then reads the file the ordinary way, which says
exactly what is wrong and where. So a file read here gives what the ordinary readers
give, or it is not read here.

>>> import io
>>> from mpokit._files import InputBlocks
>>> item = (b'  - name: "%d"\\n    a: 400GBASE-DR4\\n    b: 400GBASE-DR4\\n    path:\\n'
...         b'      - cord: {connector: MPO-12, type: B, fiber: OS2, length_m: 3}\\n')
>>> text = b"channels:\\n" + b"".join(item % i for i in range(100))
>>> cs = read_blocks(InputBlocks(io.BytesIO(text), block_bytes=1000))
>>> len(cs), len(cs.designs), cs.names[99]
(100, 1, '99')
"""

from __future__ import annotations

import json
import os
import re
from itertools import compress
from operator import eq
from typing import Any

import numpy as np
from pydantic import ValidationError

from mpokit._files import InputBlocks, open_input
from mpokit._yaml import load_yaml
from mpokit.connectivity.channels import ChannelSet
from mpokit.connectivity.spec import ELEMENT_KINDS, ChannelSpec, element_kind
from mpokit.errors import InputError

__all__ = ["BLOCK_BYTES", "known_names", "no_constant", "plain_list", "read_big", "read_blocks"]

#: The block size of :func:`read_big`: big enough that per-block work is negligible, small
#: enough that a block and its pieces stay in the CPU's cache (the 375 MB JSON twin of a
#: 393k-channel plan reads ~15 % faster in blocks of 512 kB than of 4 MB).
BLOCK_BYTES = 1 << 19


def read_big(path: str | os.PathLike[str], *, block_bytes: int = BLOCK_BYTES) -> ChannelSet | None:
    """A big channel file read block by block (see :func:`read_blocks`).

    Parameters
    ----------
    path
        The file (opened with the usual checks: a regular file within the size limit).
    block_bytes
        How much of it is in memory at a time.

    Returns
    -------
    ChannelSet | None
        Its channels, or None when the file is not a plain machine-written list.
    """
    with open_input(path) as f:
        return read_blocks(InputBlocks(f, block_bytes=block_bytes, file=str(path)))


def read_blocks(src: InputBlocks) -> ChannelSet | None:
    """A ``channels:`` YAML list or a ``{"channels": [...]}`` JSON text, read block by block.

    Every item must start with a plain quoted name (no escapes); YAML items are indented
    as ``mpokit plan`` writes them (whole-line comments may stand between them), JSON
    items are separated alike (any indentation). Names and the distinct bodies are
    decoded, which with the separators (ASCII) is every byte of the file: a file that is
    not UTF-8 is not read here.

    Parameters
    ----------
    src
        The file's blocks.

    Returns
    -------
    ChannelSet | None
        The channels, each distinct body parsed and validated once; None for any other
        shape, or anything the ordinary reader would decode differently or refuse.
    """
    start = src.peek()
    lead = _LEAD.match(start)
    is_json = lead is not None and start[lead.end():lead.end() + 1] == b"{"
    del start
    return _json_blocks(src) if is_json else _yaml_blocks(src)


_LEAD = re.compile(rb"[ \t\r\n]*")


def _indices(bodies: list[bytes], index: dict[bytes, int]) -> np.ndarray:
    """Every body's index among the distinct ones (new ones are added in order of use).

    A plan writes runs of equal bodies (about 3 in 4 items repeat the one before): only
    the first body of each run is hashed and looked up; the rest are told apart from
    their predecessor by a comparison, which is cheaper than a hash.
    """
    if not bodies:
        return np.empty(0, dtype=np.int64)
    repeats = np.fromiter(map(eq, bodies[1:], bodies), dtype=bool, count=len(bodies) - 1)
    firsts = [bodies[0], *compress(bodies[1:], (~repeats).tolist())]
    for b in dict.fromkeys(firsts):
        index.setdefault(b, len(index))
    ids = np.fromiter(map(index.__getitem__, firsts), dtype=np.int64, count=len(firsts))
    run = np.zeros(len(bodies), dtype=np.int64)
    np.cumsum(~repeats, out=run[1:])
    return ids[run]


def _names(raw: list[bytes], odd: re.Pattern[str] | None) -> list[str] | None:
    """Names as text (None when not UTF-8 or when ``odd`` finds a character in them)."""
    if not raw:
        return []
    try:
        joined = b"\n".join(raw).decode("utf-8")  # no name holds a newline
    except UnicodeDecodeError:
        return None
    if odd is not None and not joined.isascii() and odd.search(joined):
        return None
    return joined.split("\n")


def _decode(distinct: list[bytes]) -> list[str] | None:
    try:
        return [d.decode("utf-8") for d in distinct]
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------- YAML

#: A name that a YAML double-quoted scalar holds literally: no quote, backslash (escapes),
#: control character, line break (NEL, LS, PS: YAML folds them) or byte-order mark.
_PLAIN_NAME = re.compile(r'[^"\\\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]*')
#: A named item of a machine-written ``channels:`` list: its name in plain double quotes.
_YAML_ITEM = re.compile(r'\n  - name: "(' + _PLAIN_NAME.pattern + r')"\n')
#: The same on bytes: the ASCII part of the check (the rest is :data:`_ODD_NAME`'s).
_YAML_ITEM_B = re.compile(rb'\n  - name: "([^"\\\x00-\x08\x0a-\x1f\x7f]*)"\n')
_ODD_NAME = re.compile(r"[\x80-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
#: Where a YAML item starts.
_YAML_SEP = b"\n  - "


def _yaml_blocks(src: InputBlocks) -> ChannelSet | None:
    """:func:`read_blocks` on a YAML list: split every block at its named items."""
    names: list[str | None] = []
    design_of: list[np.ndarray] = []
    index: dict[bytes, int] = {}
    head: bytes | None = b""  # the text before the first item, until that is found
    while (got := src.take(_YAML_SEP)) is not None:
        block, final = got
        parts = _YAML_ITEM_B.split(block)
        del block
        if head is not None:
            head += parts[0]
            if len(parts) < 2 and len(head) < 65536:
                continue
            if not _yaml_head(head):
                return None
            head = None
        elif parts[0]:  # an item without a plain name (the text reader takes those)
            return None
        if final:
            parts[-1] = parts[-1].rstrip(b"\n")
        got_names = _names(parts[1::2], _ODD_NAME)
        if got_names is None:
            return None
        names += got_names
        design_of.append(_indices(parts[2::2], index))
    distinct = list(index)
    if head is not None or any(_YAML_SEP in d for d in distinct):  # an item not split off
        return None
    texts = _decode(distinct)
    designs = None if texts is None else _yaml_designs(texts)
    if designs is None:
        return None
    return ChannelSet(tuple(designs), np.concatenate(design_of), tuple(names))


def _yaml_head(head: bytes) -> bool:
    """The text before the first item is ``channels:`` and comments."""
    if len(head) >= 65536:
        return False
    try:
        lines = head.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return False
    return [ln for ln in lines if ln.strip() and not _comment_line(ln)] == ["channels:"]


def plain_list(text: str) -> ChannelSet | None:
    """A machine-written ``channels:`` list, read item by item; None for any other shape.

    Items are split on their ``  - `` lines; an item's first line may be its name in
    plain double quotes. Each distinct item body (the text without the name line) is
    parsed and validated once and becomes one design; the per-item work is one split
    and one dict lookup, at C speed. Anything unusual (other indents, escapes in names,
    invalid bodies) returns None and the caller reads the file the ordinary way, which
    says exactly what and where is wrong.

    Parameters
    ----------
    text
        The file's text.

    Returns
    -------
    ChannelSet | None
        The channels, or None.
    """
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
    designs = _yaml_designs(distinct)
    if designs is None:
        return None
    return ChannelSet(tuple(designs), design_of, tuple(names))


def _yaml_designs(distinct: list[str]) -> list[ChannelSpec] | None:
    """Each distinct item body (indented four spaces) parsed and validated; None if any
    is not a plain body or not valid."""
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
    return designs if known_names(designs) else None


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
            if n < 0 or c[n - 1] != '"' or not _PLAIN_NAME.fullmatch(c, 7, n - 1):
                return None  # quotes, escapes or line breaks: the YAML reader decodes them
            names.append(c[7:n - 1])
            bodies.append(c[n + 1:])
        elif c.startswith("name:"):
            return None
        else:
            names.append(None)
            bodies.append("    " + c)
    return names, bodies


def _designs_of(bodies: list[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct bodies in order of first use, and every item's index among them."""
    distinct = list(dict.fromkeys(bodies))
    pos = {b: i for i, b in enumerate(distinct)}
    return distinct, np.fromiter(map(pos.__getitem__, bodies), dtype=np.int64,
                                 count=len(bodies))




# ---------------------------------------------------------------------------- JSON

_WS = rb"[ \t\n\r]*"  # JSON's whitespace (``\s`` would also take \f and \v)
#: The start of a ``{"channels": [...]}`` whose first item starts with a plain name.
_JSON_HEAD = re.compile(_WS + rb'\{' + _WS + rb'"channels"' + _WS + rb':' + _WS + rb'\['
                        + _WS + rb'\{' + _WS + rb'"name"' + _WS + rb':' + _WS
                        + rb'"([^"\\\x00-\x1f]*)"')
#: The boundary between two items, up to the second one's name.
_JSON_ITEM = re.compile(rb'\}' + _WS + rb',' + _WS + rb'\{' + _WS + rb'"name"' + _WS + rb':'
                        + _WS + rb'"')
_JSON_TAIL = re.compile(rb'\}' + _WS + rb'\]' + _WS + rb'\}' + _WS + rb'\Z')
_JSON_NAME = rb'([^"\\\x00-\x1f]*)"'
_JSON_AFTER_NAME = re.compile(r"[ \t\n\r]*,")
#: How far the head and the first item boundary are looked for.
_FIRST_ITEM_BYTES = 1 << 16


def _json_blocks(src: InputBlocks) -> ChannelSet | None:
    """:func:`read_blocks` on JSON: split every block at the boundary between two items.

    The boundary is taken literally from the first one (a machine-written file repeats
    it exactly) and followed by a plain name. A boundary found inside an item (in a
    string or a nested object) leaves pieces that are not JSON objects, and then None is
    returned, as for anything unusual. When every piece is an object, the file is the
    list of those objects, and it reads as the JSON parser would read it.
    """
    want = 0
    while True:  # the head and the first boundary, reading more while neither is there
        start = src.peek(want)
        head = _JSON_HEAD.match(start)
        sep = _JSON_ITEM.search(start, head.end()) if head is not None else None
        if head is not None and sep is not None:
            break
        if len(start) < want or want >= _FIRST_ITEM_BYTES:  # one item, or a huge first one
            return None
        want = min(max(2 * len(start), 1024), _FIRST_ITEM_BYTES)
    boundary = bytes(start[sep.start():sep.end()])
    item = re.compile(re.escape(boundary) + _JSON_NAME)
    name0, skip = head.group(1), head.end()
    del start, head, sep
    names: list[str | None] = []
    design_of: list[np.ndarray] = []
    index: dict[bytes, int] = {}
    first = True
    while (got := src.take(boundary)) is not None:
        block, final = got
        parts = item.split(block)
        del block
        if first:  # the head, up to the first name's closing quote, stands for a boundary
            parts[0:1] = [b"", name0, parts[0][skip:]]
            first = False
        elif parts[0]:  # a boundary without a plain name after it
            return None
        if final:
            tail = _JSON_TAIL.search(parts[-1], max(0, len(parts[-1]) - 4096))
            if tail is None:
                return None
            parts[-1] = parts[-1][:tail.start()]
        got_names = _names(parts[1::2], None)
        if got_names is None:
            return None
        names += got_names
        design_of.append(_indices(parts[2::2], index))
    texts = _decode(list(index))
    designs = None if texts is None else _json_designs(texts)
    if designs is None:
        return None
    return ChannelSet(tuple(designs), np.concatenate(design_of), tuple(names))


def _json_designs(distinct: list[str]) -> list[ChannelSpec] | None:
    """Each distinct item body (the text after the name) parsed and validated."""
    designs = []
    elements: dict[str, Any] = {}
    for body in distinct:
        after = _JSON_AFTER_NAME.match(body)
        if after is None:
            return None
        try:
            data = json.loads("{" + body[after.end():] + "}", parse_constant=no_constant)
            if not isinstance(data, dict) or "name" in data:
                return None
            designs.append(_validate(data, elements))
        except (ValueError, ValidationError, RecursionError, TypeError):
            return None
    return designs if known_names(designs) else None


def no_constant(name: str) -> Any:
    """``parse_constant`` for :func:`json.loads`: NaN and Infinity are not numbers here."""
    raise ValueError(f"{name} is not a number here")


# ---------------------------------------------------------------------------- shared

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


def known_names(designs: list[ChannelSpec]) -> bool:
    """Every catalogue name the designs use is known (the slow path says which is not).

    Parameters
    ----------
    designs
        Validated channel bodies.

    Returns
    -------
    bool
        False when any transceiver, connector, cassette or breakout is not in the
        catalogues.
    """
    from mpokit.standards import breakouts, cassettes, connectors, transceivers

    known = {"t": {n.upper() for n in transceivers().names()},
             "c": {n.upper() for n in connectors().names()},
             "cas": {n.upper() for n in cassettes().names()},
             "bo": {n.upper() for n in breakouts().names()}}
    return all(_catalog_ok(d, known) for d in designs)


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
