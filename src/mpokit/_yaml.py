"""YAML loading that remembers where every value came from.

Validation errors must name the file, the line and the field. ``load_yaml`` returns
the plain data together with a :class:`Lines` index from field paths to line numbers,
and :func:`validation_error` turns a pydantic ``ValidationError`` into an
:class:`~mpokit.errors.InputError` pointing at the offending line.

>>> data, lines = load_yaml("a: 1\\npath:\\n  - cord: {length_m: x}\\n", file="ch.yaml")
>>> lines.line_of(("path", 0, "cord", "length_m"))
3
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mpokit._files import (
    atomic_write_text,  # re-exported for callers of mpokit._yaml
    read_input_text,
)
from mpokit._limits import check_limit, limit
from mpokit.errors import MAX_REPORTED, InputError, InputErrors, suggest

__all__ = [
    "Lines",
    "atomic_write_text",
    "check_structure",
    "format_loc",
    "load_yaml",
    "parse_model",
    "read_model",
    "read_yaml",
    "validate_model",
    "validation_error",
    "validation_errors",
]

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class Lines:
    """Map from a field path (``("path", 0, "cord")``) to its 1-based line number.

    Built lazily: big files are parsed by the C loader, and the line index is made only
    when an error needs a line number.
    """

    def __init__(
        self, file: str | None = None, by_path: dict[Loc, int] | None = None,
        text: str | None = None, prefix: Loc = (),
    ) -> None:
        self.file = file
        self._by_path = by_path
        self._text = text
        self._prefix = prefix

    @property
    def by_path(self) -> dict[Loc, int]:
        if self._by_path is None:
            self._by_path = {}
            if self._text is not None:
                try:
                    node = yaml.compose(self._text, Loader=_FastBase)  # libyaml if present
                    if node is not None:
                        _construct(node, self._prefix, self._by_path)
                except (yaml.YAMLError, InputError, RecursionError):
                    pass
        return self._by_path

    def under(self, prefix: Loc) -> Lines:
        """The same file's index with every path under ``prefix`` (still built lazily)."""
        if self._by_path is not None:
            return Lines(self.file, {(*prefix, *k): v for k, v in self._by_path.items()})
        return Lines(self.file, None, self._text, (*prefix, *self._prefix))

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc`` or of its nearest ancestor that has one."""
        loc = tuple(loc)
        if self._by_path is None:
            hit = self._item_line(loc)
            if hit is not None:
                return hit
        index = self.by_path
        while loc:
            if loc in index:
                return index[loc]
            loc = loc[:-1]
        return index.get((), None)



    def _item_line(self, loc: Loc) -> int | None:
        """The line of ``loc`` in item ``loc[1]`` of a big machine-written ``key:`` list.

        Indexing a whole plan's ``channels.yaml`` (hundreds of thousands of items) to name
        one line takes minutes; the items of that shape (see :func:`load_list_items`) are
        found by their ``"\\n  - "`` starts, and only the one item asked for is indexed.
        None when the text is small or has another shape (the whole index is built).
        """
        text = self._text
        if (text is None or len(text) < 256_000 or self._prefix or len(loc) < 2
                or not isinstance(loc[0], str) or not isinstance(loc[1], int)
                or not text.startswith(f"{loc[0]}:\n  - ")):
            return None
        key, i = loc[0], loc[1]
        start = len(key) + 2  # the first item's "  - "
        for _ in range(i):
            start = text.find("\n  - ", start)
            if start < 0:
                return None
            start += 1
        end = text.find("\n  - ", start)
        chunk = text[start:end if end >= 0 else len(text)]
        if any(ln and not ln.startswith("    ") for ln in chunk.split("\n")[1:]):
            return None  # not the simple shape: comments or other indents
        first = text.count("\n", 0, start)  # 0-based line of the item's "  - "
        index: dict[Loc, int] = {}
        try:
            node = yaml.compose("\n".join(ln[4:] for ln in ("    " + chunk[4:]).split("\n")),
                                Loader=_FastBase)
            if node is not None:
                _construct(node, (key, i), index)
        except (yaml.YAMLError, InputError):
            return None
        while len(loc) > 2 and loc not in index:
            loc = loc[:-1]
        return index.get(loc, 1) + first


_SCALARS = yaml.SafeLoader("")


def _construct(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, (*loc, "<key>"), {})
            if isinstance(key, list):
                raise InputError(
                    "a mapping key cannot be a list",
                    line=key_node.start_mark.line + 1,
                )
            if key in out:
                raise InputError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    field=format_loc((*loc, key)),
                    fix="each key may appear once per mapping",
                )
            out[key] = _construct(value_node, (*loc, key), lines)
            # a field is where its key is written (a block value starts a line later)
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*loc, i), lines) for i, v in enumerate(node.value)]
    # Scalars: let the safe constructor resolve ints, floats, bools, null.
    return _SCALARS.construct_object(node, deep=True)


_FastBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_FastBase):
    """libyaml's parser with a duplicate-key check; no line index."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                dup = key in seen
            except TypeError:
                dup = False
            if dup:
                raise InputError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    fix="each key may appear once per mapping",
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_FastLoader.add_constructor(
    "tag:yaml.org,2002:map",
    lambda loader, node: loader.construct_mapping(node, deep=True),
)


