"""Batch work on a real dask.distributed LocalCluster gives the local engine's results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mpokit._engines import DaskEngine, LocalEngine, get_engine
from mpokit.errors import InputError
from mpokit.store.assess import AssemblyData, grade_all
from mpokit.store.grading import estimate_random_mating, get_profile

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    eng = DaskEngine(jobs=2)  # a real LocalCluster with 2 worker processes
    try:
        yield eng
    finally:
        eng.close()


def _population(n: int, seed: int) -> list[AssemblyData]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = 24
        out.append(AssemblyData(
            f"S{i:04d}", np.array(["A"] * 12 + ["B"] * 12), np.tile(np.arange(1, 13), 2),
            np.full(k, 1310.0), rng.lognormal(np.log(0.08), 0.5, k),
            rng.normal(52, 5, k)))
    return out


def test_grading_on_dask_equals_local(dask_engine: DaskEngine) -> None:
    data = _population(300, 1)
    prof = get_profile("iec-B-2")
    with LocalEngine(jobs=2) as local:
        a = grade_all(data, prof, local, chunk_size=40)
    b = grade_all(data, prof, dask_engine, chunk_size=40)
    assert a == b and len(b) == 300
    assert {g.verdict for g in b} == {"pass", "fail"}


def test_monte_carlo_on_dask_equals_local(dask_engine: DaskEngine) -> None:
    rng = np.random.default_rng(2)
    il = rng.lognormal(np.log(0.06), 0.4, 600)
    owner = np.repeat(np.arange(50), 12)
    local = estimate_random_mating(il, owner, matings=80_000, seed=9)
    dist = estimate_random_mating(il, owner, matings=80_000, seed=9,
                                  map_fn=dask_engine.starmap)
    assert dist == local and dist.grade in ("A", "B", "C", "D", "-")


def test_geometry_batch_on_dask_equals_local(dask_engine: DaskEngine, tmp_path: Path) -> None:
    from mpokit.qc.batch import run_batch, summary_csv
    from mpokit.qc.simulate import simulate_mt, write_simulated

    files = []
    for i in range(3):
        f = tmp_path / f"s{i}.npz"
        write_simulated(f, *simulate_mt(fibers=12, seed=i, spikes=3))
        files.append(f)
    (tmp_path / "broken.npz").write_bytes(b"not a scan")
    files.append(tmp_path / "broken.npz")
    local = run_batch(files, jobs=1)
    dist = run_batch(files, map_fn=dask_engine.starmap)
    assert summary_csv(dist) == summary_csv(local)
    assert [o.ok for o in dist] == [o.ok for o in local] and dist[-1].ok is False


def test_engine_choice_errors() -> None:
    with pytest.raises(InputError, match="--engine: unknown engine 'spark'"):
        get_engine("spark")
    with pytest.raises(InputError, match="--scheduler needs --engine dask"):
        get_engine("local", scheduler="tcp://x:1")
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        get_engine("dask", scheduler="tcp://127.0.0.1:1")


def test_cli_grade_on_a_dask_scheduler_address(dask_engine: DaskEngine, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import sys

    from mpokit.cli import main

    examples = Path(__file__).resolve().parents[2] / "examples" / "qc"
    db = f"sqlite:///{tmp_path / 'q.db'}"
    results = {}
    for engine in (["--engine", "local"], ["--engine", "dask", "--scheduler",
                                            dask_engine.client.scheduler.address]):
        for args in (["qc", "import", str(examples / "lot-L2_supplier.csv")],
                     ["qc", "grade", "--json", *engine]):
            monkeypatch.setattr(sys, "argv", ["mpokit", *args, "--db", db])
            with pytest.raises(SystemExit):
                main()
            out = capsys.readouterr().out
        results[engine[1]] = json.loads(out)
    assert results["dask"] == results["local"] and len(results["dask"]["assemblies"]) == 20
