"""What the plan says each tested link must show: maps, budgets, matings along the channel.

:func:`read_plan` reads a plan folder's ``channels.yaml`` (as written by ``mpokit plan``, or
any channel file) into a :class:`PlanDesigns`. Work is done once per *shape* (a design
without its lengths: the same elements in the same order) -- the expected position map,
the matings and their designed losses -- and once per *design* (a shape with lengths) for
the designed loss at each wavelength. Per channel only indices are kept.

Conventions (docs/accept.md): positions are 0-based in the module view of each end's port;
the expected map sends every end-A position to the end-B position its fiber reaches
(``-1`` no fiber, ``-2`` another leg of a breakout). The designed loss of a tested link is
the channel's worst-case budget as ``mpokit loss`` computes it (MDI to MDI) plus its two end
connections, which a tester's reference cords mate with (one-jumper reference).

>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> cs = ChannelSet.from_specs(parse_channels({"channels": [{"name": "x",
...     "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {"connector": "MPO-12",
...     "type": "B", "fiber": "OM4", "length_m": 7}}]}]}))
>>> p = plan_designs(cs)
>>> p.shapes[0].expected.tolist()[:3], round(p.shapes[0].end_connections_db, 2)
([11, 10, 9], 1.5)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mpokit.connectivity.channels import ChannelSet
from mpokit.connectivity.io import read_channel_set
from mpokit.connectivity.model import Channel, compile_channel
from mpokit.connectivity.spec import ChannelSpec, element_body, element_kind
from mpokit.errors import DesignError, InputError
from mpokit.loss import budget
from mpokit.loss.grades import defaults, grade
from mpokit.loss.limits import attenuation

__all__ = ["MatingPoint", "PlanDesigns", "Shape", "plan_designs", "read_plan", "shape_key"]

RUNS = ("cord", "trunk", "breakout")


@dataclass(frozen=True)
class MatingPoint:
    """One place along the channel where an OTDR sees an event: a mating or a splice.

    ``run_before`` is how many of the channel's fiber runs lie between end A and it.
    """

    at: int
    kind: str
    what: str
    run_before: int
    loss_db: float  # designed worst case
    reflectance_db: float | None  # designed (a limit: measured must be lower)


@dataclass(frozen=True)
class Shape:
    """A channel design without lengths, compiled once."""

    channel: Channel
    expected: np.ndarray  # (P,) int16 end-A position -> end-B position
    fixed_db: float  # worst case of every non-MDI mating and splice
    end_connections_db: float  # the two end connections the tester's cords make
    fixed_nominal_db: float
    end_nominal_db: float
    run_fibers: tuple[str, ...]
    points: tuple[MatingPoint, ...]

    @property
    def live(self) -> np.ndarray:
        """``(P,)`` bool: positions of end A whose fiber reaches end B."""
        return self.expected >= 0


@dataclass(frozen=True)
class PlanDesigns:
    """The plan's channels with per-shape and per-design expectations.

    Attributes
    ----------
    channels
        The channel set (names, design of every channel).
    shape_of
        ``(designs,)`` int64: each design's shape.
    shapes
        Each shape once.
    run_lengths
        Per design, ``(runs,)`` float64 lengths of its fiber runs in path order.
    """

    channels: ChannelSet
    shape_of: np.ndarray
    shapes: tuple[Shape, ...]
    run_lengths: tuple[np.ndarray, ...]

    def index(self) -> dict[str, int]:
        """Channel name -> channel index.

        Returns
        -------
        dict[str, int]
            One entry per named channel.
        """
        return {n: i for i, n in enumerate(self.channels.names) if n}

    def channel_shape(self) -> np.ndarray:
        """``(N,)`` int64: every channel's shape.

        Returns
        -------
        numpy.ndarray
            Shape index per channel.
        """
        return self.shape_of[self.channels.design_of]

    def designed_db(self, wavelength_nm: float, case: str = "worst") -> np.ndarray:
        """``(designs,)`` loss of a tested link at ``wavelength_nm`` (NaN: unknown).

        Parameters
        ----------
        wavelength_nm
            The tester's wavelength.
        case
            ``"worst"`` (the budget results are held to) or ``"nominal"`` (mean part losses).

        Returns
        -------
        numpy.ndarray
            Designed loss per design, including the two end connections.
        """
        out = np.full(len(self.shape_of), np.nan)
        att_cache: dict[str, float] = {}
        for d, s in enumerate(self.shape_of.tolist()):
            sh = self.shapes[s]
            total = (sh.fixed_db + sh.end_connections_db if case == "worst"
                     else sh.fixed_nominal_db + sh.end_nominal_db)
            ok = True
            for f, length in zip(sh.run_fibers, self.run_lengths[d].tolist(), strict=True):
                if f not in att_cache:
                    try:
                        att_cache[f] = attenuation(f, wavelength_nm).db_per_km
                    except InputError:
                        att_cache[f] = float("nan")
                total += length / 1000.0 * att_cache[f]
                ok = ok and not np.isnan(att_cache[f])
            out[d] = total if ok else np.nan
        return out

    def design_length_m(self) -> np.ndarray:
        """``(designs,)`` designed fiber length (sum of runs).

        Returns
        -------
        numpy.ndarray
            Metres per design.
        """
        return np.array([float(x.sum()) for x in self.run_lengths])


def shape_key(spec: ChannelSpec) -> str:
    """The spec without name and lengths: equal keys compile to the same stages.

    Parameters
    ----------
    spec
        A channel design.

    Returns
    -------
    str
        Canonical JSON text.

    Examples
    --------
    >>> from mpokit.connectivity.io import parse_channel
    >>> s = parse_channel({"a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [{"cord": {
    ...     "connector": "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]})
    >>> t = s.model_copy(update={"path": (s.path[0].model_copy(update={"cord":
    ...     s.path[0].cord.model_copy(update={"length_m": 9.0})}),)})
    >>> shape_key(s) == shape_key(t)
    True
    """
    d = spec.model_dump(mode="json", exclude_none=True, exclude={"name"})
    for el in d["path"]:
        next(iter(el.values())).pop("length_m", None)
    return json.dumps(d, sort_keys=True)


def _what(spec: ChannelSpec, at: int, kind: str, text: str) -> str:
    el = spec.path[at] if 0 <= at < len(spec.path) else None
    label = getattr(element_body(el), "label", None) if el is not None else None
    name = element_kind(el) if el is not None else kind
    where = f" {label}" if label else ""
    return f"path[{at}] {name}{where} ({text})" if text else f"path[{at}] {name}{where}"


def _shape(ch: Channel) -> Shape:
    b = budget(ch)
    conn = grade(defaults().connection)
    media = ch.a.transceiver.media
    points: list[MatingPoint] = []
    run_at = [r.at for r in ch.runs]
    parts = {(p.at, p.kind): p for p in b.parts if p.kind not in RUNS}
    refl = {(r.at, r.kind): r.reflectance_db for r in b.reflections}
    seen: set[tuple[int, str]] = set()
    for m in ch.matings:
        before = sum(1 for a in run_at if a < m.at) if m.end != "b" else len(run_at)
        if m.kind == "mdi":
            r = defaults().reflectance_for(m.near.polish if m.end == "b" else m.far.polish,
                                           media)
            what = f"end {(m.end or 'a').upper()} connection"
            points.append(MatingPoint(m.at, "mdi", what, before, conn.worst_db,
                                      r.reflectance_db if r else None))
            continue
        if (m.at, m.kind) in seen:
            continue
        seen.add((m.at, m.kind))
        p = parts.get((m.at, m.kind))
        loss = p.loss_db if p else conn.worst_db
        text = (p.what if p else m.kind)
        points.append(MatingPoint(m.at, m.kind, _what(ch.spec, m.at, m.kind, text), before,
                                  loss, refl.get((m.at, m.kind))))
    points.sort(key=lambda p: (p.run_before, p.at))
    fixed = sum(p.loss_db for p in b.parts if p.kind not in RUNS)
    nominal = sum(p.nominal_db for p in b.parts if p.kind not in RUNS)
    return Shape(ch, np.asarray(ch.end_to_end(), dtype=np.int16), float(fixed),
                 2 * conn.worst_db, float(nominal), 2 * float(conn.mean_db),
                 tuple(r.fiber for r in ch.runs), tuple(points))


def plan_designs(channels: ChannelSet) -> PlanDesigns:
    """Compile every shape of ``channels`` once and collect per-design run lengths.

    Parameters
    ----------
    channels
        The plan's channels.

    Returns
    -------
    PlanDesigns
        Expectations per shape and design.

    Raises
    ------
    DesignError
        A design cannot be built (``mpokit check`` says why).
    """
    keys: dict[str, int] = {}
    shapes: list[Shape] = []
    shape_of = np.empty(len(channels.designs), dtype=np.int64)
    lengths: list[np.ndarray] = []
    for d, spec in enumerate(channels.designs):
        k = shape_key(spec)
        s = keys.get(k)
        if s is None:
            s = keys[k] = len(shapes)
            shapes.append(_shape(compile_channel(spec)))
        shape_of[d] = s
        runs = shapes[s].channel.runs
        lengths.append(np.array([float(element_body(spec.path[r.at]).length_m) for r in runs]))
    return PlanDesigns(channels, shape_of, tuple(shapes), tuple(lengths))


def read_plan(plan: str | os.PathLike[str]) -> PlanDesigns:
    """Read a plan folder (its ``channels.yaml``) or a channel file.

    Parameters
    ----------
    plan
        The folder ``mpokit plan`` wrote, or a channel file.

    Returns
    -------
    PlanDesigns
        Its channels and what each must measure.

    Raises
    ------
    InputError
        No channel file, or one that cannot be read or built.

    Examples
    --------
    >>> read_plan("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mpokit.errors.InputError: /nonexistent: not found ...
    """
    p = Path(plan)
    if not p.exists():
        raise InputError("not found", file=str(p),
                         fix="give the folder 'mpokit plan' wrote, or a channel file")
    f = p / "channels.yaml" if p.is_dir() or not p.suffix else p
    if not f.is_file():
        raise InputError("no channels.yaml in the plan folder", file=str(p),
                         fix="give the folder 'mpokit plan' wrote (not planned with "
                             "--no-channels), or a channel file")
    cs = read_channel_set(f)
    try:
        return plan_designs(cs)
    except DesignError as exc:
        raise InputError(f"the plan holds a channel that cannot be built: {exc}",
                         file=str(f), fix="run 'mpokit check' on it") from None
