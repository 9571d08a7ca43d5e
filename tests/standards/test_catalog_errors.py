"""A catalogue file with errors reports all of them and adds none of its records."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.errors import CatalogError, InputErrors
from mpokit.loss import extend_grades, grade


def test_every_error_and_no_record_added(tmp_path: Path) -> None:
    f = tmp_path / "grades.yaml"
    f.write_text("grades:\n"
                 "  - {name: ok-grade, mean_db: 0.1, p97_db: 0.2, source: lab, status: typical}\n"
                 "  - {name: q1, mean_db: 0.1, p97_db: 0.2, sorce: lab, status: typical}\n"
                 "  - {name: q2, mean_db: x, p97_db: 0.2, source: lab, status: typical}\n")
    with pytest.raises(InputErrors) as info:
        extend_grades(f)
    got = [(e.line, e.field) for e in info.value.errors]
    assert got == [(3, "grades[1].sorce"), (4, "grades[2].mean_db")]
    assert info.value.errors[0].fix == "did you mean 'source'?"
    with pytest.raises(CatalogError):
        grade("ok-grade")  # the valid record of the bad file was not added either
