"""Take the web app screenshots shown in README.md and docs/web.md.

    .venv/bin/python docs/_ext/web_screenshots.py

Starts the app on a temporary store, plans the bundled example and opens the pages in
Debian's chromium (``/usr/bin/chromium``) through Playwright; writes ``docs/images/web-*.png``.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from mpokit.web.app import create_app
from mpokit.web.deps import Settings
from mpokit.web.plans import start_plan

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "images"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="mpokit-shots-"))
    app = create_app(Settings(store_url=f"sqlite:///{tmp / 'qc.db'}", data_dir=tmp / "web"))
    spec = (ROOT / "examples" / "cluster" / "superpod-1su.yaml").read_text()
    plan_id, job = start_plan(app, spec, "superpod-1su.yaml")
    app.state.jobs.wait(job.id, timeout_s=300)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(base_url=f"http://127.0.0.1:{port}",
                                viewport={"width": 1280, "height": 1000})
        page.goto("/channels?example=two-type-a-cords-method-a.yaml")
        page.locator("#channel-h").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('channel-h').scrollIntoView()")
        page.screenshot(path=str(OUT / "web-channel-view.png"))
        page.goto(f"/plans/{plan_id}")
        page.evaluate("document.getElementById('fabric').scrollIntoView()")
        page.screenshot(path=str(OUT / "web-plan-view.png"))
        page.goto(f"/plans/{plan_id}/racks")
        page.screenshot(path=str(OUT / "web-rack-elevations.png"))
        browser.close()
    server.should_exit = True
    app.state.jobs.shutdown()


if __name__ == "__main__":
    main()
