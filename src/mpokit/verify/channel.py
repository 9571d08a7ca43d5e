"""Check one channel: compile it, run every check, attach fixes and the loss budget.

>>> from mpokit.connectivity.io import parse_channels
>>> [check_channel(s).ok for s in parse_channels({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]})]
[True]
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mpokit.connectivity.checks import ChannelResult, evaluate
from mpokit.connectivity.fixes import search_fix
from mpokit.connectivity.model import Channel, compile_channel
from mpokit.connectivity.spec import ChannelSpec
from mpokit.errors import DesignError
from mpokit.loss import budget_for_check
from mpokit.loss.budget import BudgetShape

__all__ = ["check_channel", "finish"]


def check_channel(
    spec: ChannelSpec, *, fixes: bool = True, loss: bool = True, index: int | None = None
) -> ChannelResult:
    """Every check of one channel.

    Parameters
    ----------
    spec
        The channel.
    fixes
        Attach the cheapest part swap that makes a failing channel pass.
    loss
        Add the loss budget (``extra["loss"]``) and its findings.
    index
        The channel's place in its file, named in errors.

    Returns
    -------
    ChannelResult
        Lanes, findings (with fixes) and the loss budget.

    Raises
    ------
    DesignError
        The channel cannot be built (for example a port the transceiver lacks).
    """
    try:
        ch = compile_channel(spec)
    except DesignError as exc:
        where = f"channels[{index}]: " if index is not None else ""
        prefix: tuple[str | int, ...] = ("channels", index) if index is not None else ()
        named = f"{spec.name}: " if spec.name else ""
        raise DesignError(f"{where}{named}{exc}", loc=(*prefix, *exc.loc)) from None
    return finish(spec, ch, evaluate(ch), fixes=fixes, loss=loss)


def finish(
    spec: ChannelSpec, ch: Channel, result: ChannelResult, *, fixes: bool = True,
    loss: bool = True, shape: BudgetShape | None = None,
) -> ChannelResult:
    """Add the loss budget and the fixes to the connectivity result of ``ch``.

    Parameters
    ----------
    spec
        The channel's spec (fixes are searched on it).
    ch
        The compiled channel.
    result
        ``evaluate(ch)`` (or that of a channel differing only in lengths).
    fixes, loss
        As in :func:`check_channel`.
    shape
        The loss budget's length-independent half, shared by the channels that differ only
        in lengths (:func:`mpokit.loss.budget.budget_shape`); computed when None.

    Returns
    -------
    ChannelResult
        The full verdict on ``ch``.
    """
    extra: dict[str, Any] = {}
    findings = list(result.findings)
    if loss:
        loss_dict, loss_findings = budget_for_check(ch, shape)
        extra["loss"] = loss_dict
        findings += loss_findings
    connectivity_errors = [f for f in result.findings if f.severity == "error"]
    if fixes and connectivity_errors:
        found = search_fix(spec)
        fix = found.fix
        text = fix.text if fix else (
            "no single or double part swap makes this channel pass; redesign the path"
            if found.complete else "the fix search ran out of its time budget without a "
            "passing change (raise MPOKIT_LIMIT_FIX_SEARCH_MS to search longer)"
        )
        patch = fix.patch if fix else ()
        findings = [
            dataclasses.replace(f, fix=text, patch=patch)
            if f.severity == "error" and f.fix is None and f in connectivity_errors else f
            for f in findings
        ]
    return ChannelResult(ch.name, ch, result.lanes, tuple(findings), extra)
