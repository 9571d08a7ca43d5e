"""Field records in the store: one transaction per file, and factory -> field traceability."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from mpokit.accept import PlanDesigns, reconcile, simulate
from mpokit.accept.records import store_as_built, store_results
from mpokit.errors import InputError
from mpokit.store import import_file, open_store
from mpokit.store.field import FieldResult, FieldTest, InstalledAssembly, cord_at


def _count(st, table) -> int:  # type: ignore[no-untyped-def]
    with st.session() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def _cutsheet_row(plan_dir: Path, device: str, port: str) -> dict[str, str]:
    import csv

    with (plan_dir / "cutsheet.csv").open() as f:
        return next(r for r in csv.DictReader(f) if r["a_device"] == device
                    and r["a_port"] == port)


def test_results_as_built_and_the_cord_at_a_rack_port(db_url: str, plan: PlanDesigns,
                                                     plan_dir: Path, tmp_path: Path) -> None:
    sim = simulate(plan, [])
    (tmp_path / "r.csv").write_text(sim.csv)
    from mpokit.accept import read_results

    rows = read_results(tmp_path / "r.csv")
    res = reconcile(plan, rows)
    cable = _cutsheet_row(plan_dir, "node01", "1")
    (tmp_path / "asbuilt.csv").write_text(f"cable_label,serial\n{cable['label']},SN-0001\n")
    (tmp_path / "factory.csv").write_text(
        "serial,end,fiber,wavelength_nm,il_db,rl_db,station,timestamp,lot\n"
        "SN-0001,A,1,850,0.12,35,st1,,LOT-7\n")
    with open_store(db_url) as st:
        import_file(st, tmp_path / "factory.csv")
        (first,) = store_results(st, rows, res)
        (again,) = store_results(st, rows, res)
        ab = store_as_built(st, tmp_path / "asbuilt.csv", plan_dir)
        assert first.rows == len(rows) and again.skipped and ab.rows == 1
        assert _count(st, FieldTest) == len(plan.channels)
        assert _count(st, FieldResult) == len(rows)
        (cord,) = cord_at(st, cable["a_rack"], "1")
        assert (cord.serial, cord.lot, cord.factory_measurements) == ("SN-0001", "LOT-7", 1)
        assert cord.certificate.startswith("mpokit qc certificate SN-0001")
        assert {t["label"] for t in cord.field_tests} == {"node01:1 to leaf01:1"}
        assert cord.field_tests[0]["status"] == "pass"
        assert cord_at(st, cable["a_rack"], "99") == []


def test_unknown_or_repeated_cable_labels_import_nothing(db_url: str, plan_dir: Path,
                                                         tmp_path: Path) -> None:
    cable = _cutsheet_row(plan_dir, "node01", "1")["label"]
    bad = tmp_path / "asbuilt.csv"
    bad.write_text(f"cable_label,serial\n{cable},S1\nno-such-cable,S2\n{cable},S3\n")
    with open_store(db_url) as st:
        with pytest.raises(InputError) as exc:
            store_as_built(st, bad, plan_dir)
        errs = {(e.line, e.field) for e in exc.value.all_errors()}
        assert errs == {(3, "cable_label"), (4, "cable_label")}
        assert "listed twice (also line 2)" in str(exc.value)
        assert _count(st, InstalledAssembly) == 0


def test_a_file_failing_midway_leaves_no_rows(db_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    from mpokit.store.field import import_field_tests

    good = {"label": "a", "rows": [{"fiber": 1, "wavelength_nm": 850.0, "loss_db": 0.3}]}
    bad = {"label": "b", "rows": [{"fiber": 1, "wavelength_nm": 850.0, "loss_db": None}]}
    with open_store(db_url) as st:
        with pytest.raises(IntegrityError):
            import_field_tests(st, "f.csv", "0" * 64, "results", [good, bad])
        assert _count(st, FieldTest) == 0 and _count(st, FieldResult) == 0
        again = import_field_tests(st, "f.csv", "0" * 64, "results", [good])
        assert again.rows == 1 and not again.skipped
