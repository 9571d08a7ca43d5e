"""Benchmark: keeping a web acceptance run in the store, and reading it back.

Run: ``.venv/bin/python benchmarks/bench_accept_store.py [--nodes 16384] [--keep DIR]
[--postgresql]``.

Setup (not timed): the plan and results CSV of ``bench_accept.py`` (16,384 nodes -> about
400,000 channels, four faults), parsed and reconciled in this process with the web app's
job function (:func:`mpokit.web.accept_data.run_acceptance`).

Timed (wall, this process): :func:`~mpokit.web.accept_data.save_acceptance` into a new
SQLite store (and a throwaway PostgreSQL cluster with ``--postgresql``): every channel's
row plus the drill-downs of the first ``MAX_DETAILS``; then what the pages do after a
restart: the run page (summary + first 2,000 channels), one status filter, one channel's
drill-down. Prints seconds, the store's size and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_accept import plan_and_results


def timed(label: str, fn, *args, **kw):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args, **kw)
    print(f"  {label}: {time.perf_counter() - t:.2f} s")
    return out


def bench(url: str, run_id: str, run, plan_name: str) -> None:  # type: ignore[no-untyped-def]
    from mpokit.store import open_store
    from mpokit.web.accept_data import (
        save_acceptance,
        stored_channel_detail,
        stored_result_page,
    )

    with open_store(url) as st:
        info = timed("save_acceptance", save_acceptance, st, run_id, run, plan=plan_name,
                     tolerance_db=0.0)
        print(f"  {info.channels:,} channels, drill-downs kept: {info.details_kept:,}")
    with open_store(url) as st:  # as after a restart
        page = timed("run page (first 2,000)", stored_result_page, st, run_id)
        assert page is not None and page["summary"]["channels"] == info.channels
        only = timed("status filter fiber_swap", stored_result_page, st, run_id,
                     status="fiber_swap")
        assert only is not None and only["total"] == 1
        name = page["channels"][0]["name"]
        d = timed("one channel's drill-down", stored_channel_detail, st, run_id, name)
        assert d is not None and d["kept"] is True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=16384)
    ap.add_argument("--keep", type=Path, default=None, help="Work folder to keep.")
    ap.add_argument("--postgresql", action="store_true", help="Also on PostgreSQL.")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-accept-store-"))
    plan_dir, res = plan_and_results(work, args.nodes, keep_results=True)
    from mpokit.accept import read_plan
    from mpokit.web.accept_data import run_acceptance

    t = time.perf_counter()
    run = run_acceptance(read_plan(plan_dir), [("results.csv", res.read_bytes())], [])
    print(f"setup: reconciled {len(run.result.plan.channels):,} channels in "
          f"{time.perf_counter() - t:.1f} s (not part of the figures below)")
    db = work / "qc.db"
    db.unlink(missing_ok=True)
    print("SQLite:")
    bench(f"sqlite:///{db}", "bench", run, "plan")
    print(f"  store file: {db.stat().st_size / 1e6:.0f} MB")
    if args.postgresql:
        from mpokit.store.testing import PgCluster, pg_bindir

        bindir = pg_bindir()
        if bindir is None:
            sys.exit("PostgreSQL binaries missing")
        cluster = PgCluster(bindir)
        try:
            print("PostgreSQL:")
            bench(cluster.new_database(), "bench", run, "plan")
        finally:
            cluster.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
