"""Trunk labels name both real ends: walk every trunk of a plan and check that the panel
ports its label names are exactly the ports its legs land on (where the cords arrive), at
the rack units where those panels sit.

    [leaf] --cord-- [R1.U48 PP01-07] ==trunk PP01-01..PP02-24== [R2.U48 PP01-..] --cord-- [spine]
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mpokit.plan import load_spec, make_plan
from mpokit.plan.outputs import cutsheet_table

ROOT = Path(__file__).resolve().parents[2]
RANGE = re.compile(r"^PP(\d+)-(\d+)(?:\.\.(?:PP(\d+)-)?(\d+))?$")


def _ports(text: str, per_panel: int) -> list[tuple[int, int]]:
    """Expand ``PP05-25..PP06-16`` (or ``PP01-03..09``, ``PP02-17``) to (panel, port) pairs."""
    m = RANGE.match(text)
    assert m, text
    p0, u0 = int(m[1]), int(m[2])
    p1 = int(m[3]) if m[3] else p0
    u1 = int(m[4]) if m[4] else u0
    first, last = (p0 - 1) * per_panel + u0 - 1, (p1 - 1) * per_panel + u1 - 1
    return [(k // per_panel + 1, k % per_panel + 1) for k in range(first, last + 1)]


@pytest.mark.parametrize("example", ["superpod-4su.yaml", "ocs-spine.yaml",
                                     "fat-tree-3tier.yaml"])
def test_every_trunk_label_names_the_ports_its_legs_land_on(example: str) -> None:
    plan = make_plan(load_spec(ROOT / "examples" / "cluster" / example))
    per_panel = plan.catalog.mpo_panel.adapters
    t = cutsheet_table(plan).to_pylist()
    trunks = [r for r in t if r["kind"] == "trunk"]
    assert trunks
    # where cords arrive at panels: (rack, panel, port) -> RU
    landing: dict[tuple[str, int, int], int] = {}
    for r in t:
        if r["kind"] != "cord":
            continue
        for side in ("a", "b"):
            if r[f"{side}_device"] is None:  # a panel end
                (panel, port), = _ports(r[f"{side}_port"], per_panel)
                landing[(r[f"{side}_rack"], panel, port)] = r[f"{side}_ru"]
    covered: Counter[tuple[str, int, int]] = Counter()
    for r in trunks:
        a_txt, b_txt = r["label"].split("/")
        assert a_txt == f"{r['a_rack']}.U{r['a_ru']:02d}:{r['a_port']}"
        assert b_txt == f"{r['b_rack']}.U{r['b_ru']:02d}:{r['b_port']}"
        a_ports = _ports(r["a_port"], per_panel)
        assert len(a_ports) == r["legs"]
        for panel, port in a_ports:
            key = (r["a_rack"], panel, port)
            assert key in landing, f"trunk {r['label']}: nothing lands on {key}"
            covered[key] += 1
        # the end's RU is the RU of its first panel, where its first cord lands
        assert r["a_ru"] == landing[(r["a_rack"], *a_ports[0])] > 0
        if r["b_device"] is None:  # panel to panel
            b_ports = _ports(r["b_port"], per_panel)
            assert len(b_ports) == r["legs"]
            for panel, port in b_ports:
                covered[(r["b_rack"], panel, port)] += 1
            assert r["b_ru"] == landing[(r["b_rack"], *b_ports[0])] > 0
        else:  # into a device (an OCS): its real RU and a port range
            assert r["b_ru"] > 0 and re.fullmatch(r"\d+(\.\.\d+)?", r["b_port"])
    # every panel port a cord lands on is the end of exactly one trunk leg
    assert set(covered) == set(landing)
    assert set(covered.values()) == {1}
    assert int(np.sum([r["legs"] for r in trunks])) * 2 >= len(landing)


def test_mpo_and_cassette_panels_in_one_rack_get_distinct_numbers_and_units() -> None:
    """Far halls get duplex FR4 through cassettes beside DR4 through MPO panels, so the
    spine racks hold both panel models: one numbering and one RU sequence per rack (both
    started at PP01 / U48 before)."""
    from mpokit.plan import ClusterSpec
    from tests.plan.test_halls_duplex import SPEC

    plan = make_plan(ClusterSpec.model_validate(SPEC))
    assert len(plan.cabling.rack_panels) == 2  # MPO panels and cassette enclosures
    ru_of: dict[tuple[str, str], set[int]] = {}
    panels_at: dict[tuple[str, int], set[str]] = {}
    for r in cutsheet_table(plan).to_pylist():
        if r["kind"] != "cord":
            continue
        for side in ("a", "b"):
            if r[f"{side}_device"] is None:
                panel = r[f"{side}_port"].split("-")[0]
                ru_of.setdefault((r[f"{side}_rack"], panel), set()).add(r[f"{side}_ru"])
                panels_at.setdefault((r[f"{side}_rack"], r[f"{side}_ru"]), set()).add(panel)
    assert all(len(v) == 1 for v in ru_of.values())
    assert all(len(v) == 1 for v in panels_at.values())
    racks_with_both = {rack for (rack, _), _ in ru_of.items()}
    assert racks_with_both
    # panel counts per model still add up to the panels numbered in each rack
    total = sum(v for v in plan.cabling.rack_panels.values())
    assert np.array_equal(total, plan.cabling.rack_panel_total)
