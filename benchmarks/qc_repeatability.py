"""Repeatability of the QC analyzer: one ferrule, 30 scans with fresh noise and defects.

Prints, per parameter, the standard deviation over the 30 scans and the largest error
against the simulated truth (noise 3 nm RMS, dust spikes, dropouts, epoxy rings). The
figures in docs/qc.md come from this script:

    .venv/bin/python benchmarks/qc_repeatability.py
"""

from __future__ import annotations

import numpy as np

from mpokit.qc.mt import analyze_mt
from mpokit.qc.round import analyze_round
from mpokit.qc.simulate import simulate_mt, simulate_round

SCANS = 30


Row = tuple[str, float, float]


def mt_table(fibers: int = 12, seed: int = 1, fixture: float = 0.0) -> list[Row]:
    per: dict[str, list[np.ndarray]] = {k: [] for k in (
        "height_nm", "tip_radius_mm", "core_dip_nm", "angle_x_deg", "angle_y_deg",
        "height_diff_nm", "adjacent_diff_nm", "minus_coplanarity_nm")}
    truth = None
    for n in range(SCANS):
        scan, truth = simulate_mt(fibers=fibers, seed=seed, noise_seed=1000 + n,
                                  fixture_angle_deg=fixture)
        geo = analyze_mt(scan)
        for k in per:
            per[k].append(np.atleast_1d(getattr(geo, k)))
    assert truth is not None
    rows = []
    for k, vals in per.items():
        a = np.array(vals)  # (scans, fibers) or (scans, 1)
        t = np.atleast_1d(getattr(truth, k))
        sd = float(np.median(a.std(axis=0, ddof=1)))  # median over fibers of the per-fiber SD
        if k == "tip_radius_mm":
            err = float(np.max(np.abs(a / t - 1)) * 100)
        else:
            err = float(np.max(np.abs(a - t)))
        rows.append((k, sd, err))
    return rows


def round_table(seed: int = 1, fixture: float = 0.0) -> list[tuple[str, float, float]]:
    per: dict[str, list[float]] = {"radius_mm": [], "apex_offset_um": [], "fiber_height_nm": []}
    truth = None
    for n in range(SCANS):
        scan, truth = simulate_round(seed=seed, noise_seed=2000 + n, fixture_angle_deg=fixture)
        geo = analyze_round(scan)
        for k in per:
            per[k].append(getattr(geo, k))
    assert truth is not None
    rows = []
    for k, vals in per.items():
        a = np.array(vals)
        t = getattr(truth, k)
        err = float(np.max(np.abs(a / t - 1)) * 100) if k == "radius_mm" else float(
            np.max(np.abs(a - t)))
        rows.append((k, float(a.std(ddof=1)), err))
    return rows


def main() -> None:
    print(f"{SCANS} scans per ferrule, noise 3 nm RMS; SD = standard deviation over the scans "
          "(per-fiber values: median over fibers); max err vs truth (tip radius and "
          "radius of curvature in %)\n")
    for title, rows in (("MT-12 PC (seed 1)", mt_table()),
                        ("MT-24 APC fixture (seed 2)", mt_table(24, 2, 8.0)),
                        ("round PC (seed 1)", round_table()),
                        ("round APC fixture (seed 2)", round_table(2, 8.0))):
        print(f"| {title} | SD | max err |\n|---|---|---|")
        for k, sd, err in rows:
            print(f"| {k} | {sd:.3g} | {err:.3g} |")
        print()


if __name__ == "__main__":
    main()