def check_structure(text: str, *, file: str | None = None) -> None:
    """Refuse YAML nested deeper than the ``yaml_depth`` limit or with an alias bomb.

    A "billion laughs" (aliases of aliases) expands to more nodes than the
    ``yaml_alias_nodes`` limit allows; deep nesting would exhaust the recursion of the
    parsers. Both are found from libyaml's event stream, without building anything.
    Texts over 1 MB without an anchor skip the scan.

    Parameters
    ----------
    text:
        The YAML text.
    file:
        Its name, for the message.

    >>> check_structure("a: [1, [2, [3]]]")
    >>> try:
    ...     check_structure("a: " + "[" * 100 + "]" * 100, file="deep.yaml")
    ... except InputError as exc:
    ...     print(exc.message)
    YAML nesting depth 65 is over the limit of 64
    """
    if len(text) > 1_000_000 and "&" not in text:
        # big machine-written files: no anchors means no alias bomb, and libyaml itself
        # stops at 1000 levels (a RecursionError past the parsers is reported by the CLI)
        return
    _scan_events(text, file, limit("yaml_depth"), limit("yaml_alias_nodes"))


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _scan_events(text: str, file: str | None, depth_cap: int, alias_cap: int) -> None:
    """Walk libyaml's events: nesting depth, and the node count aliases expand to."""
    loader = _FastBase(text)
    depth = 0
    # per open collection: [nodes inside so far, anchor]
    stack: list[list[Any]] = []
    sizes: dict[str, int] = {}
    expanded = 0
    try:
        while loader.check_event():
            ev = loader.get_event()
            if isinstance(ev, yaml.CollectionStartEvent):
                depth += 1
                if depth > depth_cap:
                    check_limit("yaml_depth", depth, what="YAML nesting depth", file=file,
                                line=_line(ev.start_mark))
                stack.append([1, ev.anchor])
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1
                n, anchor = stack.pop()
                if anchor is not None:
                    sizes[anchor] = n
                if stack:
                    stack[-1][0] += n
            elif isinstance(ev, yaml.ScalarEvent | yaml.AliasEvent):
                n = 1
                if isinstance(ev, yaml.AliasEvent):
                    n = sizes.get(str(ev.anchor), 1)
                    expanded += n
                    if expanded > alias_cap:
                        check_limit("yaml_alias_nodes", expanded,
                                    what="nodes reached through YAML aliases", file=file,
                                    line=_line(ev.start_mark))
                elif ev.anchor is not None:
                    sizes[ev.anchor] = 1
                if stack:
                    stack[-1][0] += n
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own cap (1000 flow levels)
            mark = getattr(exc, "problem_mark", None)
            raise InputError("YAML nested more than 1000 levels deep", file=file,
                             line=mark.line + 1 if mark else None,
                             fix="real mpokit files nest a few levels; check the file") from None
        return  # the parse itself reports other syntax errors with their line
    finally:
        loader.dispose()


