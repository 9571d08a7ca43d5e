"""The push engine against a stateful stand-in server (httpx mock transport): refusals,
authentication and not-found errors are named, nothing is half-pushed silently, and a
re-run finishes the job. The real server is in test_nautobot_server.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mpokit.integrations import Plant
from mpokit.integrations.nautobot import HttpApi, NautobotDialect
from mpokit.integrations.push import PushError, push


class FakeServer:
    """Keeps what is POSTed per endpoint; answers GET with all of it (one site)."""

    def __init__(self) -> None:
        self.objects: dict[str, list[dict[str, Any]]] = {}
        self.next_id = 1
        self.fail: dict[str, tuple[int, Any]] = {}  # endpoint -> (status, body) once
        self.posts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        ep = request.url.path.removeprefix("/api/").strip("/")
        if request.headers.get("Authorization") != "Token good":
            return httpx.Response(403, json={"detail": "Invalid token"})
        if not ep.startswith(("dcim/", "extras/")):
            return httpx.Response(404, text="<html>not found</html>")
        if request.method == "GET":
            return httpx.Response(200, json={"count": len(self.objects.get(ep, [])),
                                             "next": None,
                                             "results": self.objects.get(ep, [])})
        self.posts.append(ep)
        if ep in self.fail:
            status, body = self.fail.pop(ep)
            return httpx.Response(status, json=body)
        made = []
        for body in json.loads(request.content):
            obj = {**body, "id": f"id-{self.next_id}"}
            self.next_id += 1
            made.append(obj)
        self.objects.setdefault(ep, []).extend(made)
        return httpx.Response(201, json=made)


def _api(server: FakeServer, token: str = "good") -> HttpApi:
    return HttpApi("http://nautobot.test", token,
                   client=httpx.Client(transport=httpx.MockTransport(server)))


def test_push_then_push_again_creates_nothing(tiny: Plant) -> None:
    srv = FakeServer()
    first = push(tiny, _api(srv), NautobotDialect())
    assert first.created["device"] == 9 and first.created["cable"] == 32
    assert first.created["rack"] == 3 and not first.conflicts
    n_posts = len(srv.posts)
    again = push(tiny, _api(srv), NautobotDialect())
    assert again.n_created == 0 and not again.conflicts
    assert again.unchanged["cable"] == 32
    assert len(srv.posts) == n_posts  # nothing written the second time


def test_dry_run_writes_nothing(tiny: Plant) -> None:
    srv = FakeServer()
    report = push(tiny, _api(srv), NautobotDialect(), dry_run=True)
    assert report.dry_run and report.created["cable"] == 32
    assert srv.posts == []
    assert "cable: would create 32, unchanged 0" in report.lines()


def test_refused_object_is_named_and_rerun_finishes(tiny: Plant) -> None:
    srv = FakeServer()
    labels = [c.label for c in tiny.cables]
    detail = [{} for _ in labels]
    detail[3] = {"label": ["Ensure this field has no more than 100 characters."]}
    srv.fail["dcim/cables"] = (400, detail)
    with pytest.raises(PushError) as exc:
        push(tiny, _api(srv), NautobotDialect())
    msg = str(exc.value)
    assert f"Nautobot refused cable {labels[3]!r}" in msg and "100 characters" in msg
    done = exc.value.report
    assert done.created["device"] == 9 and "cable" not in done.created  # chunk refused whole
    assert "dcim/cables" not in srv.objects
    rerun = push(tiny, _api(srv), NautobotDialect())  # the failure was transient
    assert rerun.created == {"cable": 32}


def test_bad_token_and_wrong_url_are_explained(tiny: Plant) -> None:
    with pytest.raises(PushError, match=r"refused the token \(HTTP 403\)"):
        push(tiny, _api(FakeServer(), token="bad"), NautobotDialect())
    bad_url = HttpApi("http://nautobot.test/wrong", "good",
                      client=httpx.Client(transport=httpx.MockTransport(FakeServer())))
    with pytest.raises(PushError, match=r"not found \(HTTP 404\).*base URL"):
        push(tiny, bad_url, NautobotDialect())


def test_unreachable_server(tiny: Plant) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api = HttpApi("http://nautobot.test", "good",
                  client=httpx.Client(transport=httpx.MockTransport(down)))
    with pytest.raises(PushError, match=r"cannot reach Nautobot.*connection refused"):
        push(tiny, api, NautobotDialect())


def test_operator_edits_are_conflicts_not_overwritten(tiny: Plant) -> None:
    srv = FakeServer()
    push(tiny, _api(srv), NautobotDialect())
    dev = next(d for d in srv.objects["dcim/devices"] if d["name"] == "leaf01")
    dev["position"] = 20  # moved by the operator
    report = push(tiny, _api(srv), NautobotDialect())
    assert report.n_created == 0
    assert report.conflicts == ["device leaf01: the server's position differs from the plan "
                                "(left as it is)"]
    assert dev["position"] == 20
