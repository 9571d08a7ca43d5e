"""Benchmark: plan, verify and write rail-optimized 3-tier fabrics of three sizes.

Run: ``.venv/bin/python benchmarks/bench_plan.py [--no-channels]``. Each size runs in a
fresh process so its peak memory (max RSS) is its own. A plan with any failing channel is
printed as FAILING with its findings and the benchmark exits 2: a fast plan that does not
pass its own checks is not a result. The largest is 131,072 GPUs
(16,384 nodes x 8 rails, radix-128 switches, 64-node scalable units): about 393,000 links.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (1024, 4096, 16384)  # nodes (x 8 GPUs)


def one(nodes: int, channels: bool) -> dict[str, float]:
    from mpokit.plan import ClusterSpec, make_plan, write_plan

    spec = ClusterSpec.model_validate({
        "cluster": {"name": f"bench-{nodes}", "nodes": nodes, "rails": 8, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 64, "tiers": 3,
                   "switch": {"ports": 128, "port_speed_gbps": 400, "cages": 64}},
    })
    t0 = time.perf_counter()
    plan = make_plan(spec)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_plan(plan, Path(tmp) / "out", channels=channels)
    t2 = time.perf_counter()
    links = sum(plan.summary["links"].values())
    return {"nodes": nodes, "gpus": nodes * 8, "links": links, "plan_s": t1 - t0,
            "write_s": t2 - t1, "total_s": t2 - t0, "links_per_s": links / (t2 - t0),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "errors": plan.summary["errors"], "findings": plan.summary["findings"]}


def main() -> None:
    channels = "--no-channels" not in sys.argv
    if "--one" in sys.argv:
        print(json.dumps(one(int(sys.argv[sys.argv.index("--one") + 1]), channels)))
        return
    print(f"{'GPUs':>8} {'links':>8} {'plan s':>7} {'write s':>8} {'total s':>8} "
          f"{'links/s':>9} {'peak MB':>8} {'failing':>8}")
    failing = 0
    for n in SIZES:
        cmd = [sys.executable, __file__, "--one", str(n)] + ([] if channels else ["--no-channels"])
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(f"{r['gpus']:>8,} {r['links']:>8,} {r['plan_s']:>7.2f} {r['write_s']:>8.2f} "
              f"{r['total_s']:>8.2f} {r['links_per_s']:>9,.0f} {r['peak_mb']:>8.0f} "
              f"{r['errors']:>8,}")
        if r["errors"]:
            failing += 1
            print(f"FAILING: {r['errors']} channels of the {r['gpus']:,}-GPU plan fail: "
                  f"{r['findings']}", file=sys.stderr)
    if failing:
        sys.exit(2)


if __name__ == "__main__":
    main()
