"""Grading per fiber and assembly, limit profiles, and the random-mating estimate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mpokit.errors import CatalogError, InputError
from mpokit.store.assess import AssemblyData, grade_all, grade_assembly
from mpokit.store.grading import (
    estimate_random_mating,
    get_profile,
    grade_fibers,
    il_grades,
    profiles,
    random_mating_chunk,
    read_profile,
    rl_grades,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "qc"


def test_iec_grades_come_from_the_standards_catalogue_with_provenance() -> None:
    by = {g.name: g for g in il_grades()}
    assert (by["B"].mean_db, by["B"].p97_db) == (0.12, 0.25)
    assert [g.min_rl_db for g in rl_grades()] == [60, 45, 35, 26]
    assert all(p.status and p.source for p in profiles().values())
    assert profiles()["iec-C-3"].il_max_db == 0.50
    assert profiles()["iec-C-3"].rl_min_db == 35


def test_unknown_profile_suggests_and_bad_spec_names_field(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="did you mean 'iec-B-2'"):
        get_profile("iec-B2")
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: x\nil_max: 0.3\nsource: me\nstatus: vendor\n")
    with pytest.raises(InputError, match=r"spec\.yaml:2"):
        read_profile(spec)


def test_buyer_spec_file() -> None:
    p = get_profile(str(EXAMPLES / "buyer_spec.yaml"))
    assert (p.il_max_db, p.rl_min_db, p.status) == (0.35, 50, "vendor")


def test_fiber_verdicts_and_grades_at_the_limits() -> None:
    prof = get_profile("iec-B-2")  # IL <= 0.25, RL >= 45
    g = grade_fibers(np.array([0.25, 0.2501, 0.1, 0.1]), np.array([45.0, 60.0, 44.9, np.nan]),
                     prof)
    assert g.verdicts.tolist() == ["pass", "fail", "fail", "unmeasurable"]
    assert g.il_grades.tolist() == ["B", "C", "A", "A"]
    assert g.rl_grades.tolist() == ["2", "1", "3", "?"]
    assert g.verdict == "fail"


def test_missing_rl_is_unmeasurable_not_pass_unless_profile_ignores_rl() -> None:
    il, rl = np.array([0.1, 0.2]), np.array([60.0, np.nan])
    assert grade_fibers(il, rl, get_profile("iec-B-2")).verdict == "unmeasurable"
    assert grade_fibers(il, rl, get_profile("tia-568")).verdict == "pass"


def _assembly(serial: str, il: list[float], rl: list[float]) -> AssemblyData:
    n = len(il)
    return AssemblyData(serial, np.array(["A"] * n), np.array([1, 1, 2, 2][:n]),
                        np.array([1310.0, 1550.0, 1310.0, 1550.0][:n]), np.array(il),
                        np.array(rl))


def test_assembly_uses_each_fibers_worst_wavelength() -> None:
    d = _assembly("S", [0.10, 0.30, 0.05, 0.06], [60.0, 59.0, 50.0, 44.0])
    g = grade_assembly(d, get_profile("iec-B-2"))
    assert g.il_worst_db == (0.30, 0.06) and g.rl_worst_db == (59.0, 44.0)
    assert g.fiber_verdicts == ("fail", "fail") and g.verdict == "fail"
    assert g.grade == "C/3"


def test_grade_all_keeps_order_in_chunks() -> None:
    data = [_assembly(f"S{i}", [0.1 * (i % 4), 0.1, 0.1, 0.1], [50.0] * 4) for i in range(9)]
    got = grade_all(data, get_profile("iec-B-2"), chunk_size=2)
    assert [g.serial for g in got] == [d.serial for d in data]
    assert [g.verdict for g in got] == ["fail" if i % 4 == 3 else "pass" for i in range(9)]


def test_random_mating_model_bounds_and_mean() -> None:
    # two plugs of loss a: a + a - 2a cos t lies in [0, 4a] with mean 2a
    x = random_mating_chunk(np.full(40, 0.1), np.arange(40), 200_000, 5)
    assert x.min() >= 0 and x.max() <= 0.4 + 1e-12
    assert x.mean() == pytest.approx(0.2, rel=0.01)


def test_random_mating_never_mates_a_plug_with_itself() -> None:
    il = np.array([0.0] * 10 + [1.0] * 10)  # assembly 0: lossless, assembly 1: 1 dB fibers
    owner = np.array([0] * 10 + [1] * 10)
    x = random_mating_chunk(il, owner, 10_000, 1)
    assert np.allclose(x, 1.0)  # always one lossless and one 1 dB plug


def test_estimate_is_reproducible_and_grades_population() -> None:
    rng = np.random.default_rng(0)
    il = rng.lognormal(np.log(0.04), 0.3, 240)
    owner = np.repeat(np.arange(20), 12)
    a = estimate_random_mating(il, owner, matings=50_000, seed=3)
    b = estimate_random_mating(il, owner, matings=50_000, seed=3)
    assert a == b and a.matings == 50_000
    assert a.grade == "B" and a.mean_db <= 0.12 and a.p97_db <= 0.25


def test_estimate_refuses_a_too_small_population() -> None:
    e = estimate_random_mating(np.full(12, 0.1), np.zeros(12, dtype=np.int64))
    assert e.grade == "unmeasurable" and "at least 30 fibers" in e.reason
    assert np.isnan(e.mean_db)
