"""Against a real Nautobot (PyPI ``nautobot``, PostgreSQL, Redis; see nautobot_server.py):
push a plan, push it again (nothing changes), and read every link's cable trace back
through the REST API, compared with mpokit's own trace port by port and position by
position."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from mpokit.integrations import Plant
from mpokit.integrations.nautobot import HttpApi, NautobotDialect, nautobot_csvs, read_trace
from mpokit.integrations.push import push

pytestmark = pytest.mark.slow

CSV_ENDPOINTS = {"01": "dcim/location-types", "02": "dcim/locations", "03": "dcim/racks",
                 "04": "dcim/manufacturers", "05": "extras/roles", "06": "dcim/device-types",
                 "07": "dcim/interface-templates", "08": "dcim/rear-port-templates",
                 "09": "dcim/front-port-templates", "10": "dcim/devices"}


def test_csv_files_import_through_nautobots_csv_api(nautobot, tiny: Plant) -> None:  # type: ignore[no-untyped-def]
    """The export's CSVs, posted as text/csv (Nautobot's CSV import is its REST API),
    create the plan's objects: a dry-run push of the same plan afterwards finds only the
    cables to create (they are pushed, not imported: see nautobot_csvs), and the push
    then completes the site."""
    plant = dataclasses.replace(tiny, site="tiny-csv")
    for name, text in nautobot_csvs(plant).items():
        r = httpx.post(f"{nautobot.url}/api/{CSV_ENDPOINTS[name[:2]]}/", content=text,
                       headers={"Authorization": f"Token {nautobot.token}",
                                "Content-Type": "text/csv", "Accept": "application/json"},
                       timeout=300)
        assert r.status_code == 201, (name, r.text[:2000])
    api = HttpApi(nautobot.url, nautobot.token)
    report = push(plant, api, NautobotDialect(), dry_run=True)
    assert report.created == {"cable": 32}, report.lines()
    assert not report.conflicts, report.conflicts
    assert report.unchanged["device"] == 9 and report.unchanged["front port"] == 16
    done = push(plant, api, NautobotDialect())
    assert done.created == {"cable": 32} and not done.conflicts


def test_push_is_idempotent_and_traces_match(nautobot, tiny: Plant) -> None:  # type: ignore[no-untyped-def]
    api = HttpApi(nautobot.url, nautobot.token)
    dry = push(tiny, api, NautobotDialect(), dry_run=True)
    assert dry.created["cable"] == 32 and dry.created["device"] == 9
    assert api.find("dcim/locations", name=tiny.site) == []  # the dry run wrote nothing

    first = push(tiny, api, NautobotDialect())
    assert first.created["device"] == 9 and first.created["cable"] == 32
    assert not first.conflicts
    on_server = {d["name"] for d in api.find("dcim/devices", location=tiny.site)}
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


def test_cassette_ports_trace_through_rear_positions(nautobot, halls_plan) -> None:  # type: ignore[no-untyped-def]
    """Two duplex links on ports 1 and 3 of one MPO-LC cassette pair: Nautobot's trace
    goes LC front port -> rear position -> trunk leg -> the same position's front port
    at the far cassette, as mpokit's does."""
    from mpokit.integrations import PortRef, plant_from_plan

    full = plant_from_plan(halls_plan)
    starts = [PortRef("leaf09", p, "interface") for p in ("33", "35")]
    labels = {h.cable for s in starts for h in full.trace(s)[0]}
    cables = tuple(c for c in full.cables if c.label in labels)
    used = {p.device for c in cables for p in (*c.a, *c.b)}
    devices = tuple(d for d in full.devices if d.name in used)
    types = tuple(t for t in full.device_types if t.model in {d.device_type for d in devices})
    plant = Plant("halls-cassettes", types, devices, cables, full.rack_units)
    api = HttpApi(nautobot.url, nautobot.token)
    report = push(plant, api, NautobotDialect())
    assert report.created["cable"] == 5 and not report.conflicts
    names = {d["id"]: d["name"] for d in api.find("dcim/devices", location=plant.site)}
    for start in starts:
        (want,) = plant.trace(start)
        got = read_trace(api, plant, start, names)
        assert [(h.near, h.cable, h.far, h.position) for h in got] == [
            (h.near, h.cable, h.far, h.position) for h in want], start
    assert [h.position for h in plant.trace(starts[1])[0]] == [3, 3, 3]
