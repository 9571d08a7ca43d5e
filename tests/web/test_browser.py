"""Browser tests: Debian's chromium through Python Playwright, against a live uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_home_page_in_browser(page: Any, shot: Callable[[Any, str], Path]) -> None:
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Channels", "Plans", "QC lots", "Acceptance"]
    assert shot(page, "home").stat().st_size > 1000
