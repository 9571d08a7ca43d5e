"""Incoming inspection through the store: recorded plans, decisions, switching, scorecards."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.errors import InputError
from mpokit.store import import_file, open_store
from mpokit.store.grading import get_profile
from mpokit.store.inspection import (
    decide_inspection,
    scorecard,
    start_inspection,
    switching_state,
)
from tests.store.helpers import ilrl_csv


def _lot(st: object, tmp: Path, lot: str, il_db: float, origin: str = "supplier") -> None:
    f = ilrl_csv(tmp / f"{lot}-{origin}.csv", [f"{lot}-{i:02d}" for i in range(30)], fibers=2,
                 il_db=il_db, seed=len(lot))
    import_file(st, f, lot=lot, supplier="acme", origin=origin)  # type: ignore[arg-type]


def test_rejected_lots_tighten_the_next_inspection(tmp_path: Path) -> None:
    prof = get_profile("iec-B-2")
    with open_store(str(tmp_path / "q.db")) as st:
        for lot, il in (("L1", 0.4), ("L2", 0.4), ("L3", 0.1)):
            _lot(st, tmp_path, lot, il)
        first = start_inspection(st, "L1", aql=1.0, seed=1)
        assert first.plan.severity == "normal" and first.verdict == "pending"
        assert decide_inspection(st, "L1", prof).verdict == "unmeasurable"
        _lot(st, tmp_path, "L1", 0.4, origin="incoming")
        assert decide_inspection(st, "L1", prof).verdict == "reject"
        start_inspection(st, "L2", aql=1.0, seed=1)
        _lot(st, tmp_path, "L2", 0.4, origin="incoming")
        assert decide_inspection(st, "L2", prof).verdict == "reject"
        assert switching_state(st, "acme").severity == "tightened"
        third = start_inspection(st, "L3", aql=1.0, seed=1)
        assert third.plan.severity == "tightened"
        forced = start_inspection(st, "L3", aql=1.0, seed=1, severity="normal")
        assert forced.plan.severity == "normal"  # an explicit choice wins
        assert forced.sample == third.sample or len(forced.sample) != len(third.sample)
        card = scorecard(st, "acme", prof)
    assert card["inspections"]["reject"] == 2 and card["severity"] == "tightened"
    assert [r["claimed_yield"] for r in card["lots"]] == [0.0, 0.0, 1.0]


def test_unknown_lot_and_supplier(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "q.db")) as st:
        with pytest.raises(InputError, match="no assemblies in lot 'X'"):
            start_inspection(st, "X")
        with pytest.raises(InputError, match="lot 'X' has no inspection"):
            decide_inspection(st, "X", get_profile("iec-B-2"))
        with pytest.raises(InputError, match="no assemblies from supplier 'nobody'"):
            scorecard(st, "nobody", get_profile("iec-B-2"))


def test_truncated_geometry_json_is_rejected(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "examples" / "qc" / "geometry_L1.json"
    cut = tmp_path / "g.json"
    cut.write_text(src.read_text()[:5000])
    with open_store(str(tmp_path / "q.db")) as st, pytest.raises(InputError,
                                                                 match=r"g\.json:\d+: not valid"):
        import_file(st, cut)
