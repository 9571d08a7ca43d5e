"""Cassettes and breakout harnesses as catalogue records (``data/cassettes.yaml``).

>>> cassette("MPO12-LC6-B").rear_adapter
'B'
>>> [leg.map for leg in breakout("MPO8-4xLC").legs][0]
(12, 1)
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from mpokit.standards._records import Record, Strict
from mpokit.standards.catalog import Catalog
from mpokit.standards.connectors import Gender, Polish, connector

__all__ = [
    "Breakout",
    "BreakoutLeg",
    "Cassette",
    "PortSide",
    "breakout",
    "breakouts",
    "cassette",
    "cassettes",
]


class PortSide(Strict):
    """The plug a cassette keeps behind one of its adapters."""

    connector: str
    gender: Gender = "male"
    polish: Polish = "UPC"


class FrontSide(Strict):
    connector: str = "LC"
    ports: int = Field(ge=1, le=64)


class Cassette(Record):
    """An MPO-to-duplex cassette: ``harness[i]`` = (front port, LC position) of rear i+1."""

    description: str = ""
    rear: PortSide
    rear_adapter: Literal["A", "B"]
    front: FrontSide
    harness: tuple[tuple[int, int] | None, ...]

    @model_validator(mode="after")
    def _check(self) -> Cassette:
        if self.rear.polish == "APC" and self.rear_adapter == "B":
            raise ValueError("an APC rear port needs a key-up/key-down (A) rear adapter: APC "
                             "faces meeting key-up to key-up leave a 16-degree wedge")
        n = connector(self.rear.connector).positions
        if len(self.harness) != n:
            raise ValueError(f"harness must list {n} entries (one per rear position)")
        seen: set[tuple[int, int]] = set()
        for h in self.harness:
            if h is None:
                continue
            port, pos = h
            if not (1 <= port <= self.front.ports and pos in (1, 2)):
                raise ValueError(f"harness entry {list(h)} outside ports 1..{self.front.ports}")
            if h in seen:
                raise ValueError(f"harness entry {list(h)} used twice")
            seen.add(h)
        return self


class BreakoutLeg(Strict):
    """One leg of a harness: its plug and the trunk-end position of each of its positions."""

    connector: str
    gender: Gender = "female"
    map: tuple[int, ...]


class TrunkEnd(Strict):
    connector: str
    gender: Gender = "female"


class Breakout(Record):
    """A breakout harness: a trunk-end plug fanned out to legs."""

    description: str = ""
    trunk: TrunkEnd
    legs: tuple[BreakoutLeg, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Breakout:
        n = connector(self.trunk.connector).positions
        used: set[int] = set()
        for k, leg in enumerate(self.legs, 1):
            m = connector(leg.connector).positions
            if len(leg.map) != m:
                raise ValueError(f"leg {k} map must list {m} entries")
            for t in leg.map:
                if t == 0:
                    continue
                if not 1 <= t <= n:
                    raise ValueError(f"leg {k} refers to trunk position {t} outside 1..{n}")
                if t in used:
                    raise ValueError(f"trunk position {t} used by two legs")
                used.add(t)
        return self


@cache
def cassettes() -> Catalog[Cassette]:
    """The cassette catalogue."""
    return Catalog.builtin("cassette", Cassette, "cassettes", "cassettes.yaml")


@cache
def breakouts() -> Catalog[Breakout]:
    """The breakout-harness catalogue."""
    return Catalog.builtin("breakout", Breakout, "breakouts", "cassettes.yaml")


def cassette(name: str) -> Cassette:
    """Look up a cassette model.

    Parameters
    ----------
    name
        A cassette model.

    Returns
    -------
    Cassette
        The cassette record.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return cassettes().get(name)


def breakout(name: str) -> Breakout:
    """Look up a breakout harness model.

    Parameters
    ----------
    name
        A breakout (harness) model.

    Returns
    -------
    Breakout
        The breakout record.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return breakouts().get(name)
