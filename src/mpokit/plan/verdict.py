"""The verdict on one planner design, as :mod:`mpokit.plan.verify` leaves it.

It lives apart from the checker so that the planner's data types (:mod:`mpokit.plan.cables`)
can name it without importing the checker, which imports them.

>>> DesignCheck(ok=True).checked
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mpokit.connectivity.model import Channel
    from mpokit.loss.budget import BatchBudget, LossBudget

__all__ = ["DesignCheck"]


@dataclass
class DesignCheck:
    """The verdict on one design (applies to each of its channels).

    Attributes
    ----------
    ok
        Polarity and mating pass (the same for every channel of the design).
    findings
        The connectivity findings (loss findings are counted in ``loss_counts``).
    loss
        The reference channel's loss budget record, or None.
    checked
        False when the design was not checked.
    loss_counts
        Per loss finding code: how many channels have it, and its severity.
    channel_errors
        ``(channels,)`` bool: the channel fails a loss or reach limit.
    channel
        The compiled reference channel, when it could be built.
    budget
        Its loss budget (limit, PMD and connections do not depend on length).
    batch
        Worst-case loss, margin and length of every channel.
    """

    ok: bool
    findings: list[dict[str, Any]] = field(default_factory=list)
    loss: dict[str, Any] | None = None
    checked: bool = True
    loss_counts: dict[str, tuple[int, str]] = field(default_factory=dict)
    channel_errors: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    channel: Channel | None = None
    budget: LossBudget | None = None
    batch: BatchBudget | None = None
