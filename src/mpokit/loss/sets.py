"""Loss budgets, Monte Carlo and tester limits of a :class:`ChannelSet`, each design once.

A channel file repeats a few designs under many names; every design is compiled,
budgeted, simulated and traced once, and the per-channel results are the design's under
the channel's name -- equal to doing each channel on its own.

>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> cs = ChannelSet.from_specs(parse_channels({"channels": [{"name": n, "a": "400GBASE-DR4",
...     "b": "400GBASE-DR4", "path": [{"cord": {"connector": "MPO-12", "type": "B",
...     "fiber": "OS2", "length_m": 3}}]} for n in ("x", "y")]}))
>>> sb = budget_set(cs)
>>> len(sb.designs), [b.name for b in sb.budgets()]
(1, ['x', 'y'])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mpokit.connectivity.channels import ChannelSet
from mpokit.connectivity.model import Channel, compile_channel
from mpokit.loss.breakdown import LossBudget
from mpokit.loss.budget import budget
from mpokit.loss.export import tester_limits
from mpokit.loss.montecarlo import McResult, monte_carlo

__all__ = ["SetBudgets", "budget_set", "monte_carlo_set", "tester_limits_set"]


@dataclass(frozen=True)
class SetBudgets:
    """The loss budgets of a :class:`ChannelSet`: one per design.

    Attributes
    ----------
    channels
        The set (names and the design of every channel).
    compiled
        Every design compiled (named by its default name).
    designs
        Every design's budget.
    """

    channels: ChannelSet
    compiled: tuple[Channel, ...]
    designs: tuple[LossBudget, ...]

    def __len__(self) -> int:
        return len(self.channels)

    def name(self, i: int) -> str:
        """Channel ``i``'s name.

        Parameters
        ----------
        i
            The channel's index.

        Returns
        -------
        str
            The name the file gave, or its design's default name when it gave none.
        """
        n = self.channels.names[i]
        return n if n else self.designs[int(self.channels.design_of[i])].name

    def budget(self, i: int) -> LossBudget:
        """Channel ``i``'s budget: its design's, under its name.

        Parameters
        ----------
        i
            The channel's index.

        Returns
        -------
        LossBudget
            Equal to ``budget(compile_channel(channels.spec(i)))``.
        """
        b = self.designs[int(self.channels.design_of[i])]
        n = self.name(i)
        return b if n == b.name else dataclasses.replace(b, name=n)

    def budgets(self) -> Iterator[LossBudget]:
        """Every channel's budget, in order.

        Returns
        -------
        Iterator[LossBudget]
            One budget per channel (see :meth:`budget`).
        """
        return (self.budget(i) for i in range(len(self)))

    @property
    def ok(self) -> np.ndarray:
        """``(N,)`` bool: every channel's budget has no error."""
        ok = np.fromiter((b.ok for b in self.designs), dtype=bool, count=len(self.designs))
        return ok[self.channels.design_of]


def budget_set(channels: ChannelSet, compiled: Sequence[Channel] | None = None) -> SetBudgets:
    """Budget every design of ``channels`` once.

    Parameters
    ----------
    channels
        The channels.
    compiled
        The designs already compiled (in design order), or None to compile them here.

    Returns
    -------
    SetBudgets
        One budget per design, expanded per channel on demand.

    Raises
    ------
    DesignError
        A design cannot be built.
    """
    chans = tuple(compiled) if compiled is not None else tuple(
        compile_channel(d) for d in channels.designs)
    return SetBudgets(channels, chans, tuple(budget(c) for c in chans))


def monte_carlo_set(budgets: SetBudgets, trials: int = 10_000,
                    seed: int | None = 0) -> list[McResult]:
    """Statistical budgets of every channel, each design simulated once.

    Parameters
    ----------
    budgets
        The set's budgets (:func:`budget_set`).
    trials
        Monte Carlo trials.
    seed
        Random seed.

    Returns
    -------
    list[McResult]
        One result per channel, equal to :func:`~mpokit.loss.monte_carlo` over every
        channel's budget.
    """
    per_design = monte_carlo(budgets.designs, trials, seed)
    out = []
    for i, d in enumerate(budgets.channels.design_of.tolist()):
        r = per_design[d]
        n = budgets.name(i)
        out.append(r if n == r.name else dataclasses.replace(r, name=n))
    return out


def tester_limits_set(budgets: SetBudgets) -> list[dict[str, Any]]:
    """Tester records of every channel (:func:`~mpokit.loss.tester_limits`), each design once.

    Parameters
    ----------
    budgets
        The set's budgets (:func:`budget_set`).

    Returns
    -------
    list[dict[str, Any]]
        One record per channel, equal to ``tester_limits`` of every channel.
    """
    per_design = tester_limits(budgets.compiled)
    return [{**per_design[d], "channel": budgets.name(i)}
            for i, d in enumerate(budgets.channels.design_of.tolist())]
