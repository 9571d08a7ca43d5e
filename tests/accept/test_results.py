"""The generic results layout: units, duplicates, bad cells, JSON, several files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mpokit.accept import concat_results, parse_results_text, read_results
from mpokit.errors import InputError
from tests.accept.conftest import HEADER, TYPE_B, rows


def test_csv_rows_become_zero_based_arrays() -> None:
    r = parse_results_text(HEADER + rows("x", TYPE_B), file="r.csv")
    assert r.labels == ("x",)
    assert r.fiber.tolist() == list(range(12))
    assert r.far_fiber.tolist() == [11 - p for p in range(12)]
    assert np.allclose(r.loss_db, 0.3) and np.allclose(r.length_m, 7.0)
    assert (r.verdict == 1).all()
    assert r.where(3) == ("r.csv", 5)


def test_units_in_cells_and_header_convert_to_metres() -> None:
    text = ("label,fiber,wavelength_nm,loss_db,length_ft,far_fiber\n"
            "x,1,850 nm,0.30 dB,100,12\nx,2,850,0.31,100 ft,11\n")
    r = parse_results_text(text)
    assert np.allclose(r.length_m, 30.48)
    assert np.allclose(r.loss_db, [0.30, 0.31])


@pytest.mark.parametrize("cells,lines", [
    (("7 m", "23 ft"), "'m' on line 2"),
    (("7 m", "0.007 km"), "'km' on line 3"),
])
def test_mixed_units_in_one_column_are_refused(cells: tuple[str, str], lines: str) -> None:
    text = (HEADER + f"x,1,850,0.3,{cells[0]},12,PASS\nx,2,850,0.3,{cells[1]},11,PASS\n")
    with pytest.raises(InputError, match="mixed units") as exc:
        parse_results_text(text, file="r.csv")
    assert lines in str(exc.value) and exc.value.field == "length_m"
    assert exc.value.file == "r.csv"


def test_header_unit_contradicted_by_a_cell_is_mixed() -> None:
    text = HEADER + "x,1,850,0.3,23 ft,12,PASS\n"
    with pytest.raises(InputError, match=r"mixed units.*header says m"):
        parse_results_text(text)


def test_duplicate_result_names_both_lines() -> None:
    text = HEADER + rows("x", TYPE_B) + "x,5,850,0.4,7.0,8,PASS\n"
    with pytest.raises(InputError, match=r"duplicate result for 'x' fiber 5 at 850 nm \(also "
                                         r"line 6\)") as exc:
        parse_results_text(text, file="r.csv")
    assert exc.value.line == 14


def test_duplicates_across_files_are_refused() -> None:
    a = parse_results_text(HEADER + rows("x", TYPE_B), file="a.csv")
    b = parse_results_text(HEADER + rows("x", TYPE_B[:3]), file="b.csv")
    with pytest.raises(InputError, match=r"also a\.csv:2"):
        concat_results([a, b])


def test_every_bad_cell_is_reported_with_line_and_field() -> None:
    text = HEADER + "x,one,850,0.3,7,12,PASS\nx,2,850,abc,7,11,PASS\nx,3,850,0.3,7,11,MAYBE\n"
    with pytest.raises(InputError) as exc:
        parse_results_text(text, file="r.csv")
    found = {(e.line, e.field) for e in exc.value.all_errors()}
    assert {(2, "fiber"), (3, "loss_db"), (4, "verdict")} <= found


def test_open_far_fiber_is_no_continuity() -> None:
    r = parse_results_text(HEADER + "x,1,850,0.3,7,open,FAIL\nx,2,850,0.3,7,,FAIL\n")
    assert r.far_fiber.tolist() == [-1, -1] and r.verdict.tolist() == [0, 0]


def test_missing_columns_and_empty_file() -> None:
    with pytest.raises(InputError, match=r"missing column.*far_fiber"):
        parse_results_text("label,fiber,wavelength_nm,loss_db\nx,1,850,0.3\n")
    with pytest.raises(InputError, match="empty file"):
        parse_results_text(b"")


def test_out_of_range_values() -> None:
    with pytest.raises(InputError, match=r"outside 600\.\.1700") as exc:
        parse_results_text(HEADER + "x,1,85,0.3,7,12,PASS\n")
    assert exc.value.field == "wavelength_nm"


def test_json_layout_equals_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv_r = parse_results_text(HEADER + rows("x", TYPE_B))
    doc = {"results": [{"label": "x", "fiber": p, "wavelength_nm": 850, "loss_db": 0.3,
                        "length_m": 7.0, "far_fiber": f, "verdict": "PASS"}
                       for p, f in enumerate(TYPE_B, 1)]}
    (tmp_path / "r.json").write_text(json.dumps(doc))
    js = read_results(tmp_path / "r.json")
    for name in ("fiber", "far_fiber", "loss_db", "wavelength_nm", "length_m", "verdict"):
        assert np.array_equal(getattr(js, name), getattr(csv_r, name)), name
    with pytest.raises(InputError, match="under 'results'"):
        parse_results_text('{"rows": []}', fmt="json")


def test_a_short_row_names_its_line() -> None:
    with pytest.raises(InputError, match=r"expected 7 columns, got 3") as exc:
        parse_results_text(HEADER + rows("x", TYPE_B[:2]) + "x,3,850\n", file="r.csv")
    assert exc.value.line == 4


def test_a_tester_layout_maps_columns_units_and_constants() -> None:
    from mpokit.accept.layout import parse_layout

    lay = parse_layout("columns: {label: 'Cable ID', fiber: Fiber, far_fiber: 'Far End',"
                       " loss_db: 'Loss (dB)', length_m: Length}\n"
                       "units: {length_m: ft}\nconstants: {wavelength_nm: '1300'}\n")
    text = ("Cable ID,Fiber,Far End,Loss (dB),Length,Operator\n"
            "x,1,12,0.4,100,me\nx,2,11,0.5,100,me\n")
    r = parse_results_text(text, file="t.csv", layout=lay)
    generic = parse_results_text("label,fiber,far_fiber,loss_db,length_m,wavelength_nm\n"
                                 "x,1,12,0.4,30.48,1300\nx,2,11,0.5,30.48,1300\n")
    for name in ("fiber", "far_fiber", "loss_db", "wavelength_nm"):
        assert np.array_equal(getattr(r, name), getattr(generic, name)), name
    assert np.allclose(r.length_m, generic.length_m)
    with pytest.raises(InputError, match=r"layout's column 'Cable ID' \(for label\) is not"):
        parse_results_text("label,Fiber,Far End,Loss (dB),Length\nx,1,12,0.4,100\n",
                           layout=lay)
