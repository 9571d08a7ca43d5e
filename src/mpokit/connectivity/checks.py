"""Polarity and mating checks on a compiled channel; findings are results.

Codes (stable): ``polarity``, ``gender``, ``polish``, ``apc_orientation``,
``connector_mismatch``, ``dark_lane``, ``pmd_mismatch`` (errors: the two ends' modules
cannot talk -- media, lane rate or lane PMD differ) and ``lane_order`` (warning: a lane
reordering the PCS tolerates).

>>> from mpokit.connectivity.io import parse_channel
>>> spec = parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
...     "path": [{"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 3}}]})
>>> r = evaluate(compile_channel(spec))
>>> r.ok, sorted({f.code for f in r.findings})
(False, ['polarity'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from mpokit.connectivity import geometry as geo
from mpokit.connectivity.model import Channel, Mating, compile_channel
from mpokit.standards import Transceiver

__all__ = [
    "CODES",
    "ChannelResult",
    "Finding",
    "LaneResult",
    "evaluate",
    "mating_findings",
    "pmd_findings",
]

CODES = (
    "polarity",
    "gender",
    "polish",
    "apc_orientation",
    "connector_mismatch",
    "dark_lane",
    "lane_order",
    "pmd_mismatch",
)
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a channel: where, which lanes, why, and how to fix it."""

    code: str
    severity: Severity
    at: int | None
    lanes: tuple[int, ...]
    message: str
    fix: str | None = None
    patch: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The finding's record in ``mpokit check --json``.

        Returns
        -------
        dict[str, Any]
            ``code``, ``severity``, ``at``, ``lanes``, ``message``, ``fix`` (and ``patch``).
        """
        d: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "at": f"path[{self.at}]" if self.at is not None else None,
            "lanes": list(self.lanes),
            "message": self.message,
            "fix": self.fix,
        }
        if self.patch:
            d["patch"] = list(self.patch)
        return d


@dataclass(frozen=True)
class LaneResult:
    """Where one transmit lane arrives. Positions are 1-based, module view of each end."""

    direction: Literal["a->b", "b->a"]
    lane: int
    tx_position: int
    rx_position: int | None
    rx_lane: int | None
    status: Literal["ok", "lane_order", "wrong", "dark", "elsewhere"]

    def to_dict(self) -> dict[str, Any]:
        """The lane's record in ``mpokit check --json``.

        Returns
        -------
        dict[str, Any]
            ``direction``, ``lane``, ``tx_position``, ``rx_position``, ``rx_lane``, ``status``.
        """
        return {
            "direction": self.direction,
            "lane": self.lane,
            "tx_position": self.tx_position,
            "rx_position": self.rx_position,
            "rx_lane": self.rx_lane,
            "status": self.status,
        }


@dataclass(frozen=True)
class ChannelResult:
    """The verdict on one channel."""

    name: str
    channel: Channel = field(repr=False)
    lanes: tuple[LaneResult, ...]
    findings: tuple[Finding, ...]
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings allowed)."""
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The channel's record in ``mpokit check --json``.

        Returns
        -------
        dict[str, Any]
            ``name``, ``ok``, ``lanes``, ``findings`` and any ``extra`` (such as ``loss``).
        """
        d: dict[str, Any] = {
            "name": self.name,
            "ok": self.ok,
            "lanes": [lane.to_dict() for lane in self.lanes],
            "findings": [f.to_dict() for f in self.findings],
        }
        d.update(self.extra)
        return d


def _describe(m: Mating) -> str:
    if m.kind == "mdi":
        return f"end {m.end.upper() if m.end else '?'} transceiver port"
    if m.kind == "adapter":
        return f"Type {m.adapter} adapter"
    if m.kind == "cassette":
        return f"cassette {m.adapter}"
    if m.kind == "ocs":
        return "OCS port"
    return m.kind


def mating_findings(ch: Channel) -> list[Finding]:
    """Gender, polish, APC orientation and connector-mismatch findings."""
    out: list[Finding] = []
    for m in ch.matings:
        if m.kind == "splice":
            continue
        near, far = m.near, m.far
        where = _describe(m)
        nc, fc = near.connector, far.connector
        if m.via is not None and nc.footprint() == fc.footprint() != m.via.footprint():
            out.append(Finding(
                "connector_mismatch", "error", m.at, (),
                f"{nc.name} plugs in an {m.via.name} adapter ({nc.key} key vs "
                f"{m.via.key} key; {nc.rows}x{nc.columns} vs {m.via.rows}x{m.via.columns} "
                "positions): they do not fit",
            ))
            continue
        if nc.footprint() != fc.footprint():
            diff = []
            if nc.key != fc.key:
                diff.append(f"{nc.key} key vs {fc.key} key")
            if (nc.rows, nc.columns) != (fc.rows, fc.columns):
                diff.append(f"{nc.rows}x{nc.columns} vs {fc.rows}x{fc.columns} positions")
            if not diff:
                diff.append(f"{nc.family} vs {fc.family}")
            out.append(Finding(
                "connector_mismatch", "error", m.at, (),
                f"{nc.name} meets {fc.name} at the {where} ({'; '.join(diff)}): "
                "they cannot mate",
            ))
            continue
        if nc.family == "MPO" and near.gender == far.gender and near.gender in ("male", "female"):
            what = "pinned to pinned" if near.gender == "male" else "unpinned to unpinned"
            harm = ("the pins keep the end faces apart and can damage them"
                    if near.gender == "male" else "nothing aligns the ferrules")
            out.append(Finding(
                "gender", "error", m.at, (),
                f"{what} at the {where}: {harm}; a mated pair needs one pinned "
                "(male) and one unpinned (female) plug",
            ))
        if near.polish != far.polish:
            out.append(Finding(
                "polish", "error", m.at, (),
                f"{near.polish} mated to {far.polish} at the {where}: "
                "angled and flat end faces do not meet",
            ))
        elif (m.kind == "adapter" and m.orientation == "up-up" and near.polish == "APC"
              and nc.family == "MPO"):
            out.append(Finding(
                "apc_orientation", "error", m.at, (),
                f"APC plugs meet key-up to key-up in the {where}: the 8-degree faces are "
                "tilted the same way and leave a 16-degree gap",
            ))
    return out


def _first_dark(trace: np.ndarray, col: int) -> int:
    """Index of the first stage after which lane ``col`` is DARK."""
    hits = np.flatnonzero(trace[1:, col] == geo.DARK)
    return int(hits[0]) if len(hits) else -1


def _direction(
    ch: Channel, forward: bool, pair_strict: bool, mismatched: set[int]
) -> tuple[list[LaneResult], list[Finding], dict[int, int]]:
    src, dst = (ch.a, ch.b) if forward else (ch.b, ch.a)
    label: Literal["a->b", "b->a"] = "a->b" if forward else "b->a"
    src_name, dst_name = ("A", "B") if forward else ("B", "A")
    trace = ch.trace(src.tx) if forward else ch.trace_back(src.tx)
    stages = ch.stages if forward else tuple(reversed(ch.stages))
    final = trace[-1]
    rx_of = {int(p): k for k, p in enumerate(dst.rx)}
    tx_of = {int(p): k for k, p in enumerate(dst.tx)}
    # a fiber carrying both directions (BiDi): the Rx lane there must listen at the
    # wavelength the Tx lane sends (0 = one wavelength per fiber, always equal)
    tx_nm, rx_nm = src.tx_nm, dst.rx_nm
    tolerant = (
        src.transceiver.pcs_tolerates_lane_order and dst.transceiver.pcs_tolerates_lane_order
        and not pair_strict
    )
    lanes: list[LaneResult] = []
    findings: list[Finding] = []
    arrived: dict[int, int] = {}
    wrong: list[tuple[int, str]] = []
    reorder: list[int] = []
    away: list[int] = []
    for k, p in enumerate(final.tolist()):
        tx_pos = int(src.tx[k]) + 1
        if p == geo.AWAY:
            lanes.append(LaneResult(label, k, tx_pos, None, None, "elsewhere"))
            away.append(k)
            continue
        if p == geo.DARK:
            lanes.append(LaneResult(label, k, tx_pos, None, None, "dark"))
            s = _first_dark(trace, k)
            if stages[s].at in mismatched:
                continue
            findings.append(Finding(
                "dark_lane", "error", stages[s].at, (k,),
                f"Tx lane {k} of end {src_name} reaches a position with no fiber "
                f"({stages[s].what} at path[{stages[s].at}])",
            ))
            continue
        if p in rx_of and rx_nm[rx_of[p]] == tx_nm[k]:
            j = rx_of[p]
            arrived[k] = j
            status: Literal["ok", "lane_order"] = "ok" if j == k or pair_strict else "lane_order"
            lanes.append(LaneResult(label, k, tx_pos, p + 1, j, status))
            if j != k:
                reorder.append(k)
            continue
        lanes.append(LaneResult(label, k, tx_pos, p + 1, None, "wrong"))
        if p in rx_of:
            what = (f"its Rx lane {rx_of[p]}, which listens at {rx_nm[rx_of[p]]} nm, not "
                    f"{tx_nm[k]} nm")
        else:
            what = f"its Tx lane {tx_of[p]}" if p in tx_of else "an unused position"
        wrong.append((k, f"{what} (position {p + 1})"))
    if away and not pair_strict:
        hits = np.flatnonzero(trace[1:, away[0]] == geo.AWAY)
        st = stages[int(hits[0])] if len(hits) else stages[-1]
        findings.append(Finding(
            "polarity", "error", st.at, tuple(away),
            f"Tx lanes {away} of end {src_name} leave the channel at path[{st.at}] "
            f"({st.what}): they go to another port or leg, not to end {dst_name}",
        ))
    if wrong:
        ks = tuple(k for k, _ in wrong)
        detail = "; ".join(f"lane {k} lands on {w}" for k, w in wrong[:4])
        more = " ..." if len(wrong) > 4 else ""
        findings.append(Finding(
            "polarity", "error", None, ks,
            f"Tx lanes {list(ks)} of end {src_name} do not reach a receiver of end "
            f"{dst_name}: {detail}{more}",
        ))
    if reorder and not pair_strict:
        ks = tuple(reorder)
        if tolerant:
            findings.append(Finding(
                "lane_order", "warning", None, ks,
                f"Tx lanes {list(ks)} of end {src_name} arrive at other Rx lanes of end "
                f"{dst_name}; the PCS realigns lanes, so the link works",
            ))
        else:
            findings.append(Finding(
                "polarity", "error", None, ks,
                f"Tx lanes {list(ks)} of end {src_name} arrive at Rx lanes of another "
                f"lane at end {dst_name} ({', '.join(f'{k}->{arrived[k]}' for k in ks)})",
            ))
    return lanes, findings, arrived


def _talks_to(t: Transceiver) -> list[str]:
    """Catalogue modules whose lanes speak ``t``'s lane PMD over the same connector."""
    from mpokit.standards import transceivers

    conn = t.ports[0].connector
    return [o.name for o in transceivers()
            if (o.lane_signature == t.lane_signature or o.pmd == t.pmd)
            and o.media == t.media and o.lane_rate_gbps == t.lane_rate_gbps
            and o.ports[0].connector == conn]


