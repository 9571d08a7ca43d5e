"""HTTP exchanges with a real NetBox, recorded once and replayed in the tests.

``data/netbox-<version>-recorded/`` holds what mpokit's NetBox push and cable-trace
read-back sent to a NetBox release run from its source tree, and what NetBox answered,
one file per plan of :data:`PLANS` (``<plan>.json``: in order, method, path, query,
request body, status, the ``API-Version`` header, response body without the fields
:data:`TRIMMED` names; the server's base URL written as ``http://netbox.test``; no other
headers, so no token), and ``metadata.json`` (the release, its git commit, how it was
run, each plan and what its push created).

Record (against a running NetBox)::

    NETBOX_TOKEN=nbt_... python -m tests.integrations.netbox_recorded \\
        http://127.0.0.1:8000 tests/integrations/data/netbox-4.6.6-recorded \\
        --plan cassettes --tag v4.6.6 --commit <git rev-parse v4.6.6^{commit}>

:class:`Replay` serves the recorded answers to pynetbox in the same order and notes
every request that differs from the recorded one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from mpokit.integrations import Plant, PortRef, plant_from_plan

BASE = "http://netbox.test"
# the plans pushed. cassettes: two of the far hall's duplex links, from ports 17 and 19 of
# leaf07, over LC cords into one MPO-LC cassette pair (LC front ports on rear positions 1
# and 3); only the devices and cables of those links. breakout: a whole small plan whose
# leaf ports each feed two NICs through a 1:2 harness (one cable, profile
# breakout-1c2p-2c1p), traced from a leaf port (two far ends) and from a NIC.
PLANS: dict[str, dict[str, Any]] = {
    "cassettes": {"spec": {
        "cluster": {"name": "halls", "nodes": 63, "rails": 2, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 16,
                   "switch": {"ports": 32, "port_speed_gbps": 400, "cages": 16}},
        "layout": {"rows_per_hall": 1, "hall_gap_m": 250}},
        "starts": [["leaf07", "17"], ["leaf07", "19"]], "site": "halls-cassettes",
        "part": True},
    "breakout": {"spec": {
        "cluster": {"name": "brk", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
        "fabric": {"scalable_unit": 4,
                   "switch": {"ports": 8, "port_speed_gbps": 800, "cages": 8}}},
        "starts": [["leaf01", "1"], ["node02", "1"]], "site": "brk", "part": False},
}
# response fields dropped from the recording: bookkeeping mpokit never reads (the replay
# test passing on the trimmed answers shows it); empty values (None, "", [], {}) too,
# except a list page's own keys
TRIMMED = ("created", "last_updated", "display_url", "custom_fields", "tags", "comments",
           "description", "_occupied")
PAGE = ("count", "next", "previous", "results")


def starts_of(plan: dict[str, Any]) -> list[PortRef]:
    """The interfaces a recorded plan is traced from."""
    return [PortRef(d, n, "interface") for d, n in plan["starts"]]


def plan_plant(plan: dict[str, Any]) -> Plant:
    """The plant a recorded plan pushed (one of :data:`PLANS`, or as metadata.json
    holds it)."""
    from mpokit.plan import ClusterSpec, make_plan

    full = plant_from_plan(make_plan(ClusterSpec.model_validate(plan["spec"])))
    if not plan["part"]:
        return dataclasses.replace(full, site=plan["site"])
    labels = {h.cable for s in starts_of(plan) for path in full.trace(s) for h in path}
    cables = tuple(c for c in full.cables if c.label in labels)
    used = {p.device for c in cables for p in (*c.a, *c.b)}
    devices = tuple(d for d in full.devices if d.name in used)
    types = tuple(t for t in full.device_types if t.model in {d.device_type for d in devices})
    return Plant(plan["site"], types, devices, cables, full.rack_units)


def trim(node: Any) -> Any:
    """``node`` without the :data:`TRIMMED` keys and empty values, at every depth."""
    if isinstance(node, list):
        return [trim(v) for v in node]
    if isinstance(node, dict):
        return {k: trim(v) for k, v in node.items()
                if k in PAGE or (k not in TRIMMED and v not in (None, "", [], {}))}
    return node


def _request_part(request: Any, base: str) -> dict[str, Any]:
    url = urlparse(request.url)
    body = request.body
    return {"method": request.method,
            "path": url.path.removeprefix(urlparse(base).path.rstrip("/")),
            "query": parse_qs(url.query, keep_blank_values=True),
            "body": json.loads(body) if body else None}


class Recorder(requests.adapters.HTTPAdapter):  # type: ignore[misc]
    """Sends to the real server and keeps each exchange."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.exchanges: list[dict[str, Any]] = []

    def send(self, request: Any, **kw: Any) -> Any:
        resp = super().send(request, **kw)
        text = resp.content.decode().replace(self.base, BASE)
        self.exchanges.append({
            **_request_part(request, self.base), "status": resp.status_code,
            "api_version": resp.headers.get("API-Version"),
            "response": trim(json.loads(text)) if text else None})
        return resp


