"""Optics are chosen by reach, then by loss: a link whose budget would not hold with the
shorter-reach optic moves on to the next one."""

from __future__ import annotations

import numpy as np

from mpokit.plan import ClusterSpec, make_plan
from mpokit.plan.catalog import plan_catalog
from mpokit.plan.optics import candidates, choose, loss_feasible


def test_budget_moves_a_link_to_the_next_optic() -> None:
    opts = candidates(plan_catalog(), 400, "auto", None, twin=True)
    assert [o.name for o in opts][:2] == ["400G-SR4", "400G-DR4"]
    length = np.array([45.0, 45.0])
    # two grade D panels (1.0 dB each, worst) + 45 m of OM4 at 3 dB/km = 2.135 dB > 1.9 dB
    fixed = np.array([0.0, 2.0])
    choice, over = choose(opts, length, loss_feasible(opts, length, fixed))
    assert choice.tolist() == [0, 1] and not over.any()


def test_no_feasible_optic_keeps_the_reach_choice() -> None:
    opts = candidates(plan_catalog(), 400, "auto", None, twin=True)
    length = np.array([10.0])
    choice, _ = choose(opts, length, loss_feasible(opts, length, np.array([9.0])))
    assert choice.tolist() == [0]


def test_poor_connector_grade_turns_structured_links_single_mode() -> None:
    base = {"cluster": {"name": "su1", "nodes": 31, "rails": 8, "nic_speed_gbps": 400},
            "fabric": {"scalable_unit": 32,
                       "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}}}
    good = make_plan(ClusterSpec.model_validate(base)).summary
    poor = make_plan(ClusterSpec.model_validate(
        {**base, "cabling": {"connector_grade": "D"}})).summary
    assert "800G-2xDR4" not in good["transceivers"]
    # leaf-spine runs through two panels: with grade D plugs SR4 would be over budget
    assert poor["transceivers"]["800G-2xDR4"] == 256
    assert poor["errors"] == 0 and good["errors"] == 0
