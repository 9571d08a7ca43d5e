"""Simulated field results and OTDR traces of a plan, with injected faults.

What a contractor's tester would export for the plan's links as built, but for the
faults given: a cable of another polarity type (``type_swap``: a Type A cord in place of a
Type B), a ``swapped_pair`` of fibers, a ``dirty`` connector (+1 dB on every fiber through
that mating), a ``reflective`` mating (reflectance -20 dB), a ``missing`` test and an
``extra`` test of a link the plan does not have. Clean fibers measure 85 % to 100 % of
their nominal designed loss (mean part losses); OTDR events sit at the designed matings
with half their designed loss and a reflectance 10 dB better than designed. Traces are SR-4731 files
written by :func:`mpokit.accept.sor.generate_sor` with a 100 m launch and a 20 m receive
cord.

>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> from mpokit.accept.design import plan_designs
>>> plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": n,
...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector": "MPO-12",
...     "type": "B", "fiber": "OM4", "length_m": 7}}]} for n in ("x", "y")]})))
>>> sim = simulate(plan, [Fault("missing", 1)])
>>> sim.csv.splitlines()[1]
'x,1,850,0.68,7.0,12,PASS'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mpokit.accept.causes import substitutions
from mpokit.accept.design import PlanDesigns
from mpokit.accept.sor import SorEvent, generate_sor
from mpokit.connectivity.spec import element_kind

__all__ = ["FAULT_KINDS", "Fault", "Simulated", "simulate", "type_swap_options"]

FaultKind = Literal["type_swap", "swapped_pair", "dirty", "reflective", "missing", "extra"]
FAULT_KINDS: tuple[str, ...] = ("type_swap", "swapped_pair", "dirty", "reflective", "missing",
                                "extra")
LAUNCH_M = 100.0
RECEIVE_M = 20.0
DIRTY_DB = 1.0
REFLECTIVE_DB = -20.0


@dataclass(frozen=True)
class Fault:
    """A fault on channel ``channel``; ``point`` picks the mating (index into the shape's
    matings) for ``dirty`` and ``reflective``, the element for ``type_swap``."""

    kind: FaultKind
    channel: int
    point: int = 0


@dataclass(frozen=True)
class Simulated:
    """The generic-layout CSV text, the ``.sor`` files by name, and the faults injected."""

    csv: str
    traces: dict[str, bytes]
    faults: tuple[Fault, ...]


def type_swap_options(plan: PlanDesigns, channel: int) -> list[int]:
    """Path indices of channel ``channel`` whose cable can change polarity type.

    Parameters
    ----------
    plan
        The plan.
    channel
        A channel index.

    Returns
    -------
    list[int]
        Path indices of its cords and trunks whose type change alters the map.

    Examples
    --------
    >>> from mpokit.connectivity import ChannelSet, parse_channels
    >>> from mpokit.accept.design import plan_designs
    >>> p = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
    ...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector":
    ...     "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]}]})))
    >>> type_swap_options(p, 0)
    [0]
    """
    sh = plan.shapes[int(plan.shape_of[plan.channels.design_of[channel]])]
    return sorted({s.at for s in substitutions(sh.channel)
                   if element_kind(sh.channel.spec.path[s.at]) in ("cord", "trunk")})


def simulate(plan: PlanDesigns, faults: Sequence[Fault], *, wavelengths: Sequence[float] = (),
             traced: Sequence[int] = (), seed: int = 0) -> Simulated:
    """Field results of every channel of ``plan`` as built with ``faults``.

    Parameters
    ----------
    plan
        The plan.
    faults
        Faults to inject (at most one per channel is meaningful).
    wavelengths
        Test wavelengths (default: each channel's application wavelength).
    traced
        Channels that also get an OTDR trace of fiber 1 (channels with ``dirty`` or
        ``reflective`` faults always do).
    seed
        Random seed of the clean losses.

    Returns
    -------
    Simulated
        CSV text, traces and the faults.
    """
    rng = np.random.default_rng(seed)
    by_ch = {f.channel: f for f in faults if f.kind != "extra"}
    lines = ["label,fiber,wavelength_nm,loss_db,length_m,far_fiber,verdict"]
    traces: dict[str, bytes] = {}
    cs = plan.channels
    want_trace = set(traced) | {f.channel for f in faults if f.kind in ("dirty", "reflective")}
    designed_cache: dict[float, np.ndarray] = {}
    lengths = plan.design_length_m()
    for c in range(len(cs)):
        f = by_ch.get(c)
        if f is not None and f.kind == "missing":
            continue
        d = int(cs.design_of[c])
        sh = plan.shapes[int(plan.shape_of[d])]
        far = sh.expected.copy()
        if f is not None and f.kind == "type_swap":
            sub = next(s for s in substitutions(sh.channel) if s.at == f.point)
            far = sub.map.copy()
        live = np.flatnonzero(sh.expected >= 0)
        if f is not None and f.kind == "swapped_pair":
            i, j = int(live[0]), int(live[1])
            far[[i, j]] = far[[j, i]]
        wls = list(wavelengths) or [(sh.channel.a.transceiver.media == "MM" and 850.0) or 1310.0]
        for wl in wls:
            if wl not in designed_cache:
                designed_cache[wl] = plan.designed_db(wl, case="nominal")
            base = designed_cache[wl][d]
            loss = base * rng.uniform(0.85, 1.0, live.size)
            if f is not None and f.kind == "dirty":
                loss = loss + DIRTY_DB
            name = cs.names[c] or ""
            lines += [f"{name},{p + 1},{wl:g},{v:.2f},{lengths[d]:.1f},{int(far[p]) + 1},PASS"
                      for p, v in zip(live.tolist(), loss.tolist(), strict=True)]
        if c in want_trace:
            traces[f"trace-{c:06d}.sor"] = _trace(plan, c, f, wls[0])
    for f in faults:
        if f.kind == "extra":
            lines += [f"extra-{f.channel}:1 to nowhere:1,{p},850,0.50,7.0,{13 - p},PASS"
                      for p in range(1, 13)]
    return Simulated("\n".join(lines) + "\n", traces, tuple(faults))


def _trace(plan: PlanDesigns, c: int, f: Fault | None, wl: float) -> bytes:
    d = int(plan.channels.design_of[c])
    sh = plan.shapes[int(plan.shape_of[d])]
    cum = np.concatenate([[0.0], np.cumsum(plan.run_lengths[d])])
    events = []
    for k, p in enumerate(sh.points):
        loss = p.loss_db * 0.5
        refl = None if p.reflectance_db is None else p.reflectance_db - 10.0
        if f is not None and f.point == k and f.kind == "dirty":
            loss += DIRTY_DB
        if f is not None and f.point == k and f.kind == "reflective":
            refl = REFLECTIVE_DB
        events.append(SorEvent(float(cum[p.run_before]), round(loss, 3), refl))
    events.append(SorEvent(float(cum[-1]) + RECEIVE_M, 0.0, -14.0, end=True))
    return generate_sor(*events, label=plan.channels.names[c] or "", fiber=1,
                        wavelength_nm=wl, launch_m=LAUNCH_M)
