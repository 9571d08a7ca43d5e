"""A typed, user-extensible registry of catalogue records loaded from YAML.

Built-in records live in ``mpokit/standards/data/*.yaml``; users add their own files
with :func:`Catalog.extend` (same schema). Unknown names raise
:class:`~mpokit.errors.CatalogError` with "did you mean" suggestions.

>>> from mpokit.standards import transceivers
>>> transceivers().get("400GBASE-DR4").media
'SM'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from mpokit._yaml import Lines, load_yaml, read_yaml, validation_error
from mpokit.errors import CatalogError, InputError

__all__ = ["Catalog", "load_builtin"]

T = TypeVar("T", bound=BaseModel)


def load_builtin(filename: str) -> tuple[Any, Lines]:
    """Load one of the packaged data files."""
    text = resources.files("mpokit.standards").joinpath("data", filename).read_text("utf-8")
    return load_yaml(text, file=f"mpokit/standards/data/{filename}")


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
        """Record names in load order."""
        return [getattr(v, "name") for v in self._items.values()]  # noqa: B009

    def get(self, name: str) -> T:
        """The record called ``name``; ``CatalogError`` with suggestions if unknown."""
        try:
            return self._items[name.upper()]
        except KeyError:
            raise CatalogError(self.kind, name, self.names()) from None

    def add(self, record: T) -> None:
        """Add or replace a record."""
        self._items[str(getattr(record, "name")).upper()] = record  # noqa: B009

    def load(self, data: Any, lines: Lines, *, user: bool = False) -> None:
        """Validate and add the records under ``data[self.key]``.

        Parameters
        ----------
        data, lines:
            The parsed file and its line index.
        user:
            The records come from a user's file: a record may replace one already in the
            catalogue only when it says ``override: true``, a name may appear once per
            file, and no record may claim status ``verified`` (that status is reserved
            for values mpokit's maintainers checked against the standard).
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
        for i, item in enumerate(items):
            override = False
            if user:
                item, override = self._user_item(item, lines, i)
            try:
                record = self.model.model_validate(item)
            except ValidationError as exc:
                raise validation_error(exc, lines, prefix=(self.key, i)) from None
            if user:
                self._check_user_record(record, override, seen, lines, i)
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
        """Add the records of a user YAML file (same schema as the built-in one)."""
        data, lines = read_yaml(path)
        self.load(data, lines, user=True)
