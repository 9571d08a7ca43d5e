"""The one catalogue loader: typed, user-extensible registries of records read from YAML.

Every catalogue of mpokit -- connectors, polishes, transceivers, cassettes, breakouts,
fibers, applications, grades and their defaults, the planner's parts and QC limit
profiles -- is read here: built-in records from ``mpokit/standards/data/*.yaml`` with
:meth:`Catalog.builtin` / :func:`load_section`, user files with :meth:`Catalog.extend`,
:func:`check_sections` and :func:`read_document`. Errors name the file, line and field
and answer misspelt keys and names with "did you mean". Unknown names raise
:class:`~mpokit.errors.CatalogError`; :func:`catalog_input_error` turns one into the
:class:`~mpokit.errors.InputError` of the field that named it.

>>> from mpokit.standards import transceivers
>>> transceivers().get("400GBASE-DR4").media
'SM'
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from mpokit._yaml import Lines, load_yaml, read_yaml, validate_model, validation_errors
from mpokit.errors import MAX_REPORTED, CatalogError, InputError, InputErrors, suggest

__all__ = [
    "Catalog",
    "catalog_input_error",
    "check_sections",
    "load_builtin",
    "load_section",
    "read_document",
]

T = TypeVar("T", bound=BaseModel)


def load_builtin(filename: str) -> tuple[Any, Lines]:
    """Load one of the packaged data files.

    Parameters
    ----------
    filename
        A file name under ``mpokit/standards/data/``.

    Returns
    -------
    tuple
        The parsed YAML and its line index.

    Examples
    --------
    >>> data, lines = load_builtin("grades.yaml")
    >>> "defaults" in data
    True
    """
    text = resources.files("mpokit.standards").joinpath("data", filename).read_text("utf-8")
    return load_yaml(text, file=f"mpokit/standards/data/{filename}")


def check_sections(data: Any, lines: Lines, allowed: Sequence[str], what: str) -> dict[str, Any]:
    """Check that a catalogue file is a mapping whose top-level keys are all ``allowed``.

    Parameters
    ----------
    data, lines
        The parsed file and its line index (from :func:`~mpokit._yaml.read_yaml`).
    allowed
        The section keys this kind of file may hold.
    what
        What the file is, for the message (``"plan catalogue"``).

    Returns
    -------
    dict
        ``data`` itself.

    Raises
    ------
    InputError
        Not a non-empty mapping, or a key outside ``allowed`` (with "did you mean").

    Examples
    --------
    >>> from mpokit._yaml import load_yaml
    >>> try:
    ...     check_sections(*load_yaml("panles: []", file="my.yaml"), ["panels"], "plan catalogue")
    ... except InputError as exc:
    ...     print(exc)
    my.yaml:1: panles: unknown plan catalogue section 'panles' (did you mean 'panels'?)
    """
    keys = ", ".join(allowed)
    if not isinstance(data, dict) or not data:
        raise InputError(f"a {what} file is a mapping of section names to record lists",
                         file=lines.file, line=1, fix=f"use keys: {keys}")
    for key in data:
        if key not in allowed:
            close = suggest(str(key), allowed)
            raise InputError(f"unknown {what} section {key!r}", file=lines.file,
                             line=lines.line_of((key,)), field=str(key),
                             fix=f"did you mean {close[0]!r}?" if close else f"use keys: {keys}")
    return data


def load_section(data: Any, lines: Lines, key: str, model: type[T]) -> T:
    """Validate the single mapping under ``data[key]`` as ``model``, errors with lines.

    Parameters
    ----------
    data, lines
        The parsed file and its line index.
    key
        The top-level key holding the section.
    model
        The pydantic model of the section.

    Returns
    -------
    T
        The validated section.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class Two(BaseModel):
    ...     a: int
    >>> load_section({"s": {"a": 2}}, Lines({}), "s", Two).a
    2
    """
    if not isinstance(data, dict) or key not in data:
        raise InputError(f"expected a top-level key {key!r}", file=lines.file, line=1,
                         fix=f"add a '{key}:' section")
    return validate_model(data[key], model, lines, prefix=(key,))


def read_document(path: str | os.PathLike[str], model: type[T],
                  defaults: dict[str, Any] | None = None) -> T:
    """Read a YAML file holding one record (e.g. a user QC profile) as ``model``.

    Parameters
    ----------
    path
        The file.
    model
        The pydantic model of the record.
    defaults
        Keys filled in when the file does not give them.

    Returns
    -------
    T
        The validated record.

    Raises
    ------
    InputError
        Unreadable, not a mapping, or invalid (file, line and field named).

    Examples
    --------
    >>> import os, tempfile
    >>> from pydantic import BaseModel
    >>> class Named(BaseModel):
    ...     name: str
    >>> f = os.path.join(tempfile.mkdtemp(), "x.yaml")
    >>> _ = open(f, "w").write("{}")
    >>> read_document(f, Named, {"name": "x"}).name
    'x'
    """
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of fields", file=lines.file, line=1,
                         fix=f"write one {model.__name__} record as 'key: value' lines")
    return validate_model({**(defaults or {}), **data}, model, lines)


def catalog_input_error(exc: CatalogError, *, field: str | None = None,
                        file: str | None = None, line: int | None = None) -> InputError:
    """The input error of a field that names an unknown catalogue record.

    Parameters
    ----------
    exc
        The catalogue's error (its kind, the name and close matches).
    field, file, line
        Where the name was given.

    Returns
    -------
    InputError
        ``unknown <kind> '<name>'`` with "did you mean ..." (or how to list the
        catalogue) as the fix.

    Examples
    --------
    >>> from mpokit.standards import transceiver
    >>> try:
    ...     transceiver("400GBASE-SR8x")
    ... except CatalogError as exc:
    ...     err = catalog_input_error(exc, field="a")
    >>> err.message, err.field, err.fix.startswith("did you mean '400GBASE-SR8'")
    ("unknown transceiver '400GBASE-SR8x'", 'a', True)
    """
    if exc.suggestions:
        fix = f"did you mean {' or '.join(repr(s) for s in exc.suggestions)}?"
    else:
        fix = "run 'mpokit catalog' to list the names, or add the record in a catalogue file"
    return InputError(f"unknown {exc.kind} {exc.name!r}", file=file, line=line, field=field,
                      fix=fix)


class Catalog(Generic[T]):
    """Named records of one kind; lookups are case-insensitive."""

    def __init__(self, kind: str, model: type[T], key: str) -> None:
        self.kind = kind
        self.model = model
        self.key = key
        self._items: dict[str, T] = {}

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self._items

    def names(self) -> list[str]:
        """Record names in load order.

        Returns
        -------
        list[str]
            Every record's name, in catalogue order.
        """
        return [getattr(v, "name") for v in self._items.values()]  # noqa: B009

    def get(self, name: str) -> T:
        """The record called ``name``; ``CatalogError`` with suggestions if unknown.

        Parameters
        ----------
        name
            A record name (case-insensitive).

        Returns
        -------
        T
            The record.

        Raises
        ------
        CatalogError
            Unknown name, with close matches.
        """
        try:
            return self._items[name.upper()]
        except KeyError:
            raise CatalogError(self.kind, name, self.names()) from None

    def add(self, record: T) -> None:
        """Add or replace a record.

        Parameters
        ----------
        record
            The record; it replaces one of the same name.
        """
        self._items[str(getattr(record, "name")).upper()] = record  # noqa: B009

    def load(self, data: Any, lines: Lines, *, user: bool = False) -> None:
        """Validate and add the records under ``data[self.key]``.

        Parameters
        ----------
        data, lines
            The parsed file and its line index.
        user
            The records come from a user's file: a record may replace one already in the
            catalogue only when it says ``override: true``, a name may appear once per
            file, and no record may claim status ``verified`` (that status is reserved
            for values mpokit's maintainers checked against the standard).

        Raises
        ------
        InputError
            Every invalid record of the file (up to ``MAX_REPORTED``, as
            :class:`~mpokit.errors.InputErrors` when there are several); no record of a bad
            file is added.
        """
        if not isinstance(data, dict) or self.key not in data:
            raise InputError(
                f"expected a top-level key {self.key!r}",
                file=lines.file,
                line=1,
                fix=f"put the {self.kind} records in a list under '{self.key}:'",
            )
        extra = [k for k in data if k != self.key]
        if user and extra:
            raise InputError(f"unknown key {extra[0]!r}", file=lines.file,
                             line=lines.line_of((extra[0],)), field=str(extra[0]),
                             fix=f"a {self.kind} file holds only a list under '{self.key}:'")
        items = data[self.key]
        if not isinstance(items, list):
            raise InputError(
                f"'{self.key}' must be a list", file=lines.file, line=lines.line_of((self.key,))
            )
        seen: set[str] = set()
        records: list[tuple[int, T, bool]] = []
        errors: list[InputError] = []
        for i, item in enumerate(items):
            override = False
            if user:
                item, override = self._user_item(item, lines, i)
            try:
                records.append((i, self.model.model_validate(item), override))
            except ValidationError as exc:
                errors += validation_errors(exc, lines, prefix=(self.key, i), model=self.model)
        if errors:  # all of the file's errors, and no record of a bad file is added
            raise InputErrors.of(errors[:MAX_REPORTED], truncated=len(errors) > MAX_REPORTED)
        for i, record, override in records:
            if user:
                self._check_user_record(record, override, seen, lines, i)
        for _, record, _ in records:
            self.add(record)

    def _user_item(self, item: Any, lines: Lines, i: int) -> tuple[Any, bool]:
        if not isinstance(item, dict) or "override" not in item:
            return item, False
        override = item["override"]
        if not isinstance(override, bool):
            raise InputError("override must be true or false", file=lines.file,
                             line=lines.line_of((self.key, i, "override")),
                             field=f"{self.key}[{i}].override")
        return {k: v for k, v in item.items() if k != "override"}, override

    def _check_user_record(self, record: T, override: bool, seen: set[str], lines: Lines,
                           i: int) -> None:
        name = str(getattr(record, "name", ""))
        line = lines.line_of((self.key, i, "name"))
        field = f"{self.key}[{i}].name"
        if name.upper() in seen:
            raise InputError(f"{self.kind} {name!r} appears twice in this file",
                             file=lines.file, line=line, field=field,
                             fix="keep one record per name")
        seen.add(name.upper())
        if getattr(record, "status", None) == "verified":
            raise InputError(
                f"{self.kind} {name!r} claims status 'verified'",
                file=lines.file, line=lines.line_of((self.key, i, "status")),
                field=f"{self.key}[{i}].status",
                fix="a user record is 'vendor', 'derived' or 'typical'; 'verified' is kept for "
                "values checked against the standard in mpokit's own catalogue")
        if name.upper() in self._items and not override:
            raise InputError(
                f"{self.kind} {name!r} is already in the catalogue",
                file=lines.file, line=line, field=field,
                fix="give your record another name, or add 'override: true' to it to replace "
                "the existing one on purpose")

    @classmethod
    def builtin(cls, kind: str, model: type[T], key: str, filename: str) -> Catalog[T]:
        """A catalogue holding the records under ``key`` of a packaged data file."""
        cat = cls(kind, model, key)
        cat.load(*load_builtin(filename))
        return cat

    def extend(self, path: str | os.PathLike[str]) -> None:
        """Add the records of a user YAML file (same schema as the built-in one).

        Parameters
        ----------
        path
            A YAML file in the catalogue's schema.
        """
        data, lines = read_yaml(path)
        self.load(data, lines, user=True)
