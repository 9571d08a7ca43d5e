"""Schemathesis against /openapi.json, in-process (ASGI): no request makes a server error.

Bounded: a few examples per operation (the machine is shared); every operation of the API is
covered, with a valid token so writes get past authentication into the library calls.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from mpokit.store.tokens import create_token
from mpokit.web.app import create_app
from mpokit.web.deps import Settings, store_of

_TMP = Path(tempfile.mkdtemp(prefix="mpokit-schema-"))
APP = create_app(Settings(store_url=f"sqlite:///{_TMP / 'qc.db'}", data_dir=_TMP / "web"))


TOKEN = create_token(store_of(APP), "schemathesis")[0]
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _close() -> Iterator[None]:
    yield
    APP.state.jobs.shutdown()
    if APP.state.store is not None:
        APP.state.store.close()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:  # every error is a problem document
        assert response.headers["content-type"][0].startswith("application/problem+json")


def test_schema_covers_every_api_route() -> None:
    paths = set(APP.openapi()["paths"])
    assert {"/api/v1/check", "/api/v1/plans", "/api/v1/plans/{plan_id}",
            "/api/v1/plans/{plan_id}/cutsheet", "/api/v1/plans/{plan_id}/files/{name}",
            "/api/v1/jobs/{job_id}", "/api/v1/health"} <= paths
