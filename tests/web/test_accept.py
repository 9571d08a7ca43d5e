"""Acceptance API and pages in-process: a reconciliation as a background job, its summary
and the drill-down from a failing link to its maps, OTDR events and element at fault.

Plans::

    cords:   [SR4 x|y|z] --cord MPO-12 Type B 7 m-- [SR4]
    fabric:  a planned 64-node, 2-rail, 3-tier fabric (cords, panel adapters, trunks)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from mpokit.accept import Fault, read_plan, simulate
from mpokit.accept.simulate import type_swap_options
from mpokit.plan import ClusterSpec, make_plan, write_plan

CORDS = {"channels": [{"name": n, "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [
    {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OM4", "length_m": 7}}]}
    for n in ("x", "y", "z")]}
HEADER = "label,fiber,wavelength_nm,loss_db,length_m,far_fiber,verdict\n"
SPEC = {"cluster": {"name": "acc", "nodes": 64, "rails": 2, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 32, "tiers": 3,
                   "switch": {"ports": 32, "port_speed_gbps": 400, "cages": 32}}}


def link(label: str, far: list[int], loss: float = 0.3) -> str:
    return "".join(f"{label},{p},850,{loss},7.0,{f},PASS\n" for p, f in enumerate(far, 1))


TYPE_B = [13 - p for p in range(1, 13)]


def cord_files() -> dict[str, Any]:
    """x passes, y arrives straight (a Type A cord where Type B was designed), z untested."""
    csv = HEADER + link("x", TYPE_B) + link("y", list(range(1, 13)))
    return {"plan": ("channels.yaml", yaml.safe_dump(CORDS).encode()),
            "results": ("results.csv", csv.encode())}


def wait(client: Any, run: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        job = client.get(f"/api/v1/jobs/{run}").json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def submit(client: Any, auth: dict[str, str], files: Any, **data: Any) -> str:
    r = client.post("/api/v1/accept/runs", headers=auth, files=files, data=data)
    assert r.status_code == 202, r.text
    run = r.json()["run"]
    assert wait(client, run)["state"] == "done"
    return str(run)


@pytest.fixture(scope="module")
def fabric(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The planned fabric with a Type swap on channel 3, a dirty mating (OTDR) on 5."""
    out = tmp_path_factory.mktemp("plan") / "plan"
    write_plan(make_plan(ClusterSpec.model_validate(SPEC)), out)
    plan = read_plan(out)
    faults = [Fault("type_swap", 3, type_swap_options(plan, 3)[-1]), Fault("dirty", 5, 1)]
    sim = simulate(plan, faults)
    return {"dir": out, "plan": plan, "sim": sim, "names": plan.channels.names}


def test_run_counts_and_drill_down_to_the_element_at_fault(client: Any,
                                                           auth: dict[str, str]) -> None:
    run = submit(client, auth, cord_files())
    body = client.get(f"/api/v1/accept/runs/{run}").json()
    assert body["ok"] is False
    c = body["summary"]["counts"]
    assert (c["pass"], c["polarity_mismatch"], c["not_tested"]) == (1, 1, 1)
    assert [ch["name"] for ch in body["channels"]][:2] == ["y", "z"]  # findings first
    d = client.get(f"/api/v1/accept/runs/{run}/channels/y").json()
    assert d["status"] == "polarity_mismatch"
    assert d["measured_map"] == list(range(1, 13)) and d["designed_map"] == TYPE_B
    assert d["fault"]["at"] == 0 and d["fault"]["element"] == "path[0] cord"
    assert d["fault"]["fields"]["type"] == "B" and "Type A" in d["fault"]["because"]
    assert [e["fault"] for e in d["path"]] == [True]
    ok = client.get(f"/api/v1/accept/runs/{run}/channels/x").json()
    assert ok["fault"] is None and ok["measured_map"] == TYPE_B
    z = client.get(f"/api/v1/accept/runs/{run}/channels/z").json()
    assert z["status"] == "not_tested" and z["tested"] is False
    only = client.get(f"/api/v1/accept/runs/{run}", params={"status": "pass"}).json()
    assert [ch["name"] for ch in only["channels"]] == ["x"] and only["total"] == 1


