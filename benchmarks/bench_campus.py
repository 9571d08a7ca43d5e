"""Benchmark: a 131,072-GPU plan with and without a campus layer, through the real CLI.

Run: ``.venv/bin/python benchmarks/bench_campus.py [--nodes N]``. The same cluster (16,384
nodes x 8 rails, radix-128 switches, 64-node scalable units, 3 tiers, single-mode between
tiers) is planned twice with ``mpokit plan SPEC -o DIR --json``: once plain, once with a
``site:`` section that puts the layout's halls into two buildings joined by a riser / duct
/ riser route. Each run is a fresh process; its wall time and peak memory (the child's
max RSS) are printed with the ratio. A run with failing channels is printed as FAILING and
the benchmark exits 2. The target: the campus layer stays within 2x of the plain plan.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml


def spec(nodes: int) -> dict[str, Any]:
    return {
        "cluster": {"name": f"bench-campus-{nodes}", "nodes": nodes, "rails": 8,
                    "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 64, "tiers": 3,
                   "switch": {"ports": 128, "port_speed_gbps": 400, "cages": 64}},
        "optics": {"leaf_spine": "SM", "spine_core": "SM"},
        "cabling": {"connector_grade": "low-loss"},
        "layout": {"rows_per_hall": 10},  # several halls: split between two buildings
    }


def split(data: dict[str, Any]) -> tuple[int, int]:
    """Hall count, and the split nearest the middle that cuts no node-leaf link.

    Buildings hold whole scalable units: node-to-leaf links stay multimode in-building.
    """
    import numpy as np

    from mpokit.plan.fabric import build_fabric
    from mpokit.plan.layout import build_layout
    from mpokit.plan.spec import ClusterSpec

    s = ClusterSpec.model_validate(data)
    fab = build_fabric(s)
    lay = build_layout(s, fab)
    n = int(lay.rack_hall.max()) + 1
    hall = lay.rack_hall[lay.dev_rack]
    ls = fab.links["node_leaf"]
    ha, hb = hall[ls.a_dev], hall[ls.b_dev]
    lo, hi = np.minimum(ha, hb), np.maximum(ha, hb)
    ok = [k for k in range(1, n) if not ((lo < k) & (hi >= k)).any()]
    if not ok:
        raise SystemExit("no hall boundary leaves every scalable unit in one building")
    return n, min(ok, key=lambda k: abs(k - n / 2))


def site(n_halls: int, half: int) -> dict[str, Any]:
    return {
        "buildings": [{"name": "B1", "halls": list(range(1, half + 1)),
                       "hall_environment": "plenum"},
                      {"name": "B2", "halls": list(range(half + 1, n_halls + 1))}],
        "routes": [{"name": "B1-B2", "between": ["B1", "B2"], "spare_percent": 10,
                    "segments": [
                        {"name": "B1 riser", "environment": "riser", "length_m": 15},
                        {"name": "duct", "environment": "duct", "length_m": 60,
                         "temperature_c": [-20, 35]},
                        {"name": "B2 riser", "environment": "riser", "length_m": 15}]}],
    }


def one(path: str) -> None:
    """Child: run the CLI once, print wall time and the CLI process's peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "mpokit", "plan", path, "-o",
                            str(Path(tmp) / "out"), "--json"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if r.returncode not in (0, 2):
        print(json.dumps({"error": r.stderr[-2000:]}))
        return
    s = json.loads(r.stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "peak_mb": peak, "errors": s["errors"],
                      "channels": s["channels"], "campus": s.get("campus")}))


def main() -> None:
    if "--one" in sys.argv:
        one(sys.argv[sys.argv.index("--one") + 1])
        return
    nodes = int(sys.argv[sys.argv.index("--nodes") + 1]) if "--nodes" in sys.argv else 16384
    plain = spec(nodes)
    with_site = {**plain, "site": site(*split(plain))}
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("plain", plain), ("campus", with_site)):
            f = Path(tmp) / f"{name}.yaml"
            f.write_text(yaml.safe_dump(data, sort_keys=False))
            r = subprocess.run([sys.executable, __file__, "--one", str(f)], check=True,
                               capture_output=True, text=True)
            out[name] = json.loads(r.stdout)
    failing = False
    for name, r in out.items():
        if "error" in r:
            print(f"{name}: input error: {r['error']}", file=sys.stderr)
            sys.exit(1)
        print(f"{name:>7}: {nodes * 8:,} GPUs, {r['channels']:,} channels, "
              f"{r['wall_s']:.2f} s, peak {r['peak_mb']:.0f} MB, failing {r['errors']:,}")
        failing |= bool(r["errors"])
    routes = out["campus"]["campus"]["routes"]
    for rt in routes:
        print(f"  route {rt['route']}: {rt['channels']:,} channels, {rt['cables']} x "
              f"{rt['construction']}, worst cold/hot margin {rt['worst_cold_margin_db']} / "
              f"{rt['worst_hot_margin_db']} dB")
    ratio = out["campus"]["wall_s"] / out["plain"]["wall_s"]
    print(f"campus / plain: {ratio:.2f}x time, "
          f"{out['campus']['peak_mb'] / out['plain']['peak_mb']:.2f}x peak memory")
    if failing:
        print("FAILING: a plan has failing channels", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
