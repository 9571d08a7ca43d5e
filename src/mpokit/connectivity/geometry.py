"""Position maps derived from geometry: matings and cable fiber maps.

Frames (docs/frames.md): a plug's positions are numbered looking at its end face, key
up, position 1 on the left, key-side row first. Two plugs meet face to face; seen from
one side, the far plug's face is mirrored left-right. Seating the far plug key-down
rotates it by 180 degrees. So a fiber at face coordinates (x, y) of the near plug meets
the far plug at face coordinates

* (-x,  y) in a key-up/key-up mating (Type B adapter, transceiver receptacle), and
* ( x, -y) in a key-up/key-down mating (Type A adapter).

Maps are 0-based ``int16`` arrays: ``m[i]`` is where position ``i`` goes; ``DARK``
(-1) means no fiber continues, ``AWAY`` (-2) means the fiber leaves this channel (the
other legs of a breakout).

>>> from mpokit.standards import connector
>>> mate_map(connector("MPO-12"), "up-up").tolist()[:3]
[11, 10, 9]
>>> mate_map(connector("MPO-24"), "up-down").tolist()[0]
12
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from mpokit.standards.connectors import Connector

__all__ = [
    "AWAY",
    "DARK",
    "Orientation",
    "apply",
    "cable_map",
    "compose",
    "identity",
    "invert",
    "mate_map",
]

DARK = -1
AWAY = -2
Orientation = Literal["up-up", "up-down"]


def mate_map(
    conn: Connector, orientation: Orientation, far: Connector | None = None
) -> np.ndarray:
    """Where each position of the near plug lands on the far plug's face.

    ``far`` defaults to the same connector; positions with no far position at their
    coordinates (mismatched ferrules) are ``DARK``.
    """
    xy = conn.xy_um
    fxy = (far or conn).xy_um
    flip = np.array([-1.0, 1.0]) if orientation == "up-up" else np.array([1.0, -1.0])
    target = xy * flip
    d = np.abs(target[:, None, :] - fxy[None, :, :]).sum(axis=2)
    hit = d.argmin(axis=1)
    ok = d[np.arange(len(xy)), hit] < 1e-6
    return np.where(ok, hit, DARK).astype(np.int16)


def cable_map(conn: Connector, kind: str, explicit: tuple[int, ...] | None = None) -> np.ndarray:
    """End-1 position -> end-2 position of a cable of type ``kind``.

    Type A (and LC A-A) keep positions; Type B (and LC A-B) turn the array by 180
    degrees (``i -> n+1-i``: one row reversed; two rows also swapped);
    Type C swaps neighbours in each row; ``custom`` uses the 1-based ``explicit`` map
    (0 for no fiber). Positions without a fiber in ``conn`` are ``DARK``.
    """
    n, cols = conn.positions, conn.columns
    idx = np.arange(n)
    row, col = np.divmod(idx, cols)
    if kind in ("A", "A-A"):
        m = idx.copy()
    elif kind in ("B", "A-B"):
        # a Type B cable is a Type A cable with one plug turned over (key-up/key-up): a
        # 180-degree turn, so on two-row ferrules the rows swap too (MPO-24: 1 -> 24)
        m = (conn.rows - 1 - row) * cols + (cols - 1 - col)
    elif kind == "C":
        if cols % 2:
            raise ValueError(
                f"a Type C cable needs an even number of columns, {conn.name} has {cols}"
            )
        m = row * cols + (col ^ 1)
    elif kind == "custom":
        if explicit is None or len(explicit) != n:
            raise ValueError(f"a custom map for {conn.name} must list {n} positions")
        e = np.asarray(explicit, dtype=np.int64)
        if ((e < 0) | (e > n)).any():
            raise ValueError(f"custom map positions must be 0..{n}")
        used = e[e > 0]
        if len(np.unique(used)) != len(used):
            raise ValueError("custom map sends two fibers to the same position")
        m = np.where(e > 0, e - 1, DARK)
    else:
        raise ValueError(f"unknown cable type {kind!r}")
    mask = conn.populated_mask
    m = np.where(mask, m, DARK)
    # a fiber that lands on an unpopulated far position is dark too
    m = np.where((m >= 0) & ~mask[np.maximum(m, 0)], DARK, m)
    return m.astype(np.int16)


def identity(n: int) -> np.ndarray:
    """The map that keeps every position."""
    return np.arange(n, dtype=np.int16)


def apply(m: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Move positions ``state`` through map ``m``; sentinels stay as they are.

    Works on any shape: ``state`` may be a lane vector or a (channels, lanes) batch.
    """
    return np.where(state >= 0, m[np.maximum(state, 0)], state).astype(np.int16)


def compose(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The map of ``first`` followed by ``second``."""
    return apply(second, first)


def invert(m: np.ndarray, n_out: int) -> np.ndarray:
    """The inverse of an injective partial map onto ``n_out`` positions.

    Positions of the far side that no fiber reaches map to ``DARK``.
    """
    inv = np.full(n_out, DARK, dtype=np.int16)
    src = np.flatnonzero(m >= 0)
    inv[m[src]] = src
    return inv
