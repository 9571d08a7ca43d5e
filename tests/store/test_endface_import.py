"""``mpokit qc import`` of ``mpokit qc inspect --json`` output (SQLite and PostgreSQL).

The JSON is the real output of ``qc inspect --json`` on simulated images whose truth is
known: a 4 um particle in zone A fails an SM-PC fiber, a clean fiber passes, a file that is
not an image is an ``error`` result with nothing to import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mpokit.errors import InputError
from mpokit.qc.inspect import simulate_inspection, write_image
from mpokit.store import import_file, open_store
from mpokit.store.endface import EndfaceImage, inspection_results, latest_inspections
from mpokit.store.models import Assembly, ImportedFile
from tests.store.helpers import run_cli


def _image(path: Path, *, dirty: bool) -> Path:
    img, truth = simulate_inspection(layout="single", seed=4,
                                     defects=[(3.0, 1.0, 4.0)] if dirty else None)
    assert truth.fibers[0].verdict("sm-pc") == ("fail" if dirty else "pass")  # the premise
    write_image(path, img.pixels, pixel_um=img.pixel_um)
    return path


def _inspect_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                  out: Path, *images: Path) -> Path:
    """Run ``qc inspect --json`` and keep its standard output as ``out``."""
    _, stdout, _ = run_cli(capsys, monkeypatch, "qc", "inspect", *map(str, images),
                        "--class", "sm-pc", "--json")
    out.write_text(stdout, encoding="utf-8")
    return out


def _count(url: str, model: type) -> int:
    with open_store(url) as st, st.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_qc_import_takes_qc_inspect_json(db_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    a = _image(tmp_path / "SN-5_A.png", dirty=True)
    b = _image(tmp_path / "SN-5_B.png", dirty=False)
    junk = tmp_path / "SN-6_A.png"
    junk.write_bytes(b"not an image")
    doc = _inspect_json(capsys, monkeypatch, tmp_path / "inspect.json", a, b, junk)
    assert [r["verdict"] for r in json.loads(doc.read_text())["results"]] == [
        "fail", "pass", "error"]
    code, out, err = run_cli(capsys, monkeypatch, "qc", "import", str(doc), "--db", db_url,
                          "--lot", "L9")
    assert code == 0, err
    assert "2 endface rows" in out
    with open_store(db_url) as st:
        ends = {e["end"]: (e["verdict"], e["fibers"][0]["action"])
                for e in latest_inspections(st, "SN-5")}
        with st.session() as s:
            lots = {r.serial: r.lot for r in s.execute(select(Assembly.serial, Assembly.lot))}
    assert ends["A"][0] == "fail" and "clean" in ends["A"][1]
    assert ends["B"] == ("pass", "none")
    assert lots == {"SN-5": "L9"}  # the unreadable image's assembly is not invented
    # the same file again, and the same results through 'qc inspect --store': nothing new
    code, out, _ = run_cli(capsys, monkeypatch, "qc", "import", str(doc), "--db", db_url)
    assert code == 0 and "already imported" in out
    code, _, err = run_cli(capsys, monkeypatch, "qc", "inspect", str(a), str(b), str(junk),
                        "--class", "sm-pc", "--store", db_url)
    assert "already imported" in err
    assert _count(db_url, EndfaceImage) == 2 and _count(db_url, ImportedFile) == 1


def test_a_report_json_of_one_image_imports(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    a = _image(tmp_path / "SN-7_B.png", dirty=True)
    code, _, _ = run_cli(capsys, monkeypatch, "qc", "inspect", str(a), "--class", "sm-pc",
                      "--report", str(tmp_path / "rep"))
    assert code == 2
    with open_store(str(tmp_path / "q.db")) as st:
        r = import_file(st, tmp_path / "rep" / "SN-7_B.json", origin="incoming")
        ends = latest_inspections(st, "SN-7", origin="incoming")
    assert (r.kind, r.rows, r.file) == ("endface", 1, str(tmp_path / "rep" / "SN-7_B.json"))
    assert [(e["end"], e["verdict"]) for e in ends] == [("B", "fail")]


def test_bad_inspection_json_is_refused_with_file_and_field(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    a = _image(tmp_path / "SN-8_A.png", dirty=False)
    plain = _image(tmp_path / "face.png", dirty=False)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    unnamed = _inspect_json(capsys, monkeypatch, tmp_path / "unnamed.json", a, plain)
    unreadable = _inspect_json(capsys, monkeypatch, tmp_path / "unreadable.json", junk)
    good = json.loads(_inspect_json(capsys, monkeypatch, tmp_path / "good.json", a)
                      .read_text())["results"][0]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"results": [good, {**good, "fibers": [{"fiber": 1}]}]}))
    no_verdict = tmp_path / "no_verdict.json"
    no_verdict.write_text(json.dumps([good, {"file": "SN-8_B.png", "connector_class": "x"}]))
    with open_store(db_url) as st:
        cases = [(unnamed, r"unnamed\.json: results\[1\]\.file: .*'.*face\.png'.*SERIAL_END"),
                 (unreadable, r"unreadable\.json: results: .*every image was unreadable"),
                 (broken, r"broken\.json: results\[1\]\.fibers\[0\]: not an inspection"),
                 (no_verdict, r"no_verdict\.json: results\[1\]: not an inspection result")]
        for path, message in cases:
            with pytest.raises(InputError, match=message):
                import_file(st, path)
    assert _count(db_url, ImportedFile) == 0 and _count(db_url, EndfaceImage) == 0
    code, _, err = run_cli(capsys, monkeypatch, "qc", "import", str(unnamed), "--db", db_url)
    assert code == 1 and "Traceback" not in err and "file rejected" in err


def test_geometry_json_is_not_taken_for_inspection_output() -> None:
    geometry = {"ok": True, "results": [{"file": "S1.npz", "serial": "S1", "verdict": "pass",
                                         "profile": "iec-61755-3-31-pc", "checks": []}]}
    unreadable_scan = {"results": [{"file": "x.npz", "ok": False, "verdict": "unreadable",
                                    "error": "x"}]}
    assert inspection_results(geometry) is None
    assert inspection_results(unreadable_scan) is None
    assert inspection_results([{"file": "a.png", "verdict": "error"}]) == [
        {"file": "a.png", "verdict": "error"}]
