"""Import: round trips, idempotence, bad input rejected whole, killed and concurrent imports.

Every test that takes ``db_url`` runs on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mpokit.errors import InputError
from mpokit.store import import_file, open_store, read_mapping
from mpokit.store.models import Assembly, GeometryEnd, GeometryFiber, ImportedFile, Measurement
from tests.store.helpers import HEADER, ilrl_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "qc"


def _count(url: str, model: type) -> int:
    with open_store(url) as st, st.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_generic_csv_round_trip_and_reimport_is_skipped(db_url: str, tmp_path: Path) -> None:
    f = ilrl_csv(tmp_path / "a.csv", ["S1", "S2"], fibers=4, il_db=0.123)
    with open_store(db_url) as st:
        first = import_file(st, f, lot="L9", supplier="acme")
        again = import_file(st, f)
        with st.session() as s:
            rows = s.execute(select(Measurement.il_db, Measurement.rl_db, Measurement.station)
                             ).all()
            lots = dict(s.execute(select(Assembly.serial, Assembly.lot)).all())
    assert (first.rows, first.skipped) == (2 * 2 * 4 * 2, False)
    assert again.skipped and again.rows == 0
    assert len(rows) == 32 and {r[0] for r in rows} == {0.123} and {r[1] for r in rows} == {58.0}
    assert lots == {"S1": "L9", "S2": "L9"}


def test_excel_with_mapping(db_url: str) -> None:
    mapping = read_mapping(EXAMPLES / "station7_mapping.yaml")
    with open_store(db_url) as st:
        r = import_file(st, EXAMPLES / "station7_export.xlsx", mapping=mapping)
        with st.session() as s:
            stations = set(s.scalars(select(Measurement.station)))
            ends = set(s.scalars(select(Measurement.end)))
    assert r.kind == "ilrl" and r.rows == 5 * 12 * 2
    assert stations == {"station-7"} and ends == {"A"}


def test_geometry_json_and_batch_summary(db_url: str, tmp_path: Path) -> None:
    summary = tmp_path / "summary.csv"
    summary.write_text("file,serial,kind,profile,ok,fibers,height_diff_nm,failed_checks,error\n"
                       "a.npz,G1,mt,mt-pc,True,12,180.5,,\n"
                       "b.npz,,mt,,False,,,,cannot read\n")
    with open_store(db_url) as st:
        rj = import_file(st, EXAMPLES / "geometry_L1.json")
        rc = import_file(st, summary, end="B")
        with st.session() as s:
            ends = s.execute(select(GeometryEnd.serial, GeometryEnd.end, GeometryEnd.parameters)
                             .order_by(GeometryEnd.id)).all()
            fibers = s.scalar(select(func.count()).select_from(GeometryFiber))
    assert (rj.kind, rj.rows, rc.rows) == ("geometry", 4, 1)
    assert [e[0] for e in ends] == ["L1-001", "L1-002", "L1-003", "L1-004", "G1"]
    assert ends[-1][1] == "B" and ends[-1][2]["height_diff_nm"] == pytest.approx(180.5)
    assert fibers == 48


BAD = [
    ("malformed row", "S1,A,1,1310,0.1,55,st\n", 3, "fields where the header has 8"),
    ("non-numeric", "S1,A,1,1310,zero,55,st,\n", 3, "il_db: 'zero' is not a number"),
    ("wavelength out of range", "S1,A,1,131,0.1,55,st,\n", 3, "wavelength_nm: 131 is outside"),
    ("duplicate key", "S1,A,1,1310,0.2,55,st,\n", 3, "duplicate measurement of S1 end A"),
    ("bad time", "S1,A,2,1310,0.2,55,st,yesterday\n", 3, "timestamp: 'yesterday'"),
    ("empty serial", ",A,2,1310,0.2,55,st,\n", 3, "serial: empty value"),
]


@pytest.mark.parametrize(("case", "second", "line", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_row_rejects_whole_file_naming_its_line(
    db_url: str, tmp_path: Path, case: str, second: str, line: int, message: str
) -> None:
    good = ilrl_csv(tmp_path / "good.csv", ["OK1"], fibers=2)
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "\nS1,A,1,1310,0.1,55,st,\n" + second)
    with open_store(db_url) as st:
        import_file(st, good)
        with pytest.raises(InputError) as err:
            import_file(st, f)
    assert f"bad.csv:{line}:" in str(err.value) and message in str(err.value)
    assert _count(db_url, Measurement) == 8 and _count(db_url, ImportedFile) == 1


def test_unknown_and_missing_columns(tmp_path: Path, db_url: str) -> None:
    f = tmp_path / "u.csv"
    f.write_text(HEADER + ",operator\nS1,A,1,1310,0.1,55,st,,bob\n")
    g = tmp_path / "m.csv"
    g.write_text("serial,end,fiber,il_db,station\nS1,A,1,0.1,st\n")
    with open_store(db_url) as st:
        with pytest.raises(InputError, match=r"u.csv:1: unknown column 'operator'"):
            import_file(st, f)
        with pytest.raises(InputError, match=r"m.csv:1: missing column\(s\) wavelength_nm"):
            import_file(st, g)
    assert _count(db_url, ImportedFile) == 0


def test_truncated_file_is_rejected(db_url: str, tmp_path: Path) -> None:
    full = ilrl_csv(tmp_path / "full.csv", ["T1", "T2"], fibers=12).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(full[: len(full) * 2 // 3 - 7])  # cut in the middle of a line
    with open_store(db_url) as st, pytest.raises(InputError, match="truncated"):
        import_file(st, cut)
    assert _count(db_url, Measurement) == 0


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "q.db")) as st:
        with pytest.raises(InputError, match=r"unknown file type '\.pdf'"):
            (tmp_path / "x.pdf").write_text("x")
            import_file(st, tmp_path / "x.pdf")
        with pytest.raises(InputError, match=r"nope\.csv: cannot read"):
            import_file(st, tmp_path / "nope.csv")


_KILLER = textwrap.dedent("""
    import os, signal, sys
    import mpokit.store.importer as imp
    from mpokit.store import open_store, import_file
    orig = imp._upsert_assemblies
    def die(*a, **k):
        orig(*a, **k)          # the file row and the assemblies are written, not committed
        os.kill(os.getpid(), signal.SIGKILL)
    imp._upsert_assemblies = die
    import_file(open_store(sys.argv[1]), sys.argv[2])