def test_fabric_run_otdr_events_and_faulty_mating(client: Any, auth: dict[str, str],
                                                  fabric: dict[str, Any]) -> None:
    sim = fabric["sim"]
    files = [("plan", ("channels.yaml", (fabric["dir"] / "channels.yaml").read_bytes())),
             ("results", ("results.csv", sim.csv.encode()))]
    files += [("traces", (name, data)) for name, data in sim.traces.items()]
    run = submit(client, auth, files)
    body = client.get(f"/api/v1/accept/runs/{run}").json()
    assert body["summary"]["channels"] == len(fabric["names"])
    swap = client.get(f"/api/v1/accept/runs/{run}/channels/{fabric['names'][3]}").json()
    assert swap["status"] == "polarity_mismatch"
    assert swap["fault"]["at"] == type_swap_options(fabric["plan"], 3)[-1]
    assert swap["measured_map"] != swap["designed_map"]
    dirty = client.get(f"/api/v1/accept/runs/{run}/channels/{fabric['names'][5]}").json()
    events = [f for f in dirty["findings"] if f["code"] == "event_over_limit"]
    assert events and dirty["events"], dirty
    # the trace's events are listed; the one over its designed loss is the element at fault
    assert any(e["loss_db"] > 1.0 for e in dirty["events"])
    assert dirty["fault"]["at"] is not None
    assert [e["index"] for e in dirty["path"] if e["fault"]] == [dirty["fault"]["at"]]
    page = client.get(f"/accept/runs/{run}/channels/{fabric['names'][5]}").text
    assert 'class="fault" aria-current="true"' in page and 'id="events"' in page


def test_saved_plan_by_name_and_traversal_refused(client: Any, auth: dict[str, str],
                                                  settings: Any) -> None:
    saved = Path(settings.resolved_data_dir) / "plans" / "cords" / "out"
    saved.mkdir(parents=True)
    (saved / "channels.yaml").write_text(yaml.safe_dump(CORDS))
    files = {"results": ("r.csv", (HEADER + link("x", TYPE_B)).encode())}
    run = submit(client, auth, files, plan_name="cords")
    assert client.get(f"/api/v1/accept/runs/{run}").json()["summary"]["counts"]["pass"] == 1
    for bad in ("../cords", "cords/../../x", "nope"):
        r = client.post("/api/v1/accept/runs", headers=auth, files=files,
                        data={"plan_name": bad})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "plan_name"
    assert "cords" in client.get("/accept").text


def test_bad_results_fail_the_job_naming_file_and_line(client: Any,
                                                       auth: dict[str, str]) -> None:
    files = cord_files()
    files["results"] = ("field.csv", (HEADER + link("x", TYPE_B).replace("0.3", "lots", 1))
                        .encode())
    r = client.post("/api/v1/accept/runs", headers=auth, files=files)
    assert r.status_code == 202
    job = wait(client, r.json()["run"])
    assert job["state"] == "failed"
    err = job["error"]["errors"][0]
    assert (err["file"], err["line"], err["field"]) == ("field.csv", 2, "loss_db")
    run = r.json()["run"]
    assert client.get(f"/api/v1/accept/runs/{run}").status_code == 422
    assert "field.csv" in client.get(f"/accept/runs/{run}").text