def load_yaml(
    text: str, *, file: str | None = None, fast: bool | None = None
) -> tuple[Any, Lines]:
    """Parse YAML text; return ``(data, lines)``. Syntax errors become ``InputError``.

    Texts over 256 kB take the C parser (when PyYAML has libyaml) and build the line
    index only if an error asks for it; ``fast`` forces either way.
    """
    if fast is None:
        fast = len(text) > 256_000
    check_structure(text, file=file)
    if fast:
        try:
            data = yaml.load(text, Loader=_FastLoader)
        except InputError as exc:
            raise exc.located(file=file) from None
        except yaml.YAMLError:
            pass  # the slow path below gives the precise message
        else:
            return data, Lines(file, None, text)
    try:
        try:  # libyaml's composer: the same nodes and marks, many times faster
            node = yaml.compose(text, Loader=_FastBase)
        except yaml.YAMLError:  # PyYAML's own parser words the problem better
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise InputError("nested too deeply for the parser", file=file,
                         fix="flatten the file; see docs/limits.md") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"not valid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            fix="check indentation and that every '{' or '[' is closed",
        ) from None
    index: dict[Loc, int] = {}
    if node is None:
        return None, Lines(file, index)
    try:
        data = _construct(node, (), index)
    except InputError as exc:
        raise exc.located(file=file) from None
    except RecursionError:  # pragma: no cover - check_structure bounds the depth first
        raise InputError("nested too deeply", file=file,
                         fix="flatten the file; see docs/limits.md") from None
    return data, Lines(file, index)


def read_text(path: str | os.PathLike[str]) -> str:
    """A UTF-8 text file; unreadable, non-regular or oversized files become ``InputError``."""
    return read_input_text(path)


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, Lines]:
    """Read and parse a YAML file; unreadable files become ``InputError``."""
    return load_yaml(read_text(path), file=str(path))


def load_list_items(text: str, key: str, *, file: str | None = None) -> tuple[Any, Lines] | None:
    """Parse a big ``key:`` list of block mappings item by item, caching repeated items.

    Machine-written files (a plan's ``channels.yaml``) repeat the same item text many
    times with only the first line (a name) changing. Each distinct item body is parsed
    once; a ``name: "..."`` first line is read on its own. Returns None when the text does
    not have that simple shape, and the caller parses it the ordinary way.
    """
    head = f"{key}:\n"
    check_structure(text, file=file)
    if not text.startswith(head) or "\n  - " not in text[: len(head) + 8]:
        return None
    body = text[len(head):]
    if not body.startswith("  - "):
        return None
    chunks = body[4:].split("\n  - ")
    cache: dict[str, Any] = {}
    items: list[Any] = []
    for chunk in chunks:
        first, _, rest = chunk.partition("\n")
        name: Any = None
        if first.startswith("name: "):
            raw = first[6:].strip()
            if raw.startswith('"') and raw.endswith('"') and "\\" not in raw:
                name = raw[1:-1]
            else:
                return None
            chunk = rest
        key_text = chunk.rstrip("\n")
        item = cache.get(key_text)
        if item is None:
            lines = key_text.split("\n")
            if any(ln and not ln.startswith("    ") for ln in lines):
                return None  # not the simple shape (comments, other indents)
            try:
                item = yaml.load("\n".join(ln[4:] for ln in lines), Loader=_FastLoader)
            except (yaml.YAMLError, InputError):
                return None
            if not isinstance(item, dict):
                return None
            cache[key_text] = item
        if name is not None and "name" in item:
            return None  # 'name' twice: the ordinary parse reports the duplicate key
        items.append({"name": name, **item} if name is not None else item)
    return {key: items}, Lines(file, None, text)


