"""NetBox 4.6.6 run from its source tree here: mpokit's push and cable-trace read-back,
replayed from the recorded exchanges (``data/netbox-4.6.6-recorded/``, made by
netbox_recorded.py).

The plan: two duplex links from leaf07 over LC cords into one MPO-LC cassette pair::

    [leaf07 17] --LC cord-- [3A03-PP01 F01-1][R01] ==MPO trunk== [R01][1A01-PP03 F01-1]
        --LC cord-- [spine01 25]          (and port 19 through F01-3: rear position 3)

A second recording pushes a small plan of 1:2 breakout harnesses (one cable with NetBox's
profile ``breakout-1c2p-2c1p`` each) and traces a harness from the leaf (two far ends)
and from a NIC. Every request mpokit sends must equal the recorded one (method, path,
query, body) in order; NetBox's recorded answers then drive the push, the second push
(nothing to create) and the traces, which must equal mpokit's position by position.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mpokit.integrations import Plant
from mpokit.integrations.push import PushError

from .netbox_recorded import BASE, PLANS, Replay, plan_plant, run, session, starts_of
from .netbox_sources import PublishedNetbox

pytest.importorskip("pynetbox")
pytest.importorskip("jsonschema")

DATA = Path(__file__).parent / "data"
REC = DATA / "netbox-4.6.6-recorded"
META = json.loads((REC / "metadata.json").read_text(encoding="utf-8"))
EXCHANGES: dict[str, list[dict[str, Any]]] = {
    name: json.loads((REC / f"{name}.json").read_text(encoding="utf-8"))
    for name in META["recordings"]}


@pytest.fixture(scope="module")
def plants() -> dict[str, Plant]:
    return {name: plan_plant(r["plan"]) for name, r in META["recordings"].items()}


def _replay(name: str, exchanges: list[dict[str, Any]], plant: Plant
            ) -> tuple[Replay, dict[str, Any]]:
    rep = Replay(exchanges)
    starts = starts_of(META["recordings"][name]["plan"])
    return rep, run(BASE, "nbt_replay.token", session(rep, BASE), plant, starts)


def _hops(paths: Any) -> list[list[tuple[Any, ...]]]:
    return sorted([(h.near, h.cable, h.far, h.position) for h in p] for p in paths)


def test_recording_names_its_netbox() -> None:
    assert (META["netbox_version"], META["tag"]) == ("4.6.6", "v4.6.6")
    assert len(META["commit"]) == 40 and sorted(EXCHANGES) == ["breakout", "cassettes"]
    for name, ex in EXCHANGES.items():
        assert META["recordings"][name]["exchanges"] == len(ex)
        assert META["recordings"][name]["plan"] == PLANS[name]  # what the recorder pushes
        assert {e["api_version"] for e in ex if e["api_version"]} == {"4.6"}


@pytest.mark.parametrize("name", ["cassettes", "breakout"])
def test_push_and_trace_replay_exactly(name: str, plants: dict[str, Plant]) -> None:
    plant, rec = plants[name], META["recordings"][name]
    rep, done = _replay(name, EXCHANGES[name], plant)
    assert rep.differ == [] and rep.n == len(EXCHANGES[name])
    assert done["first"].created == rec["created"] and not done["first"].conflicts
    # NetBox makes a device's ports from its type's templates: the push finds them
    assert done["first"].unchanged == rec["unchanged"]
    assert done["first"].unchanged["front port"] > 0
    assert done["again"].n_created == 0 and not done["again"].conflicts
    for start in starts_of(rec["plan"]):
        got = done["traces"][f"{start.device}:{start.name}"]
        assert got and _hops(got) == _hops(plant.trace(start)), start


def test_cassette_positions_and_breakout_legs(plants: dict[str, Plant]) -> None:
    _rep, done = _replay("cassettes", EXCHANGES["cassettes"], plants["cassettes"])
    (p19,) = done["traces"]["leaf07:19"]
    assert [(h.far.name, h.position) for h in p19] == [("F01-3", 3), ("R01", 3), ("25", 3)]
    _rep, done = _replay("breakout", EXCHANGES["breakout"], plants["breakout"])
    legs = done["traces"]["leaf01:1"]  # one harness, two NICs: one path each
    assert len(legs) == 2 and {p[0].cable for p in legs} == {legs[0][0].cable}
    assert len(done["traces"]["node02:1"]) == 1
    cables = next(e for e in EXCHANGES["breakout"]
                  if e["method"] == "POST" and e["path"] == "/api/dcim/cables/")
    harness = [c for c in cables["response"] if len(c["b_terminations"]) == 2]
    assert harness and {c["profile"]["value"] for c in harness} == {"breakout-1c2p-2c1p"}


def test_recorded_bodies_pass_the_published_schema() -> None:
    """What NetBox 4.6.6 accepted (201) also passes its published request schema."""
    published = PublishedNetbox(DATA / "netbox-4.6.6-openapi-dcim.json")
    posts = [e for ex in EXCHANGES.values() for e in ex if e["method"] == "POST"]
    assert {e["status"] for e in posts} == {201}
    # one bulk request per kind created (none holds more than 200 objects)
    assert len(posts) == sum(len(r["created"]) for r in META["recordings"].values())
    for e in posts:
        ep = e["path"].removeprefix("/api/").strip("/")
        assert published.request_errors(ep, e["body"]) == [], ep
    cables = next(e for e in posts if e["path"] == "/api/dcim/cables/")
    assert {c["status"]["value"] for c in cables["response"]} == {"connected"}


def _edit(path: str, method: str, fn: Any) -> list[dict[str, Any]]:
    ex = copy.deepcopy(EXCHANGES["cassettes"])
    fn(next(e for e in ex if e["path"] == path and e["method"] == method))
    return ex


def test_a_changed_request_body_fails_the_replay(plants: dict[str, Plant]) -> None:
    """A cable body unlike the one NetBox accepted is not answered as NetBox did."""
    ex = _edit("/api/dcim/cables/", "POST", lambda e: e["body"][0].update(length=99))
    rep = Replay(ex)
    with pytest.raises(PushError, match=r"NetBox refused cable"):
        run(BASE, "t", session(rep, BASE), plants["cassettes"],
            starts_of(META["recordings"]["cassettes"]["plan"]))
    assert len(rep.differ) == 1 and "body differ" in rep.differ[0]


def test_a_different_trace_is_noticed(plants: dict[str, Plant]) -> None:
    """NetBox's answer for port 19 edited to leave the far cassette by F01-1 (position 1,
    the other link's port) instead of F01-3: the trace no longer equals mpokit's."""
    ex = copy.deepcopy(EXCHANGES["cassettes"])
    t17, t19 = [e["response"] for e in ex if e["path"].endswith("/trace/")]
    assert [seg[0][0]["name"] for seg in t19] == ["19", "R01", "F01-3"]
    assert t17[2][0][0]["name"] == "F01-1"
    t19[2][0][0] = t17[2][0][0]
    plant = plants["cassettes"]
    rep, done = _replay("cassettes", ex, plant)
    assert rep.differ == []
    (got,) = done["traces"]["leaf07:19"]
    assert (got[2].near.name, got[2].position) == ("F01-1", 1)
    (start,) = [s for s in starts_of(PLANS["cassettes"]) if s.name == "19"]
    assert _hops([got]) != _hops(plant.trace(start))
