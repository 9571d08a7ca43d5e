"""Reconciliation of single-cord links: each status, and the input it refuses."""

from __future__ import annotations

import numpy as np
import pytest

from mpokit.accept import STATUSES, parse_results_text, reconcile
from mpokit.accept.causes import explain, substitutions
from mpokit.errors import InputError
from tests.accept.conftest import HEADER, TYPE_B, cord_plan, rows


def _status(plan, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return reconcile(plan, parse_results_text(HEADER + text, file="r.csv")).status_names()


def test_design_as_built_passes() -> None:
    plan = cord_plan()
    res = reconcile(plan, parse_results_text(HEADER + rows("x", TYPE_B) + rows("y", TYPE_B)))
    assert res.status_names() == ["pass", "pass"] and res.ok and not res.findings


def test_type_a_cord_for_type_b_is_a_polarity_mismatch_with_its_cause() -> None:
    plan = cord_plan()
    res = reconcile(plan, parse_results_text(HEADER + rows("x", list(range(1, 13)))
                                             + rows("y", TYPE_B)))
    assert res.status_names() == ["polarity_mismatch", "pass"]
    f = res.findings[0][0]
    assert f.at == 0 and f.details["likeliest_causes"] == [
        "path[0] cord as Type A instead of Type B"]
    assert f.details["measured_map"].startswith("1>1 2>2")
    assert f.details["designed_map"].startswith("1>12 2>11")


def test_swapped_pair_is_a_fiber_swap_naming_both_fibers() -> None:
    far = TYPE_B.copy()
    far[2], far[3] = far[3], far[2]
    res = reconcile(cord_plan(), parse_results_text(HEADER + rows("x", far) + rows("y", TYPE_B)))
    assert res.status_names() == ["fiber_swap", "pass"]
    assert res.findings[0][0].details["fibers"] == [3, 4]


def test_loss_over_the_designed_budget_and_open_fibers() -> None:
    plan = cord_plan()
    designed = float(plan.designed_db(850)[0])
    text = rows("x", TYPE_B, loss=round(designed + 0.05, 2)) + rows("y", [*TYPE_B[:11], "open"])
    res = reconcile(plan, parse_results_text(HEADER + text))
    assert res.status_names() == ["over_budget", "over_budget"]
    assert "designed 1.52 dB" in res.findings[0][0].message
    assert res.findings[1][0].message == "fiber 12 at 850 nm: no continuity"
    # a tolerance the user gives lifts the budget, never silently
    res2 = reconcile(plan, parse_results_text(HEADER + rows("x", TYPE_B, loss=round(
        designed + 0.05, 2)) + rows("y", TYPE_B)), tolerance_db=0.1)
    assert res2.status_names() == ["pass", "pass"]


def test_not_tested_and_unexpected_with_suggestions() -> None:
    plan = cord_plan(("node01:1 to leaf01:1", "node01:2 to leaf02:1"))
    res = reconcile(plan, parse_results_text(HEADER + rows("node01:1 to leaf01:1", TYPE_B)
                                             + rows("node01:1 to leaf01:01", TYPE_B)))
    assert res.status_names() == ["pass", "not_tested"]
    assert res.unexpected == (("node01:1 to leaf01:01", ("node01:1 to leaf01:1",)),)
    assert res.counts()["unexpected"] == 1 and not res.ok


def test_partial_fiber_set_is_refused_naming_the_missing_fibers() -> None:
    with pytest.raises(InputError, match=r"'x' at 850 nm: results for 10 of 12 fibers; "
                                         r"missing fiber\(s\) 11, 12") as exc:
        _status(cord_plan(), rows("x", TYPE_B[:10]))
    assert exc.value.file == "r.csv" and exc.value.line == 2


def test_a_fiber_the_link_does_not_have_is_refused() -> None:
    with pytest.raises(InputError, match="fiber 13 is not a fiber of this link"):
        _status(cord_plan(), rows("x", TYPE_B) + "x,13,850,0.3,7,1,PASS\n")


def test_one_fiber_at_two_places_is_refused() -> None:
    text = rows("x", TYPE_B) + rows("x", [1, *TYPE_B[1:]], wl=1300)
    with pytest.raises(InputError, match="reaches different far positions"):
        _status(cord_plan(), text)


def test_every_substitution_is_what_the_model_compiles() -> None:
    plan = cord_plan(kind="A")
    sh = plan.shapes[0]
    subs = substitutions(sh.channel)
    assert [s.text for s in subs] == ["path[0] cord as Type B instead of Type A",
                                      "path[0] cord as Type C instead of Type A"]
    measured = np.stack([s.map for s in subs])
    assert explain(measured, subs, sh.live) == [[s.text] for s in subs]


def test_statuses_are_the_issue_s_seven() -> None:
    assert set(STATUSES) == {"pass", "polarity_mismatch", "over_budget", "fiber_swap",
                             "not_tested", "unexpected", "event_over_limit"}
