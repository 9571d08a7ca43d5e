"""`mpokit qc inspect`: exit codes, JSON, text tables, overlay and HTML reports, CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from mpokit.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["qc", "inspect", *args])
    return result.exit_code, result.stdout, result.stderr


def test_clean_image_exits_0(image_file) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(str(image_file("clean.png")), "--class", "sm-pc", "-j", "1")
    assert code == 0
    assert out.startswith("PASS ") and "fiber 1: PASS" in out


def test_dirty_image_exits_2_with_zone_table_and_action(image_file) -> None:  # type: ignore[no-untyped-def]
    path = image_file("dirty.tif", defects=[(1.0, 0.0, 4.0)])
    code, out, _ = run(str(path), "--class", "sm-pc", "-j", "1")
    assert code == 2
    assert "FAIL" in out and "clean and re-inspect" in out
    assert "A core" in out and "none defects of any size" in out


def test_json_and_report_and_summary(image_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dirty = image_file("dirty.png", defects=[(20.0, 0.0, 6.0)])
    clean = image_file("clean.png")
    rep, summ = tmp_path / "rep", tmp_path / "s.csv"
    code, out, _ = run(str(dirty), str(clean), "--class", "sm-pc", "--json", "--report",
                       str(rep), "--summary", str(summ), "-j", "1")
    assert code == 2
    data = json.loads(out)
    assert data["ok"] is False
    assert [r["verdict"] for r in data["results"]] == ["fail", "pass"]
    fiber = data["results"][0]["fibers"][0]
    assert fiber["violations"][0]["zone"] == "B" and fiber["features"][0]["zone"] == "B"
    assert data["results"][0]["rules"]["status"] == "verified"
    # overlay: the failing flaw is outlined in red
    overlay = np.asarray(Image.open(rep / "dirty_fiber01.png").convert("RGB")).astype(int)
    red = (overlay[..., 0] > 200) & (overlay[..., 1] < 60) & (overlay[..., 2] < 100)
    assert red.sum() > 20
    assert "Fiber 1: FAIL" in (rep / "dirty.html").read_text()
    assert json.loads((rep / "clean.json").read_text())["verdict"] == "pass"
    rows = list(csv.DictReader(summ.open()))
    assert [r["verdict"] for r in rows] == ["fail", "pass"]
    assert rows[0]["zone_B_defects"] == "1"


def test_unreadable_file_exits_1_and_names_it(tmp_path: Path, image_file) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "junk.png"
    bad.write_text("not a picture")
    good = image_file("ok.png")
    code, out, _ = run(str(bad), str(good), "--class", "sm-pc", "-j", "1")
    assert code == 1
    assert "ERROR" in out and "junk.png" in out and "not an image" in out
    assert "PASS" in out  # the other file is still inspected


def test_jpeg_without_pixel_size_needs_the_option(tmp_path: Path) -> None:
    from mpokit.qc.inspect import simulate_inspection, write_image

    img, _ = simulate_inspection(layout="single", seed=3)
    path = tmp_path / "scope.jpg"
    write_image(path, img.pixels, pixel_um=None)
    code, out, _ = run(str(path), "--class", "sm-pc", "-j", "1")
    assert code == 1 and "--pixel-um" in out
    code, out, _ = run(str(path), "--class", "sm-pc", "--pixel-um", "0.3", "-j", "1")
    assert code == 0 and "(option)" in out


def test_unknown_class_and_ferrule_are_usage_errors(image_file) -> None:  # type: ignore[no-untyped-def]
    path = str(image_file("a.png"))
    code, _, err = run(path, "--class", "sm-upc")
    assert code == 1 and "sm-pc" in err
    code, _, err = run(path, "--class", "sm-pc", "--ferrule", "square")
    assert code == 1 and "round or mt" in err


def test_blank_image_is_unmeasurable_exit_2(tmp_path: Path) -> None:
    from mpokit.qc.inspect import write_image

    path = tmp_path / "cap.png"
    write_image(path, np.full((480, 640), 0.05), pixel_um=0.3, bit_depth=8)
    code, out, _ = run(str(path), "--class", "sm-pc", "-j", "1")
    assert code == 2 and out.startswith("UNMEASURABLE") and "no fiber" in out


def test_images_need_a_class_and_a_missing_path_is_an_input_error(
        image_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(str(image_file("a.png")))
    assert code == 1 and "missing --class" in err
    # a name that is no file is an input error naming it (lots are 'qc lot-decision')
    code, out, err = run(str(tmp_path / "L404"), "--class", "sm-pc")
    assert code == 1 and "L404" in out + err and "not found" in out + err


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, list[str], int, str]]:
    """The issue's bad-input list as files: (path, extra options, exit code, message)."""
    import tifffile

    from mpokit.qc.inspect import simulate_inspection, write_image

    img, _ = simulate_inspection(layout="single", seed=31, defects=[(20.0, 0.0, 3.0)])
    out: dict[str, tuple[Path, list[str], int, str]] = {}
    p = tmp_path / "notes.png"
    p.write_bytes(b"%PDF-1.4 not an image at all")
    out["not an image"] = (p, [], 1, "not an image")
    p = tmp_path / "float.tif"
    tifffile.imwrite(p, img.pixels.astype(np.float32))
    out["wrong bit depth"] = (p, ["--pixel-um", "0.3"], 1, "8 and 16 bit")
    p = tmp_path / "nosize.png"
    write_image(p, img.pixels, pixel_um=None)
    out["missing pixel size"] = (p, [], 1, "--pixel-um")
    p = tmp_path / "ferrule_only.png"
    far, _ = simulate_inspection(layout="single", seed=32, offset_um=(420.0, 0.0))
    write_image(p, far.pixels, pixel_um=0.3)
    out["no fiber in view"] = (p, [], 2, "no fiber in view")
    p = tmp_path / "overexposed.png"
    write_image(p, np.clip(img.pixels * 2.5, 0, 1), pixel_um=0.3, bit_depth=8)
    out["saturated"] = (p, [], 2, "saturated")
    return out


def test_bad_inputs_are_errors_or_unmeasurable_never_a_pass(tmp_path: Path) -> None:
    for what, (path, extra, code_want, msg) in _bad_inputs(tmp_path).items():
        code, out, err = run(str(path), "--class", "sm-pc", "--json", "-j", "1", *extra)
        doc = json.loads(out)
        (res,) = doc["results"]
        text = json.dumps(res) + err
        assert code == code_want, f"{what}: exit {code}"
        assert doc["ok"] is False and res["verdict"] in ("error", "unmeasurable"), what
        assert msg in text and path.name in text + str(res.get("file")), what
