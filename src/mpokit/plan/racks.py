"""Rack contents: every placed device and panel with its rack, lowest rack unit and height.

The layout places nodes (``layout.node_ru`` each), UFM appliances (1 RU) and switches (the
``ru`` of their tier's switch model, or of the OCS); the cabling places panels (their
catalogue ``ru``) from the top of the rack down. :func:`placed_devices` lists them all as
one table (``devices.csv`` of a plan folder, through
:func:`mpokit.plan.outputs.device_columns`), which the inventory exports read the device
heights from; :func:`rack_conflicts` says where two of them would share a rack unit.

>>> rack_conflicts({"device": ["leaf01", "leaf02"], "rack": ["1B01", "1B01"],
...                 "ru": [1, 2], "height_ru": [2, 1]}, rack_units=48)
['1B01: leaf01 (U1-U2) and leaf02 (U2-U2) share rack units']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mpokit.plan.cables import Cabling
from mpokit.plan.fabric import ROLES, Fabric
from mpokit.plan.layout import Layout

__all__ = ["DEVICE_COLUMNS", "placed_devices", "rack_conflicts", "rack_space_note"]

#: The columns of ``devices.csv``.
DEVICE_COLUMNS = ("device", "role", "model", "rack", "ru", "height_ru")


def placed_devices(fab: Fabric, lay: Layout, cab: Cabling,
                   switch_models: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Every device and panel with its rack, lowest rack unit and height (``devices.csv``).

    Parameters
    ----------
    fab, lay, cab
        The fabric, its layout and its cabling (which placed the panels).
    switch_models
        Tier -> switch model name (the summary's ``switch_models``).

    Returns
    -------
    dict[str, numpy.ndarray]
        :data:`DEVICE_COLUMNS`: ``device`` (the cut sheet's device name, or
        ``<rack>-PP<nn>`` for a panel), ``role`` (``node``, ``ufm``, ``leaf``, ``spine``,
        ``ocs``, ``core`` or ``panel``), ``model`` (the spec's switch model, the panel's
        catalogue name; empty when the spec names none), ``rack``, ``ru`` (the lowest rack
        unit it occupies) and ``height_ru``. Devices first, then panels, each in rack order.

    Examples
    --------
    >>> from mpokit.plan import ClusterSpec, make_plan
    >>> p = make_plan(ClusterSpec.model_validate({
    ...     "cluster": {"name": "x", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
    ...     "fabric": {"scalable_unit": 4,
    ...                "switch": {"ports": 8, "port_speed_gbps": 400, "cages": 8}}}))
    >>> cols = placed_devices(p.fabric, p.layout, p.cabling, {})
    >>> sorted({(str(r), int(h)) for r, h in zip(cols["role"], cols["height_ru"])})
    [('leaf', 1), ('node', 8), ('panel', 1), ('spine', 1)]
    """
    racks = np.asarray(lay.rack_names(), dtype=object)
    dev = np.arange(fab.n_devices)
    role = np.asarray(ROLES, dtype=object)[fab.role_of(dev)]
    if fab.spine_is_ocs:
        role[role == "spine"] = "ocs"
    tier_model = {str(k): str(v) for k, v in switch_models.items()}
    model = np.asarray([tier_model.get("spine" if r == "ocs" else str(r), "")
                        for r in role.tolist()], dtype=object)
    p_model, p_height, p_rack, p_no, p_top = [], [], [], [], []
    for name, height, rack, number, top in cab.placed_panels:
        p_model.append(np.full(rack.size, name, dtype=object))
        p_height.append(np.full(rack.size, height, dtype=np.int64))
        p_rack.append(rack)
        p_no.append(number)
        p_top.append(top)

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    pr, ph = cat(p_rack, np.int64), cat(p_height, np.int64)
    p_names = np.asarray([f"{racks[r]}-PP{n:02d}" for r, n in
                          zip(pr.tolist(), cat(p_no, np.int64).tolist(), strict=True)],
                         dtype=object)
    d_order = np.argsort(lay.dev_rack, kind="stable")
    p_order = np.argsort(pr, kind="stable")
    return {
        "device": np.concatenate([fab.names(dev)[d_order], p_names[p_order]]),
        "role": np.concatenate([role[d_order], np.full(pr.size, "panel", dtype=object)]),
        "model": np.concatenate([model[d_order], cat(p_model, object)[p_order]]),
        "rack": np.concatenate([racks[lay.dev_rack[d_order]], racks[pr[p_order]]]),
        "ru": np.concatenate([lay.dev_ru[d_order],
                              (cat(p_top, np.int64) - ph + 1)[p_order]]).astype(np.int64),
        "height_ru": np.concatenate([lay.dev_height_ru[d_order], ph[p_order]]).astype(np.int64),
    }


def rack_conflicts(cols: Mapping[str, Sequence[Any] | np.ndarray], rack_units: int) -> list[str]:
    """Devices that share a rack unit with another in their rack, or that leave the rack.

    Parameters
    ----------
    cols
        ``device``, ``rack``, ``ru`` (lowest unit) and ``height_ru`` columns, as
        :func:`placed_devices` gives them (or ``devices.csv`` read back).
    rack_units
        The rack height in RU.

    Returns
    -------
    list of str
        One line per overlapping pair (neighbours in RU order) and per device below U1
        or above ``rack_units``; empty when every device has its own units.

    Examples
    --------
    >>> rack_conflicts({"device": ["node01"], "rack": ["1A01"], "ru": [44],
    ...                 "height_ru": [8]}, rack_units=48)
    ['1A01: node01 (U44-U51) does not fit U1-U48']
    """
    per_rack: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    out = []
    for name, rack, ru, h in zip(cols["device"], cols["rack"], cols["ru"], cols["height_ru"],
                                 strict=True):
        lo, hi = int(ru), int(ru) + int(h) - 1
        per_rack[str(rack)].append((lo, hi, str(name)))
        if lo < 1 or hi > rack_units:
            out.append(f"{rack}: {name} (U{lo}-U{hi}) does not fit U1-U{rack_units}")
    for rack, devs in sorted(per_rack.items()):
        devs.sort()
        reach = devs[0] if devs else None  # the device reaching highest so far
        for d in devs[1:]:
            assert reach is not None
            if d[0] <= reach[1]:
                out.append(f"{rack}: {reach[2]} (U{reach[0]}-U{reach[1]}) and {d[2]} "
                           f"(U{d[0]}-U{d[1]}) share rack units")
            if d[1] > reach[1]:
                reach = d
    return out


def rack_space_note(cols: Mapping[str, Sequence[Any] | np.ndarray], rack_units: int) -> str:
    """One plan note summing up :func:`rack_conflicts` ('' when there are none).

    Parameters
    ----------
    cols, rack_units
        As :func:`rack_conflicts`.

    Returns
    -------
    str
        How many conflicts, the first three, and what to change.

    Examples
    --------
    >>> rack_space_note({"device": ["a"], "rack": ["1A01"], "ru": [1], "height_ru": [1]}, 48)
    ''
    """
    bad = rack_conflicts(cols, rack_units)
    if not bad:
        return ""
    more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
    why = ""
    if all("-PP" in b for b in bad):  # panels only: the layout rounds did not settle
        why = ("The panels still outgrow the panel zone after the planner's layout rounds "
               "(mpokit.plan.make_plan) sized it at the density the cabling used. ")
    return (f"rack space: {len(bad)} placement conflict(s): {'; '.join(bad[:3])}{more}. "
            f"{why}The rack elevations, the cut sheet's rack units of these devices and the "
            "NetBox/Nautobot exports are not installable as planned: place them by hand "
            "before installing")
