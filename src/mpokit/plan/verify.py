"""Adapter between the planner and the channel checks (``mpokit.connectivity``, ``mpokit.loss``).

A design is checked once, on its longest channel (polarity and mating do not depend on
length; loss is worst on the longest). When the check reports a loss budget, the margin
of every channel is derived from it with the fiber attenuation, as an array.

>>> from mpokit.plan.cabling import Design
>>> import numpy as np
>>> d = Design("node_leaf", "direct", None, "400GBASE-DR4", 0, "800G-2xDR4", 1,
...     [("cord", {"connector": "MPO-12", "type": "B", "polish": "APC",
...                "ends": ["female", "female"], "fiber": "OS2"}, 0)],
...     np.array([0]), np.array([1]), np.array([5]), np.array([1]), np.array([[3.0]]))
>>> check_design(d).ok
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mpokit.errors import DesignError, MpokitError
from mpokit.plan.cabling import Design

__all__ = ["DesignCheck", "check_design", "checker_available"]

FIBER_DB_PER_KM = {"OS2": 0.4, "OS1a": 1.0, "OM3": 3.0, "OM4": 3.0, "OM5": 3.0}


@dataclass
class DesignCheck:
    """The verdict on one design (applies to each of its channels)."""

    ok: bool
    findings: list[dict[str, Any]] = field(default_factory=list)
    loss: dict[str, Any] | None = None
    checked: bool = True


def checker_available() -> bool:
    """True when ``mpokit.connectivity`` offers the channel checks."""
    try:
        from mpokit.connectivity.verify import check_channel  # noqa: F401
    except ImportError:
        return False
    return True


def check_design(design: Design) -> DesignCheck:
    """Check the longest channel of ``design``; store and return the verdict."""
    try:
        from mpokit.connectivity.io import parse_channels
        from mpokit.connectivity.verify import check_channel
    except ImportError:
        design.result = DesignCheck(True, [], None, checked=False)
        return design.result
    i = int(np.argmax(design.lengths.sum(axis=1))) if design.n_channels else 0
    data = design.spec_dict(i)
    data["name"] = f"{design.cls} {design.mode} design"
    try:
        spec = parse_channels(data)[0]
        res = check_channel(spec, fixes=True)
    except (DesignError, MpokitError) as exc:
        out = DesignCheck(False, [{"code": "design", "severity": "error", "at": None,
                                   "lanes": [], "message": str(exc), "fix": None}])
        design.result = out
        return out
    findings = [f.to_dict() for f in res.findings]
    loss = res.extra.get("loss") if isinstance(res.extra, dict) else None
    out = DesignCheck(res.ok, findings, loss if isinstance(loss, dict) else None)
    design.result = out
    design.loss_margin_db = _margins(design, out.loss, i)
    return out


def _margins(design: Design, loss: dict[str, Any] | None, ref: int) -> np.ndarray | None:
    """Per-channel loss margin from the reference channel's budget (linear in length)."""
    if not loss:
        return None
    total, limit = loss.get("total_db"), loss.get("limit_db")
    if total is None or limit is None:
        return None
    fiber = design.optic.fiber if design.optic else "OS2"
    att = FIBER_DB_PER_KM.get(fiber, 0.4) / 1000.0
    lengths = design.lengths.sum(axis=1)
    return float(limit) - float(total) + att * (lengths[ref] - lengths)
