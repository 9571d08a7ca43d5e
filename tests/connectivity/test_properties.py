"""Algebraic properties, checked with hypothesis over random channels:

* reversing a channel inverts its end-to-end map;
* element maps compose associatively;
* every suggested fix passes when applied;
* the array verifier agrees with the scalar checker.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpokit.connectivity import geometry as geo
from mpokit.connectivity.batch import BIT, ChannelBatch, verify_batch
from mpokit.connectivity.checks import evaluate
from mpokit.connectivity.fixes import apply_patch, find_fix
from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.model import compile_channel
from mpokit.connectivity.transform import reverse_spec
from mpokit.standards import connector

from .builders import adapter, channel, cord, trunk

PARALLEL = {"MPO-12": ["400GBASE-DR4", "100GBASE-SR4", "800G-2xDR4"],
            "MPO-16": ["800GBASE-DR8", "400GBASE-SR8"]}


@st.composite
def parallel_channels(draw: st.DrawFn) -> dict[str, Any]:
    conn = draw(st.sampled_from(sorted(PARALLEL)))
    polish = draw(st.sampled_from(["APC", "UPC"]))
    fiber = "OS2" if polish == "APC" else "OM4"
    n_links = draw(st.integers(0, 3))
    t = st.sampled_from(["A", "B", "C"])
    g = st.sampled_from(["male", "female"])
    path = [cord(draw(t), ("female", draw(g)), polish, conn, fiber)]
    for _ in range(n_links):
        path.append(adapter(draw(st.sampled_from(["A", "B"]))))
        path.append(trunk(draw(t), (draw(g), draw(g)), polish, conn, fiber))
    if n_links:
        path.append(adapter(draw(st.sampled_from(["A", "B"]))))
        path.append(cord(draw(t), (draw(g), "female"), polish, conn, fiber))
    else:
        path[0]["cord"]["ends"] = ["female", "female"]
    ends = PARALLEL[conn]
    a = draw(st.sampled_from(ends))
    b = draw(st.sampled_from(ends))
    if a == "800G-2xDR4":
        a = {"transceiver": a, "port": draw(st.integers(1, 2))}
    return channel(a, b, *path)


@settings(max_examples=150, deadline=None)
@given(parallel_channels())
def test_reversing_a_channel_inverts_its_map(d: dict[str, Any]) -> None:
    spec = parse_channel(d)
    fwd = compile_channel(spec).end_to_end()
    back = compile_channel(reverse_spec(spec)).end_to_end()
    n_b = compile_channel(spec).b.connector.positions
    assert back.tolist() == geo.invert(fwd, n_b).tolist()
    # and the verdict does not depend on the direction we list the path in
    assert evaluate(compile_channel(spec)).ok == evaluate(compile_channel(reverse_spec(spec))).ok


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["MPO-12", "MPO-16", "MPO-24", "MPO-32", "MPO-8"]),
       st.lists(st.sampled_from(["A", "B", "C", "up-up", "up-down"]), min_size=3, max_size=3))
def test_element_maps_compose_associatively(name: str, kinds: list[str]) -> None:
    c = connector(name)
    maps = [geo.mate_map(c, k) if k.startswith("up") else geo.cable_map(c, k)  # type: ignore[arg-type]
            for k in kinds]
    left = geo.compose(geo.compose(maps[0], maps[1]), maps[2])
    right = geo.compose(maps[0], geo.compose(maps[1], maps[2]))
    assert left.tolist() == right.tolist()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parallel_channels())
def test_every_suggested_fix_passes_when_applied(d: dict[str, Any]) -> None:
    spec = parse_channel(d)
    if evaluate(compile_channel(spec)).ok:
        return
    fix = find_fix(spec)
    if fix is None:  # nothing within two swaps; the report says so
        return
    assert evaluate(compile_channel(apply_patch(spec, fix.patch))).ok
    assert len(fix.changes) <= 2


@settings(max_examples=60, deadline=None)
@given(st.lists(parallel_channels(), min_size=1, max_size=6))
def test_batch_verifier_agrees_with_scalar_checker(ds: list[dict[str, Any]]) -> None:
    chans = [compile_channel(parse_channel(d)) for d in ds]
    idx = np.arange(len(chans)).repeat(3)
    res = verify_batch(ChannelBatch.from_channels(chans, idx))
    for i, ch in enumerate(chans):
        r = evaluate(ch)
        codes = {f.code for f in r.findings if f.severity == "error"}
        got = {c for c, bit in BIT.items() if res.codes[3 * i] & bit and c != "lane_order"}
        assert bool(res.ok[3 * i]) == r.ok
        assert got == codes
        assert bool(res.lane_order[3 * i]) == any(f.code == "lane_order" for f in r.findings)


@st.composite
def duplex_channels(draw: st.DrawFn) -> dict[str, Any]:
    """LC cord, cassette, MPO trunk, cassette, LC cord, with random parts and ports."""
    lc = st.sampled_from(["A-B", "A-A"])
    cas = st.sampled_from(["MPO12-LC6-A", "MPO12-LC6-B"])
    port = st.integers(1, 6)

    def lc_cord() -> dict[str, Any]:
        return {"cord": {"connector": "LC", "type": draw(lc), "fiber": "OM4", "length_m": 2}}

    return channel(
        "10GBASE-SR", "10GBASE-SR",
        lc_cord(),
        {"cassette": {"model": draw(cas), "port": draw(port)}},
        trunk(draw(st.sampled_from(["A", "B", "C"])), ("female", "female"), "UPC", "MPO-12",
              "OM4"),
        {"cassette": {"model": draw(cas), "port": draw(port)}},
        lc_cord(),
    )


@settings(max_examples=150, deadline=None)
@given(duplex_channels())
def test_duplex_reverse_and_batch_agree(d: dict[str, Any]) -> None:
    spec = parse_channel(d)
    ch = compile_channel(spec)
    rev = compile_channel(reverse_spec(spec))
    # fibers that leave the channel (AWAY) or end (DARK) both mean "no connection"
    assert np.maximum(rev.end_to_end(), -1).tolist() == geo.invert(ch.end_to_end(), 2).tolist()
    r = evaluate(ch)
    assert evaluate(rev).ok == r.ok
    res = verify_batch(ChannelBatch.from_channels([ch]))
    assert bool(res.ok[0]) == r.ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(duplex_channels())
def test_every_suggested_duplex_fix_passes_when_applied(d: dict[str, Any]) -> None:
    spec = parse_channel(d)
    if evaluate(compile_channel(spec)).ok:
        return
    fix = find_fix(spec)
    # a duplex channel through two cassettes can always be mended by re-patching a port,
    # swapping a cord or a cassette
    assert fix is not None
    assert evaluate(compile_channel(apply_patch(spec, fix.patch))).ok
