"""QC API and pages in-process: lots, lot report, imports, incoming inspection, certificates.

The store is seeded with station files whose outcome is known by construction: lot L1 has
8 assemblies at IL 0.05..0.12 dB (all pass iec-B-2, IL <= 0.25 dB, RL >= 45 dB) except
L1-S08 whose fiber A3 is at 0.40 dB (fails); lot L2 has 12 assemblies at 0.02..0.18 dB and
L2-S03 at 0.20 dB on every fiber (passes, but far above the others: above its X-bar upper
limit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from mpokit.store import Store, import_file
from mpokit.store.models import ImportedFile, Inspection, Measurement

HEADER = "serial,end,fiber,wavelength_nm,il_db,rl_db,station,timestamp"


def station_csv(serials: list[str], il: dict[str, float] | None = None, *, seed: int = 0,
                bad: tuple[str, str, int, float] | None = None,
                spread: tuple[float, float] = (0.05, 0.12)) -> str:
    """Generic-layout rows: ends A/B, 12 fibers, 1310/1550 nm; IL uniform over ``spread``
    unless ``il`` fixes a serial's level; ``bad`` = (serial, end, fiber, IL) overrides one."""
    rng = np.random.default_rng(seed)
    lines = [HEADER]
    for s in serials:
        for end in "AB":
            for f in range(1, 13):
                for wl in (1310, 1550):
                    v = (il or {}).get(s, float(rng.uniform(*spread)))
                    if bad is not None and (s, end, f) == bad[:3]:
                        v = bad[3]
                    lines.append(f"{s},{end},{f},{wl},{v:.4f},55.0,st1,2026-01-05T10:00:00Z")
    return "\n".join(lines) + "\n"


L1 = [f"L1-S{i:02d}" for i in range(1, 9)]
L2 = [f"L2-S{i:02d}" for i in range(1, 13)]


def seed_lots(store: Store, folder: Path) -> None:
    """Import lot L1 (one failing assembly) and L2 (one shifted assembly) from acme."""
    (folder / "l1.csv").write_text(station_csv(L1, seed=1, bad=("L1-S08", "A", 3, 0.40)))
    (folder / "l2.csv").write_text(station_csv(L2, {"L2-S03": 0.20}, seed=2,
                                              spread=(0.02, 0.18)))
    import_file(store, folder / "l1.csv", lot="L1", supplier="acme")
    import_file(store, folder / "l2.csv", lot="L2", supplier="acme")


@pytest.fixture
def lots(store: Store, tmp_path: Path) -> Store:
    seed_lots(store, tmp_path)
    return store


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return (s.scalar(select(func.count()).select_from(Measurement)) or 0,
                s.scalar(select(func.count()).select_from(ImportedFile)) or 0,
                s.scalar(select(func.count()).select_from(Inspection)) or 0)


def test_lot_list_gives_yield_per_lot(client: Any, lots: Store) -> None:
    body = client.get("/api/v1/lots").json()
    by = {g["lot"]: g for g in body["lots"]}
    assert set(by) == {"L1", "L2"}
    assert by["L1"]["assemblies"] == 8 and by["L1"]["yield"] == pytest.approx(7 / 8)
    assert by["L2"]["yield"] == 1.0 and by["L2"]["suppliers"] == ["acme"]
    assert by["L1"]["fibers"] == 8 * 24  # per-fiber worst values: 2 ends x 12 fibers
    # two lots: the across-lot charts exist, one point per lot
    assert [p["name"] for p in body["charts"]["xbar"]["points"]] == ["L1", "L2"]