def format_loc(loc: Sequence[str | int]) -> str:
    """``("path", 2, "cord", "type")`` -> ``"path[2].cord.type"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _known_keys(model: Any, loc: Sequence[str | int]) -> list[str]:
    """The keys a pydantic ``model`` allows at ``loc`` (the mapping holding ``loc[-1]``)."""
    from typing import get_args

    from pydantic import BaseModel

    def models(tp: Any) -> list[type[BaseModel]]:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return [tp]
        return [m for arg in get_args(tp) for m in models(arg)]

    current = models(model)
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        nxt = [m for c in current if part in c.model_fields
               for m in models(c.model_fields[part].annotation)]
        if not nxt:
            return []
        current = nxt
    return sorted({k for c in current for k in c.model_fields})


def validation_errors(
    exc: ValidationError, lines: Lines, *, prefix: Loc = (), fix: str | None = None,
    model: Any = None, fixes: dict[str, str] | None = None,
) -> list[InputError]:
    """Every error of a pydantic ``ValidationError`` as an ``InputError``, in file order.

    Parameters
    ----------
    exc
        The validation error.
    lines
        The file's line index, for line numbers.
    prefix
        Prepended to pydantic's locations (a sub-document validated on its own).
    fix
        A fix to suggest where no better one is known.
    model
        The pydantic model validated; an unknown key then gets "did you mean" among the
        keys allowed where it sits.
    fixes
        A fix per pydantic error type (``"missing"``, ``"extra_forbidden"`` ...), before
        ``fix``.

    Returns
    -------
    list[InputError]
        One error per problem, in file order (a missing key of a mapping that has an
        unknown key comes after that key); a missing key that an unknown key probably
        misspells is reported once, as the unknown key.
    """
    errors = exc.errors()
    out: list[tuple[tuple[int, bool, int], Loc, InputError]] = []
    seen: set[tuple[str, str]] = set()
    missing_at: dict[Loc, list[str]] = {}
    cleaned: list[tuple[Any, list[str | int]]] = []
    for err in errors:
        loc: list[str | int] = list(prefix)
        for part in err["loc"]:
            # pydantic adds tagged-union / function names into loc; keep only real keys
            if isinstance(part, str) and ("[" in part or part.startswith("function-")):
                continue
            loc.append(part)
        cleaned.append((err, loc))
        if err["type"] == "missing" and loc:
            missing_at.setdefault(tuple(loc[:-1]), []).append(str(loc[-1]))
    misspelt: set[Loc] = set()
    for order, (err, loc) in enumerate(cleaned):
        message = str(err["msg"]).removeprefix("Value error, ")
        kind = err["type"]
        hint = (fixes or {}).get(kind, fix)
        if kind == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}" if loc else "unknown key"
            parent = tuple(loc[:-1])
            missing = missing_at.get(parent, [])
            close = suggest(str(loc[-1]), missing) if loc and missing else []
            if close:
                misspelt.add((*parent, close[0]))
            elif loc and model is not None:
                close = suggest(str(loc[-1]), _known_keys(model, loc[len(prefix):]))
            hint = (f"did you mean {close[0]!r}?" if close
                    else hint or "remove it or check its spelling against docs/")
        elif kind == "missing":
            message = f"missing required key {loc[-1]!r}" if loc else "missing key"
        elif kind == "literal_error" and isinstance(err.get("input"), str):
            allowed = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
            close = suggest(err["input"], allowed)
            message = f"{err['input']!r} is not one of {', '.join(allowed)}"
            hint = f"did you mean {close[0]!r}?" if close else hint
        else:
            inp = err.get("input")
            if not isinstance(inp, dict | list) and inp is not None:
                message = f"{message} (got {inp!r})"
        field = format_loc(loc) or None
        if (field or "", message) in seen:
            continue
        seen.add((field or "", message))
        line = lines.line_of(loc)
        e = InputError(message, file=lines.file, line=line, field=field, fix=hint)
        out.append(((line or 0, kind == "missing", order), tuple(loc), e))
    # a missing key sits at its mapping's first line; when the mapping has an unknown key
    # (usually the misspelling behind it), it is reported after that key
    unknown_at: dict[Loc, int] = {}
    for err, loc in cleaned:
        if err["type"] == "extra_forbidden" and loc:
            parent = tuple(loc[:-1])
            unknown_at[parent] = max(unknown_at.get(parent, 0), lines.line_of(loc) or 0)
    out = [((max(key[0], unknown_at.get(loc[:-1], 0)) if key[1] else key[0], *key[1:]), loc, e)
           for key, loc, e in out]
    out.sort(key=lambda t: t[0])
    kept = [e for _, loc, e in out if loc not in misspelt]
    return kept or [e for _, _, e in out]


def validation_error(
    exc: ValidationError, lines: Lines, *, prefix: Loc = (), fix: str | None = None,
    model: Any = None, fixes: dict[str, str] | None = None,
) -> InputError:
    """Turn a pydantic ``ValidationError`` into one ``InputError`` reporting all its errors.

    ``prefix`` is prepended to the locations pydantic reports (when a sub-document was
    validated on its own). Union-branch tags that pydantic inserts are dropped. Several
    errors come as an :class:`~mpokit.errors.InputErrors` (see :func:`validation_errors`).

    Parameters
    ----------
    exc, lines, prefix, fix, model, fixes
        As for :func:`validation_errors`.

    Returns
    -------
    InputError
        The only error, or all of them as an ``InputErrors``.
    """
    errors = validation_errors(exc, lines, prefix=prefix, fix=fix, model=model, fixes=fixes)
    return InputErrors.of(errors[:MAX_REPORTED], truncated=len(errors) > MAX_REPORTED)


def validate_model(
    data: object, model: type[M], lines: Lines, *, prefix: Loc = (), fix: str | None = None,
    fixes: dict[str, str] | None = None, suggest_keys: bool = False,
) -> M:
    """Validate parsed YAML ``data`` as ``model``; errors name file, line and field.

    Parameters
    ----------
    data
        The parsed value (the whole document, or the part at ``prefix``).
    model
        The pydantic model.
    lines
        The file's line index.
    prefix, fix, fixes
        As for :func:`validation_errors`.
    suggest_keys
        Answer an unknown key with "did you mean" among the keys ``model`` allows there.

    Returns
    -------
    M
        The validated model.

    Raises
    ------
    InputError
        Every problem, as :func:`validation_error` words them.

    Examples
    --------
    >>> class Cord(BaseModel):
    ...     length_m: float
    >>> data, lines = load_yaml("cord:\\n  length_m: x\\n", file="c.yaml")
    >>> try:
    ...     validate_model(data["cord"], Cord, lines, prefix=("cord",))
    ... except InputError as exc:
    ...     print(exc.line, exc.field)
    2 cord.length_m
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, lines, prefix=prefix, fix=fix, fixes=fixes,
                               model=model if suggest_keys else None) from None


