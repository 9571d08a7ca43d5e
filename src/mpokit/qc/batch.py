"""Many scans at once: file discovery, parallel analysis, CSV summary.

Unreadable files do not stop a batch: each becomes a :class:`QcFailure` naming the file and
the problem, and the caller decides the exit code.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.qc.simulate import simulate_round, write_simulated
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_simulated(d / "a.npz", *simulate_round(seed=1))
    >>> [type(o).__name__ for o in run_batch(discover([d]), jobs=1)]
    ['QcResult']
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from mpokit.errors import InputError, MpokitError
from mpokit.qc.analyze import Outcome, QcFailure, analyze_scan
from mpokit.qc.io import SUFFIXES, _atomic_write, read_scan
from mpokit.qc.limits import ScanLimits
from mpokit.qc.mt import MtGeometry

__all__ = ["QcFailure", "analyze_file", "discover", "report_names", "run_batch", "summary_csv",
           "write_summary"]


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to analyse: given files as they are, directories searched recursively for the
    supported suffixes (sorted; ``*.truth.json`` and other files skipped).

    Parameters
    ----------
    paths
        Files and folders.

    Returns
    -------
    list[pathlib.Path]
        Files as given; each folder's scan files, sorted (a missing file is reported when
        it is read).
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()
                              and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def analyze_file(
    path: str | os.PathLike[str],
    profile: str | None = None,
    report_dir: str | None = None,
    defaults: dict[str, Any] | None = None,
    limits: ScanLimits | None = None,
    report_name: str | None = None,
) -> Outcome:
    """Read, measure and judge one file; write its HTML report if ``report_dir`` is set.

    Never raises for a problem with the file: every failure becomes a :class:`QcFailure`
    with the reason, so one bad file cannot stop a batch.

    Parameters
    ----------
    path
        A scan file.
    profile
        A profile name or YAML file (None: chosen from the scan).
    report_dir
        Write the HTML report here (None: no report).
    defaults
        Metadata for a file that lacks it.
    limits
        Bounds on what the file may make mpokit allocate (None: from the environment).
    report_name
        The report's file name (None: the scan's stem with ``.html``).

    Returns
    -------
    Outcome
        The :class:`QcResult`, or a :class:`QcFailure` saying why the file could not be
        analysed.
    """
    file = str(path)
    try:
        scan = read_scan(path, limits=limits, **(defaults or {}))
        result = analyze_scan(scan, profile, file=file)
        if report_dir:
            from mpokit.qc.report import write_report

            name = report_name or Path(file).stem + ".html"
            write_report(result, scan, Path(report_dir) / name)
        return result
    except InputError as exc:
        return QcFailure(file, str(exc.located(file=file)))
    except MpokitError as exc:
        return QcFailure(file, f"{file}: {exc}")
    except (ValueError, np.linalg.LinAlgError, OSError) as exc:
        return QcFailure(file, f"{file}: cannot analyse ({exc})")
    except MemoryError:
        return QcFailure(file, f"{file}: not enough memory to analyse this scan")
    except Exception as exc:
        return QcFailure(file, f"{file}: cannot analyse ({type(exc).__name__}: {exc})")


def report_names(files: Sequence[Path]) -> list[str]:
    """One distinct report file name per input (``stem.html``, numbered when stems repeat)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for f in files:
        stem = f.stem
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        out.append(f"{stem}.html" if n == 0 else f"{stem}-{n + 1}.html")
    return out


