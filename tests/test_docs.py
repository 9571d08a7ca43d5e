"""The documentation site builds from docs/ and the docstrings, warnings as errors, offline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEAD = "http://127.0.0.1:9"  # any attempt to reach the network fails fast


def test_mkdocs_build_strict_offline(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HTTP_PROXY": DEAD, "HTTPS_PROXY": DEAD,
           "http_proxy": DEAD, "https_proxy": DEAD, "NO_PROXY": "", "no_proxy": ""}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING" not in r.stderr, r.stderr
    # the API reference is generated from the docstrings, numpydoc sections included
    page = (site / "api" / "connectivity" / "index.html").read_text(encoding="utf-8")
    assert 'id="mpokit.connectivity.read_channels"' in page
    assert re.search(r"Parameters", page) and re.search(r"Returns", page)
    assert (site / "cli" / "index.html").exists()
    # Sphinx roles of the docstrings are shown as code, not as raw ":func:" text
    loss_page = (site / "api" / "loss" / "index.html").read_text(encoding="utf-8")
    assert ":func:" not in loss_page and "<code>budget</code>" in loss_page
