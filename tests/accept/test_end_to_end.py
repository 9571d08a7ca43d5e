"""A planned fabric, simulated field results and OTDR traces with injected faults: every
fault found, attributed to the element it was put in, and nothing else flagged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpokit.accept import (
    STATUSES,
    AcceptResult,
    Fault,
    PlanDesigns,
    parse_results_text,
    parse_sor,
    reconcile,
    simulate,
)
from mpokit.accept.simulate import type_swap_options


def _run(plan: PlanDesigns, faults: list[Fault], traced: tuple[int, ...] = ()) -> AcceptResult:
    sim = simulate(plan, faults, traced=traced, seed=len(faults))
    traces = [parse_sor(b, file=n) for n, b in sim.traces.items()]
    return reconcile(plan, parse_results_text(sim.csv, file="sim.csv"), traces)


def _check(plan: PlanDesigns, res: AcceptResult, faults: list[Fault]) -> None:
    status = res.status_names()
    flagged = {c for c, s in enumerate(status) if s != "pass"}
    expected: set[int] = set()
    for f in faults:
        if f.kind == "extra":
            assert (f"extra-{f.channel}:1 to nowhere:1", ()) in res.unexpected
            continue
        c = f.channel
        expected.add(c)
        sh = plan.shapes[int(plan.shape_of[plan.channels.design_of[c]])]
        found = res.findings.get(c, [])
        if f.kind == "missing":
            assert status[c] == "not_tested" and not found
        elif f.kind == "type_swap":
            assert status[c] == "polarity_mismatch"
            causes = found[0].details["likeliest_causes"]
            assert any(t.startswith(f"path[{f.point}] ") for t in causes), causes
        elif f.kind == "swapped_pair":
            live = np.flatnonzero(sh.live)[:2] + 1
            assert status[c] == "fiber_swap"
            assert found[0].details["fibers"] == live.tolist()
        else:
            point = sh.points[f.point]
            events = [x for x in found if x.code == "event_over_limit"]
            assert events and all(x.details["what"] == point.what for x in events), (
                [x.message for x in events], point.what)
            if f.kind == "reflective":
                assert status[c] == "event_over_limit"
                assert events[0].details["reflectance_db"] == -20.0
            else:  # dirty: +1 dB at that mating; over the worst-case budget or not
                assert status[c] in ("event_over_limit", "over_budget")
                assert events[0].details["loss_db"] > events[0].details["designed_loss_db"]
    assert flagged == expected, sorted(flagged ^ expected)
    assert len(res.unexpected) == sum(f.kind == "extra" for f in faults)


def test_the_issue_s_fault_set_on_a_planned_fabric(plan: PlanDesigns) -> None:
    multi = [c for c in range(len(plan.channels))
             if len(plan.shapes[int(plan.shape_of[plan.channels.design_of[c]])].points) > 2]
    c = multi[:5]
    faults = [Fault("type_swap", c[0], type_swap_options(plan, c[0])[-1]),
              Fault("swapped_pair", c[1]), Fault("dirty", c[2], 1),
              Fault("reflective", c[3], 2), Fault("missing", c[4]), Fault("extra", 1)]
    res = _run(plan, faults, traced=(multi[10], 0))
    _check(plan, res, faults)
    assert res.counts() == {"pass": len(plan.channels) - 5, "polarity_mismatch": 1,
                            "over_budget": 0, "fiber_swap": 1, "not_tested": 1,
                            "unexpected": 1, "event_over_limit": 2}
    # the dirty adapter says where and by how much, against its designed value
    msg = res.findings[c[2]][0].message
    assert msg.startswith("path[1] adapter") and "designed 0.75" in msg


@st.composite
def fault_sets(draw: st.DrawFn, plan: PlanDesigns) -> list[Fault]:
    n = len(plan.channels)
    chosen = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6, unique=True))
    faults = []
    for c in chosen:
        kind = draw(st.sampled_from(["type_swap", "swapped_pair", "dirty", "reflective",
                                     "missing"]))
        sh = plan.shapes[int(plan.shape_of[plan.channels.design_of[c]])]
        if kind == "type_swap":
            faults.append(Fault(kind, c, draw(st.sampled_from(type_swap_options(plan, c)))))
        elif kind in ("dirty", "reflective"):
            faults.append(Fault(kind, c, draw(st.integers(0, len(sh.points) - 1))))
        else:
            faults.append(Fault(kind, c))
    if draw(st.booleans()):
        faults.append(Fault("extra", draw(st.integers(0, 99))))
    return faults


def test_drawn_fault_sets_are_found_and_nothing_else(plan: PlanDesigns) -> None:
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fault_sets(plan))
    def run(faults: list[Fault]) -> None:
        _check(plan, _run(plan, faults), faults)

    run()


def test_statuses_cover_the_plan(plan: PlanDesigns, plan_dir: Path) -> None:
    res = _run(plan, [])
    assert res.ok and set(res.status_names()) == {"pass"}
    assert len(res.status) == len(plan.channels) == 384
    assert STATUSES[0] == "pass" and (plan_dir / "channels.yaml").is_file()
