"""Many channels as a few distinct designs plus per-channel arrays.

A plan's channel file repeats a handful of channel bodies (the same ends and the same
path, often the same lengths) under thousands of names. A :class:`ChannelSet` holds each
distinct body once, as a validated :class:`ChannelSpec` without a name (``designs``), and
per channel only the index of its design and its name. Checks, loss budgets and fixes run
once per design; results are expanded per channel only when they are written.

This is the one place channels are de-duplicated: the readers (YAML, JSON), the planner
and :meth:`ChannelSet.from_specs` all build one.

>>> from mpokit.connectivity.io import parse_channels
>>> specs = parse_channels({"channels": [
...     {"name": n, "a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [{"cord": {
...      "connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]} for n in "xyz"]})
>>> cs = ChannelSet.from_specs(specs)
>>> len(cs), len(cs.designs), cs.spec(2).name
(3, 1, 'z')
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from mpokit.connectivity.spec import ChannelSpec

__all__ = ["ChannelSet", "DesignIndex", "design_key"]


def design_key(spec: ChannelSpec) -> str:
    """The spec without its name: channels with equal keys are the same design.

    Parameters
    ----------
    spec
        A validated channel.

    Returns
    -------
    str
        A canonical JSON text of everything but the name.

    Examples
    --------

    >>> from mpokit.connectivity.io import parse_channel
    >>> s = parse_channel({"name": "x", "a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
    ...     {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]})
    >>> design_key(s) == design_key(s.model_copy(update={"name": "y"}))
    True
    """
    return json.dumps(spec.model_dump(mode="json", exclude_none=True, exclude={"name"}),
                      sort_keys=True)


class DesignIndex:
    """Builder of a :class:`ChannelSet`: assigns each distinct design one index.

    ``add(key, make, name)`` appends one channel; ``make()`` is called only for a key
    not seen before and returns the design (a :class:`ChannelSpec` without a name).
    """

    def __init__(self) -> None:
        self._index: dict[Hashable, int] = {}
        self.designs: list[ChannelSpec] = []
        self.design_of: list[int] = []
        self.names: list[str | None] = []

    def lookup(self, key: Hashable) -> int | None:
        """The design index of ``key``, or None when it is new."""
        return self._index.get(key)

    def add_design(self, key: Hashable, design: ChannelSpec) -> int:
        """Register a new design under ``key``; returns its index."""
        i = self._index[key] = len(self.designs)
        self.designs.append(design.model_copy(update={"name": None}) if design.name else design)
        return i

    def add_channel(self, design: int, name: str | None) -> None:
        """Append one channel of design ``design``."""
        self.design_of.append(design)
        self.names.append(name)

    def build(self) -> ChannelSet:
        """The finished set."""
        return ChannelSet(tuple(self.designs), np.asarray(self.design_of, dtype=np.int64),
                          tuple(self.names))


@dataclass(frozen=True)
class ChannelSet:
    """``N`` channels as distinct designs (``designs``) and per-channel arrays.

    Attributes
    ----------
    designs
        Each distinct channel body once, as a validated spec whose ``name`` is None.
    design_of
        ``(N,)`` int64: the design of every channel.
    names
        The name of every channel as written (None: the file gave none).
    """

    designs: tuple[ChannelSpec, ...]
    design_of: np.ndarray
    names: tuple[str | None, ...]

    def __len__(self) -> int:
        return int(self.design_of.size)

    @classmethod
    def from_specs(cls, specs: Sequence[ChannelSpec]) -> ChannelSet:
        """De-duplicate ``specs`` by :func:`design_key`.

        Parameters
        ----------
        specs
            Validated channels, in order.

        Returns
        -------
        ChannelSet
            The same channels, each distinct body stored once.
        """
        b = DesignIndex()
        for spec in specs:
            key = design_key(spec)
            d = b.lookup(key)
            if d is None:
                d = b.add_design(key, spec)
            b.add_channel(d, spec.name)
        return b.build()

    def first_of(self) -> np.ndarray:
        """The index of the first channel of every design.

        Returns
        -------
        numpy.ndarray
            ``(designs,)`` int64 channel indices.
        """
        first = np.full(len(self.designs), -1, dtype=np.int64)
        idx = np.arange(self.design_of.size)[::-1]
        first[self.design_of[::-1]] = idx  # the last write (the lowest index) wins
        return first

    def spec(self, i: int) -> ChannelSpec:
        """Channel ``i`` as a spec of its own (its design with its name).

        Parameters
        ----------
        i
            The channel's index.

        Returns
        -------
        ChannelSpec
            Its design under its own name.
        """
        d = self.designs[int(self.design_of[i])]
        name = self.names[i]
        return d if name is None else d.model_copy(update={"name": name})

    def specs(self) -> Iterator[ChannelSpec]:
        """Every channel as a spec, in order (built on demand).

        Returns
        -------
        Iterator[ChannelSpec]
            One spec per channel (see :meth:`spec`).
        """
        return (self.spec(i) for i in range(len(self)))