def pmd_findings(a: Transceiver, b: Transceiver) -> list[Finding]:
    """A ``pmd_mismatch`` error when the modules at the two ends cannot talk.

    Two ends talk when they share their PMD, or their lanes speak the same lane PMD
    (:attr:`Transceiver.lane_signature`: same wavelength plan and modulation), with the
    same media and lane rate. 800GBASE-DR8 and
    400GBASE-DR4 both carry 100G-DR lanes (a breakout); 800GBASE-DR8 and 1.6TBASE-DR8 do
    not (100G and 200G lanes).

    Parameters
    ----------
    a, b
        The transceivers at ends A and B.

    Returns
    -------
    list of Finding
        Empty when they interoperate, else one error naming both and a fix.

    Examples
    --------
    >>> from mpokit.standards import transceiver
    >>> [f.code for f in pmd_findings(transceiver("800GBASE-DR8"), transceiver("1.6TBASE-DR8"))]
    ['pmd_mismatch']
    >>> pmd_findings(transceiver("800GBASE-DR8"), transceiver("400GBASE-DR4"))
    []
    """
    same_lanes = a.pmd == b.pmd or a.lane_signature == b.lane_signature
    if same_lanes and a.media == b.media and a.lane_rate_gbps == b.lane_rate_gbps:
        return []
    if a.media != b.media:
        why = f"{a.media} and {b.media} optics"
    elif a.lane_rate_gbps != b.lane_rate_gbps:
        why = f"{a.lane_rate_gbps:g}G and {b.lane_rate_gbps:g}G lanes do not interoperate"
    else:
        why = f"lane PMDs {a.lane_signature} and {b.lane_signature} differ"
    alt_b = [n for n in _talks_to(a) if n != b.name][:3]  # modules end B could hold
    alt_a = [n for n in _talks_to(b) if n != a.name][:3]
    fixes = []
    if alt_b:
        fixes.append(f"at end B use {' or '.join(alt_b)}")
    if alt_a:
        fixes.append(f"at end A use {' or '.join(alt_a)}")
    return [Finding(
        "pmd_mismatch", "error", None, (),
        f"end A {a.name} ({a.pmd}) and end B {b.name} ({b.pmd}) cannot talk: {why}",
        fix="; or ".join(fixes) or "use modules of the same PMD at both ends",
    )]


