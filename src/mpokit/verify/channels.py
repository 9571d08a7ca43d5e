"""Check many channels: each distinct design once, verdicts per channel as arrays.

:func:`check_set` checks every design of a :class:`~mpokit.connectivity.ChannelSet` once
and returns a :class:`SetResult`; the per-channel results (the design's result under the
channel's name) are made only when asked for, one at a time (:meth:`SetResult.result`),
or written straight to a stream (:mod:`mpokit.verify.output`).

>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> specs = parse_channels({"channels": [{"name": f"c{i}", "a": "400GBASE-DR4",
...     "b": "400GBASE-DR4", "path": [{"cord": {"connector": "MPO-12", "type": t,
...     "fiber": "OS2", "length_m": 3}}]} for i, t in enumerate("ABB")]})
>>> res = check_set(ChannelSet.from_specs(specs))
>>> res.ok.tolist(), len(res.designs), res.result(2).name
([False, True, True], 2, 'c2')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from mpokit.connectivity.channels import ChannelSet
from mpokit.connectivity.checks import ChannelResult, evaluate
from mpokit.connectivity.model import Channel, compile_channel
from mpokit.connectivity.spec import ChannelSpec, element_body
from mpokit.errors import DesignError
from mpokit.loss.budget import BudgetShape, budget_shape
from mpokit.verify.channel import check_channel, finish

__all__ = ["SetResult", "check_channels", "check_set"]


@dataclass(frozen=True)
class SetResult:
    """The verdicts on a :class:`ChannelSet`: one :class:`ChannelResult` per design.

    Attributes
    ----------
    channels
        The checked set (names and the design of every channel).
    designs
        The result of every design, named by its default name (``A to B``).
    """

    channels: ChannelSet
    designs: tuple[ChannelResult, ...]

    def __len__(self) -> int:
        return len(self.channels)

    @cached_property
    def design_ok(self) -> np.ndarray:
        """``(designs,)`` bool: the design passes every check."""
        return np.fromiter((r.ok for r in self.designs), dtype=bool, count=len(self.designs))

    @property
    def ok(self) -> np.ndarray:
        """``(N,)`` bool: every channel's verdict."""
        return self.design_ok[self.channels.design_of]

    def name(self, i: int) -> str:
        """Channel ``i``'s name.

        Parameters
        ----------
        i
            The channel's index.

        Returns
        -------
        str
            The name the file gave, or its design's default name when it gave none or an
            empty one (as :attr:`Channel.name` does).
        """
        n = self.channels.names[i]
        return n if n else self.designs[int(self.channels.design_of[i])].name

    def result(self, i: int) -> ChannelResult:
        """Channel ``i``'s full result (its design's result under its name).

        Parameters
        ----------
        i
            The channel's index.

        Returns
        -------
        ChannelResult
            Lanes, findings and extras of its design, under its own name.
        """
        r = self.designs[int(self.channels.design_of[i])]
        n = self.channels.names[i]
        return r if not n or n == r.name else dataclasses.replace(r, name=n)

    def results(self) -> Iterator[ChannelResult]:
        """Every channel's result, in order, made one at a time.

        Returns
        -------
        Iterator[ChannelResult]
            One result per channel (see :meth:`result`).
        """
        return (self.result(i) for i in range(len(self)))


def _shape_key(spec: ChannelSpec) -> tuple[Any, ...]:
    """The spec without lengths: channels with equal keys have the same stages and matings.

    The ends and every element's fields but ``length_m``, as values (the specs are frozen
    and hashable); equal keys mean equal specs up to lengths.
    """
    return (spec.a, spec.b, *(
        (type(el), tuple((k, v) for k, v in element_body(el).__dict__.items()
                         if k != "length_m"))
        for el in spec.path))


def check_set(channels: ChannelSet, **kw: Any) -> SetResult:
    """Check every design of ``channels`` once (see :func:`check_channel` for ``kw``).

    Parameters
    ----------
    channels
        The channels.
    **kw
        ``fixes`` and ``loss``, passed to :func:`check_channel`.

    Returns
    -------
    SetResult
        One result per design and the per-channel verdicts.

    Raises
    ------
    DesignError
        A design cannot be built; the message names its first channel.
    """
    first = channels.first_of()
    out = []
    # by element sequence without lengths: the compiled channel, its checks and the
    # length-independent half of its loss budget
    built: dict[tuple[Any, ...], tuple[Channel, ChannelResult, BudgetShape | None]] = {}
    loss = kw.get("loss", True)
    for d, design in enumerate(channels.designs):
        key = _shape_key(design)
        hit = built.get(key)
        if hit is not None:  # checks do not depend on lengths: reuse them, re-budget loss
            ch = hit[0].with_spec(design)
            out.append(finish(design, ch, hit[1], shape=hit[2], **kw))
            continue
        i = int(first[d])
        try:
            ch = compile_channel(design)
        except DesignError:
            # again under the first channel's own name and index, which the message names
            check_channel(channels.spec(i), index=i, **kw)
            raise  # pragma: no cover - the same design fails the same way
        hit = built[key] = ch, evaluate(ch), budget_shape(ch) if loss else None
        out.append(finish(design, ch, hit[1], shape=hit[2], **kw))
    return SetResult(channels, tuple(out))


def check_channels(specs: Iterable[ChannelSpec], **kw: Any) -> list[ChannelResult]:
    """:func:`check_channel` over many channels, each distinct design checked once.

    Parameters
    ----------
    specs
        The channels.
    **kw
        ``fixes`` and ``loss``, passed to :func:`check_channel`.

    Returns
    -------
    list[ChannelResult]
        One result per channel, equal to checking each on its own.
    """
    return list(check_set(ChannelSet.from_specs(list(specs)), **kw).results())
