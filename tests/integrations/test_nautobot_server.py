"""Against a real Nautobot (PyPI ``nautobot``, PostgreSQL, Redis; see nautobot_server.py):
push a plan, push it again (nothing changes), and read every link's cable trace back
through the REST API, compared with mpokit's own trace port by port and position by
position."""

from __future__ import annotations

import pytest

from mpokit.integrations import Plant
from mpokit.integrations.nautobot import HttpApi, NautobotDialect, read_trace
from mpokit.integrations.push import push

pytestmark = pytest.mark.slow


def test_push_is_idempotent_and_traces_match(nautobot, tiny: Plant) -> None:  # type: ignore[no-untyped-def]
    api = HttpApi(nautobot.url, nautobot.token)
    dry = push(tiny, api, NautobotDialect(), dry_run=True)
    assert dry.created["cable"] == 32 and dry.created["device"] == 9
    assert api.find("dcim/devices") == []  # the dry run wrote nothing

    first = push(tiny, api, NautobotDialect())
    assert first.created["device"] == 9 and first.created["cable"] == 32
    assert not first.conflicts
    on_server = {d["name"] for d in api.find("dcim/devices")}
    assert on_server == {d.name for d in tiny.devices}

    again = push(tiny, api, NautobotDialect())
    assert again.n_created == 0 and not again.conflicts
    assert again.unchanged["cable"] == 32

    links = tiny.links()
    assert len(links) == 16
    devices = {d["id"]: d["name"] for d in api.find("dcim/devices", location=tiny.site)}
    for lk in links:
        got = read_trace(api, tiny, lk.a, devices)
        assert [(h.near, h.cable, h.far, h.position) for h in got] == [
            (h.near, h.cable, h.far, h.position) for h in lk.hops], lk.a
    # a structured link passes both panels: front port, rear port position, trunk leg
    structured = [lk for lk in links if len(lk.hops) == 3]
    assert len(structured) == 8
