"""Tester limits per channel and wavelength: what the contractor loads into the tester.

One row per channel and wavelength, in the generic layout (docs/accept.md):
``label, wavelength_nm, limit_db, application_limit_db, limit_status, length_m,
expected_map``. ``limit_db`` is the designed worst-case loss of the link as tested (the
budget of ``mpokit loss`` plus the two end connections), the figure :func:`reconcile`
holds results to; ``application_limit_db`` is the application's channel limit with its
status (a standard's value, or ``typical`` / ``vendor`` where no standard gives one), empty
at other wavelengths than the application's own;
``expected_map`` lists ``end-A position>end-B position`` for every fiber of the link.

>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> from mpokit.accept.design import plan_designs
>>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector": "MPO-12",
...     "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
>>> t = limits_table(plan, [850, 1300])
>>> t.column("limit_db").to_pylist(), t.column("expected_map")[0].as_py()[:14]
([1.521, 1.51], '1>12 2>11 3>10')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from mpokit.accept.design import PlanDesigns
from mpokit.loss import budget

__all__ = ["LIMIT_COLUMNS", "limits_table"]

LIMIT_COLUMNS = ("label", "wavelength_nm", "limit_db", "application_limit_db", "limit_status",
                 "length_m", "expected_map")


def limits_table(plan: PlanDesigns, wavelengths: Sequence[float] = ()) -> pa.Table:
    """The limits table of every channel at every wavelength.

    Parameters
    ----------
    plan
        The plan.
    wavelengths
        Test wavelengths; default each channel's application wavelength.

    Returns
    -------
    pyarrow.Table
        Columns ``LIMIT_COLUMNS``; channels in plan order, wavelengths within a channel.
    """
    shapes = plan.shapes
    maps = np.asarray([" ".join(f"{i + 1}>{int(v) + 1}" for i, v in
                                enumerate(s.expected.tolist()) if v >= 0) for s in shapes]
                      + [""], dtype=object)
    apps = [budget(s.channel) for s in shapes]
    app_limit = np.array([b.limit.max_il_db if b.limit else np.nan for b in apps] + [np.nan])
    app_status = np.asarray([b.limit.status if b.limit else "" for b in apps] + [""],
                            dtype=object)
    own_wl = np.array([b.wavelength_nm for b in apps] + [np.nan])
    design = plan.channels.design_of
    shape = plan.shape_of[design]
    names = np.asarray([n or "" for n in plan.channels.names], dtype=object)
    length = np.round(plan.design_length_m()[design], 2)
    wls = [float(w) for w in wavelengths] or sorted(set(own_wl[:-1].tolist()))
    per_wl = {w: np.round(plan.designed_db(w), 3) for w in wls}
    blocks = []
    for w in wls:
        keep = np.ones(len(design), bool) if wavelengths else own_wl[shape] == w
        idx = np.flatnonzero(keep)
        blocks.append((idx, w))
    order = np.concatenate([b[0] for b in blocks]) if blocks else np.zeros(0, np.int64)
    wl_col = np.concatenate([np.full(b[0].size, b[1]) for b in blocks]) if blocks else \
        np.zeros(0)
    lim = np.concatenate([per_wl[w][design[i]] for i, w in blocks]) if blocks else np.zeros(0)
    sort = np.lexsort((wl_col, order))
    order, wl_col, lim = order[sort], wl_col[sort], lim[sort]
    s = shape[order]
    # the application's limit holds at its own wavelength only
    app = np.where(np.abs(own_wl[s] - wl_col) < 1.0, app_limit[s], np.nan)
    return pa.table({
        "label": pa.array(names[order], pa.string()),
        "wavelength_nm": pa.array(wl_col),
        "limit_db": pa.array(lim, from_pandas=True),
        "application_limit_db": pa.array(app, from_pandas=True),
        "limit_status": pa.array(np.where(np.isnan(app), "", app_status[s]), pa.string()),
        "length_m": pa.array(length[order]),
        "expected_map": pa.array(maps[s], pa.string()),
    })