def evaluate(ch: Channel, mating: list[Finding] | None = None) -> ChannelResult:
    """All checks of one compiled channel (without fix suggestions).

    Parameters
    ----------
    ch
        A compiled channel.
    mating
        Mating findings already computed for ``ch`` (None: compute them).

    Returns
    -------
    ChannelResult
        Where every Tx lane arrives, and the findings (no fixes, no loss).
    """
    findings = mating_findings(ch) if mating is None else list(mating)
    findings += pmd_findings(ch.a.transceiver, ch.b.transceiver)
    mismatched = {f.at for f in findings if f.code == "connector_mismatch" and f.at is not None}
    has_breakout = any(s.what.startswith("breakout") for s in ch.stages)
    pair_strict = has_breakout or ch.a.transceiver.lanes != ch.b.transceiver.lanes
    l_ab, f_ab, ab = _direction(ch, True, pair_strict, mismatched)
    l_ba, f_ba, ba = _direction(ch, False, pair_strict, mismatched)
    if not mismatched:  # with a connector mismatch the lanes mean nothing more
        findings += f_ab + f_ba
        if not ab and not ba and not any(f.code in ("polarity", "dark_lane") for f in findings):
            findings.append(Finding(
                "polarity", "error", None, (),
                "no transmit lane of either end reaches the other end",
            ))
        if pair_strict:
            # lane k of A and lane j of B form a pair only if both directions join them
            split = {k for k, j in ab.items() if ba.get(j) != k}
            split |= {k for j, k in ba.items() if ab.get(k) != j}
            if split:
                findings.append(Finding(
                    "polarity", "error", None, tuple(sorted(split)),
                    f"lane pairs are split: transmit and receive of lanes {sorted(split)} of "
                    "end A do not both join the same lane of end B",
                ))
    return ChannelResult(ch.name, ch, tuple(l_ab + l_ba), tuple(findings))


def quick_ok(spec: Any) -> bool:
    """True when the spec compiles and passes every check (used by the fix search)."""
    from mpokit.errors import MpokitError

    try:
        return evaluate(compile_channel(spec)).ok
    except (MpokitError, ValueError):
        return False
