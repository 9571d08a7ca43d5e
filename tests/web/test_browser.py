"""Browser tests: Debian's chromium through Python Playwright, against a live uvicorn.

Kept small (the machine is shared): the home page, a failing example channel, a checked
upload through the form, and one planned cluster. Screenshots go to the artifacts folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
Shot = Callable[[Any, str], Path]


def test_home_page_in_browser(page: Any, shot: Shot) -> None:
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Channels", "Plans", "QC lots", "Acceptance"]
    assert shot(page, "home").stat().st_size > 1000


def test_channel_view_draws_lanes_and_the_failing_element(page: Any, shot: Shot) -> None:
    page.goto("/channels?example=type-a-cord-between-dr4.yaml")
    assert page.locator("svg.lanes path.lane").count() == 8
    fault = page.locator('svg.lanes g.element[data-fault="true"]')
    assert fault.count() == 1 and fault.get_attribute("data-element") == "path[0]"
    assert "Type B cord" in page.locator(".fix").inner_text()
    assert page.locator('[data-verdict="fail"]').count() == 1
    shot(page, "channel-view-failing")


def test_channel_upload_through_the_form(page: Any, live_server: str, token: str,
                                         shot: Shot) -> None:
    page.goto("/signin")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    page.goto("/channels")
    page.set_input_files("#file", str(ROOT / "examples" / "channels" / "dr8-mpo16.yaml"))
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("svg.lanes")
    lanes = page.locator("svg.lanes path.lane")
    assert lanes.count() == 16  # DR8: 8 lanes each way
    assert page.locator("svg.lanes path.lane.bad").count() == 0
    assert page.locator("svg.waterfall").count() == 1
    shot(page, "channel-view")


def test_plan_upload_shows_progress_then_the_plan(app: Any, page: Any, live_server: str,
                                                  token: str, shot: Shot) -> None:
    page.goto("/signin")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    page.goto("/plans")
    page.set_input_files("#file", str(ROOT / "examples" / "cluster" / "superpod-1su.yaml"))
    page.get_by_role("button", name="Plan").click()
    page.wait_for_url("**/plans/superpod-1su-*")
    # the page polls the job (static/app.js) and reloads itself when the plan is done
    page.wait_for_selector("svg.floor", timeout=120_000)
    plan_id = page.url.rsplit("/", 1)[1].split("#")[0]
    names = page.locator("svg.floor text.rack-name").all_text_contents()
    assert len(names) == 10 and len(set(names)) == 10 and "1A01" in names
    assert page.locator("svg.fabric g.tier").count() == 3
    total = len((app.state.settings.resolved_data_dir / "plans" / plan_id / "out" /
                 "cutsheet.csv").read_text().splitlines()) - 1
    assert page.locator("#cut-table tbody tr").count() == min(total, 500)  # one page
    page.fill("#q", "leaf01")  # the quick filter narrows the table in the page
    shown = int(page.locator('[data-count="cut-table"]').inner_text())
    assert 0 < shown < 500
    page.fill("#q", "")
    shot(page, "plan-view")
    page.goto(f"/plans/{plan_id}/racks?rack=1A01")
    assert page.locator("svg.elevation g.device[data-role='panel']").count() > 0
    assert page.locator("svg.elevation rect.port[data-used='true']").count() > 0
    shot(page, "rack-elevation")
    # the compute racks: an 8-RU node is drawn 8 units high, as the rack's scale says
    page.goto(f"/plans/{plan_id}/racks")
    node = page.locator("svg.elevation g.device[data-device='node01']")
    assert node.get_attribute("data-height-ru") == "8"
    rack_box = node.locator("xpath=ancestor::*[name()='svg'][1]/*[name()='rect'][1]")
    unit_px = rack_box.bounding_box()["height"] / 48
    assert abs(node.locator("rect").bounding_box()["height"] - 8 * unit_px) < 2
