"""QC analyzer speed on one core.

Targets (issue 10): a 12-fiber MT scan of about 1600 x 300 pixels at 2 um and a round scan
of 600 x 600 pixels in at most 10 ms each on one core (figures in the README).

Run either way (BLAS is pinned to one thread below; ``taskset`` pins the process to one core):

    taskset -c 0 .venv/bin/python benchmarks/bench_qc.py [--no-memory]
    taskset -c 0 .venv/bin/pytest benchmarks/bench_qc.py

The script prints wall and thread-CPU milliseconds per scan and the CPU milliseconds of each
analysis stage (``mpokit.qc._stages``), then the peak memory of the hostile-file runs.
``--accuracy N`` instead draws N MT and N round scans over the supported ranges of issue 10
(the property tests' ranges, a fixed seed) and prints how many were unmeasurable and the
largest error of each measured value: the check that a speed change lost no accuracy (run it
before and after; the same seed gives the same draws).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from mpokit.qc.mt import analyze_mt  # noqa: E402
from mpokit.qc.round import analyze_round  # noqa: E402
from mpokit.qc.simulate import simulate_mt, simulate_round  # noqa: E402

CASES: dict[str, tuple[Callable[..., Any], Any]] = {}


def _cases() -> dict[str, tuple[Callable[..., Any], Any]]:
    if not CASES:
        CASES["mt12 1600x300 @2um"] = (analyze_mt, simulate_mt(fibers=12, seed=1)[0])
        CASES["mt32 2100x550 @2um"] = (analyze_mt, simulate_mt(fibers=32, seed=1)[0])
        CASES["round 600x600 @1um"] = (analyze_round, simulate_round(seed=1)[0])
    return CASES


def test_mt12(benchmark: Any) -> None:
    fn, scan = _cases()["mt12 1600x300 @2um"]
    benchmark(fn, scan)


def test_mt32(benchmark: Any) -> None:
    fn, scan = _cases()["mt32 2100x550 @2um"]
    benchmark(fn, scan)


def test_round(benchmark: Any) -> None:
    fn, scan = _cases()["round 600x600 @1um"]
    benchmark(fn, scan)


def main(repeats: int = 20) -> None:
    """Print, per case, the wall and CPU time (median and best) and the CPU time per stage.

    On a shared machine the wall time includes waiting for the core; the thread CPU time
    does not (but still pays for the caches and memory bandwidth other jobs take), and the
    best of the runs is the figure closest to an idle core.
    """
    from mpokit.qc._stages import record

    print(f"{'case':<22} {'shape':>10} {'wall med':>9} {'cpu med':>8} {'cpu best':>9}  "
          f"stages (cpu ms, best run)")
    for name, (fn, scan) in _cases().items():
        fn(scan)  # warm up
        walls, cpus, stage_runs = [], [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.thread_time()
            fn(scan)
            walls.append((time.perf_counter() - t0) * 1e3)
            cpus.append((time.thread_time() - c0) * 1e3)
            stage_runs.append(record(fn, scan)[1])
        best = min(stage_runs, key=lambda st: sum(st.values()))
        shape = "x".join(str(s) for s in scan.shape[::-1])
        stages = ", ".join(f"{k} {v:.1f}" for k, v in best.items())
        print(f"{name:<22} {shape:>10} {statistics.median(walls):>9.1f} "
              f"{statistics.median(cpus):>8.1f} {min(cpus):>9.1f}  {stages}")


CHILD = """
import resource, sys
from mpokit.cli import main
sys.argv = ["mpokit", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def hostile_memory() -> None:
    """Peak RSS of one ``mpokit qc`` run on each hostile file (issue 8) and on a real scan."""
    import subprocess
    import sys
    import tempfile
    import zipfile
    from pathlib import Path

    import h5py
    import numpy as np

    from mpokit.qc.simulate import write_simulated

    d = Path(tempfile.mkdtemp())
    write_simulated(d / "real_mt12.npz", *simulate_mt(fibers=12, seed=1))
    with h5py.File(d / "fill_40000.datx", "w") as h5:
        h5.create_dataset("Data/Surface/{1}", shape=(40000, 40000), dtype="f8",
                          chunks=(1000, 1000), fillvalue=1.0)
        h5.attrs["mpokit_kind"] = "mt"
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1)))
    header["shape"] = (10000, 2500)
    with zipfile.ZipFile(d / "bomb_200MB.npz", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pixel_um.npy", _npy(np.float64(2.0)))
        zf.writestr("kind.npy", _npy(np.str_("mt")))
        with zf.open("height_nm.npy", "w", force_zip64=True) as fh:
            np.lib.format.write_array_header_1_0(fh, header)
            for _ in range(100):
                fh.write(bytes(8 * 2500 * 100))
    (d / "sparse.xyz").write_text("# kind=mt\n0 0 1\n0.05 0 1\n20000 20000 1\n")
    print(f"{'case':<28} {'file bytes':>12} {'exit':>5} {'peak RSS MB':>12}")
    cases = [("real_mt12.npz", []), ("fill_40000.datx", ["--pixel-um", "2"]),
             ("bomb_200MB.npz", []), ("sparse.xyz", [])]
    for name, extra in cases:
        proc = subprocess.run([sys.executable, "-c", CHILD, "qc", "geometry", str(d / name),
                               *extra], capture_output=True, text=True)
        kb = [ln for ln in proc.stderr.splitlines() if ln.startswith("MAXRSS_KB")]
        rss = int(kb[-1].split()[1]) / 1024 if kb else float("nan")
        print(f"{name:<28} {(d / name).stat().st_size:>12,} {proc.returncode:>5} {rss:>12.0f}")
    out = d / "tiny.npz"
    proc = subprocess.run([sys.executable, "-c", CHILD, "qc", "simulate", str(out),
                           "--pixel-um", "0.05"], capture_output=True, text=True)
    kb = [ln for ln in proc.stderr.splitlines() if ln.startswith("MAXRSS_KB")]
    print(f"{'simulate --pixel-um 0.05':<28} {'-':>12} {proc.returncode:>5} "
          f"{int(kb[-1].split()[1]) / 1024:>12.0f}")


def _npy(value: Any) -> bytes:
    import io

    import numpy as np

    buf = io.BytesIO()
    np.save(buf, value)
    return buf.getvalue()


def accuracy_sweep(n: int = 100, seed: int = 12345) -> None:
    """Draw ``n`` MT and ``n`` round scans in the supported ranges; print unmeasurable counts
    and the largest errors against the truth (tolerances of issue 10 in brackets)."""
    import dataclasses

    import numpy as np

    rng = np.random.default_rng(seed)
    errs: dict[str, list[float]] = {}
    unmeasurable = {"mt": 0, "round": 0}

    def note(name: str, value: float) -> None:
        errs.setdefault(name, []).append(value)

    for _ in range(n):
        scan, truth = simulate_mt(
            fibers=int(rng.choice([8, 12, 16, 24, 32])), seed=int(rng.integers(0, 10_000)),
            angle_x_deg=float(rng.uniform(-0.5, 0.5)), angle_y_deg=float(rng.uniform(-0.5, 0.5)),
            curvature_radius_m=float(1 / rng.uniform(-0.2, 0.2)),
            spike_fraction=float(rng.uniform(0, 0.01)),
            dropout_fraction=float(rng.uniform(0, 0.05)),
            fixture_angle_deg=float(rng.choice([0.0, 8.0])), batwings=bool(rng.integers(2)))
        if not rng.integers(2):
            scan = dataclasses.replace(scan, fibers=None)
        geo = analyze_mt(scan)
        if geo.reasons:
            unmeasurable["mt"] += 1
            continue
        if geo.fibers != truth.height_nm.size:
            note("mt fiber count wrong", 1.0)
            continue
        note("mt height_nm [5]", float(np.max(np.abs(geo.height_nm - truth.height_nm))))
        note("mt angle_x_deg [0.005]", abs(geo.angle_x_deg - truth.angle_x_deg))
        note("mt angle_y_deg [0.005]", abs(geo.angle_y_deg - truth.angle_y_deg))
        note("mt tip_radius rel [0.05]",
             float(np.max(np.abs(geo.tip_radius_mm / truth.tip_radius_mm - 1))))
        note("mt core_dip_nm [5]", float(np.max(np.abs(geo.core_dip_nm - truth.core_dip_nm))))
        note("mt fiber x_um", float(np.max(np.abs(geo.x_um - truth.x_um))))
    for _ in range(n):
        rscan, rtruth = simulate_round(
            seed=int(rng.integers(0, 10_000)), radius_mm=float(rng.uniform(5, 30)),
            apex_offset_um=float(rng.uniform(0, 60)),
            fiber_height_nm=float(rng.uniform(-120, 120)),
            spike_fraction=float(rng.uniform(0, 0.01)),
            dropout_fraction=float(rng.uniform(0, 0.05)),
            fixture_angle_deg=float(rng.choice([0.0, 8.0])))
        rgeo = analyze_round(rscan)
        if rgeo.reasons:
            unmeasurable["round"] += 1
            continue
        note("round radius rel [0.02]", abs(rgeo.radius_mm / rtruth.radius_mm - 1))
        note("round apex_offset_um [1]", abs(rgeo.apex_offset_um - rtruth.apex_offset_um))
        note("round fiber_height_nm [5]", abs(rgeo.fiber_height_nm - rtruth.fiber_height_nm))
    print(f"unmeasurable: MT {unmeasurable['mt']}/{n}, round {unmeasurable['round']}/{n}")
    for name, values in errs.items():
        print(f"{name:<28} max {max(values):.4g}  p95 {float(np.percentile(values, 95)):.4g}")


if __name__ == "__main__":
    import sys

    if "--accuracy" in sys.argv:
        accuracy_sweep(int(sys.argv[sys.argv.index("--accuracy") + 1]))
        sys.exit(0)
    main()
    if "--no-memory" not in sys.argv:
        hostile_memory()
