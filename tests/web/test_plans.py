"""Plan view API: background planning, the view, cut sheet filters, safe downloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mpokit.web.app import create_app
from mpokit.web.deps import Settings
from mpokit.web.plans import start_plan

ROOT = Path(__file__).resolve().parents[2]
SPEC = (ROOT / "examples" / "cluster" / "superpod-1su.yaml").read_text()


def _plans(app: Any) -> Path:
    return Path(app.state.settings.resolved_data_dir) / "plans"


@pytest.fixture
def planned(app: Any, client: Any, auth: dict[str, str]) -> str:
    r = client.post("/api/v1/plans", json={"text": SPEC, "file": "su.yaml"}, headers=auth)
    assert r.status_code == 202, r.text
    body = r.json()
    job = app.state.jobs.wait(body["job"]["id"], timeout_s=120)
    assert job.state == "done", job.error
    status = client.get(body["links"]["job"]).json()
    assert status["state"] == "done" and status["progress"] == 1.0
    assert status["link"] == f"/plans/{body['id']}"
    return str(body["id"])


def test_plan_view_matches_the_summary(client: Any, planned: str) -> None:
    plan = client.get(f"/api/v1/plans/{planned}").json()
    assert plan["state"] == "done" and plan["name"] == "superpod-1su"
    view = plan["view"]
    s = view["summary"]
    assert len(view["racks"]) == s["racks"] == 10
    assert view["fabric"]["per_plane"] == {"leaf": [8], "spine": [4]}
    assert view["fabric"]["links"]["leaf_spine"] == 256
    assert view["margins"]["count"] == s["channels_checked"] == 508
    assert sum(view["margins"]["counts"]) + view["margins"]["unmeasurable"] == 508
    page = client.get(f"/plans/{planned}").text  # the margins drawn by the shared histogram
    assert ('aria-label="Loss margin per channel: histogram of '
            f'{sum(view["margins"]["counts"])} values (dB)"') in page
    # every panel in the elevations lists its ports, and cabled ones are among them
    panels = [d for devs in view["elevations"].values() for d in devs if d["role"] == "panel"]
    assert panels and all(set(d["used"]) <= set(d["ports"]) for d in panels)
    assert {"summary.json", "cutsheet.csv", "bom.csv", "channels.yaml"} <= set(plan["files"])
    assert client.get("/api/v1/plans").json()["plans"][0]["id"] == planned


def test_cutsheet_search_and_filters(client: Any, planned: str) -> None:
    url = f"/api/v1/plans/{planned}/cutsheet"
    everything = client.get(url, params={"limit": 5000}).json()
    assert everything["matched"] == everything["total"] == len(everything["rows"])
    trunks = client.get(url, params={"kind": "trunk"}).json()
    assert trunks["matched"] == 4 and {r["kind"] for r in trunks["rows"]} == {"trunk"}
    rack = client.get(url, params={"rack": "1B01", "limit": 5000}).json()
    assert rack["matched"] > 0
    assert all("1B01" in (r["a_rack"], r["b_rack"]) for r in rack["rows"])
    q = client.get(url, params={"q": "LEAF01"}).json()  # case-insensitive, any column
    assert 0 < q["matched"] < everything["total"]
    page = client.get(url, params={"offset": 10, "limit": 5}).json()
    assert [r["cable_id"] for r in page["rows"]] == [
        r["cable_id"] for r in everything["rows"][10:15]]


def test_bom_and_downloads(client: Any, planned: str, app: Any) -> None:
    bom = client.get(f"/api/v1/plans/{planned}/bom").json()
    assert any(r["category"] == "switch" and r["quantity"] == "12" for r in bom["rows"])
    r = client.get(f"/api/v1/plans/{planned}/files/summary.json")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    on_disk = (_plans(app) / planned / "out" / "summary.json").read_bytes()
    assert r.content == on_disk


@pytest.mark.parametrize("name", ["meta.json", "..%2Fmeta.json", ".mpokit-output.json",
                                  "%2E%2E", "%2E%2E%2Fspec.yaml"])
def test_downloads_serve_only_manifest_names(client: Any, planned: str, name: str) -> None:
    r = client.get(f"/api/v1/plans/{planned}/files/{name}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("plan_id", ["..", "..%2F..%2Fetc", "UPPER", "a" * 80])
def test_bad_plan_ids_are_404(client: Any, plan_id: str) -> None:
    assert client.get(f"/api/v1/plans/{plan_id}").status_code == 404


def test_invalid_spec_is_refused_and_nothing_written(client: Any, auth: dict[str, str],
                                                    app: Any) -> None:
    bad = SPEC.replace("nodes: 31", "nodes: -3")
    assert bad != SPEC
    r = client.post("/api/v1/plans", json={"text": bad, "file": "su.yaml"}, headers=auth)
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["file"] == "su.yaml" and "nodes" in err["field"] and err["line"] == 2
    assert not _plans(app).exists() or not any(_plans(app).iterdir())


def test_spec_naming_a_server_file_is_refused(client: Any, auth: dict[str, str]) -> None:
    text = SPEC + "cabling: {catalog: /etc/passwd}\n"
    r = client.post("/api/v1/plans", json={"text": text}, headers=auth)
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "cabling.catalog" and "server" in err["message"]


def test_plan_page_shows_progress_then_result(client: Any, app: Any) -> None:
    plan_id, job = start_plan(app, SPEC, "su.yaml")
    page = client.get(f"/plans/{plan_id}").text
    if job.state in ("queued", "running"):
        assert f'data-job="{job.id}"' in page
    app.state.jobs.wait(job.id, timeout_s=120)
    page = client.get(f"/plans/{plan_id}").text
    assert 'class="rack-name"' in page and "Bill of materials" in page
    racks = client.get(f"/plans/{plan_id}/racks").text
    assert racks.count('<svg xmlns="http://www.w3.org/2000/svg" class="elevation"') == 10


def test_first_start_plans_the_bundled_example(tmp_path: Path) -> None:
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'qc.db'}", data_dir=tmp_path,
                        plan_example=True)
    app = create_app(settings)
    try:
        for hook in app.state.startup:
            hook(app)
        plans = list((tmp_path / "plans").iterdir())
        assert len(plans) == 1
        meta = json.loads((plans[0] / "meta.json").read_text())
        app.state.jobs.wait(meta["job"], timeout_s=120)
        meta = json.loads((plans[0] / "meta.json").read_text())
        assert meta["state"] == "done" and meta["name"] == "superpod-1su"
        # a second start finds the plan and plans nothing more
        for hook in app.state.startup:
            hook(app)
        assert len(list((tmp_path / "plans").iterdir())) == 1
    finally:
        app.state.jobs.shutdown()


def test_restart_marks_an_interrupted_plan_failed(tmp_path: Path) -> None:
    d = tmp_path / "plans" / "x-1"
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"id": "x-1", "name": "x", "file": "x.yaml",
                                             "state": "running", "job": "gone",
                                             "created_at": "2026-01-01T00:00:00"}))
    app = create_app(Settings(store_url=f"sqlite:///{tmp_path / 'qc.db'}", data_dir=tmp_path))
    try:
        for hook in app.state.startup:
            hook(app)
        meta = json.loads((d / "meta.json").read_text())
        assert meta["state"] == "failed" and "restart" in meta["error"]["detail"]
    finally:
        app.state.jobs.shutdown()


def test_bundled_cluster_example_is_the_repository_one() -> None:
    from importlib import resources

    bundled = resources.files("mpokit.web").joinpath("examples", "cluster",
                                                     "superpod-1su.yaml").read_text()
    assert bundled == SPEC


def test_home_page_shows_the_latest_plan(client: Any, app: Any) -> None:
    assert "Latest plan" not in client.get("/").text
    plan_id, job = start_plan(app, SPEC, "su.yaml")
    app.state.jobs.wait(job.id, timeout_s=120)
    html = client.get("/").text
    assert f'href="/plans/{plan_id}">superpod-1su</a>' in html
    assert 'class="fabric"' in html


def test_oversized_cluster_is_refused_on_the_web(client: Any, auth: dict[str, str],
                                                 app: Any) -> None:
    text = SPEC.replace("nodes: 31", "nodes: 5000000")
    r = client.post("/api/v1/plans", json={"text": text, "file": "big.yaml"}, headers=auth)
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "cluster.nodes" and err["line"] == 2
    assert "mpokit plan" in err["fix"]
    assert not _plans(app).exists() or not any(_plans(app).iterdir())


def test_each_design_draws_its_least_margin_channel(client: Any, planned: str) -> None:
    view = client.get(f"/api/v1/plans/{planned}").json()["view"]
    for k, d in enumerate(view["designs"]):
        html = client.get(f"/plans/{planned}/designs/{k}").text
        assert html.count('<path class="lane ') > 0
        assert "least margin" in html
        if d["worst_margin_db"] is not None:  # the drawn channel is the worst one
            assert f"margin <strong class=\"ok\">{d['worst_margin_db']:.2f} dB" in html
    assert client.get(f"/plans/{planned}/designs/{len(view['designs'])}").status_code == 404
