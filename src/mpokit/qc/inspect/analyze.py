"""Inspecting an end-face image: fibers, zones, flaws, grade, verdict and action.

Every fiber gets one verdict:

* ``pass``: every graded zone fully seen and within the table;
* ``fail``: a rule broken (kept even when part of a zone is out of view: a seen failure is
  certain);
* ``unmeasurable``: the image cannot support a verdict (saturated, out of focus, a graded
  zone not fully in view, a fiber missing from an MT row) -- never a pass.

The action follows from what failed: defects (particles, which may be dirt) -> ``clean and
re-inspect``; a scratch (permanent) -> ``replace``; unmeasurable -> ``re-capture``.

Example:
    >>> from mpokit.qc.inspect.simulate import simulate_inspection
    >>> img, truth = simulate_inspection(layout="single", seed=2, defects=[(5.0, 0.0, 4.0)])
    >>> res = inspect_image(img, "sm-pc")
    >>> res.verdict, res.fibers[0].action, res.fibers[0].features[0].zone
    ('fail', 'clean and re-inspect', 'A')
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from mpokit.qc.inspect.detect import DetectedFeature, detect_features
from mpokit.qc.inspect.image import EndFaceImage
from mpokit.qc.inspect.locate import CLADDING_UM, FiberEdge, diameter_hint, find_fibers
from mpokit.qc.inspect.rules import (
    ClassRules,
    Ferrule,
    RuleSet,
    Violation,
    ZoneRule,
    get_rules,
    grade_zone,
)

__all__ = ["FiberInspection", "InspectResult", "InspectedFeature", "ZoneTally", "inspect_image"]

Verdict = Literal["pass", "fail", "unmeasurable"]
MAX_EDGE_WIDTH_UM = 2.5
"""A cladding edge blurred wider than this (10-90 %) means the image is out of focus."""
MAX_SATURATED = 0.01
"""Fraction of clipped pixels inside the cladding above which a fiber is unmeasurable."""
MT_PITCH_UM = 250.0
BORDER_UM = 0.3
"""A flaw this close to a size limit whose two sides are judged differently is borderline
(the size error measured on simulated images is about 0.3 um)."""

ACTIONS = {
    "pass": "none",
    "clean": "clean and re-inspect",
    "replace": "replace (a scratch does not clean off; re-polish or replace the connector)",
    "unmeasurable": "re-capture the image",
}


@dataclass(frozen=True)
class InspectedFeature:
    """A detected flaw with its number (per fiber) and zone(s).

    ``zone`` is the zone it is graded in: for a defect the innermost zone it touches, for a
    scratch the innermost of ``zones`` (every zone it crosses, each of which counts it).
    ``ferrule`` / ``outside`` = beyond the zones (MT ferrule area / round: not graded).
    """

    id: int
    zone: str
    zones: tuple[str, ...]
    feature: DetectedFeature

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            The fields as JSON values.
        """
        f = self.feature
        return {"id": self.id, "kind": f.kind, "zone": self.zone, "zones": list(self.zones),
                "size_um": round(f.size_um, 2), "length_um": round(f.length_um, 1),
                "x_px": round(f.x_px, 1), "y_px": round(f.y_px, 1),
                "r_min_um": round(f.r_min_um, 1), "polarity": f.polarity}


@dataclass(frozen=True)
class ZoneTally:
    """Counts of one zone: scratches and defects, whether graded and fully seen."""

    zone: str
    label: str
    inner_um: float
    outer_um: float
    graded: bool
    in_view: bool
    scratches: int
    defects: int
    max_scratch_um: float
    max_defect_um: float
    ok: bool


