"""QC analyzer speed on one core.

Targets (issue 10): a 12-fiber MT scan of about 1600 x 300 pixels at 2 um and a round scan
of 600 x 600 pixels in at most 10 ms each on one core (not met yet; see README).

Run either way (pin BLAS to one thread for the one-core figure):

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_qc.py
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/pytest benchmarks/bench_qc.py
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


def main(repeats: int = 10) -> None:
    """Print median and 90th-percentile times per case."""
    print(f"{'case':<22} {'shape':>12} {'median ms':>10} {'p90 ms':>8}")
    for name, (fn, scan) in _cases().items():
        fn(scan)  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn(scan)
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        shape = "x".join(str(s) for s in scan.shape[::-1])
        print(f"{name:<22} {shape:>12} {statistics.median(times):>10.1f} "
              f"{times[int(0.9 * len(times))]:>8.1f}")


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


if __name__ == "__main__":
    main()
    hostile_memory()
