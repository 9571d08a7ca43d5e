"""Tester limits: per-channel loss limits and expected polarity for field certification.

One row per fiber path (lane and direction): the positions the tester should see at each
end, the insertion loss allowed (the application limit; ``limit_status`` says how firm
it is) and the designed worst-case and nominal loss. Positions are 1-based, in the
module view of each end's transceiver port (docs/frames.md).

>>> from mpokit.connectivity.io import parse_channel
>>> from mpokit.connectivity.model import compile_channel
>>> ch = compile_channel(parse_channel({"name": "c1", "a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3}}]}))
>>> print(generate_tester_csv([ch]).splitlines()[1])
c1,a->b,0,1,12,3.0,typical,0.0012,0.0012,3.0,400GBASE-DR4,OS2,1310.0
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from typing import Any, Literal

from mpokit._files import atomic_write_text
from mpokit.connectivity.checks import evaluate
from mpokit.connectivity.model import Channel
from mpokit.errors import InputError
from mpokit.loss.budget import budget

__all__ = [
    "generate_tester_csv", "generate_tester_json", "tester_limits", "write_tester_limits",
    "write_tester_records",
]

COLUMNS = (
    "channel", "direction", "lane", "a_position", "b_position", "limit_db", "limit_status",
    "design_db", "nominal_db", "length_m", "pmd", "fiber", "wavelength_nm",
)


def tester_limits(channels: Sequence[Channel]) -> list[dict[str, Any]]:
    """Per-channel tester records: limits, designed length and expected polarity map.

    Parameters
    ----------
    channels
        Compiled channels.

    Returns
    -------
    list[dict[str, Any]]
        One record per channel: loss allowed and designed per fiber path, length, and the
        expected polarity map.
    """
    out = []
    for ch in channels:
        b = budget(ch)
        lanes = []
        for lr in evaluate(ch).lanes:
            a_pos, b_pos = (lr.tx_position, lr.rx_position) if lr.direction == "a->b" else (
                lr.rx_position, lr.tx_position)
            lanes.append({"direction": lr.direction, "lane": lr.lane,
                          "a_position": a_pos, "b_position": b_pos})
        e2e = ch.end_to_end()
        out.append({
            "channel": b.name,
            "pmd": b.pmd,
            "fiber": b.fiber,
            "wavelength_nm": b.wavelength_nm,
            "limit_db": b.limit.max_il_db if b.limit else None,
            "limit_status": b.limit.status if b.limit else None,
            "design_db": round(b.total_db, 4),
            "nominal_db": round(b.nominal_db, 4),
            "length_m": round(b.length_m, 4),
            "reach_m": b.limit.reach_m if b.limit else None,
            "lanes": lanes,
            # end A module-view position i+1 arrives at end B position map[i] (0: none)
            "polarity_map": [int(p) + 1 if p >= 0 else 0 for p in e2e.tolist()],
        })
    return out


def generate_tester_csv(channels: Sequence[Channel]) -> str:
    """CSV text, one row per fiber path (see module docstring).

    Parameters
    ----------
    channels
        Compiled channels.

    Returns
    -------
    str
        The CSV text, with a header row.
    """
    return _csv_of(tester_limits(channels))


def _csv_of(records: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for rec in records:
        for ln in rec["lanes"]:
            w.writerow([
                rec["channel"], ln["direction"], ln["lane"], ln["a_position"],
                "" if ln["b_position"] is None else ln["b_position"],
                "" if rec["limit_db"] is None else rec["limit_db"], rec["limit_status"] or "",
                rec["design_db"], rec["nominal_db"], rec["length_m"], rec["pmd"] or "",
                rec["fiber"] or "", rec["wavelength_nm"],
            ])
    return buf.getvalue()


def generate_tester_json(channels: Sequence[Channel]) -> str:
    """JSON text: ``{"channels": [...]}`` with the records of :func:`tester_limits`.

    Parameters
    ----------
    channels
        Compiled channels.

    Returns
    -------
    str
        The JSON text.
    """
    return json.dumps({"channels": tester_limits(channels)}, indent=2) + "\n"


def write_tester_limits(
    path: str | os.PathLike[str], channels: Sequence[Channel],
    fmt: Literal["csv", "json"] | None = None,
) -> None:
    """Write tester limits atomically; the format follows the suffix unless ``fmt`` is given.

    Parameters
    ----------
    path
        The file to write (``.csv`` or ``.json`` unless ``fmt`` says).
    channels
        Compiled channels.
    fmt
        ``"csv"`` or ``"json"``; None: from the suffix of ``path``.

    Raises
    ------
    InputError
        The format cannot be told from the suffix, or the file cannot be written.
    """
    write_tester_records(path, tester_limits(channels), fmt)


def write_tester_records(
    path: str | os.PathLike[str], records: Sequence[dict[str, Any]],
    fmt: Literal["csv", "json"] | None = None,
) -> None:
    """Write records of :func:`tester_limits` (or ``tester_limits_set``) atomically.

    Parameters
    ----------
    path
        The file to write (``.csv`` or ``.json`` unless ``fmt`` says).
    records
        One record per channel.
    fmt
        ``"csv"`` or ``"json"``; None: from the suffix of ``path``.

    Raises
    ------
    InputError
        ``fmt`` is None and ``path`` ends in neither ``.csv`` nor ``.json``.
    """
    if fmt is None:
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix not in (".csv", ".json"):
            raise InputError(f"unknown output format {suffix or '(no suffix)'!r}: tester "
                             "limits are written as .csv or .json", file=os.fspath(path),
                             fix="name the file .csv or .json, or give the format")
        fmt = "json" if suffix == ".json" else "csv"
    text = (json.dumps({"channels": list(records)}, indent=2) + "\n" if fmt == "json"
            else _csv_of(records))
    atomic_write_text(path, text)
