"""Concurrent imports into the store: N importers x ROWS rows each, on SQLite and PostgreSQL.

    python benchmarks/bench_store.py [--importers 8] [--rows 100000] [--db sqlite|postgresql|both]

Each importer is its own process importing its own generic-layout CSV file (one transaction
per file) at the same time as the others. Afterwards every row must be present exactly once
(the count equals importers x rows and no (file, serial, end, fiber, wavelength) repeats).
Prints wall time and rows/s per database. PostgreSQL runs in a throwaway local cluster
(needs Debian's ``postgresql`` package).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from mpokit.store import import_file, open_store
from mpokit.store.models import ImportedFile, Measurement
from mpokit.store.testing import PgCluster, pg_bindir

HEADER = "serial,end,fiber,wavelength_nm,il_db,rl_db,station,timestamp\n"


def write_file(path: Path, index: int, rows: int) -> None:
    per_serial = 2 * 12 * 2
    lines = [HEADER]
    for r in range(rows):
        a, rest = divmod(r, per_serial)
        end, rest = divmod(rest, 24)
        fiber, wl = divmod(rest, 2)
        il = 0.05 + ((r * 7919) % 200) / 1000
        lines.append(f"B{index}-{a:06d},{'AB'[end]},{fiber + 1},{(1310, 1550)[wl]},{il:.3f},"
                     f"{55 + (r % 10) * 0.5:.1f},bench-{index},2026-01-05T10:00:00Z\n")
    path.write_text("".join(lines))


def _worker(url: str, path: str, start: Any, results: Any) -> None:
    start.wait()
    t0 = time.perf_counter()
    with open_store(url) as st:
        import_file(st, path)
    results.put(time.perf_counter() - t0)


def run(url: str, files: list[Path], rows: int) -> None:
    with open_store(url):  # create the schema first, as a factory would
        pass
    ctx = mp.get_context("fork")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, str(f), start, results)) for f in files]
    for p in procs:
        p.start()
    time.sleep(1.0)  # every importer is ready; start them together
    t0 = time.perf_counter()
    start.set()
    per = [results.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    if any(p.exitcode != 0 for p in procs):
        raise SystemExit("an importer failed")
    with open_store(url) as st, st.session() as s:
        n = s.scalar(select(func.count()).select_from(Measurement))
        distinct = s.scalar(select(func.count()).select_from(
            select(Measurement.file_id, Measurement.serial, Measurement.end, Measurement.fiber,
                   Measurement.wavelength_nm).distinct().subquery()))
        nfiles = s.scalar(select(func.count()).select_from(ImportedFile))
    total = rows * len(files)
    ok = n == total and distinct == total and nfiles == len(files)
    print(f"{url.split(':')[0]:10} {len(files)} importers x {rows} rows: wall {wall:6.1f} s, "
          f"{total / wall:9.0f} rows/s (slowest importer {max(per):.1f} s); rows present "
          f"{n} distinct {distinct} -> {'OK' if ok else 'MISMATCH'}", flush=True)
    if not ok:
        raise SystemExit(1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--importers", type=int, default=8)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = [d / f"station-{i}.csv" for i in range(args.importers)]
        for i, f in enumerate(files):
            write_file(f, i, args.rows)
        if args.db in ("sqlite", "both"):
            run(f"sqlite:///{d / 'bench.db'}", files, args.rows)
        if args.db in ("postgresql", "both"):
            bindir = pg_bindir()
            if bindir is None:
                print("postgresql: not installed, skipped", file=sys.stderr)
            else:
                cluster = PgCluster(bindir)
                try:
                    run(cluster.new_database(), files, args.rows)
                finally:
                    cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