def parse_model(text: str, model: type[M], *, file: str | None = None,
                empty_is_default: bool = False) -> M:
    """Parse YAML ``text`` as ``model`` (:func:`load_yaml`, then :func:`validate_model`).

    Parameters
    ----------
    text
        The YAML text.
    model
        The pydantic model of the whole document.
    file
        The file's name, for error messages.
    empty_is_default
        An empty document is the model's defaults (else it is refused as not a mapping).

    Returns
    -------
    M
        The validated model.

    Examples
    --------
    >>> class Named(BaseModel):
    ...     name: str = "x"
    >>> parse_model("name: a\\n", Named).name
    'a'
    >>> try:
    ...     parse_model("name: [a]\\n", Named, file="n.yaml")
    ... except InputError as exc:
    ...     print(exc.file, exc.line, exc.field)
    n.yaml 1 name
    >>> parse_model("", Named, empty_is_default=True).name
    'x'
    """
    data, lines = load_yaml(text, file=file)
    if empty_is_default and data is None:
        data = {}
    return validate_model(data, model, lines)


def read_model(path: str | os.PathLike[str], model: type[M], *,
               empty_is_default: bool = False) -> M:
    """Read a YAML file as ``model`` (:func:`read_text`, then :func:`parse_model`).

    Parameters
    ----------
    path
        The YAML file; unreadable, non-regular or oversized files are ``InputError``.
    model, empty_is_default
        As for :func:`parse_model`.

    Returns
    -------
    M
        The validated model.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> class Named(BaseModel):
    ...     name: str = "x"
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "n.yaml"
    >>> _ = p.write_text("name: a\\n")
    >>> read_model(p, Named).name
    'a'
    """
    return parse_model(read_text(path), model, file=str(path),
                       empty_is_default=empty_is_default)
