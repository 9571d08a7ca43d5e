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

from mpokit._yaml import Lines, load_yaml, read_yaml, validation_errors
from mpokit.errors import MAX_REPORTED, CatalogError, InputError, InputErrors

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

    def load(self, data: Any, lines: Lines) -> None:
        """Validate and add the records under ``data[self.key]``.

        Parameters
        ----------
        data
            The parsed catalogue file.
        lines
            Its line index, for errors.
        """
        if not isinstance(data, dict) or self.key not in data:
            raise InputError(
                f"expected a top-level key {self.key!r}",
                file=lines.file,
                line=1,
                fix=f"put the {self.kind} records in a list under '{self.key}:'",
            )
        items = data[self.key]
        if not isinstance(items, list):
            raise InputError(
                f"'{self.key}' must be a list", file=lines.file, line=lines.line_of((self.key,))
            )
        records: list[T] = []
        errors: list[InputError] = []
        for i, item in enumerate(items):
            try:
                records.append(self.model.model_validate(item))
            except ValidationError as exc:
                errors += validation_errors(exc, lines, prefix=(self.key, i), model=self.model)
        if errors:  # all of the file's errors, and no record of a bad file is added
            raise InputErrors.of(errors[:MAX_REPORTED], truncated=len(errors) > MAX_REPORTED)
        for r in records:
            self.add(r)

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
        self.load(data, lines)
