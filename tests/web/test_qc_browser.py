"""QC pages in a real browser (Debian's chromium through Playwright): the lot page shows the
yield and a control chart with its points, the lot list links to it, a certificate opens.
Screenshots go to the test artifacts (``qc-lots``, ``qc-lot``, ``qc-certificate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mpokit.store import Store
from mpokit.web.qc_endface import inspect_upload
from tests.web.test_qc import L2, face_png, seed_lots


def test_lot_page_shows_yield_and_control_chart(page: Any, store: Store, tmp_path: Path,
                                                settings: Any, shot: Any) -> None:
    seed_lots(store, tmp_path)
    root = Path(settings.resolved_data_dir) / "endface"
    for serial, dirty in (("L2-S03", True), ("L2-S04", False)):
        name = f"{serial}_A.png"
        inspect_upload(store, root, name, face_png(tmp_path, name, dirty=dirty),
                       connector_class="sm-pc")
    page.goto("/qc")
    rows = page.locator("#lots tbody tr")
    assert rows.count() == 2
    assert "87.5 %" in rows.nth(0).inner_text()
    shot(page, "qc-lots")
    page.get_by_role("link", name="L2", exact=True).click()
    page.wait_for_url("**/qc/lots/L2**")
    assert page.locator("#yield").inner_text() == "100.0 %"
    chart = page.locator("#xbar svg")
    assert chart.get_attribute("role") == "img"
    points = page.locator("#xbar circle.point")
    assert points.count() == len(L2)
    assert page.locator("#xbar circle.point.ooc[data-name=\"L2-S03\"]").count() == 1
    # the R chart beside it: one range per assembly, L2-S03's zero range below its limit
    assert page.locator("#rchart svg").get_attribute("data-kind") == "r"
    assert page.locator("#rchart circle.point").count() == len(L2)
    assert page.locator("#rchart circle.point.ooc[data-name=\"L2-S03\"]").count() == 1
    # the chart is laid out: points spread across it, not stacked at one place
    xs = {round(points.nth(i).bounding_box()["x"]) for i in range(points.count())}
    assert len(xs) == len(L2)
    bars = page.locator("#hist-il_db rect.bar")
    assert bars.count() >= 2 and bars.first.bounding_box()["height"] > 0
    # the filter narrows the assemblies table
    page.get_by_label("Filter assemblies").fill("S03")
    assert page.locator("#assy tbody tr:not([hidden])").count() == 1
    page.get_by_label("Filter assemblies").fill("")
    # the end-face overlays load (decoded images, not broken links)
    imgs = page.locator(".faces img")
    assert imgs.count() == 2
    for i in range(2):
        assert imgs.nth(i).evaluate("el => el.complete && el.naturalWidth > 100")
    assert "fail" in page.locator(".face", has_text="L2-S03").inner_text()
    shot(page, "qc-lot")


def test_certificate_opens_from_the_lot_page(page: Any, store: Store, tmp_path: Path,
                                             shot: Any) -> None:
    seed_lots(store, tmp_path)
    page.goto("/qc/lots/L1")
    row = page.locator("#assy tbody tr", has_text="L1-S08")
    row.get_by_role("link", name="view").click()
    page.wait_for_url("**/qc/assemblies/L1-S08/certificate**")
    text = page.locator("body").inner_text()
    assert "L1-S08" in text and "FAIL" in text
    shot(page, "qc-certificate")


def test_incoming_inspection_from_the_lot_page(page: Any, store: Store, token: str,
                                               tmp_path: Path) -> None:
    seed_lots(store, tmp_path)
    page.goto("/signin")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto("/qc/lots/L1")
    page.get_by_label("AQL (% nonconforming)").fill("1.0")
    page.get_by_label("Seed").fill("11")
    page.get_by_role("button", name="Draw sample").click()
    page.wait_for_url("**/qc/lots/L1#inspections")
    row = page.locator("#insp tbody tr")
    assert row.count() == 1 and "pending" in row.inner_text()
    sample = row.locator("td.sample").inner_text().split()
    assert sample and set(sample) <= {f"L1-S{i:02d}" for i in range(1, 9)}
    # deciding before the re-measurement is imported: unmeasurable, naming the serials
    page.get_by_role("button", name="Decide").click()
    result = page.locator("#decision")
    assert "UNMEASURABLE" in result.inner_text()
    assert all(s in result.inner_text() for s in sample)
