"""Shared pieces of every catalogue record: provenance and a strict base model."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Record", "Status", "Strict"]

Status = Literal["verified", "derived", "vendor", "typical"]
"""Provenance of a value: read in a standard or retrieved source (verified), derived from
verified rules (derived), vendor material only (vendor), or common practice (typical).
Only ``verified`` and ``derived`` values may be presented as a standard's limits."""


class Strict(BaseModel):
    """Frozen model that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Record(Strict):
    """A catalogue record: a name plus where its facts come from."""

    name: str
    source: str
    status: Status
