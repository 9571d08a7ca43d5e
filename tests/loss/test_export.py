"""Tester limits: CSV and JSON carry the limit, the design loss and the polarity map."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mpokit.errors import InputError
from mpokit.loss import generate_tester_csv, generate_tester_json, write_tester_limits
from tests.loss.conftest import dr4


def test_csv_rows_per_fiber_path() -> None:
    ch = dr4({"adapter": {"type": "A", "loss_db": 0.5}})
    rows = list(csv.DictReader(io.StringIO(generate_tester_csv([ch]))))
    assert len(rows) == 8  # 4 lanes x 2 directions
    assert {r["limit_db"] for r in rows} == {"3.0"}
    assert {r["limit_status"] for r in rows} == {"typical"}
    assert {r["design_db"] for r in rows} == {"0.5024"}
    ab = [r for r in rows if r["direction"] == "a->b"]
    # Type B crossover: end A Tx position 1 arrives at end B position 12 (Rx lane 0)
    assert (ab[0]["a_position"], ab[0]["b_position"]) == ("1", "12")


def test_json_round_trip(tmp_path: Path) -> None:
    ch = dr4({"adapter": {"type": "A", "loss_db": 0.5}})
    data = json.loads(generate_tester_json([ch]))
    (rec,) = data["channels"]
    assert rec["polarity_map"][:4] == [12, 11, 10, 9]
    assert rec["length_m"] == 6 and rec["reach_m"] == 500
    out = tmp_path / "limits.json"
    write_tester_limits(out, [ch])
    assert json.loads(out.read_text()) == data
    out = tmp_path / "limits.csv"
    write_tester_limits(out, [ch])
    assert out.read_text() == generate_tester_csv([ch])


def test_an_unknown_suffix_is_refused_not_written_as_csv(tmp_path: Path) -> None:
    ch = dr4({"adapter": {"type": "A", "loss_db": 0.5}})
    out = tmp_path / "limits.txt"
    with pytest.raises(InputError, match=r"unknown output format '\.txt'.*\.csv or \.json"):
        write_tester_limits(out, [ch])
    assert not out.exists()
    write_tester_limits(out, [ch], "csv")  # an explicit format wins over the suffix
    assert out.read_text() == generate_tester_csv([ch])
