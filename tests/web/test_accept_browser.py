"""Acceptance in a real browser: sign in, upload a plan and results, watch the job finish,
drill from the failing link to its maps and the element at fault.

Plan::

    [SR4 x|y|z] --cord MPO-12 Type B 7 m-- [SR4]     (y tested straight: a Type A cord)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.test_accept import cord_files


def test_upload_run_and_drill_down_to_element_at_fault(page: Any, token: str, tmp_path: Path,
                                                       shot: Any) -> None:
    page.goto("/signin")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    files = cord_files()
    for name, data in files.values():
        (tmp_path / name).write_bytes(data)
    page.goto("/accept")
    page.set_input_files("#plan", str(tmp_path / files["plan"][0]))
    page.set_input_files("#results", str(tmp_path / files["results"][0]))
    page.get_by_role("button", name="Reconcile").click()
    # the progress page polls the job and reloads when it is done
    page.wait_for_selector("#counts", timeout=60_000)
    counts = page.locator("#counts").inner_text()
    assert "polarity mismatch: 1" in counts and "pass: 1" in counts
    shot(page, "accept-run")
    page.get_by_role("link", name="y", exact=True).click()
    page.wait_for_selector("#fault")
    assert page.locator("#status").inner_text() == "polarity mismatch"
    assert page.locator("#fault").inner_text().startswith("path[0] cord")
    faulty = page.locator("#path li.fault")
    assert faulty.count() == 1 and "type: B" in faulty.inner_text()
    lanes = page.locator("#map path.lane")
    assert lanes.count() == 12 and page.locator("#map path.lane.bad").count() == 12
    shot(page, "accept-channel")
