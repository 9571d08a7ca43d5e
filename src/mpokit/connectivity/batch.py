"""Verify many channels at once with array work.

A :class:`ChannelBatch` holds ``N`` channels as rows of stage ids into one shared
table of position maps (``maps``, shape ``(stages, P + 2)``; the last two columns are
the DARK and AWAY sentinels, which map to themselves). Following every lane of every
channel is then a handful of ``numpy.take`` calls per stage over ``(N, lanes)``
arrays -- no Python loop per channel. Mating checks (gender, polish, APC orientation,
connector mismatch) are properties of a mating stage and are stored as a bit mask per
stage, OR-ed along each row.

The scalar checker (:mod:`mpokit.connectivity.checks`) gives the detailed findings;
the batch gives the verdict and the codes, and the tests hold the two to the same
answers.

>>> from mpokit.connectivity.io import parse_channels
>>> designs = parse_channels({"channels": [
...   {"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [{"cord": {"connector": "MPO-12",
...    "type": t, "fiber": "OS2", "length_m": 3}}]} for t in ("A", "B")]})
>>> batch = ChannelBatch.from_designs(designs, np.array([1, 0, 1]))
>>> verify_batch(batch).ok.tolist()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mpokit.connectivity import geometry as geo
from mpokit.connectivity.checks import CODES, mating_findings, pmd_findings
from mpokit.connectivity.model import Channel, End, compile_channel
from mpokit.connectivity.spec import ChannelSpec

__all__ = ["BIT", "BatchResult", "ChannelBatch", "verify_batch"]

BIT = {code: 1 << i for i, code in enumerate(CODES)}
_NOLANE = -3


@dataclass(frozen=True)
class ChannelBatch:
    """``N`` channels as stage-id rows over a shared stage table (see module doc)."""

    maps: np.ndarray  # (n_stages, P + 2) int32, sentinels at columns P (DARK), P+1 (AWAY)
    inverse: np.ndarray  # (n_stages, P + 2) int32
    flags: np.ndarray  # (n_stages,) uint16 mating-code bits
    stage_ids: np.ndarray  # (N, S) int32
    a_tx: np.ndarray  # (N, L) int32 A's tx positions (module view), _NOLANE padded
    rx_lane: np.ndarray  # (n_ends, P + 2) int32: end-table row, position -> rx lane or -1
    b_tx: np.ndarray  # (N, L)
    a_end: np.ndarray  # (N,) int32 end-table row of end A
    b_end: np.ndarray  # (N,)
    tolerant: np.ndarray  # (N,) bool: PCS tolerates lane order and no pairing needed
    pair_strict: np.ndarray  # (N,) bool: lane pairs must stay together (breakouts)
    # wavelengths (BiDi ports; 0 elsewhere): of each Tx lane, and of each end's Rx lanes
    a_tx_nm: np.ndarray | None = None  # (N, L) int32
    b_tx_nm: np.ndarray | None = None  # (N, L) int32
    rx_nm: np.ndarray | None = None  # (n_ends, L) int32

    @property
    def size(self) -> int:
        return int(self.stage_ids.shape[0])

    @classmethod
    def from_channels(
        cls, channels: Sequence[Channel], index: np.ndarray | None = None
    ) -> ChannelBatch:
        """A batch whose row ``i`` is ``channels[index[i]]`` (default: each once)."""
        idx = np.arange(len(channels)) if index is None else np.asarray(index, dtype=np.int64)
        width = max(
            max(c.a.connector.positions, c.b.connector.positions,
                *(len(s.map) for s in c.stages)) for c in channels
        )
        p = width
        dark, away = p, p + 1

        def padded(m: np.ndarray) -> np.ndarray:
            row = np.arange(p + 2, dtype=np.int32)  # identity beyond the map, sentinels fixed
            mm = m.astype(np.int32)
            row[: len(mm)] = np.where(mm == geo.DARK, dark, np.where(mm == geo.AWAY, away, mm))
            return row

        table: dict[tuple[bytes, int], int] = {}
        maps: list[np.ndarray] = [np.arange(p + 2, dtype=np.int32)]
        inverse: list[np.ndarray] = [np.arange(p + 2, dtype=np.int32)]
        flags: list[int] = [0]
        table[(maps[0].tobytes(), 0)] = 0
        rows: list[list[int]] = []
        ends: dict[tuple[str, int], int] = {}
        end_rows: list[np.ndarray] = []
        end_tx: list[np.ndarray] = []
        end_tx_nm: list[np.ndarray] = []
        end_rx_nm: list[np.ndarray] = []
        lanes = max(max(c.a.tx.size, c.b.tx.size) for c in channels)
        a_end, b_end, tolerant, strict = [], [], [], []

        def end_id(e: End) -> int:
            key = (e.transceiver.name, e.port_index)
            if key not in ends:
                role = np.full(p + 2, -1, dtype=np.int32)
                role[e.rx.astype(np.int64)] = np.arange(e.rx.size)
                tx = np.full(lanes, _NOLANE, dtype=np.int32)
                tx[: e.tx.size] = e.tx
                ends[key] = len(end_rows)
                end_rows.append(role)
                end_tx.append(tx)
                tx_nm = np.zeros(lanes, dtype=np.int32)
                tx_nm[: e.tx.size] = e.tx_nm
                rx_nm = np.zeros(lanes, dtype=np.int32)
                rx_nm[: e.rx.size] = e.rx_nm
                end_tx_nm.append(tx_nm)
                end_rx_nm.append(rx_nm)
            return ends[key]

        for ch in channels:
            bits = 0
            for finding in (*mating_findings(ch),
                            *pmd_findings(ch.a.transceiver, ch.b.transceiver)):
                bits |= BIT[finding.code]
            row = []
            for k, s in enumerate(ch.stages):
                m = padded(s.map)
                inv = padded(s.back)
                fl = bits if k == 0 else 0  # the design's mating bits ride on its first stage
                key = (m.tobytes() + inv.tobytes(), fl)
                if key not in table:
                    table[key] = len(maps)
                    maps.append(m)
                    inverse.append(inv)
                    flags.append(fl)
                row.append(table[key])
            rows.append(row)
            a_end.append(end_id(ch.a))
            b_end.append(end_id(ch.b))
            brk = any(s.what.startswith("breakout") for s in ch.stages)
            st = brk or ch.a.transceiver.lanes != ch.b.transceiver.lanes
            strict.append(st)
            tolerant.append(ch.a.transceiver.pcs_tolerates_lane_order
                            and ch.b.transceiver.pcs_tolerates_lane_order and not st)
        s_max = max(len(r) for r in rows)
        design_rows = np.zeros((len(rows), s_max), dtype=np.int32)
        for i, r in enumerate(rows):
            design_rows[i, : len(r)] = r
        end_tx_arr = np.stack(end_tx)
        a_e = np.asarray(a_end, dtype=np.int32)
        b_e = np.asarray(b_end, dtype=np.int32)
        return cls(
            maps=np.stack(maps),
            inverse=np.stack(inverse),
            flags=np.asarray(flags, dtype=np.uint16),
            stage_ids=design_rows[idx],
            a_tx=end_tx_arr[a_e][idx],
            rx_lane=np.stack(end_rows),
            b_tx=end_tx_arr[b_e][idx],
            a_end=a_e[idx],
            b_end=b_e[idx],
            tolerant=np.asarray(tolerant, dtype=bool)[idx],
            pair_strict=np.asarray(strict, dtype=bool)[idx],
            a_tx_nm=np.stack(end_tx_nm)[a_e][idx],
            b_tx_nm=np.stack(end_tx_nm)[b_e][idx],
            rx_nm=np.stack(end_rx_nm),
        )

    @classmethod
    def from_designs(cls, designs: Sequence[ChannelSpec], index: np.ndarray) -> ChannelBatch:
        """Compile each design once; row ``i`` of the batch is ``designs[index[i]]``."""
        return cls.from_channels([compile_channel(d) for d in designs], index)


@dataclass(frozen=True)
class BatchResult:
    """Per-channel verdicts of a batch."""

    ok: np.ndarray  # (N,) bool
    codes: np.ndarray  # (N,) uint16 bit mask over CODES (errors)
    lane_order: np.ndarray  # (N,) bool: a tolerated lane reordering (warning)

    def count(self, code: str) -> int:
        """How many channels have ``code``.

        Parameters
        ----------
        code
            A finding code (``polarity``, ``gender`` ... see ``CODES``).

        Returns
        -------
        int
            The number of channels with at least one finding of ``code``.
        """
        return int(np.count_nonzero(self.codes & BIT[code]))


def _follow(table: np.ndarray, ids: np.ndarray, start: np.ndarray, reverse: bool) -> np.ndarray:
    width = table.shape[1]
    flat = table.ravel()
    state = start.copy()
    lanes_ok = state >= 0
    state[~lanes_ok] = width - 2  # padded lanes ride along as DARK and are masked later
    cols = range(ids.shape[1] - 1, -1, -1) if reverse else range(ids.shape[1])
    base = ids * np.int32(width)
    for s in cols:
        state += base[:, s, None]
        # every index is valid, so no bounds mode is needed; "clip" lets take write in place
        np.take(flat, state, out=state, mode="clip")
    return state


def verify_batch(batch: ChannelBatch) -> BatchResult:
    """Polarity and mating verdicts for every channel of the batch.

    Parameters
    ----------
    batch
        The channels as arrays (see :class:`ChannelBatch`).

    Returns
    -------
    BatchResult
        Per channel: pass/fail and a bit per finding code; the same verdicts as
        :func:`check_channel` gives one channel at a time.
    """
    width = batch.maps.shape[1]
    dark, away = width - 2, width - 1
    codes = np.bitwise_or.reduce(batch.flags[batch.stage_ids], axis=1).astype(np.uint16)

    fin_ab = _follow(batch.maps, batch.stage_ids, batch.a_tx, reverse=False)
    fin_ba = _follow(batch.inverse, batch.stage_ids, batch.b_tx, reverse=True)
    roles = batch.rx_lane.ravel()
    lane_ab = np.take(roles, batch.b_end[:, None] * np.int32(width) + fin_ab)
    lane_ba = np.take(roles, batch.a_end[:, None] * np.int32(width) + fin_ba)
    if batch.rx_nm is not None and batch.a_tx_nm is not None and batch.b_tx_nm is not None:
        # BiDi: an Rx lane counts only if it listens at the Tx lane's wavelength
        nm_b = np.take_along_axis(batch.rx_nm[batch.b_end], np.maximum(lane_ab, 0), axis=1)
        nm_a = np.take_along_axis(batch.rx_nm[batch.a_end], np.maximum(lane_ba, 0), axis=1)
        lane_ab = np.where(nm_b == batch.a_tx_nm, lane_ab, -1)
        lane_ba = np.where(nm_a == batch.b_tx_nm, lane_ba, -1)
    real_ab = batch.a_tx >= 0
    real_ba = batch.b_tx >= 0
    k_ab = np.broadcast_to(np.arange(fin_ab.shape[1]), fin_ab.shape)
    k_ba = np.broadcast_to(np.arange(fin_ba.shape[1]), fin_ba.shape)

    dark_any = ((fin_ab == dark) & real_ab).any(1) | ((fin_ba == dark) & real_ba).any(1)
    away_ab = (fin_ab == away) & real_ab
    away_ba = (fin_ba == away) & real_ba
    wrong_ab = real_ab & (fin_ab < dark) & (lane_ab < 0)
    wrong_ba = real_ba & (fin_ba < dark) & (lane_ba < 0)
    moved_ab = real_ab & (lane_ab >= 0) & (lane_ab != k_ab)
    moved_ba = real_ba & (lane_ba >= 0) & (lane_ba != k_ba)
    moved = moved_ab.any(1) | moved_ba.any(1)
    strict = batch.pair_strict
    # pairs: A lane k -> B lane j must come back from B lane j to A lane k
    j = np.where(real_ab & (lane_ab >= 0), lane_ab, 0)
    back = np.take_along_axis(np.where(real_ba & (lane_ba >= 0), lane_ba, -9), j, axis=1)
    split_ab = real_ab & (lane_ab >= 0) & (back != k_ab)
    kk = np.where(real_ba & (lane_ba >= 0), lane_ba, 0)
    fwd = np.take_along_axis(np.where(real_ab & (lane_ab >= 0), lane_ab, -9), kk, axis=1)
    split_ba = real_ba & (lane_ba >= 0) & (fwd != k_ba)
    split = strict & (split_ab.any(1) | split_ba.any(1))
    carried = ((lane_ab >= 0) & real_ab).any(1) | ((lane_ba >= 0) & real_ba).any(1)
    unpaired_away = ~strict & (away_ab.any(1) | away_ba.any(1))

    mismatch = (codes & BIT["connector_mismatch"]) != 0
    polarity = (wrong_ab.any(1) | wrong_ba.any(1) | (moved & ~batch.tolerant & ~strict)
                | split | unpaired_away | (~carried & ~dark_any))
    codes |= np.where(polarity & ~mismatch, BIT["polarity"], 0).astype(np.uint16)
    codes |= np.where(dark_any & ~mismatch, BIT["dark_lane"], 0).astype(np.uint16)
    warn = moved & batch.tolerant & ~strict
    errors = codes & ~np.uint16(BIT["lane_order"])
    return BatchResult(ok=errors == 0, codes=codes, lane_order=warn)
