"""Check channels: compile, run every check, attach fixes and (when available) loss.

>>> from mpokit.connectivity.io import parse_channels
>>> [r.ok for r in check_channels(parse_channels({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]}))]
[True]
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import Any

from mpokit.connectivity.checks import ChannelResult, Finding, evaluate
from mpokit.connectivity.fixes import search_fix
from mpokit.connectivity.model import Channel, compile_channel
from mpokit.connectivity.spec import ChannelSpec
from mpokit.errors import DesignError

__all__ = ["check_channel", "check_channels"]

LossHook = Callable[[Channel], tuple[dict[str, Any], list[Finding]]]


def _loss_hook() -> LossHook | None:
    try:
        from mpokit.loss import budget_for_check
    except ImportError:
        return None
    return budget_for_check


def check_channel(
    spec: ChannelSpec, *, fixes: bool = True, loss: bool = True, index: int | None = None
) -> ChannelResult:
    """Every check of one channel; a channel that cannot be built is a DesignError."""
    try:
        ch = compile_channel(spec)
    except DesignError as exc:
        where = f"channels[{index}]: " if index is not None else ""
        prefix: tuple[str | int, ...] = ("channels", index) if index is not None else ()
        named = f"{spec.name}: " if spec.name else ""
        raise DesignError(f"{where}{named}{exc}", loc=(*prefix, *exc.loc)) from None
    result = evaluate(ch)
    extra: dict[str, Any] = {}
    findings = list(result.findings)
    hook = _loss_hook() if loss else None
    if hook is not None:
        loss_dict, loss_findings = hook(ch)
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
    return ChannelResult(result.name, ch, result.lanes, tuple(findings), extra)


def _design_key(spec: ChannelSpec) -> str:
    """The spec without names and labels: channels with equal keys get equal verdicts."""
    d = spec.model_dump(mode="json", exclude_none=True, exclude={"name"})
    for which in ("a", "b"):
        if isinstance(d[which], dict):
            d[which].pop("label", None)
    for el in d["path"]:
        next(iter(el.values())).pop("label", None)
    return json.dumps(d, sort_keys=True)


def check_channels(specs: Iterable[ChannelSpec], **kw: Any) -> list[ChannelResult]:
    """``check_channel`` over many channels.

    Channels that differ only in names and labels share one evaluation (a plan has
    thousands of channels built from a few designs and standard lengths).
    """
    cache: dict[str, ChannelResult] = {}
    out: list[ChannelResult] = []
    for i, spec in enumerate(specs):
        key = _design_key(spec)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = check_channel(spec, index=i, **kw)
            out.append(hit)
        else:
            name = spec.name or hit.name
            out.append(dataclasses.replace(hit, name=name))
    return out
