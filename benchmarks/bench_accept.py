"""Benchmark: ``mpokit accept`` end to end (plan folder + results CSV in, verdicts out).

Run: ``.venv/bin/python benchmarks/bench_accept.py [--nodes 16704] [--keep DIR]``.

Setup (not timed): ``mpokit plan`` of a rail-optimized 3-tier fabric with 8 rails (16,384
nodes -> about 400,000 channels), then one generic-layout results CSV with a row per fiber
of every channel at its application wavelength (about 4.7 million rows), written with
pyarrow from the plan's expected maps, with a few faults injected (a Type A map in place of
Type B, a swapped pair, a missing test, an extra test).

Timed: the real CLI in a child process, ``accept PLAN results.csv`` (human output) and
``accept PLAN results.csv --json > out.json``. Prints wall seconds, channels per second and
the child's peak memory (max RSS), and checks the JSON's counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

SPEC = """cluster: {{name: bench-{n}, nodes: {n}, rails: 8, nic_speed_gbps: 400}}
fabric: {{topology: rail-optimized, scalable_unit: 64, tiers: 3,
         switch: {{ports: 128, port_speed_gbps: 400, cages: 64}}}}
"""
MPOKIT = [sys.executable, "-m", "mpokit"]


def run(args: list[str], out: Path | None) -> tuple[float, float, int]:
    """Wall seconds, peak MB (max RSS) and exit code of ``mpokit ARGS > out``."""
    code = ("import resource,subprocess,sys,time;"
            "f=open(sys.argv[1],'w');t=time.perf_counter();"
            "rc=subprocess.run(sys.argv[2:],stdout=f,stderr=subprocess.DEVNULL).returncode;"
            "w=time.perf_counter()-t;"
            "print(w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,rc)")
    r = subprocess.run([sys.executable, "-c", code, str(out or os.devnull), *MPOKIT, *args],
                       capture_output=True, text=True, check=True)
    wall, rss, rc = r.stdout.split()
    return float(wall), int(rss) / 1024, int(rc)


def results_csv(plan_dir: Path, out: Path) -> tuple[int, int]:
    """Write the results of every channel (faults in four); returns (channels, rows)."""
    from mpokit.accept import read_plan

    plan = read_plan(plan_dir)
    cs = plan.channels
    shape = plan.channel_shape()
    width = max(s.expected.size for s in plan.shapes)
    exp = np.full((len(plan.shapes), width), -3, dtype=np.int64)
    for k, s in enumerate(plan.shapes):
        exp[k, :s.expected.size] = s.expected
    from mpokit.loss import budget

    wl_shape = np.array([budget(s.channel).wavelength_nm for s in plan.shapes])
    wl_design = wl_shape[plan.shape_of]
    nominal = np.full(wl_design.size, np.nan)
    for w in np.unique(wl_shape):
        at = wl_design == w
        nominal[at] = plan.designed_db(float(w), case="nominal")[at]
    designed = nominal[cs.design_of]
    wl_ch = wl_design[cs.design_of]
    n = len(cs)
    keep = np.ones(n, bool)
    keep[3] = False  # missing test
    ch_rep = np.repeat(np.arange(n), width)
    fib = np.tile(np.arange(width), n)
    far = exp[shape[ch_rep], fib]
    live = (far >= 0) & keep[ch_rep]
    ch_rep, fib, far = ch_rep[live], fib[live], far[live]
    far = far.copy()
    first = np.flatnonzero(ch_rep == 1)  # a swapped pair on channel 1
    far[first[0]], far[first[1]] = far[first[1]], far[first[0]]
    zero = np.flatnonzero(ch_rep == 0)  # channel 0 measures straight through (type A map)
    far[zero] = fib[zero]
    names = np.asarray(cs.names, dtype=object)
    loss = np.round(designed[ch_rep] * 0.9, 2)
    table = pa.table({"label": pa.array(names[ch_rep], pa.string()),
                      "fiber": pa.array(fib + 1), "wavelength_nm": pa.array(
                          wl_ch[ch_rep].round().astype(np.int64)), "loss_db": pa.array(loss),
                      "far_fiber": pa.array(far + 1)})
    extra = pa.table({"label": ["extra:1 to nowhere:1"], "fiber": [1],
                      "wavelength_nm": [850], "loss_db": [0.5], "far_fiber": [12]})
    pacsv.write_csv(pa.concat_tables([table, extra.cast(table.schema)]), str(out))
    return n, table.num_rows + 1


def plan_and_results(work: Path, nodes: int, *, keep_results: bool = False
                     ) -> tuple[Path, Path]:
    """The plan folder of ``nodes`` nodes in ``work`` (planned with the real CLI unless it
    is already there) and the path of its results CSV. With ``keep_results`` the CSV is
    written here unless it exists; without, the caller writes it."""
    work.mkdir(parents=True, exist_ok=True)
    spec = work / "spec.yaml"
    spec.write_text(SPEC.format(n=nodes))
    plan_dir = work / "plan"
    if not (plan_dir / "channels.yaml").exists():
        subprocess.run([*MPOKIT, "plan", str(spec), "-o", str(plan_dir)], check=True,
                       stdout=subprocess.DEVNULL)
    res = work / "results.csv"
    if keep_results and not res.exists():
        results_csv(plan_dir, res)
    return plan_dir, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=16384)
    ap.add_argument("--keep", type=Path, default=None, help="Work folder to keep.")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-accept-"))
    plan_dir, res = plan_and_results(work, args.nodes)
    n, rows = results_csv(plan_dir, res)
    print(f"{n:,} channels, {rows:,} result rows ({res.stat().st_size / 1e6:.0f} MB CSV)")
    wall, mb, rc = run(["accept", str(plan_dir), str(res)], None)
    print(f"accept (human): {wall:.1f} s, {n / wall:,.0f} channels/s, {mb:.0f} MB peak, "
          f"exit {rc}")
    out = work / "out.json"
    wall, mb, rc = run(["accept", str(plan_dir), str(res), "--json"], out)
    counts = json.loads(out.read_text())["summary"]["counts"]
    print(f"accept --json: {wall:.1f} s, {n / wall:,.0f} channels/s, {mb:.0f} MB peak, "
          f"exit {rc}, {out.stat().st_size / 1e6:.0f} MB JSON")
    print("counts:", counts)
    expect = {"polarity_mismatch": 1, "fiber_swap": 1, "not_tested": 1, "unexpected": 1}
    bad = {k: v for k, v in expect.items() if counts[k] != v}
    if bad or counts["pass"] != n - 3:
        sys.exit(f"unexpected counts: {counts}")


if __name__ == "__main__":
    main()
