"""NetBox 4.6.6 run from its source tree here: mpokit's push and cable-trace read-back,
replayed from the recorded exchanges (``data/netbox-4.6.6-recorded/``, made by
netbox_recorded.py).

The plan: two duplex links from leaf07 over LC cords into one MPO-LC cassette pair::

    [leaf07 17] --LC cord-- [3A03-PP01 F01-1][R01] ==MPO trunk== [R01][1A01-PP03 F01-1]
        --LC cord-- [spine01 25]          (and port 19 through F01-3: rear position 3)

Every request mpokit sends must equal the recorded one (method, path, query, body) in
order; NetBox's recorded answers then drive the push, the second push (nothing to
create) and the trace, which must equal mpokit's own trace position by position.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mpokit.integrations import Plant, PortRef
from mpokit.integrations.push import PushError

from .netbox_recorded import BASE, Replay, cassette_plant, run, session
from .netbox_sources import PublishedNetbox

pytest.importorskip("pynetbox")
pytest.importorskip("jsonschema")

DATA = Path(__file__).parent / "data"
REC = DATA / "netbox-4.6.6-recorded"
META = json.loads((REC / "metadata.json").read_text(encoding="utf-8"))
EXCHANGES: list[dict[str, Any]] = json.loads((REC / "exchanges.json").read_text(
    encoding="utf-8"))
STARTS = [PortRef(d, n, "interface") for d, n in META["plan"]["starts"]]


@pytest.fixture(scope="module")
def plant() -> Plant:
    return cassette_plant(META["plan"]["spec"], STARTS, META["plan"]["site"])


def _replay(exchanges: list[dict[str, Any]], plant: Plant) -> tuple[Replay, dict[str, Any]]:
    rep = Replay(exchanges)
    return rep, run(BASE, "nbt_replay.token", session(rep, BASE), plant, STARTS)


def _hops(paths: Any) -> list[list[tuple[Any, ...]]]:
    return sorted([(h.near, h.cable, h.far, h.position) for h in p] for p in paths)


def test_recording_names_its_netbox() -> None:
    assert (META["netbox_version"], META["tag"]) == ("4.6.6", "v4.6.6")
    assert len(META["commit"]) == 40 and META["exchanges"] == len(EXCHANGES)
    assert {e["api_version"] for e in EXCHANGES if e["api_version"]} == {"4.6"}
    assert all(BASE in json.dumps(e["response"]) or e["status"] != 201 for e in EXCHANGES)


def test_push_and_trace_replay_exactly(plant: Plant) -> None:
    rep, done = _replay(EXCHANGES, plant)
    assert rep.differ == [] and rep.n == len(EXCHANGES)
    assert done["first"].created == META["created"] and not done["first"].conflicts
    assert done["first"].created["cable"] == 5
    # NetBox makes a device's ports from its type's templates: the push finds them
    assert done["first"].unchanged["front port"] == 4
    assert done["again"].n_created == 0 and not done["again"].conflicts
    for start in STARTS:
        got = done["traces"][f"{start.device}:{start.name}"]
        assert _hops(got) == _hops(plant.trace(start)), start
    (p19,) = done["traces"]["leaf07:19"]
    assert [(h.far.name, h.position) for h in p19] == [("F01-3", 3), ("R01", 3), ("25", 3)]


def test_recorded_bodies_pass_the_published_schema() -> None:
    """What NetBox 4.6.6 accepted (201) also passes its published request schema."""
    published = PublishedNetbox(DATA / "netbox-4.6.6-openapi-dcim.json")
    posts = [e for e in EXCHANGES if e["method"] == "POST"]
    assert {e["status"] for e in posts} == {201} and len(posts) == 10
    for e in posts:
        ep = e["path"].removeprefix("/api/").strip("/")
        assert published.request_errors(ep, e["body"]) == [], ep
    cables = next(e for e in posts if e["path"] == "/api/dcim/cables/")
    assert {c["status"]["value"] for c in cables["response"]} == {"connected"}


def _edit(path: str, method: str, fn: Any) -> list[dict[str, Any]]:
    ex = copy.deepcopy(EXCHANGES)
    fn(next(e for e in ex if e["path"] == path and e["method"] == method))
    return ex


def test_a_changed_request_body_fails_the_replay(plant: Plant) -> None:
    """A cable body unlike the one NetBox accepted is not answered as NetBox did."""
    ex = _edit("/api/dcim/cables/", "POST", lambda e: e["body"][0].update(length=99))
    with pytest.raises(PushError, match=r"NetBox refused cable"):
        _replay(ex, plant)
    rep = Replay(ex)
    with pytest.raises(PushError):
        run(BASE, "t", session(rep, BASE), plant, STARTS)
    assert len(rep.differ) == 1 and "body differ" in rep.differ[0]


def test_a_different_trace_is_noticed(plant: Plant) -> None:
    """NetBox's answer for port 19 edited to leave the far cassette by F01-1 (position 1,
    the other link's port) instead of F01-3: the trace no longer equals mpokit's."""
    ex = copy.deepcopy(EXCHANGES)
    t17, t19 = [e["response"] for e in ex if e["path"].endswith("/trace/")]
    assert [seg[0][0]["name"] for seg in t19] == ["19", "R01", "F01-3"]
    assert t17[2][0][0]["name"] == "F01-1"
    t19[2][0][0] = t17[2][0][0]
    rep, done = _replay(ex, plant)
    assert rep.differ == []
    (got,) = done["traces"]["leaf07:19"]
    assert (got[2].near.name, got[2].position) == ("F01-1", 1)
    assert _hops([got]) != _hops(plant.trace(STARTS[1]))