def test_lot_report_yield_distributions_and_chart(client: Any, lots: Store) -> None:
    r = client.get("/api/v1/lots/L2").json()
    assert r["stats"]["yield"] == 1.0 and r["verdicts"] == {"pass": 12, "fail": 0,
                                                           "unmeasurable": 0}
    il = r["distributions"]["il_db"]
    assert len(il["values"]) == 12 * 24 and il["limit"] == 0.25
    assert max(il["values"]) == pytest.approx(0.20)
    chart = r["chart"]
    assert [p["name"] for p in chart["points"]] == L2
    s03 = chart["points"][2]
    assert s03["value"] == pytest.approx(0.20) and s03["value"] > s03["ucl"]
    assert "L2-S03" in chart["out_of_control"]
    ewma = r["ewma_chart"]
    assert ewma["kind"] == "ewma" and ewma["center"] == chart["center"]
    # the EWMA of a jump at point 3 is 0.2 of the jump there and decays after it
    z = [p["value"] for p in ewma["points"]]
    assert z[2] - z[1] == pytest.approx(0.2 * (0.20 - z[1]), abs=2e-4) and z[3] < z[2]
    # equal subgroups: the centre is the mean of every per-fiber worst IL of the lot
    assert chart["center"] == pytest.approx(np.mean(il["values"]), abs=1e-4)
    # 24 values per assembly: X-bar/R, limits X-double-bar +/- A2 R-bar with A2(24) 0.157 and
    # the R chart beside it (D3 0.451, D4 1.548, published to 3 decimals)
    rc = r["r_chart"]
    assert rc["kind"] == "r" and "A2" in chart["basis"] and "n = 24" in rc["basis"]
    r_bar = np.mean([p["value"] for p in rc["points"]])
    assert rc["center"] == pytest.approx(r_bar, abs=1e-4)
    assert chart["points"][0]["ucl"] - chart["center"] == pytest.approx(0.157 * r_bar,
                                                                          abs=2e-4)
    assert rc["points"][0]["ucl"] == pytest.approx(1.548 * r_bar, abs=2e-4)
    assert rc["points"][0]["lcl"] == pytest.approx(0.451 * r_bar, abs=2e-4)
    # L2-S03 has the same IL on every fiber: range 0, below the R chart's lower limit
    assert rc["points"][2]["value"] == 0.0 and rc["out_of_control"] == ["L2-S03"]
    l1 = client.get("/api/v1/lots/L1").json()
    assert l1["verdicts"]["fail"] == 1
    failing = [a for a in l1["assemblies"] if a["verdict"] == "fail"]
    assert [(a["serial"], a["fibers_not_passing"]) for a in failing] == [("L1-S08", ["A3"])]


