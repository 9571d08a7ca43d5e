"""Two-row MDIs (100GBASE-SR10, 400GBASE-SR8 on MPO-24), 800GBASE-SR8/VR8 and the
400GBASE-SR4.2 BiDi port (both directions on one fiber, two wavelengths) through direct
cords and TIA-568.3 methods; the scalar checker and the batch verifier agree.

Method A::  [MDI]--cord A--[adapter A]==trunk A==[adapter A]--cord B--[MDI]
Method B::  [MDI]--cord B--[adapter B]==trunk B==[adapter B]--cord B--[MDI]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpokit.connectivity import geometry as geo
from mpokit.connectivity.batch import BIT, ChannelBatch, verify_batch
from mpokit.connectivity.checks import evaluate
from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.model import compile_channel
from mpokit.connectivity.transform import reverse_spec
from mpokit.standards import connector, transceiver
from mpokit.standards.connectors import MdiPort

CONN = {"100GBASE-SR10": ("MPO-24", "UPC"), "400GBASE-SR8-MPO24": ("MPO-24", "UPC"),
        "400GBASE-SR4.2": ("MPO-12", "UPC"), "800GBASE-SR8": ("MPO-16", "APC"),
        "800GBASE-VR8": ("MPO-16", "APC")}


def _cable(kind: str, t: str, conn: str, pol: str) -> dict[str, Any]:
    return {kind: {"connector": conn, "type": t, "fiber": "OM4", "polish": pol,
                   "length_m": 30 if kind == "trunk" else 3}}


def _path(model: str, how: str) -> list[dict[str, Any]]:
    conn, pol = CONN[model]
    if how.startswith("direct"):
        return [_cable("cord", how[-1], conn, pol)]
    c1, adapter, tr, c2 = {"method A": "AAAB", "method B": "BBBB", "all type A": "AAAA",
                           "type C trunk": "AACB"}[how]
    ad = {"adapter": {"type": adapter, "connector": conn}}
    return [_cable("cord", c1, conn, pol), ad, _cable("trunk", tr, conn, pol), ad,
            _cable("cord", c2, conn, pol)]


def _check(a: str, b: str, path: list[dict[str, Any]]):
    ch = compile_channel(parse_channel({"a": a, "b": b, "path": path}))
    r = evaluate(ch)
    # the batch verifier gives the same verdict and codes
    res = verify_batch(ChannelBatch.from_channels([ch]))
    codes = {c for c, bit in BIT.items() if res.codes[0] & bit and c != "lane_order"}
    assert bool(res.ok[0]) == r.ok
    assert codes == {f.code for f in r.findings if f.severity == "error"}
    return r


PASS = ["direct B", "method A", "method B"]
FAIL = ["direct A", "direct C", "all type A"]


def test_type_b_cable_turns_a_two_row_array() -> None:
    m = geo.cable_map(connector("MPO-24"), "B")
    assert (m[0], m[11], m[12], m[23]) == (23, 12, 11, 0)  # 1->24, 12->13, 13->12, 24->1
    assert geo.compose(m, m).tolist() == list(range(24))  # two Type B cables cancel
    one_row = geo.cable_map(connector("MPO-12"), "B")
    assert one_row.tolist() == list(range(11, -1, -1))


@pytest.mark.parametrize("model", ["100GBASE-SR10", "400GBASE-SR8-MPO24"])
def test_two_row_mdi_has_tx_and_rx_on_different_rows(model: str) -> None:
    t = transceiver(model)
    port = t.ports[0]
    cols = connector(port.connector).columns
    assert {(p - 1) // cols for p in port.tx} == {1} and {(p - 1) // cols for p in port.rx} == {0}
    # the end columns of each row stay dark
    assert not {1, 12, 13, 24} & (set(port.tx) | set(port.rx))


# APC plugs cannot meet key-up/key-up in Method B's adapters (tested below)
@pytest.mark.parametrize(("model", "how"), [(m, h) for m in CONN for h in PASS
                                            if not (CONN[m][1] == "APC" and h == "method B")])
def test_standard_methods_connect_every_lane(model: str, how: str) -> None:
    r = _check(model, model, _path(model, how))
    assert r.ok, [f.message for f in r.findings]
    lanes = transceiver(model).lanes
    assert len(r.lanes) == 2 * lanes and all(ln.status == "ok" for ln in r.lanes)


@pytest.mark.parametrize("model", list(CONN))
@pytest.mark.parametrize("how", FAIL)
def test_straight_or_pair_flipped_paths_fail_on_polarity(model: str, how: str) -> None:
    r = _check(model, model, _path(model, how))
    assert not r.ok
    assert "polarity" in {f.code for f in r.findings}
    assert all(ln.status == "wrong" for ln in r.lanes)


@pytest.mark.parametrize("model", [m for m in CONN if m != "100GBASE-SR10"])
def test_type_c_trunk_in_method_a_only_reorders_lanes(model: str) -> None:
    # neighbouring fibers swap: each Tx still meets a receiver (of its wavelength), in
    # another lane, which these PCSs realign
    r = _check(model, model, _path(model, "type C trunk"))
    assert r.ok
    assert {f.code for f in r.findings} == {"lane_order"}
    assert {ln.status for ln in r.lanes} == {"lane_order"}


def test_type_c_trunk_sends_sr10_edge_lanes_to_dark_columns() -> None:
    # SR10 uses columns 2-11: the pair flip moves columns 2 and 11 onto 1 and 12
    r = _check("100GBASE-SR10", "100GBASE-SR10", _path("100GBASE-SR10", "type C trunk"))
    bad = {f.lanes for f in r.findings if f.code == "polarity"}
    assert bad == {(0, 9)}


def test_apc_octal_in_type_b_adapters_is_an_apc_error() -> None:
    r = _check("800GBASE-SR8", "800GBASE-SR8", _path("800GBASE-SR8", "method B"))
    assert {f.code for f in r.findings if f.severity == "error"} == {"apc_orientation"}


# -- BiDi: one fiber, two wavelengths, both directions ------------------------------------

def test_bidi_port_shares_each_fiber_between_tx_and_rx() -> None:
    port = transceiver("400GBASE-SR4.2").ports[0]
    assert port.bidi and set(port.tx) == set(port.rx) == {1, 2, 3, 4, 9, 10, 11, 12}
    assert port.tx_nm is not None and port.rx_nm is not None
    tx = dict(zip(port.tx, port.tx_nm, strict=True))
    rx = dict(zip(port.rx, port.rx_nm, strict=True))
    # every fiber sends one wavelength and receives the other
    assert all(tx[p] != rx[p] for p in tx)


def test_bidi_crossed_trunk_pairs_each_wavelength_with_its_receiver() -> None:
    r = _check("400GBASE-SR4.2", "400GBASE-SR4.2", _path("400GBASE-SR4.2", "direct B"))
    assert r.ok
    a = transceiver("400GBASE-SR4.2").ports[0]
    assert a.tx_nm is not None and a.rx_nm is not None
    for ln in r.lanes:
        assert ln.rx_lane is not None
        # Tx(l1) of one end lands on the fiber where the other end's Rx(l1) is
        assert a.tx_nm[ln.lane] == a.rx_nm[ln.rx_lane]
        assert ln.rx_position == a.rx[ln.rx_lane]


def test_bidi_straight_trunk_meets_the_wrong_wavelength() -> None:
    r = _check("400GBASE-SR4.2", "400GBASE-SR4.2", _path("400GBASE-SR4.2", "direct A"))
    assert not r.ok
    msg = next(f.message for f in r.findings if f.code == "polarity")
    # positions line up with receivers, but they listen at the other wavelength
    assert "listens at 910 nm, not 850 nm" in msg
    assert all(ln.status == "wrong" and ln.rx_position is not None for ln in r.lanes)


def test_bidi_port_validation() -> None:
    with pytest.raises(ValueError, match="two wavelengths"):
        MdiPort(connector="MPO-12", polish="UPC", tx=(1,), rx=(1,), tx_nm=(850,), rx_nm=(850,))
    with pytest.raises(ValueError, match="both tx_nm and rx_nm"):
        MdiPort(connector="MPO-12", polish="UPC", tx=(1,), rx=(12,), tx_nm=(850,))
    with pytest.raises(ValueError, match="used twice"):
        MdiPort(connector="MPO-12", polish="UPC", tx=(1,), rx=(1,))


@pytest.mark.parametrize(("a", "b"), [
    ("800GBASE-SR8", "800GBASE-VR8"),  # VR and SR lanes are different optics
    ("800GBASE-SR8", "400GBASE-SR8"),  # 100G and 50G lanes
    ("400GBASE-SR4.2", "400GBASE-SR4"),  # BiDi 50G lanes vs one-wavelength 100G lanes
])
def test_modules_that_cannot_talk_are_a_pmd_mismatch(a: str, b: str) -> None:
    conn = CONN.get(a, ("MPO-16", "APC"))
    path = [_cable("cord", "B", *conn)]
    if a == "400GBASE-SR4.2":
        path = [_cable("cord", "B", "MPO-12", "APC")]
    r = evaluate(compile_channel(parse_channel({"a": a, "b": b, "path": path})))
    assert "pmd_mismatch" in {f.code for f in r.findings}


def test_batch_of_mixed_bidi_channels_matches_the_scalar_checker() -> None:
    chans = [compile_channel(parse_channel({"a": m, "b": m, "path": _path(m, how)}))
             for m in ("400GBASE-SR4.2", "100GBASE-SR10")
             for how in [*PASS, *FAIL, "type C trunk"]]
    res = verify_batch(ChannelBatch.from_channels(chans, np.arange(len(chans)).repeat(2)))
    assert res.ok.tolist() == [evaluate(c).ok for c in chans for _ in range(2)]


def test_trace_names_the_wrong_wavelength_receiver() -> None:
    from mpokit.connectivity.trace import trace

    ch = compile_channel(parse_channel({"a": "400GBASE-SR4.2", "b": "400GBASE-SR4.2",
                                        "path": _path("400GBASE-SR4.2", "direct A")}))
    ab, _ = trace(ch)
    # Tx lane 0 (850 nm, position 1) reaches position 1 of B, whose receiver is at 910 nm
    assert ab.arrives[0] == "Rx4@910nm"
    good, _ = trace(compile_channel(parse_channel({
        "a": "400GBASE-SR4.2", "b": "400GBASE-SR4.2",
        "path": _path("400GBASE-SR4.2", "direct B")})))
    assert good.arrives == tuple(f"Rx{k}" for k in range(8))


@st.composite
def _upc_paths(draw: st.DrawFn, conn: str) -> list[dict[str, Any]]:
    """Random UPC paths: a cord, then 0-2 (adapter, trunk) pairs and an adapter and cord."""
    t = st.sampled_from(["A", "B", "C"])
    n = draw(st.integers(0, 2))
    path = [_cable("cord", draw(t), conn, "UPC")]
    for _ in range(n):
        path += [{"adapter": {"type": draw(st.sampled_from(["A", "B"]))}},
                 _cable("trunk", draw(t), conn, "UPC")]
    if n:
        path += [{"adapter": {"type": draw(st.sampled_from(["A", "B"]))}},
                 _cable("cord", draw(t), conn, "UPC")]
    for el in path:  # plugs: female cords, pinned trunks (valid genders everywhere)
        if "trunk" in el:
            el["trunk"]["ends"] = ["male", "male"]
    return path


@settings(max_examples=60, deadline=None)
@given(_upc_paths("MPO-12"))
def test_bidi_verdict_equals_sr4_verdict_on_any_path(path: list[dict[str, Any]]) -> None:
    # SR4.2 passes exactly where SR4 does: both need fibers 1-4 of one end to reach 9-12
    # of the other; SR4.2 adds that each wavelength then meets its own receiver
    bidi = _check("400GBASE-SR4.2", "400GBASE-SR4.2", path)
    sr4 = _check("100GBASE-SR4", "100GBASE-SR4", path)
    assert bidi.ok == sr4.ok
    back = evaluate(compile_channel(reverse_spec(parse_channel(
        {"a": "400GBASE-SR4.2", "b": "400GBASE-SR4.2", "path": path}))))
    assert back.ok == bidi.ok


@settings(max_examples=60, deadline=None)
@given(_upc_paths("MPO-24"))
def test_two_row_verdict_is_direction_free_and_batch_agrees(path: list[dict[str, Any]]) -> None:
    r = _check("100GBASE-SR10", "100GBASE-SR10", path)  # asserts batch == scalar
    back = evaluate(compile_channel(reverse_spec(parse_channel(
        {"a": "100GBASE-SR10", "b": "100GBASE-SR10", "path": path}))))
    assert back.ok == r.ok
