"""Every hostile case: exit code, a message naming file/field, no traceback, bounded
memory and time, nothing touched outside the output (see ``harness.assert_refused``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.corpus import Case, corpus
from tests.hostile.harness import assert_refused, run_cli

CASES = corpus()


def _prepare(case: Case, work: Path) -> None:
    for name, content in case.files.items():
        (work / name).write_bytes(content)
    if case.setup is not None:
        case.setup(work)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _prepare(case, work)
    r = run_cli(list(case.argv), work, env=case.env, timeout=case.seconds + 30)
    assert_refused(r, names=case.names, exit_code=case.exit_code, allowed=case.allowed,
                   seconds=case.seconds)


def test_corpus_covers_every_surface() -> None:
    ids = {c.id for c in CASES}
    for surface in ("channel-check", "channel-loss", "catalogue", "grades", "spec"):
        for kind in ("alias-bomb", "deep-flow", "fifo", "dev-zero", "duplicate-key"):
            assert f"{surface}-{kind}" in ids
    assert len(CASES) > 70
