"""End-face inspection results in the store and on the certificate (SQLite and PostgreSQL).

Images are simulated with known flaws; the truth decides what the store must hold:
a 4 um particle in zone A fails an SM-PC fiber (action: clean), a clean fiber passes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from mpokit.errors import InputError
from mpokit.qc.inspect import inspect_image, simulate_inspection, write_image
from mpokit.store import import_file, open_store
from mpokit.store.certificate import certificate_html, write_certificate
from mpokit.store.endface import (
    EndfaceFiber,
    EndfaceImage,
    import_inspections,
    latest_inspections,
    serial_end_from_name,
)
from mpokit.store.grading import get_profile
from mpokit.store.models import ImportedFile
from tests.store.helpers import ilrl_csv, run_cli


def _result(dirty: bool, name: str, seed: int = 4) -> dict[str, Any]:
    img, truth = simulate_inspection(layout="single", seed=seed,
                                     defects=[(3.0, 1.0, 4.0)] if dirty else None)
    res = inspect_image(img, "sm-pc", file=name)
    assert res.verdict == truth.fibers[0].verdict("sm-pc")  # the premise of these tests
    return res.to_dict()


@pytest.fixture(scope="module")
def dirty() -> dict[str, Any]:
    return _result(True, "S1_A.png")


@pytest.fixture(scope="module")
def clean() -> dict[str, Any]:
    return _result(False, "S1_A_after_cleaning.png")


def _count(url: str, model: type) -> int:
    with open_store(url) as st, st.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_import_round_trip_and_repeat_is_skipped(db_url: str, dirty: dict[str, Any]) -> None:
    with open_store(db_url) as st:
        first = import_inspections(st, [("S1", "A", dirty)], lot="L7")
        again = import_inspections(st, [("S1", "A", dirty)])
        ends = latest_inspections(st, "S1")
    assert (first.rows, first.skipped, first.kind) == (1, False, "endface")
    assert again.skipped and again.rows == 0
    assert _count(db_url, EndfaceImage) == 1 and _count(db_url, EndfaceFiber) == 1
    assert _count(db_url, ImportedFile) == 1
    (e,) = ends
    fib = e["fibers"][0]
    assert (e["end"], e["verdict"], e["connector_class"], e["ferrule"]) == \
        ("A", "fail", "sm-pc", "round")
    assert fib["verdict"] == "fail" and fib["action"].startswith("clean")
    assert fib["zones"]["A"] == (0, 1) and e["zone_names"][:2] == ["A", "B"]
    assert any("zone A" in v for v in fib["violations"])


def test_same_results_from_another_folder_are_not_imported_twice(
        db_url: str, dirty: dict[str, Any]) -> None:
    moved = {**dirty, "file": "/elsewhere/S1_A.png"}
    with open_store(db_url) as st:
        import_inspections(st, [("S1", "A", dirty)])
        assert import_inspections(st, [("S1", "A", moved)]).skipped


def test_newest_inspection_of_an_end_counts(db_url: str, dirty: dict[str, Any],
                                            clean: dict[str, Any]) -> None:
    with open_store(db_url) as st:
        import_inspections(st, [("S1", "A", dirty), ("S1", "B", clean)])
        before = {e["end"]: e["verdict"] for e in latest_inspections(st, "S1")}
        import_inspections(st, [("S1", "A", clean)])  # re-inspected after cleaning
        after = {e["end"]: e["verdict"] for e in latest_inspections(st, "S1")}
        assert latest_inspections(st, "S1", origin="incoming") == []
    assert before == {"A": "fail", "B": "pass"} and after == {"A": "pass", "B": "pass"}
    assert _count(db_url, EndfaceImage) == 3  # history kept


def test_bad_results_are_refused_whole(db_url: str, dirty: dict[str, Any]) -> None:
    broken = {**dirty, "fibers": [{"fiber": 1, "verdict": "pass"}]}  # no zones
    with open_store(db_url) as st:
        with pytest.raises(InputError, match=r"results\[1\]\.fibers\[0\]"):
            import_inspections(st, [("S1", "A", dirty), ("S1", "B", broken)])
        with pytest.raises(InputError, match=r"results\[0\].*no verdict"):
            import_inspections(st, [("S1", "A", {"file": "x.png"})])
        with pytest.raises(InputError, match="empty serial or end"):
            import_inspections(st, [(" ", "A", dirty)])
    assert _count(db_url, EndfaceImage) == 0 and _count(db_url, ImportedFile) == 0


def test_certificate_shows_end_faces_and_takes_the_worst_verdict(
        db_url: str, tmp_path: Path, dirty: dict[str, Any], clean: dict[str, Any]) -> None:
    prof = get_profile("iec-B-2")
    with open_store(db_url) as st:
        import_file(st, ilrl_csv(tmp_path / "r.csv", ["S1"], fibers=1, il_db=0.1))
        html_none = certificate_html(st, "S1", prof)
        import_inspections(st, [("S1", "A", dirty), ("S1", "B", clean)])
        html = certificate_html(st, "S1", prof)
        verdict = write_certificate(st, "S1", prof, tmp_path / "c.html")
        import_inspections(st, [("S1", "A", clean)])
        verdict_clean = write_certificate(st, "S1", prof, tmp_path / "c2.html")
    assert "No end-face inspection imported" in html_none and "PASS" in html_none
    assert verdict == "fail" and verdict_clean == "pass"
    assert "End-face inspection (IEC 61300-3-35)" in html and "FAIL" in html
    section = html.split("End-face inspection (IEC 61300-3-35)")[1]
    assert "S1_A.png" in section and "S1_A_after_cleaning.png" in section
    # fiber 1 of end A: zone A 0 scratches / 1 defect, failed, clean and re-inspect
    row_a = section.split("End A")[1].split("End B")[0]
    assert "<td>0 / 1</td>" in row_a and "clean and re-inspect" in row_a
    assert "fail" in row_a


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_certificate_carries_the_inspection(tmp_path: Path, dirty: dict[str, Any]) -> None:
    db = f"sqlite:///{tmp_path / 'q.db'}"
    pdf = tmp_path / "S1.pdf"
    with open_store(db) as st:
        import_file(st, ilrl_csv(tmp_path / "r.csv", ["S1"], fibers=1, il_db=0.1))
        import_inspections(st, [("S1", "A", dirty)])
        assert write_certificate(st, "S1", get_profile("iec-B-2"), pdf) == "fail"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "End-face inspection" in text and "S1_A.png" in text
    assert "clean and re-inspect" in text and "FAIL" in text


def test_serial_and_end_from_the_image_name() -> None:
    assert serial_end_from_name("x/MPO-0042_A.png") == ("MPO-0042", "A")
    assert serial_end_from_name("LOT7-S12-B.tif") == ("LOT7-S12", "B")
    assert serial_end_from_name("face.png") is None


def test_cli_inspect_into_the_store(db_url: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    img, _ = simulate_inspection(layout="single", seed=4, defects=[(3.0, 1.0, 4.0)])
    named = tmp_path / "SN-9_B.png"
    write_image(named, img.pixels, pixel_um=img.pixel_um)
    plain = tmp_path / "face.png"
    write_image(plain, img.pixels, pixel_um=img.pixel_um)
    code, _, err = run_cli(capsys, monkeypatch, "qc", "inspect", str(named), "--class", "sm-pc",
                        "--store", db_url)
    assert code == 2 and "1 image(s) imported" in err
    code, _, err = run_cli(capsys, monkeypatch, "qc", "inspect", str(named), "--class", "sm-pc",
                        "--store", db_url)
    assert code == 2 and "already imported" in err
    code, _, err = run_cli(capsys, monkeypatch, "qc", "inspect", str(plain), "--class", "sm-pc",
                        "--store", db_url)
    assert code == 1 and "face.png" in err and "--serial" in err
    code, _, err = run_cli(capsys, monkeypatch, "qc", "inspect", str(plain), "--class", "sm-pc",
                        "--serial", "SN-9")
    assert code == 1 and "need --store" in err
    code, _, _ = run_cli(capsys, monkeypatch, "qc", "inspect", str(plain), "--class", "sm-pc",
                      "--store", db_url, "--serial", "SN-9", "--end", "A", "--lot", "L3")
    assert code == 2
    with open_store(db_url) as st:
        ends = {e["end"]: e["fibers"][0]["verdict"] for e in latest_inspections(st, "SN-9")}
    assert ends == {"A": "fail", "B": "fail"}
