"""``mpokit export`` and ``mpokit push`` through the real entry point: files written, exit
codes, and errors that name the fix (no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mpokit", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env={**os.environ, **(env or {})})


def test_export_every_format(tiny_dir: Path, tmp_path: Path) -> None:
    expect = {"netbox": "07-cables.csv", "nautobot": "10-devices.csv", "ufm": "ufm.topo",
              "ibdiagnet": "ibdiagnet.topo", "ptm": "topology.dot"}
    for fmt, name in expect.items():
        r = run("export", fmt, str(tiny_dir), "--out", str(tmp_path / fmt),
                "--system-type", "leaf=MQM9700")
        assert r.returncode == 0, r.stderr
        assert (tmp_path / fmt / name).is_file()
        assert "32 cable records" in r.stdout
    topo = (tmp_path / "ibdiagnet" / "ibdiagnet.topo").read_text()
    assert topo.startswith("MQM9700 leaf01\n   P1 -> HCA node01 mlx5_0/P1\n")


def test_export_bad_input_exits_1_with_the_fix(tmp_path: Path) -> None:
    r = run("export", "visio", str(tmp_path), "--out", str(tmp_path / "o"))
    assert r.returncode == 1 and "unknown format 'visio'" in r.stderr
    assert "netbox, nautobot, ufm, ibdiagnet, ptm" in r.stderr
    r = run("export", "ptm", str(tmp_path), "--out", str(tmp_path / "o"))
    assert r.returncode == 1 and "no cut sheet" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_export_refuses_to_overwrite_a_foreign_folder(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    r = run("export", "ptm", str(tiny_dir), "--out", str(out))
    assert r.returncode == 1 and (out / "notes.txt").read_text() == "keep me"


def test_push_needs_a_token_and_names_the_variable(tiny_dir: Path) -> None:
    env = {"NAUTOBOT_TOKEN": "", "MY_TOKEN": ""}
    r = run("push", str(tiny_dir), "--to", "nautobot", "http://127.0.0.1:9", env=env)
    assert r.returncode == 1 and "NAUTOBOT_TOKEN" in r.stderr
    r = run("push", str(tiny_dir), "--to", "nautobot", "http://127.0.0.1:9",
            "--token-env", "MY_TOKEN", env=env)
    assert r.returncode == 1 and "MY_TOKEN" in r.stderr


def test_push_unreachable_server_says_so(tiny_dir: Path) -> None:
    r = run("push", str(tiny_dir), "--to", "nautobot", "http://127.0.0.1:9",
            env={"NAUTOBOT_TOKEN": "x"})
    assert r.returncode == 1, r.stderr
    assert "cannot reach Nautobot at http://127.0.0.1:9" in r.stderr
    assert "nothing was created" in r.stderr and "Traceback" not in r.stderr
    r = run("push", str(tiny_dir), "--to", "netbox", "http://127.0.0.1:9",
            env={"NETBOX_TOKEN": "x"})  # the version probe fails quietly; the push says why
    assert r.returncode == 1, r.stderr
    assert "cannot reach NetBox at http://127.0.0.1:9" in r.stderr
    assert "Traceback" not in r.stderr
    r = run("push", str(tiny_dir), "--to", "opennms", "http://x", env={"NAUTOBOT_TOKEN": "x"})
    assert r.returncode == 1 and "unknown tool 'opennms'" in r.stderr
