"""One scan in, one verdict out: geometry plus checks against a limit profile.

Example:
    >>> from mpokit.qc.simulate import simulate_mt
    >>> scan, _ = simulate_mt(fibers=12, seed=4, mean_height_nm=2000, height_spread_nm=50)
    >>> result = analyze_scan(scan)
    >>> result.profile, len(result.fibers())
    ('mt-pc', 12)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from mpokit.errors import InputError
from mpokit.qc.io import Scan
from mpokit.qc.mt import MtGeometry, analyze_mt
from mpokit.qc.profiles import Check, Profile, default_profile_name, evaluate, get_profile
from mpokit.qc.round import RoundGeometry, analyze_round

__all__ = ["Outcome", "QcFailure", "QcResult", "Verdict", "analyze_scan", "measure"]

Verdict = Literal["pass", "fail", "unmeasurable"]


def _num(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class QcResult:
    """The geometry of one ferrule and its checks against one profile."""

    file: str
    serial: str
    kind: str
    fixture_angle_deg: float
    geometry: MtGeometry | RoundGeometry
    profile: str
    checks: tuple[Check, ...]
    reasons: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """``pass``, ``fail``, or ``unmeasurable`` (the data cannot support numbers; see
        ``reasons``) -- which is neither a pass nor a fail."""
        if self.reasons:
            return "unmeasurable"
        return "pass" if all(c.ok for c in self.checks) else "fail"

    @property
    def ok(self) -> bool:
        """True when the verdict is ``pass``."""
        return self.verdict == "pass"

    def parameters(self) -> dict[str, float | None]:
        """The named ferrule-level parameters (``None`` where not measurable).

        Returns
        -------
        dict[str, float | None]
            Each reported parameter by name; None where it could not be measured.
        """
        g = self.geometry
        names: tuple[str, ...]
        if isinstance(g, MtGeometry):
            names = ("angle_x_deg", "angle_y_deg", "height_diff_nm", "adjacent_diff_nm",
                     "minus_coplanarity_nm")
        else:
            names = ("radius_mm", "apex_offset_um", "fiber_height_nm")
        return {n: _num(getattr(g, n)) for n in names}

    def fibers(self) -> list[dict[str, Any]]:
        """Per-fiber rows (MT only); ``index`` and ``row`` count from 1.

        Returns
        -------
        list[dict[str, Any]]
            One record per fiber of an MT ferrule: position, height, tip radius and core
            dip; empty for a round ferrule.
        """
        g = self.geometry
        if not isinstance(g, MtGeometry):
            return []
        return [
            {
                "index": i + 1,
                "row": int(g.row[i]) + 1,
                "x_um": _num(g.x_um[i]),
                "y_um": _num(g.y_um[i]),
                "height_nm": _num(g.height_nm[i]),
                "tip_radius_mm": _num(g.tip_radius_mm[i]),
                "core_dip_nm": _num(g.core_dip_nm[i]),
            }
            for i in range(g.fibers)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form documented in ``docs/qc.md``.

        Returns
        -------
        dict[str, Any]
            The JSON record of ``mpokit qc geometry --json``.
        """
        out: dict[str, Any] = {
            "file": self.file,
            "serial": self.serial,
            "kind": self.kind,
            "ok": self.ok,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "profile": self.profile,
            "fixture_angle_deg": self.fixture_angle_deg,
            }
        if self.reasons:
            out["noise_nm"] = _num(self.geometry.noise_nm)
            out["checks"] = []
            # like an unreadable file, nothing was measured (the store skips such rows)
            out["error"] = "unmeasurable: " + "; ".join(self.reasons)
            return out
        out.update(self.parameters())
        g = self.geometry
        if isinstance(g, MtGeometry):
            out["fibers"] = self.fibers()
        else:
            out["fiber_x_um"] = _num(g.fiber_x_um)
            out["fiber_y_um"] = _num(g.fiber_y_um)
        out["noise_nm"] = _num(g.noise_nm)
        out["checks"] = [c.to_dict() for c in self.checks]
        return out


@dataclass(frozen=True)
class QcFailure:
    """A file that could not be analysed (unreadable or uninterpretable).

    Beside :class:`QcResult` so that the batch, the lot summary and the report share it
    without importing one another.
    """

    file: str
    message: str

    @property
    def ok(self) -> bool:
        """Always False."""
        return False

    @property
    def verdict(self) -> str:
        """Always ``unreadable``."""
        return "unreadable"

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"file", "ok": false, "verdict": "unreadable", "error"}``.

        Returns
        -------
        dict[str, Any]
            ``file``, ``ok`` (false), ``verdict`` (``unreadable``) and ``error``, the message.
        """
        return {"file": self.file, "ok": False, "verdict": "unreadable", "error": self.message}


Outcome = QcResult | QcFailure


def measure(scan: Scan) -> MtGeometry | RoundGeometry:
    """The end-face geometry of ``scan`` (MT or round, by ``scan.kind``).

    Parameters
    ----------
    scan
        A height map with its kind (``mt`` or ``round``).

    Returns
    -------
    MtGeometry | RoundGeometry
        The geometry, not yet judged against a profile.
    """
    return analyze_mt(scan) if scan.kind == "mt" else analyze_round(scan)


def analyze_scan(scan: Scan, profile: str | Profile | None = None, *, file: str = "") -> QcResult:
    """Measure ``scan`` and judge it against ``profile`` (default from kind and fixture).

    Parameters
    ----------
    scan
        A height map (:func:`read_scan` or a simulator).
    profile
        A built-in profile name, a YAML file or a :class:`Profile` (None: from the kind and
        the fixture angle).
    file
        The scan's file, for the result and its messages.

    Returns
    -------
    QcResult
        The geometry and each check against the profile.
    """
    prof = get_profile(profile or default_profile_name(scan.kind, scan.fixture_angle_deg))
    if prof.kind != scan.kind:
        raise InputError(f"profile {prof.name!r} is for {prof.kind} ferrules but the scan is "
                         f"{scan.kind}", file=file or None, field="kind",
                         fix="pick a profile of the same kind")
    try:
        geo = measure(scan)
    except InputError as exc:
        raise exc.located(file=file or None) from None
    if geo.reasons:
        return QcResult(file=file, serial=scan.serial, kind=scan.kind,
                        fixture_angle_deg=scan.fixture_angle_deg, geometry=geo,
                        profile=prof.name, checks=(), reasons=geo.reasons)
    if isinstance(geo, MtGeometry):
        values: dict[str, Any] = {
            "angle_x_deg": geo.angle_x_deg, "angle_y_deg": geo.angle_y_deg,
            "height_nm": geo.height_nm, "height_diff_nm": geo.height_diff_nm,
            "adjacent_diff_nm": geo.adjacent_diff_nm,
            "minus_coplanarity_nm": geo.minus_coplanarity_nm,
            "tip_radius_mm": geo.tip_radius_mm, "core_dip_nm": geo.core_dip_nm,
        }
    else:
        values = {"radius_mm": geo.radius_mm, "apex_offset_um": geo.apex_offset_um,
                  "fiber_height_nm": geo.fiber_height_nm}
    return QcResult(file=file, serial=scan.serial, kind=scan.kind,
                    fixture_angle_deg=scan.fixture_angle_deg, geometry=geo, profile=prof.name,
                    checks=evaluate(prof, values))
