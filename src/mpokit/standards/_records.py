"""Shared pieces of every catalogue record: provenance and a strict base model."""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

__all__ = ["Record", "Status", "Strict"]

Status = Literal["verified", "derived", "vendor", "typical"]
"""Provenance of a value: read in a standard or retrieved source (verified), derived from
verified rules (derived), vendor material only (vendor), or common practice (typical).
Only ``verified`` and ``derived`` values may be presented as a standard's limits."""


def _kinds(annotation: Any) -> frozenset[str]:
    """What an annotation accepts: 'bool', 'number', 'other' (Literal values by their type)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return frozenset().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is Literal:
        return frozenset("bool" if isinstance(v, bool) else "number"
                         if isinstance(v, int | float) else "other"
                         for v in typing.get_args(annotation))
    if annotation is bool:
        return frozenset({"bool"})
    if annotation in (int, float):
        return frozenset({"number"})
    if annotation is type(None):
        return frozenset({"none"})
    return frozenset({"bool", "number", "other"})  # Any, models, containers: not judged here


class Strict(BaseModel):
    """Frozen model that rejects unknown keys and keeps booleans and numbers apart.

    YAML reads ``true`` as a boolean and pydantic would turn it into ``1`` for a number
    field (``length_m: true`` would read as 1 m); a number for a yes/no field would
    likewise become a boolean. Both are refused here, for every model built on this one,
    and so are infinite and NaN numbers (``.inf`` for a rack width).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _bools_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        kinds = _field_kinds(cls, info.field_name)
        if isinstance(value, bool) and "bool" not in kinds:
            raise ValueError("a yes/no value is not a number or text (write the number)")
        if (kinds <= {"bool", "none"} and value is not None
                and not isinstance(value, bool)):
            raise ValueError("expected true or false")
        return value


@cache
def _field_kinds(cls: type[BaseModel], name: str) -> frozenset[str]:
    field = cls.model_fields.get(name)
    return _kinds(field.annotation) if field is not None else frozenset({"bool", "number"})


class Record(Strict):
    """A catalogue record: a name plus where its facts come from."""

    name: str
    source: str
    status: Status
