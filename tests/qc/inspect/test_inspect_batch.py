"""Inspection batches on the QC engines: a real Dask LocalCluster gives the local results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mpokit._engines import DaskEngine, LocalEngine
from mpokit.qc.inspect import simulate_inspection, write_image
from mpokit.qc.inspect.batch import InspectFailure, run_inspections
from mpokit.qc.inspect.simulate import random_features


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    pytest.importorskip("distributed")
    eng = DaskEngine(jobs=2)  # a real LocalCluster with 2 worker processes
    try:
        yield eng
    finally:
        eng.close()


def _images(folder: Path) -> list[Path]:
    import numpy as np

    rng = np.random.default_rng(5)
    files = []
    for i in range(4):
        img, _ = simulate_inspection(layout="single", seed=40 + i,
                                     per_fiber=[random_features(rng, dirty=0.8)])
        files.append(folder / f"S{i}_A.png")
        write_image(files[-1], img.pixels, pixel_um=img.pixel_um)
    mt, _ = simulate_inspection(layout="mt", fibers=4, seed=45, defects=[(0.0, 0.0, 4.0)])
    files.append(folder / "M1_B.tif")
    write_image(files[-1], mt.pixels, pixel_um=mt.pixel_um)
    files.append(folder / "broken.png")
    files[-1].write_text("not an image")
    return files


def test_inspection_batch_on_dask_equals_local(dask_engine: DaskEngine, tmp_path: Path
                                               ) -> None:
    files = _images(tmp_path)
    with LocalEngine(2) as local:
        here = run_inspections(files, "sm-pc", engine=local)
    there = run_inspections(files, "sm-pc", engine=dask_engine)
    serial = run_inspections(files, "sm-pc", jobs=1)
    assert [o.to_dict() for o in there] == [o.to_dict() for o in here] \
        == [o.to_dict() for o in serial]
    assert [o.file for o in there] == [str(f) for f in files]  # input order kept
    assert isinstance(there[-1], InspectFailure) and "not an image" in there[-1].message
    verdicts = [o.verdict for o in there]
    assert verdicts[4] == "fail" and "pass" in verdicts[:4]


def test_cli_inspect_on_a_dask_scheduler(dask_engine: DaskEngine, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from mpokit.cli import app

    files = [str(f) for f in _images(tmp_path)[:5]]
    out = {}
    for eng in (["--engine", "local"], ["--engine", "dask", "--scheduler",
                                         dask_engine.client.scheduler.address]):
        r = CliRunner().invoke(app, ["qc", "inspect", *files, "--class", "sm-pc", "--json",
                                     *eng])
        assert r.exit_code == 2, r.output
        out[eng[1]] = json.loads(r.stdout)
    assert out["dask"] == out["local"] and len(out["dask"]["results"]) == 5
    r = CliRunner().invoke(app, ["qc", "inspect", files[0], "--class", "sm-pc",
                                 "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 1 and "--scheduler needs --engine dask" in r.stderr
