"""ISO 2859-1 sampling plans (tables as data), sample drawing and switching rules."""

from __future__ import annotations

import pytest

from mpokit.errors import InputError
from mpokit.store.sampling import (
    SwitchingState,
    _tables,
    code_letter,
    draw_sample,
    plan_for,
)


@pytest.mark.parametrize(("lot", "level", "letter"), [
    (8, "II", "A"), (9, "II", "B"), (150, "II", "F"), (151, "II", "G"), (1200, "I", "G"),
    (3200, "III", "L"), (35000, "II", "M"), (500001, "II", "Q"), (50, "S-4", "C"),
])
def test_table_one_code_letters(lot: int, level: str, letter: str) -> None:
    assert code_letter(lot, level) == letter


@pytest.mark.parametrize(("lot", "aql", "severity", "plan"), [
    (2000, 1.0, "normal", ("K", 125, 3, 4)),
    (1000, 1.0, "normal", ("J", 80, 2, 3)),
    (1000, 2.5, "normal", ("J", 80, 5, 6)),
    (3000, 2.5, "normal", ("K", 125, 7, 8)),
    (5000, 4.0, "normal", ("L", 200, 14, 15)),
    (5000, 2.5, "normal", ("L", 200, 10, 11)),
    (2000, 0.10, "normal", ("K", 125, 0, 1)),
    (2000, 1.0, "tightened", ("K", 125, 2, 3)),
    (5000, 2.5, "tightened", ("L", 200, 8, 9)),
    (5000, 4.0, "tightened", ("L", 200, 12, 13)),
])
def test_single_sampling_plans(lot: int, aql: float, severity: str,
                               plan: tuple[str, int, int, int]) -> None:
    p = plan_for(lot, "II", aql, severity)  # type: ignore[arg-type]
    assert (p.letter, p.sample_size, p.ac, p.re) == plan


def test_arrow_down_to_a_sample_larger_than_the_lot_means_full_inspection() -> None:
    p = plan_for(20, "II", 0.65)  # C -> arrow down to the 0/1 plan at F (n = 20)
    assert (p.letter, p.ac, p.re) == ("F", 0, 1)
    p = plan_for(10, "II", 0.10)
    assert p.full_inspection and p.sample_size == 10 and p.ac == 0


def test_arrow_up_uses_the_plan_above() -> None:
    p = plan_for(60, "II", 1.0)  # E row at 1.0 is 0/1; F (n=20)... lot 51-90 -> E
    assert (p.letter, p.sample_size, p.ac) == ("E", 13, 0)
    q = plan_for(200, "II", 1.0)  # G at AQL 1.0 is an arrow down to H (1/2)
    assert (q.letter, q.sample_size, q.ac, q.re) == ("H", 50, 1, 2)
    r = plan_for(100, "II", 1.0)  # F at AQL 1.0 is an arrow up to E (0/1)
    assert (r.letter, r.sample_size, r.ac) == ("E", 13, 0)


def test_tables_carry_source_and_status() -> None:
    t = _tables()
    assert t["code_letters"]["status"] == "verified"
    assert t["normal"]["status"] == "derived"
    assert t["tightened"]["status"] == "typical" and "NOT checked" in t["tightened"]["source"]
    assert plan_for(1000, "II", 1.0, "reduced").status == "typical"


def test_bad_level_and_aql_are_input_errors() -> None:
    with pytest.raises(InputError, match="--level: unknown inspection level 'IV'"):
        plan_for(100, "IV", 1.0)
    with pytest.raises(InputError, match=r"--aql: AQL 1\.2 is not a preferred"):
        plan_for(100, "II", 1.2)


def test_sample_is_reproducible_distinct_and_seed_dependent() -> None:
    lot = [f"S{i:04d}" for i in range(500)]
    a = draw_sample(lot, 50, seed=11)
    assert a == draw_sample(list(reversed(lot)), 50, seed=11)
    assert len(set(a)) == 50 and set(a) <= set(lot)
    assert a != draw_sample(lot, 50, seed=12)
    assert draw_sample(lot[:5], 8, seed=1) == lot[:5]


def test_switching_normal_to_tightened_and_back() -> None:
    s = SwitchingState()
    for ok in (True, False, True, False):
        s = s.after(accepted=ok, tighter_accepts=ok, ac=2)
    assert s.severity == "tightened"
    for _ in range(4):
        s = s.after(accepted=True, tighter_accepts=True, ac=2)
    assert s.severity == "tightened"
    s = s.after(accepted=True, tighter_accepts=True, ac=2)
    assert s.severity == "normal"


def test_two_rejections_more_than_five_lots_apart_do_not_tighten() -> None:
    s = SwitchingState()
    for ok in (False, True, True, True, True, False):
        s = s.after(accepted=ok, tighter_accepts=ok, ac=1)
    assert s.severity == "normal"


def test_switching_score_to_reduced_and_back() -> None:
    s = SwitchingState()
    for _ in range(9):
        s = s.after(accepted=True, tighter_accepts=True, ac=3, allow_reduced=True)
    assert s.severity == "normal" and s.score == 27
    s = s.after(accepted=True, tighter_accepts=True, ac=3, allow_reduced=True)
    assert s.severity == "reduced"
    s = s.after(accepted=False, tighter_accepts=False, ac=1)
    assert s.severity == "normal" and s.score == 0


def test_score_resets_when_a_stricter_aql_would_have_rejected() -> None:
    s = SwitchingState()
    s = s.after(accepted=True, tighter_accepts=True, ac=2)
    s = s.after(accepted=True, tighter_accepts=False, ac=2)
    assert s.score == 0 and not s.reduced_eligible


def test_five_rejections_on_tightened_discontinue() -> None:
    s = SwitchingState("tightened")
    for _ in range(5):
        s = s.after(accepted=False, tighter_accepts=False, ac=1)
    assert s.discontinued