@dataclass(frozen=True)
class FiberInspection:
    """The inspection of one fiber."""

    index: int
    x_px: float
    y_px: float
    edge: FiberEdge | None
    features: tuple[InspectedFeature, ...]
    zones: tuple[ZoneTally, ...]
    violations: tuple[Violation, ...]
    verdict: Verdict
    action: str
    reasons: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    noise: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON form.

        Returns
        -------
        dict[str, Any]
            The fields as JSON values.
        """
        e = self.edge
        return {
            "fiber": self.index, "verdict": self.verdict, "action": self.action,
            "reasons": list(self.reasons), "advice": list(self.advice),
            "x_px": round(self.x_px, 2), "y_px": round(self.y_px, 2),
            "cladding_diameter_um": round(e.radius_um * 2, 2) if e else None,
            "edge_fit_rms_um": round(e.rms_um, 3) if e else None,
            "edge_width_um": round(e.edge_width_um, 2) if e else None,
            "violations": [{"zone": v.zone, "kind": v.kind, "rule": v.rule, "found": v.found,
                            "allowed": v.allowed, "features": list(v.feature_ids),
                            "status": v.status} for v in self.violations],
            "zones": [{"zone": z.zone, "label": z.label, "graded": z.graded,
                       "in_view": z.in_view, "scratches": z.scratches, "defects": z.defects,
                       "max_scratch_um": round(z.max_scratch_um, 2),
                       "max_defect_um": round(z.max_defect_um, 2), "ok": z.ok}
                      for z in self.zones],
            "features": [f.to_dict() for f in self.features],
        }


@dataclass(frozen=True)
class InspectResult:
    """The inspection of one image: per-fiber results and the image's verdict."""

    file: str
    connector_class: str
    ferrule: Ferrule
    ferrule_source: str
    pixel_um: float
    pixel_source: str
    shape: tuple[int, int]
    verdict: Verdict
    fibers: tuple[FiberInspection, ...]
    reasons: tuple[str, ...] = ()
    rules_source: str = ""
    rules_status: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True only for a pass."""
        return self.verdict == "pass"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``fibers`` in reading order, numbered from 1).

        Returns
        -------
        dict[str, Any]
            The result and every fiber's inspection as JSON values.
        """
        return {
            "file": self.file, "verdict": self.verdict, "ok": self.ok,
            "connector_class": self.connector_class, "ferrule": self.ferrule,
            "ferrule_source": self.ferrule_source, "pixel_um": self.pixel_um,
            "pixel_source": self.pixel_source, "width_px": self.shape[1],
            "height_px": self.shape[0], "reasons": list(self.reasons),
            "notes": list(self.notes), "rules": {"source": self.rules_source,
                                                 "status": self.rules_status},
            "fibers": [f.to_dict() for f in self.fibers],
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One flat row per fiber (scalars only), for a table or a database.

        Returns
        -------
        list[dict[str, Any]]
            One row per fiber, in reading order.

        Examples
        --------

        >>> from mpokit.qc.inspect.simulate import simulate_inspection
        >>> img, _ = simulate_inspection(layout="single", seed=1)
        >>> row = inspect_image(img, "sm-pc").to_records()[0]
        >>> row["verdict"], row["zone_A_defects"], row["fiber"]
        ('pass', 0, 1)
        """
        rows = []
        for f in self.fibers:
            row: dict[str, Any] = {
                "file": self.file, "connector_class": self.connector_class,
                "ferrule": self.ferrule, "fiber": f.index, "verdict": f.verdict,
                "action": f.action, "reasons": "; ".join(f.reasons),
                "violations": "; ".join(v.text() for v in f.violations),
                "advice": "; ".join(f.advice), "pixel_um": self.pixel_um,
                "cladding_diameter_um": round(f.edge.radius_um * 2, 2) if f.edge else None,
                "features": len(f.features),
            }
            for z in f.zones:
                row[f"zone_{z.zone}_scratches"] = z.scratches
                row[f"zone_{z.zone}_defects"] = z.defects
                row[f"zone_{z.zone}_max_scratch_um"] = round(z.max_scratch_um, 2)
                row[f"zone_{z.zone}_max_defect_um"] = round(z.max_defect_um, 2)
            rows.append(row)
        return rows


def _zones_of(feature: DetectedFeature, table: ClassRules) -> tuple[str, ...]:
    """Zones a feature touches, inner first; beyond the last zone: ``('beyond',)``."""
    out = [z.name for z in table.zones
           if feature.r_min_um < z.outer_um / 2 and feature.r_max_um >= z.inner_um / 2]
    return tuple(out) if out else ("beyond",)


def _borderline(table: ClassRules, zone: ZoneRule, kind: Literal["scratch", "defect"],
                members: list[InspectedFeature]) -> list[str]:
    """Advice for flaws within ``BORDER_UM`` of a size limit whose other side would change
    the zone's result (the verdict is kept; the advice says it is a close call)."""
    sizes = [m.feature.size_um for m in members]
    ids = [m.id for m in members]
    fails = bool(grade_zone(table, zone, kind, sizes, ids))
    out = []
    for lo in zone.ladder(kind):
        if lo.max_um is None:
            continue
        for j, m in enumerate(members):
            if abs(sizes[j] - lo.max_um) > BORDER_UM:
                continue
            other = lo.max_um + BORDER_UM if sizes[j] <= lo.max_um else lo.max_um - BORDER_UM
            moved = [*sizes[:j], other, *sizes[j + 1:]]
            if bool(grade_zone(table, zone, kind, moved, ids)) != fails:
                what = f"{m.feature.size_um:.1f} um" + (" wide" if kind == "scratch" else "")
                out.append(f"#{m.id} ({kind}, {what}) is within {BORDER_UM:g} um of the "
                           f"{lo.max_um:g} um limit in zone {zone.name}: borderline; "
                           "re-inspect at higher magnification")
    return out


def _image_problem(img: EndFaceImage) -> tuple[str | None, float]:
    """A reason the whole image is unmeasurable (or None), and the clipping level."""
    sub = img.pixels[::4, ::4]
    lo, hi = np.percentile(sub, [1, 99])
    top = float(img.pixels.max())
    at_top = float(np.mean(sub >= top))
    flat = hi - lo < 0.02
    if (at_top > 0.2 and not flat) or (flat and top >= 0.98):
        return (f"saturated: {at_top:.0%} of the image at the clipping level; lower the "
                "exposure or the light"), top
    if flat:
        return ("no contrast (blank image, lens cap, or far out of focus): no fiber in view"
                ), top
    return None, top


def _missing_in_rows(edges: list[FiberEdge], px_um: float) -> list[str]:
    """Gaps of a whole pitch or more between neighbours of an MT row."""
    if len(edges) < 2:
        return []
    pitch = MT_PITCH_UM / px_um
    ys = np.array([e.y_px for e in edges])
    rows = np.round((ys - ys.min()) / (2 * pitch)).astype(int)
    out = []
    for row in np.unique(rows):
        xs = sorted(e.x_px for e, r in zip(edges, rows, strict=True) if r == row)
        for a, b in itertools.pairwise(xs):
            gap = round((b - a) / pitch) - 1
            if gap >= 1:
                out.append(f"row {row + 1}: {gap} fiber(s) not found between x={a:.0f} and "
                           f"x={b:.0f} px (covered by dirt, or broken?)")
    return out


def _inspect_fiber(
    img: EndFaceImage, edge: FiberEdge, index: int, table: ClassRules, ferrule: Ferrule,
    roi_um: float, clip: float | None, advice_um: float,
) -> FiberInspection:
    field_ = detect_features(img.pixels, img.pixel_um, edge.x_px, edge.y_px, roi_um,
                             clad_r_um=CLADDING_UM / 2, clip_level=clip)
    feats: list[InspectedFeature] = []
    for i, f in enumerate(field_.features, start=1):
        zs = _zones_of(f, table)
        if zs == ("beyond",):
            zs = ("ferrule",) if ferrule == "mt" else ("outside",)
        elif ferrule == "mt" and zs[0] == table.zones[-1].name:
            zs = ("ferrule",)  # the contact zone of round ferrules is ferrule surface on MT
        feats.append(InspectedFeature(i, zs[0], zs, f))
    violations: list[Violation] = []
    borderline: list[str] = []
    tallies: list[ZoneTally] = []
    reasons: list[str] = []
    for zone in table.zones:
        graded = ferrule in zone.graded_on
        in_view = field_.visible_to_um >= zone.outer_um / 2 - 1e-6
        name, label = zone.name, zone.label
        if ferrule == "mt" and zone is table.zones[-1]:
            name, label = "ferrule", "ferrule"  # within half a pitch of the fiber
        zone_v: list[Violation] = []
        counts = {}
        kinds: tuple[Literal["scratch", "defect"], ...] = ("scratch", "defect")
        for kind in kinds:
            members = [f for f in feats if f.feature.kind == kind
                       and (name in f.zones if kind == "scratch" else f.zone == name)]
            counts[kind] = members
            if graded:
                borderline += _borderline(table, zone, kind, members)
                zone_v += grade_zone(table, zone, kind,
                                     [m.feature.size_um for m in members],
                                     [m.id for m in members])
        if graded and not in_view:
            reasons.append(f"zone {zone.name} ({zone.label}, {zone.outer_um:g} um) is not "
                           "fully in view; centre the fiber or use a wider field")
        violations += zone_v
        tallies.append(ZoneTally(
            name, label, zone.inner_um, zone.outer_um, graded, in_view,
            len(counts["scratch"]), len(counts["defect"]),
            max((m.feature.size_um for m in counts["scratch"]), default=0.0),
            max((m.feature.size_um for m in counts["defect"]), default=0.0),
            not zone_v))
    hard: list[str] = []
    if field_.saturated_fraction > MAX_SATURATED:
        hard.append(f"saturated: {field_.saturated_fraction:.1%} of the cladding at the "
                    "clipping level; lower the exposure")
    if edge.edge_width_um > MAX_EDGE_WIDTH_UM:
        hard.append(f"out of focus: cladding edge {edge.edge_width_um:.1f} um wide "
                    f"(> {MAX_EDGE_WIDTH_UM} um); refocus")
    advice = []
    if ferrule == "mt":
        debris = [f for f in feats if f.zone == "ferrule" and f.feature.size_um >= advice_um
                  and f.feature.kind == "defect"]
        if debris:
            advice.append(f"{len(debris)} particle(s) >= {advice_um:g} um on the ferrule "
                          f"near this fiber ({', '.join(f'#{d.id}' for d in debris)}): "
                          "cleaning recommended")
    advice += borderline
    verdict: Verdict
    if hard:
        verdict, action, reasons = "unmeasurable", ACTIONS["unmeasurable"], hard + reasons
    elif violations:
        verdict = "fail"
        action = ACTIONS["replace"] if any(v.kind == "scratch" for v in violations) \
            else ACTIONS["clean"]
    elif reasons:
        verdict, action = "unmeasurable", ACTIONS["unmeasurable"]
    else:
        verdict, action = "pass", ACTIONS["pass"]
        if borderline:
            action = "none (borderline: see advice)"
        elif advice:
            action = "clean (advised)"
    return FiberInspection(index, edge.x_px, edge.y_px, edge, tuple(feats), tuple(tallies),
                           tuple(violations), verdict, action, tuple(reasons), tuple(advice),
                           field_.noise)


def inspect_image(
    img: EndFaceImage,
    connector_class: str,
    *,
    ferrule: Ferrule | None = None,
    fibers: int | None = None,
    rules: RuleSet | None = None,
    file: str | None = None,
) -> InspectResult:
    """Inspect one end-face image against the table of ``connector_class``.

    Parameters
    ----------
    img
        The image (:func:`~mpokit.qc.inspect.image.read_image`).
    connector_class
        ``sm-pc``, ``sm-apc``, ``mm-pc``, ``mm-apc`` (or a class of ``rules``).
    ferrule
        ``round`` or ``mt``; default: ``mt`` when more than one fiber is in view, else
        ``round`` (say ``mt`` for a zoomed view of one MT fiber).
    fibers
        The number of fibers expected; a different count makes the image unmeasurable
        instead of grading only the fibers found.
    rules
        The tables (default: the packaged ones).
    file
        Name to report (default: the image's).

    Returns
    -------
    InspectResult
        The verdict per fiber and for the end face.
    """
    rules = rules or get_rules()
    table = rules.get(connector_class)
    name = file if file is not None else img.file

    def make(verdict: Verdict, fibs: tuple[FiberInspection, ...], reasons: tuple[str, ...],
             kind: Ferrule, notes: tuple[str, ...] = ()) -> InspectResult:
        return InspectResult(name, table.name, kind, "option" if ferrule else "auto",
                             img.pixel_um, img.pixel_source, img.shape, verdict, fibs,
                             reasons, table.source, table.status, notes)

    problem, clip = _image_problem(img)
    if problem:
        return make("unmeasurable", (), (problem,), ferrule or "round")
    edges = find_fibers(img)
    if not edges:
        hint = diameter_hint(img)
        why = "no fiber in view: no sharp round cladding edge of 125 um found"
        if hint is not None:
            why += f" (the best round edge measures {hint:.0f} um)"
        why += (f"; check the focus, the pixel size ({img.pixel_um:g} um from "
                f"{img.pixel_source}) and that a fiber is centred in the view")
        return make("unmeasurable", (), (why,), ferrule or "round")
    kind: Ferrule = ferrule or ("mt" if len(edges) > 1 else "round")
    notes = []
    if ferrule is None:
        notes.append(f"ferrule '{kind}' assumed from {len(edges)} fiber(s) in view"
                     + ("; pass --ferrule mt for a zoomed view of one MT fiber"
                        if kind == "round" else ""))
    roi = table.outer_um / 2 if kind == "round" else MT_PITCH_UM / 2
    fibs = tuple(_inspect_fiber(img, e, i, table, kind, roi, clip,
                                rules.ferrule_advice.min_debris_um)
                 for i, e in enumerate(edges, start=1))
    reasons: list[str] = []
    if kind == "mt":
        reasons += _missing_in_rows(edges, img.pixel_um)
    if fibers is not None and fibers != len(edges):
        reasons.append(f"{len(edges)} fibers found, {fibers} expected")
    verdicts = {f.verdict for f in fibs}
    verdict: Verdict = "fail" if "fail" in verdicts else (
        "unmeasurable" if "unmeasurable" in verdicts or reasons else "pass")
    return make(verdict, fibs, tuple(reasons), kind, tuple(notes))
