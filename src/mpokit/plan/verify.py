"""Adapter between the planner and the channel checks (:mod:`mpokit.verify`).

A design is checked once, on its longest channel (polarity and mating do not depend on
length; loss is worst on the longest). When the check reports a loss budget, the margin
of every channel is derived from it with the fiber attenuation, as an array.

>>> from mpokit.plan.cables import Design
>>> import numpy as np
>>> d = Design("node_leaf", "direct", None, "400GBASE-DR4", 0, "800G-2xDR4", 1,
...     [("cord", {"connector": "MPO-12", "type": "B", "polish": "APC",
...                "ends": ["female", "female"], "fiber": "OS2"}, 0)],
...     np.array([0]), np.array([1]), np.array([5]), np.array([1]), np.array([[3.0]]))
>>> check_design(d).ok
True
"""

from __future__ import annotations

import numpy as np

from mpokit.connectivity.checks import ChannelResult
from mpokit.errors import DesignError, MpokitError
from mpokit.loss import budget, budget_batch
from mpokit.plan.cables import Design
from mpokit.plan.verdict import DesignCheck
from mpokit.verify import check_channel

__all__ = ["DesignCheck", "check_design"]

LOSS_CODES = ("loss", "reach", "fiber_type", "reflectance")


def check_design(design: Design) -> DesignCheck:
    """Check the longest channel of ``design``; store and return the verdict.

    Parameters
    ----------
    design:
        A planner design; its spec is handed to the checks as a typed object.

    Returns
    -------
    DesignCheck
        The verdict (also stored in ``design.result``).
    """
    i = int(np.argmax(design.lengths.sum(axis=1))) if design.n_channels else 0
    try:
        spec = design.spec(i, name=f"{design.cls} {design.mode} design")
        res = check_channel(spec, fixes=True)
    except (DesignError, MpokitError) as exc:
        out = DesignCheck(False, [{"code": "design", "severity": "error", "at": None,
                                   "lanes": [], "message": str(exc), "fix": None}])
        design.result = out
        return out
    findings = [f.to_dict() for f in res.findings if f.code not in LOSS_CODES]
    loss = res.extra.get("loss")
    conn_ok = not any(f["severity"] == "error" for f in findings)
    out = DesignCheck(conn_ok, findings, loss if isinstance(loss, dict) else None,
                      channel_errors=np.zeros(design.n_channels, dtype=bool))
    _loss_per_channel(design, res, out)
    design.result = out
    return out


def _loss_per_channel(design: Design, res: ChannelResult, out: DesignCheck) -> None:
    """Loss, margin and reach of every channel of the design, as arrays.

    Matings are the same for every channel of a design; fiber loss scales with each
    channel's run lengths (``mpokit.loss.budget_batch``). A channel over its limit counts
    as a ``loss`` (or ``reach``) error.
    """
    ref = budget(res.channel)
    batch = budget_batch(res.channel, design.run_lengths())
    out.channel, out.budget, out.batch = res.channel, ref, batch
    design.loss_margin_db = batch.margin_db
    over_loss = batch.margin_db < -1e-9
    over_reach = batch.length_m > (ref.limit.reach_m if ref.limit else np.inf) + 1e-9
    for code, mask in (("loss", over_loss), ("reach", over_reach)):
        n = int(mask.sum())
        if n:  # an error against any limit; the report shows the limit's status
            out.loss_counts[code] = (n, "error")
            out.channel_errors |= mask
    for f in ref.findings:  # fiber type and reflectance do not depend on length
        if f.code not in ("loss", "reach"):
            out.loss_counts[f.code] = (design.n_channels, f.severity)
            if f.severity == "error":
                out.channel_errors |= True
