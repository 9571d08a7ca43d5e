"""Provenance is worded in one place and shown the same way by every report."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mpokit.loss.limits import channel_limit
from mpokit.standards.provenance import (
    BARE,
    is_standard,
    provenance_tag,
    weakest,
    with_provenance,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "mpokit"


@pytest.mark.parametrize(("status", "tag"), [
    ("verified", ""), ("derived", ""), ("explicit", ""), (None, ""),
    ("vendor", " (vendor)"), ("typical", " (typical)"),
])
def test_tag_per_status(status: str | None, tag: str) -> None:
    assert provenance_tag(status) == tag
    assert with_provenance("1 dB", status) == "1 dB" + tag


def test_only_standard_values_may_fail_and_weakest_orders() -> None:
    assert [s for s in ("verified", "derived", "vendor", "typical") if is_standard(s)] == [
        "verified", "derived"]
    assert weakest("verified", "derived", "typical", "vendor") == "typical"
    assert weakest("derived", "verified") == "derived"


def test_limit_label_uses_the_shared_wording() -> None:
    lim = channel_limit("400GBASE-SR8", "OM4")
    assert lim is not None
    assert lim.label() == with_provenance(f"{lim.max_il_db:g} dB", lim.status)
    derived = channel_limit("10GBASE-SR", "OM5")  # held to the OM4 row: at best derived
    assert derived is not None and derived.status in ("derived", "vendor", "typical")


def _status_tuples(tree: ast.AST) -> list[int]:
    """Lines where a tuple/set literal spells the bare-provenance set itself."""
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.Set | ast.List):
            words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if {"verified", "derived"} <= words and words <= BARE | {None}:
                hits.append(node.lineno)
    return hits


def test_no_module_but_provenance_spells_which_statuses_are_bare() -> None:
    offenders = {}
    for f in SRC.rglob("*.py"):
        if f.name == "provenance.py":
            continue
        hits = _status_tuples(ast.parse(f.read_text()))
        if hits:
            offenders[str(f.relative_to(SRC))] = hits
    assert offenders == {}
