"""Deterministic budgets: hand sums, precedence, findings and array forms.

Channels are drawn A to B; ``(x)`` marks an MDI mating, which is not part of the
channel insertion loss::

    (x) [cord B] --adapter-- [trunk A] --adapter-- [cord A] (x)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpokit.connectivity.io import read_channels
from mpokit.connectivity.model import compile_channel
from mpokit.errors import InputError
from mpokit.loss import budget, budget_arrays, budget_batch, budget_for_check, channel_limit
from tests.loss.conftest import dr4, make


def codes(ch: Any) -> set[str]:
    return {f.code for f in budget(ch).findings}


def test_example_dr4_hand_sum(examples: Any) -> None:
    ch = compile_channel(read_channels(examples / "dr4-two-panels.yaml")[0])
    b = budget(ch)
    assert b.total_db == pytest.approx(0.7624, abs=1e-9)  # hand sum in the file
    assert b.margin_db == pytest.approx(3.0 - 0.7624)
    assert b.length_m == 156 and b.connections == 2
    assert b.findings == ()
    assert b.lanes_db.shape == (8,) and np.all(b.lanes_db == b.total_db)


def test_example_sr8_over_budget(examples: Any) -> None:
    ch = compile_channel(read_channels(examples / "sr8-over-budget.yaml")[0])
    b = budget(ch)
    assert b.total_db == pytest.approx(2.035) and b.nominal_db == pytest.approx(1.535)
    (f,) = b.findings
    assert (f.code, f.severity) == ("loss", "error")
    assert f.fix == "use grade low-loss connectors at path[1] and path[3] (saves 0.30 dB)"


def test_example_cassette_splice_ocs(examples: Any) -> None:
    chans = [compile_channel(s) for s in read_channels(examples / "cassette-splice-ocs.yaml")]
    cas, ocs = (budget(c) for c in chans)
    assert cas.total_db == pytest.approx(1.634) and cas.connections == 4 and cas.findings == ()
    assert ocs.total_db == pytest.approx(2.503) and ocs.splices == 1
    (f,) = ocs.findings
    # over a typical limit is still a failure; the message says the limit is typical
    assert (f.code, f.severity, f.at) == ("reach", "error", 2)
    assert "typical" in f.message and f.fix == "shorten path[2] below 194 m"


def test_mdi_matings_are_not_in_the_loss() -> None:
    ch = dr4({"adapter": {"type": "A", "loss_db": 0.3}})
    assert [m.kind for m in ch.matings] == ["mdi", "adapter", "mdi"]
    b = budget(ch)
    assert [p.kind for p in b.parts] == ["cord", "adapter", "cord"]
    assert b.connection_db == pytest.approx(0.3) and b.connections == 1


def test_direct_cord_has_only_fiber_loss() -> None:
    ch = make({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
        {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 10,
                  "attenuation_db_per_km": 0.5}}]})
    b = budget(ch)
    assert [p.kind for p in b.parts] == ["cord"]
    assert b.total_db == pytest.approx(0.005) and b.connections == 0


def test_grade_precedence() -> None:
    # loss_db beats the adapter's grade beats the plugs' grades beats the default
    assert budget(dr4({"adapter": {"type": "A", "loss_db": 0.11, "grade": "D"}},
                      grade="C")).connection_db == pytest.approx(0.11)
    assert budget(dr4({"adapter": {"type": "A", "grade": "B"}},
                      grade="C")).connection_db == pytest.approx(0.25)
    assert budget(dr4({"adapter": {"type": "A"}}, grade="C")).connection_db == pytest.approx(0.5)
    assert budget(dr4({"adapter": {"type": "A"}})).connection_db == pytest.approx(0.75)
    part = budget(dr4({"adapter": {"type": "A"}})).parts[1]
    assert part.basis == "default grade TIA" and part.status == "verified"


def test_worse_plug_sets_the_pair_grade() -> None:
    ch = make({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
        {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 1,
                  "grade": ["A", "B"]}},
        {"adapter": {"type": "A"}},
        {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 1,
                  "grade": "C"}}]})
    p = budget(ch).parts[1]
    assert (p.grade, p.loss_db, p.nominal_db) == ("C", 0.5, 0.25)


def _cassettes(loss: float | None) -> Any:
    cas: dict[str, Any] = {"model": "MPO12-LC6-A", "port": 1}
    if loss is not None:
        cas["loss_db"] = loss
    return make({"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [
        {"cord": {"connector": "LC", "type": "A-B", "fiber": "OM4", "length_m": 0,
                  "grade": "C"}},
        {"cassette": cas},
        {"trunk": {"connector": "MPO-12", "type": "A", "ends": ["female", "female"],
                   "fiber": "OM4", "length_m": 0, "grade": "B"}},
        {"cassette": cas},
        {"cord": {"connector": "LC", "type": "A-A", "fiber": "OM4", "length_m": 0,
                  "grade": "C"}}]})


def test_cassette_with_loss_counts_once() -> None:
    b = budget(_cassettes(0.6))
    assert b.total_db == pytest.approx(1.2) and b.connections == 4
    assert len([p for p in b.parts if p.kind == "cassette"]) == 2


def test_cassette_without_loss_is_two_graded_matings() -> None:
    b = budget(_cassettes(None))
    cas = [p for p in b.parts if p.kind == "cassette"]
    assert [(p.at, p.grade) for p in cas] == [(1, "C"), (1, "B"), (3, "B"), (3, "C")]
    assert b.total_db == pytest.approx(2 * (0.5 + 0.25))


def test_splice_and_ocs_defaults() -> None:
    b = budget(dr4({"adapter": {"type": "A", "loss_db": 0.2}},
                   {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 0}},
                   {"splice": {}},
                   {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 0}},
                   {"ocs": {}}, att=0.0))
    by_kind = {p.kind: p for p in b.parts}
    assert by_kind["splice"].loss_db == 0.3 and by_kind["splice"].basis == "default grade fusion"
    assert by_kind["ocs"].loss_db == 2.0
    assert b.total_db == pytest.approx(0.2 + 0.3 + 2.0)


def test_loss_finding_and_fix() -> None:
    ch = dr4(*[{"adapter": {"type": "A"}}] * 1, length_m=1, grade="D")
    assert budget(ch).total_db == pytest.approx(1.0 + 0.0008)
    ch = make({"a": "800GBASE-DR8", "b": "800GBASE-DR8", "path": [
        {"cord": {"connector": "MPO-16", "type": "B", "fiber": "OS2", "length_m": 2,
                  "grade": "D"}},
        {"adapter": {"type": "A"}},
        {"trunk": {"connector": "MPO-16", "type": "A", "fiber": "OS2", "length_m": 100,
                   "grade": "D"}},
        {"adapter": {"type": "A"}},
        {"trunk": {"connector": "MPO-16", "type": "A", "fiber": "OS2", "length_m": 100,
                   "grade": "D", "ends": ["female", "male"]}},
        {"adapter": {"type": "A"}},
        {"cord": {"connector": "MPO-16", "type": "A", "fiber": "OS2", "length_m": 2,
                  "grade": "D"}}]})
    b = budget(ch)
    (f,) = b.findings
    assert (f.code, f.severity) == ("loss", "error")  # 800GBASE-DR8 limit is verified
    assert "3 dB limit" in f.message and "(typical)" not in f.message
    # 3 x 1.0 dB + 204 m x 0.4 dB/km = 3.0816 dB; TIA 0.75 saves 0.75 dB
    assert b.total_db == pytest.approx(3.0816)
    assert f.fix == "use grade TIA connectors at path[1], path[3] and path[5] (saves 0.75 dB)"


def test_over_a_typical_limit_fails_and_says_the_limit_is_typical() -> None:
    ch = dr4(*[{"adapter": {"type": "A", "loss_db": 1.5}}] * 1,
             {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2", "length_m": 1}},
             {"adapter": {"type": "A", "loss_db": 1.5}})
    (f,) = budget(ch).findings
    assert (f.code, f.severity) == ("loss", "error")
    assert "(typical)" in f.message


def test_reach_and_fiber_type_findings() -> None:
    ch = make({"a": "400GBASE-SR8", "b": "400GBASE-SR8", "path": [
        {"cord": {"connector": "MPO-16", "type": "B", "polish": "APC", "fiber": "OM4",
                  "length_m": 130, "attenuation_db_per_km": 1.0}}]})
    (f,) = budget(ch).findings
    assert (f.code, f.severity, f.at) == ("reach", "error", 0)
    assert f.fix == "shorten path[0] below 100 m"
    ch = make({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
        {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OM4", "length_m": 3}}]})
    (f,) = budget(ch).findings
    assert (f.code, f.severity, f.at) == ("fiber_type", "error", 0)
    assert f.fix == "use OS2 cable at path[0]"


def test_reach_fix_suggests_better_fiber() -> None:
    ch = make({"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [
        {"cord": {"connector": "LC", "type": "A-B", "fiber": "OM3", "length_m": 350}}]})
    (f,) = budget(ch).findings
    assert f.code == "reach" and "use OM4 fiber (reach 400 m)" in (f.fix or "")


def test_reflectance_two_reflections_pass_three_fail() -> None:
    def chan(n: int) -> Any:
        mid: list[dict[str, Any]] = []
        for i in range(n):
            if i:
                mid.append({"trunk": {"connector": "MPO-12", "type": "A", "fiber": "OS2",
                                      "length_m": 1, "ends": ["female", "male"]}})
            mid.append({"adapter": {"type": "A", "loss_db": 0.1, "reflectance_db": -33}})
        return dr4(*mid)
    assert "reflectance" not in codes(chan(2))  # 2 x -33 dB <= -31 dB
    f = next(x for x in budget(chan(3)).findings if x.code == "reflectance")
    assert f.severity == "warning"  # the DR4 table is typical
    assert "3 discrete reflections" in f.message and "-35 dB" in f.message


def test_unknown_grade_names_the_field() -> None:
    with pytest.raises(InputError) as exc:
        budget(dr4({"adapter": {"type": "A"}}, grade="BB"))
    assert exc.value.field == "path[0].cord.grade"
    assert "did you mean" in (exc.value.fix or "") and "'B'" in (exc.value.fix or "")
    with pytest.raises(InputError) as exc:
        budget(dr4({"adapter": {"type": "A", "grade": "low_loss"}}))
    assert exc.value.field == "path[1].adapter.grade" and "low-loss" in (exc.value.fix or "")


def test_budget_for_check_contract() -> None:
    d, findings = budget_for_check(dr4({"adapter": {"type": "A", "loss_db": 0.5}}))
    for key in ("total_db", "limit_db", "margin_db", "length_m", "reach_m", "connections",
                "breakdown"):
        assert key in d
    assert d["total_db"] == 0.5024 and d["limit_status"] == "typical" and findings == []
    assert [p["at"] for p in d["breakdown"]] == ["path[0]", "path[1]", "path[2]"]


# -- explicit values: total == hand sum, verdict == limit ---------------------------------

@settings(max_examples=60, deadline=None)
@given(
    losses=st.lists(st.floats(0, 1.5, allow_nan=False), min_size=1, max_size=5),
    lengths=st.lists(st.floats(0, 400, allow_nan=False), min_size=6, max_size=6),
    att=st.floats(0, 3.5, allow_nan=False),
    splice=st.one_of(st.none(), st.floats(0, 0.5, allow_nan=False)),
)
def test_explicit_values_match_hand_sum(
    losses: list[float], lengths: list[float], att: float, splice: float | None
) -> None:
    path: list[dict[str, Any]] = []
    runs: list[float] = []

    def cable(kind: str, t: str, ends: list[str] | None = None) -> None:
        c: dict[str, Any] = {"connector": "MPO-12", "type": t, "fiber": "OS2",
                             "length_m": lengths[len(runs)], "attenuation_db_per_km": att}
        if ends:
            c["ends"] = ends
        runs.append(c["length_m"])
        path.append({kind: c})

    cable("cord", "B")
    for i, loss in enumerate(losses):
        path.append({"adapter": {"type": "A", "loss_db": loss}})
        last = i == len(losses) - 1
        cable("cord", "A", None if last else ["female", "male"])
    if splice is not None:
        path.insert(1, {"splice": {"loss_db": splice}})
        path[0]["cord"]["ends"] = ["female", "female"]
        path.insert(2, {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OS2",
                                 "length_m": 0, "attenuation_db_per_km": att,
                                 "ends": ["female", "male"]}})
    ch = make({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": path})
    hand = sum(losses) + (splice or 0.0) + sum(runs) / 1000.0 * att
    b = budget(ch)
    assert abs(b.total_db - hand) < 0.01
    assert b.total_db == pytest.approx(hand, abs=1e-9)
    lim = channel_limit("400GBASE-DR4", "OS2")
    assert lim is not None
    loss_bad = any(f.code == "loss" for f in b.findings)
    assert loss_bad == (hand > lim.max_il_db + 1e-9)
    reach_bad = any(f.code == "reach" for f in b.findings)
    assert reach_bad == (sum(runs) > lim.reach_m + 1e-9)


# -- array forms -------------------------------------------------------------------------

def test_budget_batch_matches_budget() -> None:
    design = dr4({"adapter": {"type": "A", "loss_db": 0.5}},
                 {"trunk": {"connector": "MPO-12", "type": "A", "fiber": "OS2",
                            "length_m": 100, "ends": ["female", "male"]}},
                 {"adapter": {"type": "A", "grade": "B"}}, att=None)
    rng = np.random.default_rng(3)
    lengths = rng.uniform(0, 400, size=(20, 3))
    lengths[0] = [1, 2000, 1]  # too long
    res = budget_batch(design, lengths)
    for i in (0, 1, 7):
        path = [dict(el) for el in design.spec.model_dump(exclude_none=True)["path"]]
        for k, at in enumerate(r.at for r in design.runs):
            kind = next(iter(path[at]))
            path[at] = {kind: {**path[at][kind], "length_m": float(lengths[i, k])}}
        b = budget(make({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": path}))
        assert res.total_db[i] == pytest.approx(b.total_db)
        # batch ``ok`` is strict on the numbers, whatever the limit's status
        assert bool(res.ok[i]) == (not any(f.code in ("loss", "reach") for f in b.findings))
    assert not res.ok[0]
    with pytest.raises(InputError):
        budget_batch(design, lengths[:, :2])


def test_budget_arrays() -> None:
    r = budget_arrays(np.array([[0.5, 0.5], [0.75, 0.75]]), np.array([[100.0], [100.0]]),
                      3.0, 1.9, 100.0)
    assert r.total_db.tolist() == pytest.approx([1.3, 1.8])
    assert r.ok.tolist() == [True, True]
    r = budget_arrays(np.array([[1.0]]), np.array([[101.0]]), 0.0, 1.9, 100.0)
    assert r.ok.tolist() == [False]


def test_a_shared_budget_shape_gives_the_budget_of_each_length() -> None:
    """Channels that differ only in lengths share the length-independent half of the budget;
    the budget built on the shared half equals the one built from scratch, also when the
    new lengths bring loss and reach findings the first channel did not have."""
    from mpokit.loss.budget import budget_shape
    from tests.verify.test_channels import SEEDS, relength

    assert SEEDS
    over = 0
    for spec in SEEDS:
        try:
            first = compile_channel(spec)
            shape = budget_shape(first)
        except InputError:
            continue  # a seed the budget refuses (e.g. an unknown grade) has no shape
        for factor in (0.5, 3.0, 80.0):
            ch = first.with_spec(relength(spec, factor))
            shared, alone = budget(ch, shape), budget(compile_channel(ch.spec))
            assert shared == alone
            assert budget_for_check(ch, shape) == budget_for_check(ch)
            over += any(f.code in ("loss", "reach") for f in alone.findings)
    assert over  # the lengths moved some channels over their limits
