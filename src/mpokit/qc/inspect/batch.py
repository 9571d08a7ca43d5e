"""Many images at once: read, inspect, report; unreadable files become failures, not stops.

The work runs on the QC batch's engines (:mod:`mpokit._engines`): a local process pool by
default, or a Dask cluster (``engine=DaskEngine(...)``, CLI ``--engine dask``); every engine
returns the same outcomes in input order.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.qc.inspect.simulate import simulate_inspection
    >>> from mpokit.qc.inspect.image import write_image
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> img, _ = simulate_inspection(layout="single", seed=1)
    >>> write_image(d / "a.png", img.pixels, pixel_um=img.pixel_um)
    >>> (d / "b.png").write_text("not an image")
    12
    >>> [o.verdict for o in run_inspections([d / "a.png", d / "b.png"], "sm-pc", jobs=1)]
    ['pass', 'error']
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpokit._engines import Engine, LocalEngine
from mpokit.errors import InputError, MpokitError
from mpokit.qc.inspect.analyze import InspectResult, inspect_image
from mpokit.qc.inspect.image import read_image
from mpokit.qc.inspect.rules import Ferrule, get_rules

__all__ = ["InspectFailure", "inspect_file", "records_csv", "run_inspections"]


@dataclass(frozen=True)
class InspectFailure:
    """A file that could not be read or interpreted."""

    file: str
    message: str
    verdict: str = "error"

    @property
    def ok(self) -> bool:
        """Always False."""
        return False

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"file": self.file, "verdict": "error", "ok": False, "error": self.message}


Outcome = InspectResult | InspectFailure


def inspect_file(
    path: str | os.PathLike[str],
    connector_class: str,
    ferrule: Ferrule | None = None,
    pixel_um: float | None = None,
    fibers: int | None = None,
    rules_file: str | None = None,
    report_dir: str | None = None,
) -> Outcome:
    """Read and inspect one file; write its report if ``report_dir`` is set."""
    file = str(path)
    try:
        img = read_image(path, pixel_um)
        rules = get_rules(rules_file)
        result = inspect_image(img, connector_class, ferrule=ferrule, fibers=fibers,
                               rules=rules, file=file)
        if report_dir:
            from mpokit.qc.inspect.render import write_report

            write_report(result, img, report_dir)
        return result
    except InputError as exc:
        return InspectFailure(file, str(exc.located(file=file)))
    except MpokitError as exc:
        return InspectFailure(file, f"{file}: {exc}")
    except (ValueError, MemoryError, OSError) as exc:
        return InspectFailure(file, f"{file}: cannot inspect ({exc})")


def run_inspections(
    files: Sequence[str | os.PathLike[str]],
    connector_class: str,
    *,
    ferrule: Ferrule | None = None,
    pixel_um: float | None = None,
    fibers: int | None = None,
    rules_file: str | None = None,
    report_dir: str | None = None,
    jobs: int | None = None,
    engine: Engine | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Inspect ``files`` on ``engine`` (default: a local pool of ``jobs`` processes).

    Parameters
    ----------
    files
        Image files.
    connector_class, ferrule, pixel_um, fibers, rules_file, report_dir
        As for :func:`inspect_file`.
    jobs
        Local worker processes when no ``engine`` is given (default: all cores).
    engine
        Where the work runs (:func:`mpokit._engines.get_engine`); the caller closes it.
    progress
        Called with each outcome, in input order, once all are done.

    Returns
    -------
    list[Outcome]
        One outcome per file, in input order.
    """
    paths = [Path(f) for f in files]
    args = [(f, connector_class, ferrule, pixel_um, fibers, rules_file, report_dir)
            for f in paths]
    if engine is None:
        with LocalEngine(min(jobs or os.cpu_count() or 1, max(len(paths), 1))) as local:
            out = local.starmap(inspect_file, args)
    else:
        out = engine.starmap(inspect_file, args)
    if progress is not None:
        for o in out:
            progress(o)
    return list(out)


def records_csv(outcomes: Sequence[Outcome]) -> str:
    """A CSV of one row per fiber (and one per unreadable file)."""
    rows: list[dict[str, Any]] = []
    for o in outcomes:
        if isinstance(o, InspectFailure):
            rows.append({"file": o.file, "verdict": "error", "reasons": o.message})
        elif not o.fibers:
            rows.append({"file": o.file, "connector_class": o.connector_class,
                         "verdict": o.verdict, "reasons": "; ".join(o.reasons)})
        else:
            rows += o.to_records()
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()