def test_requests_refused_before_any_job(client: Any, auth: dict[str, str], app: Any) -> None:
    files = cord_files()
    assert client.post("/api/v1/accept/runs", files=files).status_code == 401
    r = client.post("/api/v1/accept/runs", headers=auth,
                    files={"plan": files["plan"], "results": ("r.xlsx", b"PK")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "results"
    r = client.post("/api/v1/accept/runs", headers=auth, files={"plan": files["plan"]})
    assert r.status_code == 422 and "no results" in r.json()["detail"]
    r = client.post("/api/v1/accept/runs", headers=auth, files={"results": files["results"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "plan"
    r = client.post("/api/v1/accept/runs", headers=auth, files=files,
                    data={"tolerance_db": "-1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tolerance_db"
    assert app.state.jobs._jobs == {}  # nothing was queued


def test_unknown_run_and_channel(client: Any, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/accept/runs/0123abcd").status_code == 404
    run = submit(client, auth, cord_files())
    r = client.get(f"/api/v1/accept/runs/{run}/channels/nowhere")
    assert r.status_code == 404 and "nowhere" in r.json()["detail"]
    r = client.get(f"/api/v1/accept/runs/{run}", params={"status": "bogus"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


def test_run_page_lists_findings_and_escapes(client: Any, auth: dict[str, str]) -> None:
    evil = "<img src=x onerror=alert(1)>"
    cords = {"channels": [{**CORDS["channels"][0], "name": evil}]}
    files = {"plan": ("c.yaml", yaml.safe_dump(cords).encode()),
             "results": ("r.csv", (HEADER + link(evil, list(range(1, 13)))).encode())}
    run = submit(client, auth, files)
    page = client.get(f"/accept/runs/{run}").text
    assert evil not in page and "&lt;img src=x" in page
    assert 'data-status="polarity_mismatch"' in page
    drill = client.get(f"/accept/runs/{run}/channels/{evil}").text
    assert evil not in drill and drill.count('class="lane bad"') == 12


def test_form_submit_redirects_to_progress_page(client: Any, token: str) -> None:
    client.get("/accept")
    client.cookies.set("mpokit_token", token)
    files = cord_files()
    r = client.post("/accept", files=files)
    assert r.status_code == 403  # cookie sign-in without the CSRF field
    r = client.post("/accept", files=files, data={"csrf": client.cookies.get("mpokit_csrf")})
    assert r.status_code == 303
    run = r.headers["location"].rsplit("/", 1)[-1]
    assert wait(client, run)["state"] == "done"
    assert 'id="counts"' in client.get(r.headers["location"]).text


def test_unreadable_trace_fails_the_job_naming_it(client: Any, auth: dict[str, str]) -> None:
    files = [("plan", cord_files()["plan"]), ("traces", ("x-fiber1.sor", b"\x00" * 300))]
    r = client.post("/api/v1/accept/runs", headers=auth, files=files)
    job = wait(client, r.json()["run"])
    assert job["state"] == "failed" and job["error"]["status"] == 422
    assert job["error"]["errors"][0]["file"] == "x-fiber1.sor"


def test_drill_down_links_the_tested_cord_to_its_certificate(client: Any,
                                                             auth: dict[str, str]) -> None:
    rows = "".join(f"y,{p},850,0.3,7.0,{p},PASS,MPO-0042\n" for p in range(1, 13))
    files = {"plan": cord_files()["plan"],
             "results": ("r.csv", (HEADER.rstrip("\n") + ",serial\n" + rows).encode())}
    run = submit(client, auth, files)
    d = client.get(f"/api/v1/accept/runs/{run}/channels/y").json()
    assert d["serials"] == ["MPO-0042"] and d["status"] == "polarity_mismatch"
    page = client.get(f"/accept/runs/{run}/channels/y").text
    assert 'href="/qc/assemblies/MPO-0042/certificate"' in page


def test_runs_are_kept_in_the_store_and_survive_a_restart(client: Any, auth: dict[str, str],
                                                          settings: Any) -> None:
    from anyio.from_thread import start_blocking_portal

    from mpokit.web.app import create_app
    from tests.web.conftest import Client

    run = submit(client, auth, cord_files())
    before = client.get(f"/api/v1/accept/runs/{run}").json()
    drill = client.get(f"/api/v1/accept/runs/{run}/channels/y").json()
    # a new app on the same store and data folder: a restarted server with no jobs
    app2 = create_app(settings)
    try:
        with start_blocking_portal() as portal:
            c2 = Client(app2, portal)
            assert app2.state.jobs.get(run) is None
            runs = c2.get("/api/v1/accept/runs").json()
            assert runs["total"] == 1 and runs["runs"][0]["id"] == run
            assert runs["runs"][0]["counts"]["polarity_mismatch"] == 1
            assert runs["runs"][0]["plan"] == "channels.yaml"
            assert runs["runs"][0]["files"] == ["results.csv"]
            after = c2.get(f"/api/v1/accept/runs/{run}").json()
            assert after == before and after["run"]["details_kept"] == 3
            assert c2.get(f"/api/v1/accept/runs/{run}/channels/y").json() == drill
            assert drill["fault"]["element"] == "path[0] cord" and drill["kept"] is True
            assert f'href="/accept/runs/{run}"' in c2.get("/accept").text
            page = c2.get(f"/accept/runs/{run}").text
            assert 'id="counts"' in page and 'data-status="polarity_mismatch"' in page
            assert 'class="lane bad"' in c2.get(f"/accept/runs/{run}/channels/y").text
            assert c2.get("/api/v1/accept/runs/ffffffffffffffff").status_code == 404
            portal.call(c2.http.aclose)
    finally:
        app2.state.jobs.shutdown()
        if app2.state.store is not None:
            app2.state.store.close()


def test_channels_beyond_the_kept_drill_downs(client: Any, auth: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from mpokit.web import accept_data

    monkeypatch.setattr(accept_data, "MAX_DETAILS", 1)
    run = submit(client, auth, cord_files())
    body = client.get(f"/api/v1/accept/runs/{run}").json()
    assert body["run"]["details_kept"] == 1 and body["channels"][0]["name"] == "y"
    y = client.get(f"/api/v1/accept/runs/{run}/channels/y").json()
    assert y["kept"] is True and y["measured_map"] == list(range(1, 13))
    x = client.get(f"/api/v1/accept/runs/{run}/channels/x").json()
    assert x["kept"] is False and x["status"] == "pass" and x["findings"] == []
    page = client.get(f"/accept/runs/{run}/channels/x").text
    assert 'id="not-kept"' in page and "(1, those with findings first)" in page
    assert client.get(f"/api/v1/accept/runs/{run}/channels/nowhere").status_code == 404


def test_run_list_pages(client: Any, auth: dict[str, str]) -> None:
    runs = [submit(client, auth, cord_files()) for _ in range(3)]
    body = client.get("/api/v1/accept/runs", params={"limit": 2}).json()
    assert body["total"] == 3 and len(body["runs"]) == 2
    rest = client.get("/api/v1/accept/runs", params={"limit": 2, "offset": 2}).json()
    assert {r["id"] for r in body["runs"] + rest["runs"]} == set(runs)
