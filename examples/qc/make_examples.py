"""Regenerate the bundled store example data (deterministic; run from the repository root).

    python examples/qc/make_examples.py

Writes two supplier lots in the generic layout, the buyer's re-measurement of lot L1, a lot
in a station's own Excel layout with its mapping file, and geometry results of four L1
assemblies from simulated MT scans analysed by ``mpokit.qc`` (fiber heights feed their IL,
so the height/IL correlation is visible).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from mpokit.qc.analyze import analyze_scan
from mpokit.qc.simulate import simulate_mt

HERE = Path(__file__).resolve().parent
HEADER = ["serial", "end", "fiber", "wavelength_nm", "il_db", "rl_db", "station", "timestamp"]


def _il(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    return np.round(rng.lognormal(np.log(scale), 0.35, n), 3)


def lot_rows(lot: str, n: int, seed: int, scale: float, heights: dict[str, np.ndarray],
             offset_db: float = 0.0, station: str = "ilrl-1", day: int = 5) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    remeasure = np.random.default_rng(seed + 1000)  # the buyer's own measurement noise
    rows = []
    for a in range(1, n + 1):
        serial = f"{lot}-{a:03d}"
        for end in ("A", "B"):
            il = _il(rng, 12, scale)
            if end == "A" and serial in heights:  # recessed fibers lose more
                h = heights[serial]
                il = np.round(0.03 + 0.0004 * (h.max() - h) + rng.normal(0, 0.01, 12), 3)
            rl = np.round(rng.normal(58, 2.5, 12), 1)
            for f in range(12):
                for wl, extra in ((1310, 0.0), (1550, 0.02)):
                    v = max(il[f] + extra + offset_db + rng.normal(0, 0.005)
                            + (remeasure.normal(0, 0.01) if offset_db else 0.0), 0.01)
                    rows.append([serial, end, str(f + 1), str(wl), f"{v:.3f}",
                                 f"{rl[f] - (0.5 if wl == 1550 else 0):.1f}", station,
                                 f"2026-01-{day:02d}T{8 + a // 4:02d}:{(a * 7) % 60:02d}:00Z"])
    return rows


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    results, heights = [], {}
    for i in range(1, 5):
        serial = f"L1-{i:03d}"
        scan, _ = simulate_mt(fibers=12, seed=100 + i, serial=serial, spikes=5)
        res = analyze_scan(scan, "mt-pc", file=f"scans/{serial}-A.npz")
        results.append(res.to_dict() | {"end": "A"})
        heights[serial] = np.array([f["height_nm"] for f in res.fibers()], float)
    (HERE / "geometry_L1.json").write_text(
        json.dumps({"ok": all(r["ok"] for r in results), "results": results}, indent=1) + "\n")
    write_csv(HERE / "lot-L1_supplier.csv", lot_rows("L1", 20, 1, 0.05, heights))
    write_csv(HERE / "lot-L2_supplier.csv", lot_rows("L2", 20, 2, 0.08, {}, station="ilrl-2",
                                                     day=12))
    write_csv(HERE / "lot-L1_incoming.csv", lot_rows("L1", 20, 1, 0.05, heights, 0.02,
                                                     station="buyer-lab", day=20))
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Serial No.", "Fiber #", "Lambda", "IL (dB)", "RL (dB)", "Operator"])
    for r in lot_rows("L3", 5, 3, 0.06, {}):
        if r[1] == "A":
            ws.append([r[0], int(r[2]), int(r[3]), float(r[4]), float(r[5]), "op-2"])
    wb.save(HERE / "station7_export.xlsx")


if __name__ == "__main__":
    main()
