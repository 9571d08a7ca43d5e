"""Channel view: the check API, its problems, and the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mpokit.web.channels import example_names

ROOT = Path(__file__).resolve().parents[2]
TYPE_A = (ROOT / "examples" / "mistakes" / "type-a-cord-between-dr4.yaml").read_text()
METHOD_B = (ROOT / "examples" / "channels" / "parallel-method-b.yaml").read_text()


def test_check_needs_a_token(client: Any) -> None:
    r = client.post("/api/v1/check", json={"text": METHOD_B})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "mpokit token create" in r.json()["detail"]
    r = client.post("/api/v1/check", json={"text": METHOD_B},
                    headers={"Authorization": "Bearer mpk_not-a-token"})
    assert r.status_code == 403


def test_check_passing_channel(client: Any, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/check", json={"text": METHOD_B, "drawings": True}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True and body["channels"] == 1 and body["passed"] == 1
    d = body["detail"]
    assert d["fault_at"] == [] and d["record"]["ok"] is True
    # SR4 both ways: 4 + 4 lanes, one path each
    assert len(re.findall(r'<path class="lane ', d["lanes_svg"])) == 8
    assert d["record"]["loss"]["limit_status"] == "typical"
    assert [t["direction"] for t in d["trace"]] == ["a->b", "b->a"]


def test_check_failing_channel_names_element_and_fix(client: Any, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/check", json={"text": TYPE_A, "drawings": True}, headers=auth)
    body = r.json()
    assert body["ok"] is False and body["passed"] == 0
    d = body["detail"]
    assert d["fault_at"] == [0]
    assert d["fixes"] == ["replace path[0] (MPO-12 Type A cord) with a Type B cord"]
    svg = d["lanes_svg"]
    assert re.search(r'data-element="path\[0\]" data-fault="true"', svg)
    assert svg.count('class="lane bad"') == 8


def test_malformed_yaml_is_a_problem_naming_the_line(client: Any, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/check", json={"text": "a: [1, 2\nb: x\n", "file": "mine.yaml"},
                    headers=auth)
    assert r.status_code == 422
    body = r.json()
    assert body["type"].endswith("/invalid-input")
    assert body["errors"][0]["file"] == "mine.yaml" and body["errors"][0]["line"]


def test_invalid_field_is_a_problem_naming_the_field(client: Any, auth: dict[str, str]) -> None:
    text = METHOD_B.replace("length_m: 60", "length_m: sixty")
    assert text != METHOD_B
    r = client.post("/api/v1/check", json={"text": text}, headers=auth)
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert "length_m" in err["field"] and err["line"] is not None


def test_wrong_types_in_the_request_are_a_problem(client: Any, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/check", json={"text": 5, "extra": 1}, headers=auth)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"text", "extra"} <= fields


def test_examples_listed_and_served(client: Any) -> None:
    names = client.get("/api/v1/examples/channels").json()["examples"]
    assert "parallel-method-b.yaml" in names and names == example_names()
    r = client.get("/api/v1/examples/channels/parallel-method-b.yaml")
    assert r.status_code == 200 and r.text == METHOD_B
    assert client.get("/api/v1/examples/channels/..%2Fchannels.py").status_code == 404


@pytest.mark.parametrize("name", ["parallel-method-b.yaml", "type-a-cord-between-dr4.yaml",
                                  "dr4-to-4xdr.yaml", "sr8-over-budget.yaml"])
def test_bundled_examples_are_the_repository_examples(name: str) -> None:
    from importlib import resources

    bundled = resources.files("mpokit.web").joinpath("examples", "channels", name).read_text()
    found = list((ROOT / "examples").rglob(name))
    assert found and bundled == found[0].read_text()


def test_example_page_draws_every_lane_and_the_fault(client: Any) -> None:
    r = client.get("/channels", params={"example": "type-a-cord-between-dr4.yaml"})
    assert r.status_code == 200
    html = r.text
    assert html.count('<path class="lane ') == 8
    assert 'data-fault="true"' in html
    assert "with a Type B cord" in html
    assert '<table class="trace" data-direction="a-&gt;b">' in html


def test_page_escapes_user_text(client: Any, token: str) -> None:
    client.cookies.set("mpokit_token", token)
    client.get("/channels")  # gets the CSRF cookie
    csrf = client.cookies.get("mpokit_csrf")
    evil = "name: <script>alert(1)</script>\n" + METHOD_B.split("\n", 1)[1]
    r = client.post("/channels", data={"text": evil, "csrf": csrf})
    assert r.status_code in (200, 422)
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


def test_page_form_needs_csrf(client: Any, token: str) -> None:
    client.cookies.set("mpokit_token", token)
    r = client.post("/channels", data={"text": METHOD_B})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


def test_submitting_an_empty_form_says_so(client: Any, token: str) -> None:
    client.cookies.set("mpokit_token", token)
    client.get("/channels")
    r = client.post("/channels", data={"text": "  ", "csrf": client.cookies.get("mpokit_csrf")})
    assert r.status_code == 422 and "the channel file is empty" in r.text
