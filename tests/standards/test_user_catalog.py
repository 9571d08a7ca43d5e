"""User catalogue files extend the built-in catalogues; ``--catalog`` on the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.errors import InputError
from mpokit.standards import breakouts, load_user_catalog, transceivers

EX = Path(__file__).resolve().parents[2] / "examples" / "catalog"


@pytest.fixture
def restore_catalogues() -> Iterator[None]:
    saved = {c: dict(c._items) for c in (transceivers(), breakouts())}
    yield
    for c, items in saved.items():
        c._items = items


@pytest.mark.usefixtures("restore_catalogues")
def test_example_catalogue_adds_a_transceiver_and_a_harness() -> None:
    assert load_user_catalog(str(EX / "my-parts.yaml")) == ["transceivers", "breakouts"]
    assert transceivers().get("acme-400g-psm4").pmd == "400GBASE-DR4"
    assert len(breakouts().get("ACME-MPO12-2xMPO8-CROSS").legs) == 2


@pytest.mark.usefixtures("restore_catalogues")
def test_cli_check_with_and_without_the_catalogue() -> None:
    runner = CliRunner()
    chan = str(EX / "acme-channel.yaml")
    r = runner.invoke(app, ["check", chan])
    assert r.exit_code == 1 and "unknown transceiver 'ACME-400G-PSM4'" in r.output
    r = runner.invoke(app, ["check", "--catalog", str(EX / "my-parts.yaml"), chan])
    assert r.exit_code == 0, r.output


def test_bad_record_names_its_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("cassettes:\n  - name: X\n    rear: {connector: MPO-12}\n    rear_adapter: C\n"
                 "    front: {ports: 6}\n    harness: []\n    source: s\n    status: vendor\n")
    with pytest.raises(InputError) as ei:
        load_user_catalog(str(p))
    assert ei.value.line == 4 and ei.value.field == "cassettes[0].rear_adapter"


# --- extend or override explicitly, never claim 'verified' (issue 8) ---------------------

@pytest.mark.usefixtures("restore_catalogues")
def test_replacing_a_builtin_needs_override(tmp_path: Path) -> None:
    text = (EX / "my-parts.yaml").read_text().replace("ACME-400G-PSM4", "400GBASE-DR4", 1)
    p = tmp_path / "mine.yaml"
    p.write_text(text)
    before = transceivers().get("400GBASE-DR4")
    with pytest.raises(InputError) as ei:
        load_user_catalog(str(p))
    assert "already in the catalogue" in ei.value.message
    assert ei.value.field == "transceivers[0].name" and ei.value.line == 4
    assert transceivers().get("400GBASE-DR4") is before
    p.write_text(text.replace("  - name: 400GBASE-DR4\n", "  - name: 400GBASE-DR4\n"
                              "    override: true\n", 1))
    load_user_catalog(str(p))
    assert transceivers().get("400GBASE-DR4").status == "vendor"


@pytest.mark.usefixtures("restore_catalogues")
def test_user_records_cannot_claim_verified(tmp_path: Path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text((EX / "my-parts.yaml").read_text().replace("status: vendor", "status: verified"))
    with pytest.raises(InputError) as ei:
        load_user_catalog(str(p))
    assert ei.value.field == "transceivers[0].status" and "verified" in ei.value.message
    assert "ACME-400G-PSM4" not in transceivers()


def test_user_grades_cannot_claim_verified_or_repeat(tmp_path: Path) -> None:
    from mpokit.loss import extend_grades, grades

    saved = dict(grades()._items)
    rec = ("  - name: MINE\n    kind: connection\n    mean_db: 0.2\n    p97_db: 0.4\n"
           "    source: lab\n    status: {}\n")
    p = tmp_path / "g.yaml"
    try:
        p.write_text("grades:\n" + rec.format("verified"))
        with pytest.raises(InputError, match="verified"):
            extend_grades(p)
        p.write_text("grades:\n" + rec.format("typical") * 2)
        with pytest.raises(InputError, match="twice"):
            extend_grades(p)
        p.write_text("grades:\n" + rec.format("typical") + "gardes: []\n")
        with pytest.raises(InputError, match="unknown key 'gardes'"):
            extend_grades(p)
    finally:
        grades()._items = saved
