"""The app core: health, problems, the upload limit, tokens, CSRF and security headers."""

from __future__ import annotations

from typing import Any

from mpokit.web.app import ROUTERS


def test_health_and_openapi(client: Any) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json()["ok"] is True
    schema = client.get("/openapi.json").json()
    assert "/api/v1/health" in schema["paths"]
    assert all(p.startswith("/api/v1/") for p in schema["paths"])


def test_unknown_route_is_a_problem(client: Any) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 404 and body["type"].endswith("/not-found")


def test_unknown_job_names_itself(client: Any) -> None:
    r = client.get("/api/v1/jobs/abc123")
    assert r.status_code == 404 and "abc123" in r.json()["detail"]


def test_home_page_has_nav_landmarks_and_headers(client: Any) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    for label in ("Channels", "Plans", "QC lots", "Acceptance"):
        assert f">{label}</a>" in html
    assert '<nav aria-label="Main">' in html and '<main id="main"' in html
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "mpokit_csrf" in r.headers.get("set-cookie", "")


def test_routers_listed() -> None:
    assert ROUTERS[:2] == ("mpokit.web.channels", "mpokit.web.plans")
