"""Outputs: summary keys, BOM vs cut sheet, channels.yaml re-verified by mpokit check."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mpokit.connectivity.io import read_channels
from mpokit.plan import load_spec, make_plan, write_plan
from mpokit.verify import check_channel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "cluster"


@pytest.fixture(scope="module")
def superpod(tmp_path_factory):
    p = make_plan(load_spec(EXAMPLES / "superpod-4su.yaml"))
    out = write_plan(p, tmp_path_factory.mktemp("plan") / "out")
    return p, out


def test_summary_keys(superpod):
    _, out = superpod
    s = json.loads((out / "summary.json").read_text())
    for key in ("switches", "links", "transceivers", "cables", "fibers_total", "mt_ferrules",
                "findings", "channels_checked"):
        assert key in s
    assert s["switches"] == {"leaf": 32, "spine": 16, "core": 0}
    assert s["links"] == {"node_leaf": 1020, "leaf_spine": 1024, "spine_core": 0}
    assert s["channels_checked"] == 2044
    assert s["findings"] == {}


def test_transceivers_match_ports(superpod):
    p, _ = superpod
    t = p.summary["transceivers"]
    # DGX H100 nodes (node_cage: twin): one flat-top twin-port module per node cage (127
    # nodes x 4 cages); the 4 UFM links single-port; switch twin modules: leaf 32 x
    # (16 down + 16 up) cages, spine 16 x 32 cages
    assert sum(v for k, v in t.items() if k.startswith("400GBASE")) == 4
    assert sum(v for k, v in t.items() if k.endswith("-FLT")) == 127 * 4
    assert sum(v for k, v in t.items() if k.startswith("800G") and not k.endswith("-FLT")) == (
        32 * 32 + 16 * 32)


def test_bom_matches_cutsheet(superpod):
    _, out = superpod
    with open(out / "cutsheet.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == pq.read_table(out / "cutsheet.parquet").num_rows
    by_part = Counter((r["part"], float(r["length_m"])) for r in rows)
    with open(out / "bom.csv", newline="") as fh:
        bom = list(csv.DictReader(fh))
    cables = {(b["item"], float(b["length_m"])): int(b["quantity"])
              for b in bom if b["category"] in ("cord", "trunk", "breakout", "dac", "acc")}
    assert cables == dict(by_part)
    labels = [r["label"] for r in rows]
    assert len(set(labels)) == len(labels)
    # every link: direct cord (node-leaf) or cord + trunk leg + cord (leaf-spine)
    cords = sum(1 for r in rows if r["kind"] == "cord")
    assert cords == 1020 + 2 * 1024
    legs = sum(int(r["legs"]) for r in rows if r["kind"] == "trunk")
    assert legs == 1024
    fiber_m = sum(float(r["length_m"]) * int(r["fibers"]) for r in rows)
    fiber_row = next(b for b in bom if b["category"] == "fiber")
    assert float(fiber_row["quantity"]) == pytest.approx(fiber_m)


def test_channels_yaml_passes_check(superpod):
    _, out = superpod
    specs = read_channels(out / "channels.yaml")
    assert len(specs) == 2044
    for s in specs[:: 97]:
        assert check_channel(s).ok


@pytest.mark.parametrize("name", ["superpod-1su", "fat-tree-3tier", "ocs-spine"])
def test_examples_pass(name):
    p = make_plan(load_spec(EXAMPLES / f"{name}.yaml"))
    assert p.ok, p.summary["findings"]
    assert p.summary["channels_checked"] == p.summary["channels"]


def test_ocs_channels_include_ocs_loss():
    p = make_plan(load_spec(EXAMPLES / "ocs-spine.yaml"))
    ocs = [d for d in p.cabling.designs if d.mode == "ocs"]
    assert ocs and all(any(k == "ocs" for k, _, _ in d.elements) for d in ocs)
    assert sum(d.n_channels for d in ocs) == 512 // 2
    assert p.summary["spine_kind"] == "ocs"


def test_breakout_example_counts():
    p = make_plan(load_spec(EXAMPLES / "breakout.yaml"))
    s = p.summary
    assert s["links"]["node_leaf"] == 256
    assert s["cables"]["MPO16-2xMPO8 breakout"] == 128
    # 128 harness-side modules + both ends of the 128 leaf-spine 800G links
    assert s["transceivers"]["800GBASE-DR8"] == 128 + 2 * 128
    assert s["transceivers"]["400GBASE-DR4"] == 256


def test_tester_limits_match_the_channels_and_their_budgets(tmp_path):
    import yaml

    from mpokit.connectivity import parse_channels
    from mpokit.plan import ClusterSpec

    spec = ClusterSpec.model_validate({
        "cluster": {"name": "su1", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
        "fabric": {"scalable_unit": 32,
                   "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}})
    out = write_plan(make_plan(spec), tmp_path / "p")
    rows = list(csv.DictReader((out / "tester_limits.csv").open()))
    chans = yaml.safe_load((out / "channels.yaml").read_text())["channels"]
    assert [r["channel"] for r in rows] == [c["name"] for c in chans]
    # spot-check: the designed loss of a structured channel is its full budget
    i = next(k for k, r in enumerate(rows) if r["link_class"] == "leaf_spine")
    res = check_channel(parse_channels(chans[i])[0])
    assert float(rows[i]["designed_db"]) == round(res.extra["loss"]["total_db"], 3)
    assert float(rows[i]["limit_db"]) == res.extra["loss"]["limit_db"]
    assert rows[i]["polarity"].startswith("a>b ")
