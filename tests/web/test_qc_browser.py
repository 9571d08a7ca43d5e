"""QC pages in a real browser (Debian's chromium through Playwright): the lot page shows the
yield and a control chart with its points, the lot list links to it, a certificate opens.
Screenshots go to the test artifacts (``qc-lots``, ``qc-lot``, ``qc-certificate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mpokit.store import Store
from tests.web.test_qc import L2, seed_lots


def test_lot_page_shows_yield_and_control_chart(page: Any, store: Store, tmp_path: Path,
                                                shot: Any) -> None:
    seed_lots(store, tmp_path)
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
    # the chart is laid out: points spread across it, not stacked at one place
    xs = {round(points.nth(i).bounding_box()["x"]) for i in range(points.count())}
    assert len(xs) == len(L2)
    bars = page.locator("#hist-il_db rect.bar")
    assert bars.count() >= 2 and bars.first.bounding_box()["height"] > 0
    # the filter narrows the assemblies table
    page.get_by_label("Filter assemblies").fill("S03")
    assert page.locator("#assy tbody tr:not([hidden])").count() == 1
    page.get_by_label("Filter assemblies").fill("")
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
