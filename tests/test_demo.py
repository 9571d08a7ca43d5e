"""``mpokit demo``: the quick-start job runs end to end and writes what it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_checks_plans_and_measures(tmp_path: Path) -> None:
    """Through the real entry point, piped: results on stdout, one line each, unwrapped."""
    out = tmp_path / "demo"
    r = subprocess.run([sys.executable, "-m", "mpokit", "demo", "--examples",
                        str(ROOT / "examples"), "-o", str(out)], capture_output=True,
                       text=True, timeout=600, env={**os.environ, "COLUMNS": ""})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert "FAIL Type A cord between DR4 modules" in r.stdout
    assert "replace path[0] (MPO-12 Type A cord) with a Type B cord" in r.stdout
    lines = r.stdout.splitlines()
    verdicts = [ln for ln in lines if ln.startswith(("PASS ", "FAIL "))]
    # no hard wrap at 80 columns: every channel line ends with its file on the same line
    assert all(ln.endswith(".yaml") for ln in verdicts if "lanes)" in ln), verdicts
    assert max(len(ln) for ln in lines) > 120
    assert all(not ln.startswith(" " * 7) for ln in lines)  # no continuation lines
    assert "planning:" not in r.stdout  # the status spinner goes to stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["switches"] == {"leaf": 32, "spine": 16, "core": 0}
    assert summary["links"]["node_leaf"] == 1020 and summary["errors"] == 0
    for name in ("report.html", "cutsheet.csv", "bom.csv", "channels.yaml",
                 "qc/mt12-pc.html", "qc/lc-apc.html"):
        assert (out / name).stat().st_size > 0, name


def test_readme_python_example_runs() -> None:
    """The README's Python session is a doctest run from the repository root."""
    import doctest
    import os

    text = (ROOT / "README.md").read_text()
    block = text.split("## From Python", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
        runner = doctest.DocTestRunner()
        runner.run(test)
        assert runner.summarize(verbose=False).failed == 0
    finally:
        os.chdir(here)
