"""Hostile files behind the site section: ``site.catalog`` and ``routes check`` refuse them
through the real CLI (exit 1, the file named, no traceback, bounded memory and time)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.hostile.corpus import _alias_bomb
from tests.hostile.harness import assert_refused, run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campus" / "two-buildings.yaml"


def spec_with_catalog(folder: Path, catalog: str) -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["site"]["catalog"] = catalog
    (folder / "s.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("kind", ["alias-bomb", "folder", "fifo", "not-a-catalogue",
                                  "verified-claim"])
def test_site_catalog_hostile(tmp_path: Path, kind: str) -> None:
    work = tmp_path / "w"
    work.mkdir()
    name = "cat.yaml"
    names = name
    if kind == "alias-bomb":
        (work / name).write_text("constructions: []\n" + _alias_bomb())
    elif kind == "folder":
        (work / name).mkdir()
    elif kind == "fifo":
        os.mkfifo(work / name)
    elif kind == "not-a-catalogue":
        (work / name).write_text("cables: []\n")
        names = "cat.yaml:1: cables: unknown environment catalogue section"
    else:
        (work / name).write_text("fill_limits:\n  - {name: tray, cables: 1, limit_percent: 90,"
                                 " source: me, status: verified, override: true}\n")
        names = "claims status 'verified'"
    spec_with_catalog(work, name)
    for argv in (["routes", "check", "s.yaml"], ["plan", "s.yaml", "-o", "out"]):
        r = run_cli(argv, work)
        assert_refused(r, names=names, allowed="out")