def test_lot_report_of_one_assembly_says_chart_unmeasurable(client: Any, store: Store,
                                                             tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text(station_csv(["X1"]))
    import_file(store, tmp_path / "one.csv", lot="SOLO")
    r = client.get("/api/v1/lots/SOLO").json()
    assert r["chart"] is None and "2 or more subgroups" in r["chart_reason"]
    assert r["r_chart"] is None and r["r_chart_reason"]
    page = client.get("/qc/lots/SOLO").text
    assert "Unmeasurable: an X-bar chart needs" in page


def test_lot_of_mpo32_assemblies_has_no_r_chart(client: Any, store: Store,
                                                 tmp_path: Path) -> None:
    # 2 ends x 16 fibers = 32 values per assembly: beyond the 2..25 the constants cover
    rows = [HEADER] + [f"M{k},{e},{f},1310,{0.05 + 0.001 * (f + k)},55.0,st1,"
                       "2026-01-05T10:00:00Z" for k in range(3) for e in "AB"
                       for f in range(1, 17)]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    import_file(store, tmp_path / "m.csv", lot="M32")
    r = client.get("/api/v1/lots/M32").json()
    assert r["r_chart"] is None and "not 32" in r["r_chart_reason"]
    assert "pooled" in r["chart"]["basis"] and len(r["chart"]["points"]) == 3
    page = client.get("/qc/lots/M32").text
    assert 'id="rchart-unmeasurable"' in page and "sigma pooled within subgroups" in page


def test_unknown_lot_and_profile_are_problems(client: Any, lots: Store) -> None:
    r = client.get("/api/v1/lots/NOPE")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert "NOPE" in r.json()["detail"]
    r = client.get("/api/v1/lots/L1", params={"profile": "iec-B-3"})
    assert r.status_code == 422 and "iec-B-2" in r.json()["errors"][0]["suggestions"]
    # a spec file path is never read from a request
    r = client.get("/api/v1/lots", params={"profile": "/etc/passwd.yaml"})
    assert r.status_code == 422 and r.json()["type"].endswith("/unknown-name")


def test_import_needs_a_token_and_leaves_store_unchanged(client: Any, store: Store,
                                                         auth: dict[str, str]) -> None:
    files = {"file": ("l1.csv", station_csv(["A1"]).encode(), "text/csv")}
    before = _counts(store)
    assert client.post("/api/v1/imports", files=files).status_code == 401
    r = client.post("/api/v1/imports", files=files,
                    headers={"Authorization": "Bearer mpk_wrong"})
    assert r.status_code == 403 and _counts(store) == before
    r = client.post("/api/v1/imports", files=files, data={"lot": "LX"}, headers=auth)
    assert r.status_code == 201 and r.json()["rows"] == 48 and r.json()["skipped"] is False
    assert _counts(store)[0] == before[0] + 48
    again = client.post("/api/v1/imports", files=files, data={"lot": "LX"}, headers=auth)
    assert again.json()["skipped"] is True and _counts(store)[0] == before[0] + 48


def test_bad_station_file_names_upload_line_and_field(client: Any, store: Store,
                                                      auth: dict[str, str]) -> None:
    text = station_csv(["A1"]).splitlines()
    text[5] = text[5].replace(",55.0,", ",abc,")
    before = _counts(store)
    r = client.post("/api/v1/imports", headers=auth,
                    files={"file": ("../../etc/bad file.csv", "\n".join(text).encode())})
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["file"] == "bad_file.csv" and err["line"] == 6 and err["field"] == "rl_db"
    assert "/tmp" not in r.text and "mpokit-upload" not in r.text
    assert _counts(store) == before


def test_upload_of_wrong_kind_is_refused(client: Any, store: Store,
                                         auth: dict[str, str]) -> None:
    before = _counts(store)
    r = client.post("/api/v1/imports", headers=auth, files={"file": ("x.exe", b"MZ")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = client.post("/api/v1/imports", headers=auth, data={"origin": "factory"},
                    files={"file": ("x.csv", station_csv(["A1"]).encode())})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "origin"
    assert _counts(store) == before


def test_incoming_inspection_flow(client: Any, lots: Store, auth: dict[str, str],
                                  tmp_path: Path) -> None:
    r = client.post("/api/v1/lots/L1/inspections", headers=auth,
                    json={"level": "II", "aql": 1.0, "seed": 7})
    assert r.status_code == 201
    res = r.json()
    sample, plan = res["sample"], res["plan"]
    assert res["verdict"] == "pending" and plan["lot_size"] == 8
    assert len(sample) == plan["sample_size"] and set(sample) <= set(L1)
    # nothing re-measured yet: unmeasurable, naming every sampled serial; nothing recorded
    d = client.post("/api/v1/lots/L1/inspections/decision", headers=auth, json={}).json()
    assert d["verdict"] == "unmeasurable" and d["missing"] == sample
    # re-measure the sample, one of them failing, and import it as incoming data
    worst = sample[0]
    (tmp_path / "in.csv").write_text(station_csv(sample, seed=5, bad=(worst, "B", 1, 0.9)))
    up = client.post("/api/v1/imports", headers=auth, data={"origin": "incoming"},
                     files={"file": ("in.csv", (tmp_path / "in.csv").read_bytes())})
    assert up.status_code == 201
    d = client.post("/api/v1/lots/L1/inspections/decision", headers=auth,
                    json={"profile": "iec-B-2"}).json()
    assert d["failing"] == [worst] and d["nonconforming"] == 1
    assert d["verdict"] == ("accept" if plan["ac"] >= 1 else "reject")
    with lots.session() as s:
        row = s.scalars(select(Inspection)).one()
        assert (row.verdict, row.nonconforming, row.seed) == (d["verdict"], 1, 7)
    page = client.get("/qc/lots/L1").text
    assert worst in page and d["verdict"] in page


def test_bad_inspection_request_changes_nothing(client: Any, lots: Store,
                                                auth: dict[str, str]) -> None:
    before = _counts(lots)
    r = client.post("/api/v1/lots/L1/inspections", headers=auth, json={"aql": 0.7})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "--aql"
    r = client.post("/api/v1/lots/L1/inspections", headers=auth, json={"level": "IV"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "level"
    r = client.post("/api/v1/lots/L1/inspections", headers=auth, json={"sead": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sead"
    r = client.post("/api/v1/lots/NOPE/inspections", headers=auth, json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lot"
    assert client.post("/api/v1/lots/L1/inspections", json={}).status_code == 401
    assert _counts(lots) == before


def test_certificate_html_and_pdf(client: Any, lots: Store) -> None:
    r = client.get("/api/v1/assemblies/L1-S08/certificate")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "L1-S08" in r.text and "FAIL" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp
    pdf = client.get("/api/v1/assemblies/L1-S01/certificate", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="certificate-L1-S01.pdf"' in pdf.headers["content-disposition"]
    missing = client.get("/api/v1/assemblies/ZZZ/certificate")
    assert missing.status_code == 404 and "ZZZ" in missing.json()["detail"]
    assert client.get("/api/v1/assemblies/L1-S01/certificate",
                      params={"format": "doc"}).status_code == 422


def test_lot_pages_draw_yield_chart_and_escape(client: Any, store: Store,
                                               tmp_path: Path) -> None:
    seed_lots(store, tmp_path)
    evil = "<script>alert(1)</script>"
    (tmp_path / "e.csv").write_text(station_csv(["E1", "E2"]))
    import_file(store, tmp_path / "e.csv", lot="L3", supplier=evil)
    lots = client.get("/qc").text
    assert 'href="/qc/lots/L1?profile=iec-B-2"' in lots and "87.5 %" in lots
    assert evil not in lots and "&lt;script&gt;" in lots
    page = client.get("/qc/lots/L2").text
    assert '<dd id="yield">100.0 %</dd>' in page
    assert page.count('<circle class="point') == 36  # X-bar, R and EWMA: one per assembly
    assert 'id="rchart"' in page and "D4 R-bar" in page
    assert 'class="point ooc" cx="' in page and 'data-name="L2-S03"' in page
    assert 'href="/qc/assemblies/L2-S01/certificate?profile=iec-B-2"' in page
    assert 'id="hist-il_db"' in page and 'id="hist-rl_db"' in page


def test_form_import_with_cookie_needs_csrf(client: Any, store: Store, token: str) -> None:
    client.get("/qc")  # sets the CSRF cookie
    csrf = client.cookies.get("mpokit_csrf")
    client.cookies.set("mpokit_token", token)
    files = {"file": ("f.csv", station_csv(["F1"]).encode())}
    before = _counts(store)
    r = client.post("/qc/import", files=files, data={"lot": "LF"})
    assert r.status_code == 403 and _counts(store) == before
    r = client.post("/qc/import", files=files, data={"lot": "LF", "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/qc/lots/LF"
    assert "Lot LF" in client.get("/qc/lots/LF").text


def test_form_errors_render_on_the_page(client: Any, lots: Store, auth: dict[str, str]) -> None:
    r = client.post("/qc/lots/L1/inspect", headers=auth, data={"aql": "0.7"})
    assert r.status_code == 422 and 'role="alert"' in r.text and "0.7" in r.text
    r = client.post("/qc/lots/L1/decide", headers=auth, data={"profile": "iec-B-2"})
    assert r.status_code == 422 and "has no inspection" in r.text


def face_png(folder: Path, name: str, *, dirty: bool) -> bytes:
    """A simulated single-fiber end face (a 4 um defect in the core when ``dirty``)."""
    from mpokit.qc.inspect import simulate_inspection, write_image

    img, _ = simulate_inspection(layout="single", seed=4,
                                 defects=[(3.0, 1.0, 4.0)] if dirty else [])
    write_image(folder / name, img.pixels, pixel_um=img.pixel_um)
    return (folder / name).read_bytes()


def test_endface_image_inspected_stored_and_overlaid(client: Any, lots: Store,
                                                      auth: dict[str, str],
                                                      tmp_path: Path) -> None:
    data = face_png(tmp_path, "L1-S01_A.png", dirty=True)
    files = {"file": ("L1-S01_A.png", data, "image/png")}
    r = client.post("/api/v1/endface/inspections", headers=auth, files=files,
                    data={"connector_class": "sm-pc"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["serial"], body["end"], body["result"]["verdict"]) == ("L1-S01", "A", "fail")
    assert body["import"]["rows"] == 1 and body["fibers"] == [1]
    lot = client.get("/api/v1/lots/L1").json()
    (face,) = [e for e in lot["endface"] if e["serial"] == "L1-S01"]
    assert face["verdict"] == "fail" and [o["fiber"] for o in face["overlays"]] == [1]
    png = client.get(face["overlays"][0]["url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG") and len(png.content) > 1000
    # a failing end face makes the certificate fail although IL/RL pass
    cert = client.get("/api/v1/assemblies/L1-S01/certificate").text
    assert "FAIL" in cert
    page = client.get("/qc/lots/L1").text
    assert f'<img src="{face["overlays"][0]["url"]}"' in page
    again = client.post("/api/v1/endface/inspections", headers=auth, files=files)
    assert again.json()["import"]["skipped"] is True


def test_bad_endface_upload_stores_nothing(client: Any, lots: Store, auth: dict[str, str],
                                           settings: Any, tmp_path: Path) -> None:
    from mpokit.store.endface import EndfaceImage

    r = client.post("/api/v1/endface/inspections", headers=auth,
                    files={"file": ("L1-S02_A.png", b"not a png")})
    assert r.status_code == 422 and r.json()["errors"][0]["file"] == "L1-S02_A.png"
    r = client.post("/api/v1/endface/inspections", headers=auth,
                    files={"file": ("face.png", face_png(tmp_path, "f.png", dirty=False))})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "serial"
    r = client.post("/api/v1/endface/inspections", headers=auth, data={"connector_class": "x"},
                    files={"file": ("L1-S02_A.png", b"")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "connector_class"
    with lots.session() as s:
        assert s.scalar(select(func.count()).select_from(EndfaceImage)) == 0
    assert not (Path(settings.resolved_data_dir) / "endface").exists()
    assert client.get("/qc/endface/..%2F..%2Fqc.db/1").status_code == 404
    assert client.get("/qc/endface/0123456789abcdef/1").status_code == 404


def test_hostile_image_bytes_are_input_errors(client: Any, lots: Store,
                                              auth: dict[str, str]) -> None:
    # a TIFF whose first-page offset points nowhere (tifffile raises IndexError), a
    # truncated PNG, nothing
    bad_tiff = b"II*\x00" + np.random.default_rng(0).bytes(64)
    for name, data in (("S_A.tiff", bad_tiff),
                       ("S_A.png", b"\x89PNG\r\n\x1a\n\x00\x00"), ("S_A.jpg", b"")):
        r = client.post("/api/v1/endface/inspections", headers=auth,
                        files={"file": (name, data)})
        assert r.status_code == 422, (name, r.text)
        assert r.json()["errors"][0]["file"] == name


def test_empty_store_says_how_to_start(client: Any) -> None:
    assert client.get("/api/v1/lots").json()["lots"] == []
    page = client.get("/qc").text
    assert "The store holds no lot yet" in page and 'action="/qc/import"' in page


def test_supplier_scorecard(client: Any, lots: Store, auth: dict[str, str],
                            tmp_path: Path) -> None:
    sc = client.get("/api/v1/suppliers/acme/scorecard").json()
    assert [(x["lot"], x["claimed_yield"]) for x in sc["lots"]] == [("L1", 0.875), ("L2", 1.0)]
    assert sc["claimed_vs_measured"] == {"pairs": 0} and sc["severity"] == "normal"
    # re-measure L1-S01 0.01 dB higher than claimed on every fiber: bias +0.01 dB
    claimed = station_csv(L1, seed=1, bad=("L1-S08", "A", 3, 0.40)).splitlines()
    again = [claimed[0]] + [
        ",".join([*c.split(",")[:4], f"{float(c.split(',')[4]) + 0.01:.4f}", *c.split(",")[5:]])
        for c in claimed[1:] if c.startswith("L1-S01,")]
    up = client.post("/api/v1/imports", headers=auth, data={"origin": "incoming"},
                     files={"file": ("in.csv", ("\n".join(again) + "\n").encode())})
    assert up.status_code == 201
    cmp = client.get("/api/v1/suppliers/acme/scorecard").json()["claimed_vs_measured"]
    assert cmp["pairs"] == 48 and cmp["bias_db"] == pytest.approx(0.01, abs=1e-4)
    page = client.get("/qc/suppliers/acme").text
    assert "+0.010 dB" in page and 'href="/qc/lots/L2?profile=iec-B-2"' in page
    assert 'href="/qc/suppliers/acme?profile=iec-B-2"' in client.get("/qc").text
    assert client.get("/api/v1/suppliers/nobody/scorecard").status_code == 404


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "qc"


def test_bundled_example_lot_through_the_api(client: Any, store: Store,
                                             auth: dict[str, str]) -> None:
    """examples/qc: the supplier's lot L1, a sample, the buyer's re-measurement, a verdict
    that agrees with the plan's acceptance number."""
    up = client.post("/api/v1/imports", headers=auth, data={"lot": "L1", "supplier": "acme"},
                     files={"file": ("lot-L1_supplier.csv",
                                     (EXAMPLES / "lot-L1_supplier.csv").read_bytes())})
    assert up.status_code == 201 and up.json()["rows"] == 960
    geo = client.post("/api/v1/imports", headers=auth, data={"lot": "L1"},
                      files={"file": ("geometry_L1.json",
                                      (EXAMPLES / "geometry_L1.json").read_bytes())})
    assert geo.status_code == 201 and geo.json()["kind"] == "geometry"
    lot = client.get("/api/v1/lots/L1").json()
    assert lot["stats"]["assemblies"] == 20
    assert "height_diff_nm" in lot["distributions"]  # geometry parameters are plotted too
    plan = client.post("/api/v1/lots/L1/inspections", headers=auth,
                       json={"aql": 2.5, "seed": 7}).json()
    incoming = client.post("/api/v1/imports", headers=auth, data={"origin": "incoming"},
                           files={"file": ("lot-L1_incoming.csv",
                                           (EXAMPLES / "lot-L1_incoming.csv").read_bytes())})
    assert incoming.status_code == 201
    d = client.post("/api/v1/lots/L1/inspections/decision", headers=auth, json={}).json()
    assert d["sample"] == plan["sample"] and d["verdict"] in ("accept", "reject")
    assert (d["verdict"] == "accept") == (d["nonconforming"] <= d["plan"]["ac"])
    assert len(d["failing"]) == d["nonconforming"]