class Replay(requests.adapters.BaseAdapter):  # type: ignore[misc]
    """Answers each request with the next recorded answer; notes requests that differ.

    A request that differs from the recorded one (method, path, query or body) is
    answered 400 and noted in ``differ``: the recorded answer belongs to the recorded
    request only.
    """

    def __init__(self, exchanges: list[dict[str, Any]]) -> None:
        super().__init__()
        self.exchanges = exchanges
        self.n = 0
        self.differ: list[str] = []

    def send(self, request: Any, **kw: Any) -> Any:
        got = _request_part(request, BASE)
        resp = requests.Response()
        resp.request, resp.url = request, request.url
        resp.headers["Content-Type"] = "application/json"
        if self.n >= len(self.exchanges):
            self.differ.append(f"request {self.n + 1} not recorded: {got['method']} "
                               f"{got['path']}")
            resp.status_code, resp._content = 400, b'{"detail": "not recorded"}'
            return resp
        rec = self.exchanges[self.n]
        self.n += 1
        want = {k: rec[k] for k in ("method", "path", "query", "body")}
        if got != want:
            fields = [k for k in want if got[k] != want[k]]
            self.differ.append(f"request {self.n} ({want['method']} {want['path']}): "
                               f"{', '.join(fields)} differ: sent {[got[k] for k in fields]}"
                               f", recorded {[want[k] for k in fields]}")
            resp.status_code, resp._content = 400, b'{"detail": "differs from recorded"}'
            return resp
        if rec["api_version"]:
            resp.headers["API-Version"] = rec["api_version"]
        resp.status_code = rec["status"]
        resp._content = json.dumps(rec["response"]).encode()
        return resp

    def close(self) -> None:
        pass


def session(adapter: requests.adapters.BaseAdapter, base: str) -> requests.Session:
    """A session that sends everything for ``base`` through ``adapter``."""
    s = requests.Session()
    s.mount(base, adapter)
    return s


def run(base: str, token: str, sess: requests.Session, plant: Plant,
        starts: list[PortRef]) -> dict[str, Any]:
    """What is recorded and replayed: the push, a second push, each start's trace."""
    from mpokit.integrations.netbox import NetboxDialect, PynetboxApi, read_trace
    from mpokit.integrations.push import push

    api = PynetboxApi(base, token, session=sess)
    first = push(plant, api, NetboxDialect(api.version))
    again = push(plant, api, NetboxDialect(api.version))
    traces = {f"{s.device}:{s.name}": read_trace(api, plant, s) for s in starts}
    return {"first": first, "again": again, "traces": traces}


def main() -> None:  # pragma: no cover - run by hand against a real NetBox
    ap = argparse.ArgumentParser(description=str(__doc__).split("\n\n")[0])
    ap.add_argument("url")
    ap.add_argument("out", type=Path)
    ap.add_argument("--plan", choices=sorted(PLANS), required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--commit", required=True)
    args = ap.parse_args()
    plan = PLANS[args.plan]
    rec = Recorder(args.url)
    done = run(args.url, os.environ["NETBOX_TOKEN"], session(rec, args.url),
               plan_plant(plan), starts_of(plan))
    status = requests.get(f"{args.url.rstrip('/')}/api/status/", timeout=30, headers={
        "Authorization": f"Bearer {os.environ['NETBOX_TOKEN']}",
        "Accept": "application/json"}).json()
    args.out.mkdir(parents=True, exist_ok=True)
    meta_file = args.out / "metadata.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
    meta.update({
        "netbox_version": status["netbox-version"], "tag": args.tag, "commit": args.commit,
        "python": status["python-version"], "django": status["django-version"],
        "run": "NetBox's source tree at the tag, its requirements.txt in a venv, local "
               "PostgreSQL 15 and Redis, manage.py migrate, runserver on 127.0.0.1; a v2 "
               "API token of a superuser",
        "trimmed": "response fields " + ", ".join(TRIMMED) + " and empty values"})
    meta.setdefault("recordings", {})[args.plan] = {
        "plan": plan, "created": done["first"].to_dict()["created"],
        "unchanged": done["first"].to_dict()["unchanged"],
        "second_push_created": done["again"].n_created, "exchanges": len(rec.exchanges)}
    meta_file.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    with (args.out / f"{args.plan}.json").open("w", encoding="utf-8") as fh:
        fh.write("[\n" + ",\n".join(json.dumps(e, separators=(",", ":"))
                                    for e in rec.exchanges) + "\n]\n")
    print(json.dumps(meta["recordings"][args.plan], indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
