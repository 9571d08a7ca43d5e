"""Acceptance tables as data (IEC 61300-3-35 via a quoting source) and the size ladders."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.errors import CatalogError, InputError
from mpokit.qc.inspect.rules import builtin_rules, get_rules, grade_zone


def test_every_class_has_zones_a_to_d_with_provenance() -> None:
    rules = builtin_rules()
    assert set(rules.classes) == {"sm-pc", "sm-apc", "mm-pc", "mm-apc"}
    for table in rules.classes.values():
        assert [z.name for z in table.zones] == ["A", "B", "C", "D"]
        assert table.source and table.status in ("verified", "derived", "vendor", "typical")
        # the table's note: on MT ferrules only zones A and B apply
        assert [z.name for z in table.zones if "mt" in z.graded_on] == ["A", "B"]
        assert table.zones[-1].outer_um == 250


def test_sm_pc_zone_b_defect_ladder_none_over_5_five_from_2_to_5() -> None:
    t = builtin_rules().get("sm-pc")
    b = t.zone("B")
    assert grade_zone(t, b, "defect", [1.5] * 40, range(40)) == []          # < 2 um: no limit
    assert grade_zone(t, b, "defect", [3.0] * 5, range(5)) == []            # 5 allowed
    six = grade_zone(t, b, "defect", [3.0] * 6, range(6))
    assert len(six) == 1 and six[0].found == 6 and six[0].allowed == 5
    big = grade_zone(t, b, "defect", [5.5], [7])
    assert big[0].allowed == 0 and big[0].feature_ids == (7,)


def test_scratch_rules_differ_between_pc_and_apc_zone_a() -> None:
    rules = builtin_rules()
    pc, apc = rules.get("sm-pc"), rules.get("sm-apc")
    assert grade_zone(pc, pc.zone("A"), "scratch", [2.0], [1])            # PC: none
    assert grade_zone(apc, apc.zone("A"), "scratch", [2.0] * 4, range(4)) == []
    v = grade_zone(apc, apc.zone("A"), "scratch", [2.0] * 5, range(5))
    assert v and v[0].status == "typical"  # the rung read from a damaged source text


def test_unknown_class_suggests_close_names() -> None:
    with pytest.raises(CatalogError, match="did you mean 'sm-pc'"):
        builtin_rules().get("sm-pcc")


def test_user_rules_file_with_misspelt_key_names_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "classes:\n"
        "  - name: strict\n    description: x\n    source: buyer spec\n    status: vendor\n"
        "    zones:\n"
        "      - {name: A, label: core, inner_um: 0, outer_um: 25,\n"
        "         scratches: [{max_um: null, max_count: 0}],\n"
        "         defect: [{max_um: null, max_count: 0}]}\n"
        "ferrule_advice: {min_debris_um: 10, source: s, status: typical}\n")
    with pytest.raises(InputError) as exc:
        get_rules(path)
    assert "mine.yaml" in str(exc.value) and "defect" in str(exc.value)


def test_user_rules_ladder_must_end_open(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "classes:\n"
        "  - name: strict\n    description: x\n    source: buyer spec\n    status: vendor\n"
        "    zones:\n"
        "      - {name: A, label: core, inner_um: 0, outer_um: 25,\n"
        "         scratches: [{max_um: 3, max_count: 0}],\n"
        "         defects: [{max_um: null, max_count: 0}]}\n"
        "ferrule_advice: {min_debris_um: 10, source: s, status: typical}\n")
    with pytest.raises(InputError, match="last size class"):
        get_rules(path)
