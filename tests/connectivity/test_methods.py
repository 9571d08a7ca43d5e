"""Every TIA-568.3 polarity method passes; every classic mistake fails with its code,
and the suggested fix, applied, passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.connectivity.fixes import apply_patch
from mpokit.connectivity.io import read_channels
from mpokit.verify import check_channel

EX = Path(__file__).resolve().parents[2] / "examples"

GOOD = sorted((EX / "channels").glob("*.yaml"))

MISTAKES = {
    "two-type-a-cords-method-a.yaml": "polarity",
    "type-a-cord-between-dr4.yaml": "polarity",
    "pinned-to-pinned.yaml": "gender",
    "apc-in-key-up-key-up-adapters.yaml": "apc_orientation",
    "mpo16-into-mpo12.yaml": "connector_mismatch",
    "apc-to-upc.yaml": "polish",
    "base8-trunk-dark-port.yaml": "dark_lane",
    "breakout-splits-lane-pair.yaml": "polarity",
}


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_polarity_method_fixture_passes(path: Path) -> None:
    for spec in read_channels(path):
        r = check_channel(spec, loss=False)
        assert r.ok, [f.message for f in r.findings]
        carried = [ln for ln in r.lanes if ln.status != "elsewhere"]
        assert carried and all(ln.status == "ok" for ln in carried)


def test_every_mistake_fixture_is_listed() -> None:
    assert {p.name for p in (EX / "mistakes").glob("*.yaml")} == set(MISTAKES)


@pytest.mark.parametrize("name,code", sorted(MISTAKES.items()))
def test_mistake_fails_with_code_and_fix_passes(name: str, code: str) -> None:
    (spec,) = read_channels(EX / "mistakes" / name)
    r = check_channel(spec, loss=False)
    assert not r.ok
    codes = {f.code for f in r.findings if f.severity == "error"}
    assert code in codes
    f = next(f for f in r.findings if f.code == code)
    assert f.fix and f.patch, "every error carries a real fix"
    fixed = check_channel(apply_patch(spec, f.patch), loss=False, fixes=False)
    assert fixed.ok, (f.fix, [x.message for x in fixed.findings])


def test_mating_findings_point_at_the_adapter() -> None:
    (spec,) = read_channels(EX / "mistakes" / "pinned-to-pinned.yaml")
    r = check_channel(spec, loss=False)
    assert [f.at for f in r.findings if f.code == "gender"] == [1]


def test_type_a_direct_fix_is_a_type_b_cord() -> None:
    (spec,) = read_channels(EX / "mistakes" / "type-a-cord-between-dr4.yaml")
    r = check_channel(spec, loss=False)
    assert r.findings[0].fix == "replace path[0] (MPO-12 Type A cord) with a Type B cord"


def test_method_a_with_two_type_a_cords_prefers_changing_a_cord_over_the_trunk() -> None:
    (spec,) = read_channels(EX / "mistakes" / "two-type-a-cords-method-a.yaml")
    f = check_channel(spec, loss=False).findings[0]
    assert f.patch[0]["kind"] == "cord" and f.patch[0]["set"] == {"type": "B"}


def test_wrong_lane_reports_where_tx_lands() -> None:
    (spec,) = read_channels(EX / "mistakes" / "type-a-cord-between-dr4.yaml")
    r = check_channel(spec, loss=False)
    a_to_b = [ln for ln in r.lanes if ln.direction == "a->b"]
    # Tx lane k (module position k+1) lands on B's Tx lane k (same position): straight cord
    assert [(ln.tx_position, ln.rx_position, ln.status) for ln in a_to_b] == [
        (k + 1, k + 1, "wrong") for k in range(4)]


def test_lane_swap_the_pcs_tolerates_is_a_warning_not_a_failure() -> None:
    from mpokit.connectivity.io import parse_channel

    # a Type B map with the fibers of positions 1 and 2 swapped: Tx lanes 2 and 3 of the
    # far end land on each other's receivers
    swapped = [11, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    spec = parse_channel({"a": "400GBASE-DR4", "b": "400GBASE-DR4", "path": [
        {"cord": {"connector": "MPO-12", "type": "custom", "map": swapped,
                  "fiber": "OS2", "length_m": 3}}]})
    r = check_channel(spec, loss=False)
    assert r.ok
    warn = [f for f in r.findings if f.code == "lane_order"]
    assert warn and all(f.severity == "warning" for f in warn)
    assert {ln.status for ln in r.lanes} == {"ok", "lane_order"}


def test_port_beyond_a_twin_port_module_is_a_design_error() -> None:
    from mpokit.connectivity.io import parse_channel
    from mpokit.errors import DesignError

    spec = parse_channel({"a": {"transceiver": "800G-2xDR4", "port": 3}, "b": "400GBASE-DR4",
                          "path": [{"cord": {"connector": "MPO-12", "type": "B",
                                             "fiber": "OS2", "length_m": 3}}]})
    with pytest.raises(DesignError, match="has 2 port"):
        check_channel(spec, loss=False)


@pytest.mark.parametrize("adapter_type", ["A", "B"])
@pytest.mark.parametrize("panels", [1, 2, 3])
def test_duplex_a_b_cords_through_lc_panels_pass_whatever_the_adapter_type(
    adapter_type: str, panels: int
) -> None:
    from mpokit.connectivity.io import parse_channel

    cord = {"cord": {"connector": "LC", "type": "A-B", "fiber": "OS2", "length_m": 2}}
    path = [cord]
    for _ in range(panels):
        path += [{"adapter": {"type": adapter_type}}, cord]
    r = check_channel(parse_channel({"a": "100GBASE-DR", "b": "100GBASE-DR", "path": path}),
                      loss=False)
    assert r.ok, [f.message for f in r.findings]


def test_one_a_a_cord_in_a_duplex_patch_fails_polarity() -> None:
    from mpokit.connectivity.io import parse_channel

    r = check_channel(parse_channel({"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [
        {"cord": {"connector": "LC", "type": "A-A", "fiber": "OM4", "length_m": 2}}]}), loss=False)
    assert not r.ok and r.findings[0].code == "polarity"
    assert "A-B" in (r.findings[0].fix or "")


def test_adapter_of_another_family_is_a_mismatch_with_a_fix() -> None:
    from mpokit.connectivity.io import parse_channel

    spec = parse_channel({"a": "800GBASE-DR8", "b": "800GBASE-DR8", "path": [
        {"cord": {"connector": "MPO-16", "type": "B", "ends": ["female", "male"],
                  "fiber": "OS2", "length_m": 3}},
        {"adapter": {"type": "A", "connector": "MPO-12"}},
        {"cord": {"connector": "MPO-16", "type": "A", "fiber": "OS2", "length_m": 3}}]})
    r = check_channel(spec, loss=False)
    (f,) = r.findings
    assert (f.code, f.at) == ("connector_mismatch", 1)
    assert f.fix == "replace path[1] (Type A adapter) with an MPO-16 adapter"


def test_vocabulary_is_case_insensitive_and_knows_pinned() -> None:
    from mpokit.connectivity.io import parse_channel

    spec = parse_channel({"a": "400gbase-dr4", "b": "400GBASE-DR4", "path": [
        {"cord": {"connector": "mpo-12", "type": "b", "polish": "apc",
                  "ends": ["Unpinned", "unpinned"], "fiber": "os2", "length_m": 3}}]})
    c = spec.path[0].cord
    assert (c.type, c.polish, c.ends, c.fiber) == ("B", "APC", ("female", "female"), "OS2")
    assert check_channel(spec, loss=False).ok