def _iter_results(
    files: Sequence[Path], jobs: int,
    args: tuple[str | None, str | None, dict[str, Any] | None, ScanLimits | None],
    names: Sequence[str | None]
) -> Iterator[tuple[int, Outcome]]:
    if jobs <= 1 or len(files) <= 1:
        for i, f in enumerate(files):
            yield i, analyze_file(f, *args, report_name=names[i])
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(files))) as pool:
        futures = {pool.submit(analyze_file, f, *args, report_name=names[i]): i
                   for i, f in enumerate(files)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:
                outcome = QcFailure(str(files[i]), f"{files[i]}: analysis process failed "
                                                   f"({type(exc).__name__}: {exc})")
            yield i, outcome


def run_batch(
    files: Sequence[Path],
    *,
    profile: str | None = None,
    report_dir: str | None = None,
    defaults: dict[str, Any] | None = None,
    jobs: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
    limits: ScanLimits | None = None,
    map_fn: Callable[[Callable[..., Outcome], list[tuple[Any, ...]]], list[Outcome]]
    | None = None,
) -> list[Outcome]:
    """Analyse ``files`` over ``jobs`` processes (default: all cores); results in input order.

    Reports (with ``report_dir``) are named by :func:`report_names`.
    ``map_fn(analyze_file, argument_tuples)`` runs the analyses elsewhere instead (an
    engine's ``starmap``, e.g. on Dask; see ``mpokit._engines``).

    Parameters
    ----------
    files
        Scan files.
    profile
        A profile name or YAML file for every scan (None: chosen per scan).
    report_dir
        Write one HTML report per ferrule here (None: no reports).
    defaults
        Metadata for files that lack it (``kind``, ``pixel_um``, ``fibers``).
    jobs
        Worker processes (None: all cores).
    progress
        Called with each outcome as it is done.
    limits
        Bounds on what each file may make mpokit allocate (None: from the environment).
    map_fn
        Runs the analyses instead of local processes, as
        ``map_fn(analyze_file, argument_tuples)``.

    Returns
    -------
    list[Outcome]
        A :class:`QcResult` or a :class:`QcFailure` per file, in the order of ``files``.
    """
    names = report_names(files)
    if map_fn is not None:
        done = map_fn(analyze_file, [(f, profile, report_dir, defaults, limits, names[i])
                                     for i, f in enumerate(files)])
        for outcome in done:
            if progress is not None:
                progress(outcome)
        return list(done)
    n_jobs = jobs or os.cpu_count() or 1
    out: list[Outcome | None] = [None] * len(files)
    for i, outcome in _iter_results(files, n_jobs, (profile, report_dir, defaults, limits),
                                    names):
        out[i] = outcome
        if progress is not None:
            progress(outcome)
    return [o for o in out if o is not None]


SUMMARY_COLUMNS = (
    "file", "serial", "kind", "profile", "verdict", "ok", "fibers", "angle_x_deg", "angle_y_deg",
    "height_min_nm", "height_max_nm", "height_diff_nm", "adjacent_diff_nm",
    "minus_coplanarity_nm", "tip_radius_min_mm", "core_dip_max_nm", "radius_mm",
    "apex_offset_um", "fiber_height_nm", "failed_checks", "error",
)


def _row(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, QcFailure):
        return {"file": outcome.file, "verdict": "unreadable", "ok": False,
                "error": outcome.message}
    row: dict[str, Any] = {"file": outcome.file, "serial": outcome.serial, "kind": outcome.kind,
                           "profile": outcome.profile, "verdict": outcome.verdict,
                           "ok": outcome.ok}
    if outcome.reasons:
        row["error"] = "; ".join(outcome.reasons)
        return row
    row.update(outcome.parameters())
    g = outcome.geometry
    if isinstance(g, MtGeometry) and g.fibers:
        with np.errstate(all="ignore"):
            row.update(fibers=g.fibers, height_min_nm=np.nanmin(g.height_nm),
                       height_max_nm=np.nanmax(g.height_nm),
                       tip_radius_min_mm=np.nanmin(g.tip_radius_mm),
                       core_dip_max_nm=np.nanmax(g.core_dip_nm))
    row["failed_checks"] = " ".join(c.parameter for c in outcome.checks if not c.ok)
    return row


def summary_csv(outcomes: Iterable[Outcome]) -> str:
    """One CSV line per file (numbers rounded to 0.001; empty where not applicable).

    Parameters
    ----------
    outcomes
        Results and failures of a batch.

    Returns
    -------
    str
        The CSV text, one row per file.
    """
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for o in outcomes:
        row = _row(o)
        for k, v in row.items():
            if isinstance(v, float | np.floating):
                row[k] = "" if not np.isfinite(v) else f"{float(v):.4f}"
        writer.writerow({k: row.get(k, "") for k in SUMMARY_COLUMNS})
    return buf.getvalue()


def write_summary(outcomes: Iterable[Outcome], path: str | os.PathLike[str]) -> None:
    """Write :func:`summary_csv` atomically to ``path``."""
    text = summary_csv(outcomes)
    _atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))