""")


def test_killed_import_leaves_exactly_the_earlier_imports(db_url: str, tmp_path: Path) -> None:
    earlier = ilrl_csv(tmp_path / "earlier.csv", ["E1"], fibers=3)
    victim = ilrl_csv(tmp_path / "victim.csv", [f"V{i}" for i in range(50)], seed=3)
    with open_store(db_url) as st:
        import_file(st, earlier)
    proc = subprocess.run([sys.executable, "-c", _KILLER, db_url, str(victim)],
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    with open_store(db_url) as st:  # the database still opens
        with st.session() as s:
            names = list(s.scalars(select(ImportedFile.name)))
            serials = set(s.scalars(select(Assembly.serial)))
            n = s.scalar(select(func.count()).select_from(Measurement))
        assert names == ["earlier.csv"] and serials == {"E1"} and n == 12
        again = import_file(st, victim)  # and the killed file imports normally afterwards
    assert not again.skipped and again.rows == 50 * 48


def _import_worker(url: str, path: str) -> tuple[int, bool]:
    with open_store(url) as st:
        r = import_file(st, path)
    return r.rows, r.skipped


def test_concurrent_importers_neither_lose_nor_duplicate(db_url: str, tmp_path: Path) -> None:
    files = [ilrl_csv(tmp_path / f"c{i}.csv", [f"C{i}-{j}" for j in range(10)], seed=i,
                      fibers=6) for i in range(4)]
    jobs = [str(f) for f in files] + [str(files[0]), str(files[1])]  # two files twice at once
    # spawn, not fork: a Dask cluster of an earlier test may hold locks in other threads
    ctx = mp.get_context("spawn")  # children open their own connections
    with ctx.Pool(len(jobs)) as pool:
        out = pool.starmap(_import_worker, [(db_url, j) for j in jobs])
    assert sum(1 for _, skipped in out if skipped) == 2
    assert _count(db_url, Measurement) == 4 * 10 * 2 * 6 * 2
    assert _count(db_url, ImportedFile) == 4
    assert _count(db_url, Assembly) == 40


def test_cli_import_reports_rejected_file_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\nS1,A,1,1310,abc,55,st,\n")
    good = ilrl_csv(tmp_path / "good.csv", ["G1"], fibers=1)
    env = os.environ | {"MPOKIT_DB": f"sqlite:///{tmp_path / 'q.db'}"}
    p = subprocess.run([sys.executable, "-m", "mpokit", "qc", "import", str(good), str(bad)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 1
    assert "good.csv: 4 ilrl rows" in p.stdout
    assert "bad.csv:2: il_db: 'abc' is not a number" in p.stderr and "Traceback" not in p.stderr


def test_a_missing_mapping_file_is_named_once_without_errno_text(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_mapping(tmp_path / "missing.yaml")
    text = str(info.value)
    assert text == f"{tmp_path / 'missing.yaml'}: file not found"
    assert "Errno" not in text and text.count("missing.yaml") == 1
