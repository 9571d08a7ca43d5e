"""``mpokit qc``: end-face geometry QC (thin adapter over :mod:`mpokit.qc`).

    mpokit qc geometry FILE_OR_DIR... [--json] [--profile NAME|FILE] [--report DIR]
                       [--summary FILE.csv] [--jobs N] [--max-pixels N]
    mpokit qc batch FILE_OR_DIR... [same options]      # lot: n/m pass, yield, Cpk, index.html
    mpokit qc simulate OUT.npz [--kind mt|round] [--fibers 12] [--seed N] [--noise-nm 3]
    mpokit qc simulate-lot DIR [--count 20] [--quality good|marginal|bad] ...

Exit codes of ``geometry``: 0 every ferrule passes; 2 any ferrule fails (or, with several
files, is unmeasurable); 1 an unreadable input, or a single scan that is unmeasurable.
``batch``: 0 every ferrule passes, 2 anything else (each file gets a row with its reason),
1 only for usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from mpokit.cli._app import EXIT_FAILED, EXIT_INPUT, EXIT_OK, app, fail_input
from mpokit.cli._options import output_format
from mpokit.errors import InputError, MpokitError

__all__ = ["qc_app"]

qc_app = typer.Typer(
    help="Connector QC: end-face geometry (height maps), end-face images, and the QC store "
         "(import, grade, stats, incoming inspection, certificates).",
    no_args_is_help=True,
)
app.add_typer(qc_app, name="qc")


def _text_line(outcome: object) -> str:
    from mpokit.qc.analyze import QcFailure

    if isinstance(outcome, QcFailure):
        return f"ERROR {outcome.message}"
    from mpokit.qc.analyze import QcResult
    from mpokit.qc.profiles import unit_of

    assert isinstance(outcome, QcResult)
    if outcome.reasons:
        return (f"UNMEASURABLE {outcome.file} [{outcome.serial}] {outcome.kind}: "
                + "; ".join(outcome.reasons))
    params = " ".join(f"{k}={'-' if v is None else f'{v:.4g}'}"
                      for k, v in outcome.parameters().items())
    head = f"{'PASS' if outcome.ok else 'FAIL'} {outcome.file} [{outcome.serial}] " \
           f"{outcome.kind} ({outcome.profile}) {params}"
    lines = [head]
    for c in outcome.checks:
        if not c.ok:
            where = f" at {c.location}" if c.location else ""
            unit = unit_of(c.parameter)
            lines.append(f"    {c.parameter} = {c.value:.4g} {unit}{where} outside "
                         f"{c.limit.text(unit)} ({c.limit.status})")
    return "\n".join(lines)


PATHS_ARG = typer.Argument(..., metavar="FILE_OR_DIR", help="Scan files or directories "
                           "(searched recursively for .npz .csv .xyz .datx).")


def _common(
    paths: list[Path], profile: str | None, report: Path | None, jobs: int | None,
    kind: str | None, pixel_um: float | None, fibers: int | None, max_pixels: int | None,
    as_json: bool,
) -> tuple[list[object], list[str]]:
    """Discover, analyse (with a progress bar on a terminal); returns outcomes, report names."""
    from mpokit.qc.batch import discover, report_names, run_batch
    from mpokit.qc.limits import default_limits
    from mpokit.qc.profiles import get_profile

    try:
        if kind not in (None, "mt", "round"):  # checked even when every file names its kind
            raise InputError(f"unknown kind {kind!r}", field="--kind", fix="use mt or round")
        if profile is not None:
            get_profile(profile)  # fail early on an unknown name or a bad file
        limits = default_limits(max_pixels)
        files = discover(paths)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if not files:
        typer.echo(f"error: no scan files found in {' '.join(str(p) for p in paths)} "
                   "(looked for .npz .csv .xyz .datx)", err=True)
        raise typer.Exit(EXIT_INPUT)
    defaults = {"kind": kind, "pixel_um": pixel_um, "fibers": fibers}
    kwargs = dict(profile=profile, defaults=defaults, jobs=jobs, limits=limits,
                  report_dir=str(report) if report else None)
    show_progress = sys.stderr.isatty() and not (as_json and not sys.stdout.isatty())
    if show_progress and len(files) > 1:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("QC", total=len(files))
            outcomes = run_batch(files, progress=lambda _o: bar.advance(task),
                                 **kwargs)  # type: ignore[arg-type]
    else:
        outcomes = run_batch(files, **kwargs)  # type: ignore[arg-type]
    return list(outcomes), report_names(files)


PROFILE_OPT = typer.Option(None, "--profile", help="Built-in profile name (mt-pc, mt-apc, "
                           "round-pc, round-upc, round-apc) or a YAML file. Default: from kind "
                           "and fixture angle.")
REPORT_OPT = typer.Option(None, "--report", metavar="DIR",
                          help="Write one HTML report per ferrule into this "
                          "directory.")
SUMMARY_OPT = typer.Option(None, "--summary", metavar="FILE.csv", help="Write a CSV summary.")
JOBS_OPT = typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                        help="Worker processes (default: all "
                        "cores).")
KIND_OPT = typer.Option(None, "--kind", help="mt or round, for files without it.")
PIXEL_OPT = typer.Option(None, "--pixel-um", help="Pixel pitch for files without it.")
FIBERS_OPT = typer.Option(None, "--fibers", help="Fiber count for files without it.")
MAX_PIXELS_OPT = typer.Option(None, "--max-pixels", min=64, help="Largest height map accepted "
                              "(default 40 million pixels, or MPOKIT_QC_MAX_PIXELS).")


@qc_app.command("geometry")
def geometry(
    paths: list[Path] = PATHS_ARG,
    as_json: bool = typer.Option(False, "--json", help="Print JSON {ok, results} on stdout."),
    profile: str | None = PROFILE_OPT,
    report: Path | None = REPORT_OPT,
    summary: Path | None = SUMMARY_OPT,
    jobs: int | None = JOBS_OPT,
    kind: str | None = KIND_OPT,
    pixel_um: float | None = PIXEL_OPT,
    fibers: int | None = FIBERS_OPT,
    max_pixels: int | None = MAX_PIXELS_OPT,
) -> None:
    """Measure end-face geometry and judge it against a limit profile."""
    try:
        output_format(summary, ("csv",), "--summary")
    except MpokitError as exc:
        raise fail_input(exc) from None
    from mpokit.qc.analyze import QcFailure
    from mpokit.qc.batch import write_summary

    outcomes, _ = _common(paths, profile, report, jobs, kind, pixel_um, fibers, max_pixels,
                          as_json)
    failures = [o for o in outcomes if isinstance(o, QcFailure)]
    for f in failures:
        typer.echo(f"error: {f.message}", err=True)
    try:
        if summary is not None:
            write_summary(outcomes, summary)  # type: ignore[arg-type]
    except MpokitError as exc:
        raise fail_input(exc) from None
    ok = all(o.ok for o in outcomes)  # type: ignore[attr-defined]
    if as_json:
        typer.echo(json.dumps({"ok": ok, "results": [o.to_dict() for o in outcomes]},  # type: ignore[attr-defined]
                              indent=2))
    else:
        for o in outcomes:
            if not isinstance(o, QcFailure):
                typer.echo(_text_line(o))
    unmeasurable = [o for o in outcomes if getattr(o, "verdict", "") == "unmeasurable"]
    if failures or (unmeasurable and len(outcomes) == 1):
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


@qc_app.command("batch")
def batch(
    paths: list[Path] = PATHS_ARG,
    as_json: bool = typer.Option(False, "--json", help="Print JSON {lot, results} on stdout."),
    profile: str | None = PROFILE_OPT,
    report: Path | None = typer.Option(None, "--report", metavar="DIR",
                                       help="Write every ferrule's report "
                                       "and the lot's index.html into this directory."),
    summary: Path | None = SUMMARY_OPT,
    jobs: int | None = JOBS_OPT,
    kind: str | None = KIND_OPT,
    pixel_um: float | None = PIXEL_OPT,
    fibers: int | None = FIBERS_OPT,
    max_pixels: int | None = MAX_PIXELS_OPT,
) -> None:
    """Judge a lot: n/m pass and per-parameter yield, mean, SD and Cpk.

    Every ferrule gets its verdict; an unreadable or unmeasurable scan is a row with its
    reason, never a stop.
    """
    try:
        output_format(summary, ("csv",), "--summary")
    except MpokitError as exc:
        raise fail_input(exc) from None
    from mpokit.qc.batch import write_summary
    from mpokit.qc.lot import lot_summary
    from mpokit.qc.profiles import unit_of

    outcomes, names = _common(paths, profile, report, jobs, kind, pixel_um, fibers, max_pixels,
                              as_json)
    lot = lot_summary(outcomes)  # type: ignore[arg-type]
    try:
        if summary is not None:
            write_summary(outcomes, summary)  # type: ignore[arg-type]
        if report is not None:
            from mpokit.qc.report import write_index

            write_index(outcomes, lot, names, report / "index.html")  # type: ignore[arg-type]
    except MpokitError as exc:
        raise fail_input(exc) from None
    if as_json:
        stats = [{"parameter": s.parameter, "unit": s.unit, "limit": s.limit.text(s.unit),
                  "ferrules": s.ferrules, "passed": s.passed, "yield_pct": s.yield_pct,
                  "mean": s.mean, "sd": s.sd, "cpk": s.cpk} for s in lot.parameters]
        stats = [{k: (None if isinstance(v, float) and v != v else v) for k, v in d.items()}
                 for d in stats]
        typer.echo(json.dumps({"ok": lot.passed == lot.total, "lot": {
            "total": lot.total, "pass": lot.passed, "fail": lot.failed,
            "unmeasurable": lot.unmeasurable, "unreadable": lot.unreadable,
            "parameters": stats}, "results": [o.to_dict() for o in outcomes]},  # type: ignore[attr-defined]
            indent=2))
    else:
        for o in outcomes:
            typer.echo(_text_line(o))
        typer.echo("")
        typer.echo(f"{'parameter':<22}{'limit':>18}{'yield':>9}{'mean':>11}{'SD':>10}"
                   f"{'Cpk':>7}")
        for s in lot.parameters:
            unit = unit_of(s.parameter)
            typer.echo(f"{s.parameter:<22}{s.limit.text(unit):>18}{s.yield_pct:>8.1f}%"
                       f"{s.mean:>11.4g}{s.sd:>10.3g}{s.cpk:>7.2f}")
        typer.echo(lot.headline())
    raise typer.Exit(EXIT_OK if lot.passed == lot.total else EXIT_FAILED)


@qc_app.command("simulate")
def simulate_cmd(
    out: Path = typer.Argument(..., help="Scan file to write (.npz, .csv, .xyz or .datx)."),
    kind: str = typer.Option("mt", "--kind", help="mt or round."),
    fibers: int = typer.Option(12, "--fibers", help="MT fiber count: 8, 12, 16, 24 or 32."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same scan)."),
    noise_nm: float = typer.Option(3.0, "--noise-nm", help="Pixel noise, nm RMS."),
    pixel_um: float | None = typer.Option(None, "--pixel-um",
                                          help="Pixel pitch (default 2 for MT, 1 for round)."),
    fixture_angle_deg: float = typer.Option(0.0, "--fixture-angle-deg",
                                            help="8 for an APC fixture scan."),
    truth: bool = typer.Option(True, "--truth/--no-truth", help="Also write NAME.truth.json."),
    quality: str = typer.Option("good", "--quality", help="Process the geometry is drawn "
                                "from: good (a good factory), marginal or bad."),
    max_pixels: int | None = MAX_PIXELS_OPT,
) -> None:
    """Write a realistic synthetic scan with known geometry (and its truth JSON)."""
    from mpokit.qc.simulate import simulate, write_simulated

    if kind not in ("mt", "round"):
        typer.echo(f"error: --kind must be 'mt' or 'round', got {kind!r}", err=True)
        raise typer.Exit(EXIT_INPUT)
    kwargs: dict[str, object] = {"seed": seed, "noise_nm": noise_nm,
                                 "fixture_angle_deg": fixture_angle_deg, "quality": quality,
                                 "max_pixels": max_pixels}
    if kind == "mt":
        kwargs["fibers"] = fibers
    if pixel_um is not None:
        kwargs["pixel_um"] = pixel_um
    try:
        if out.is_dir():
            raise InputError("is a folder", file=str(out),
                             fix="name the scan file to write, e.g. sim.npz")
        scan, t = simulate(kind, **kwargs)
        truth_file = write_simulated(out, scan, t, with_truth=truth)
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(f"wrote {out}" + (f" and {truth_file}" if truth_file else ""))


@qc_app.command("simulate-lot")
def simulate_lot_cmd(
    out: Path = typer.Argument(..., help="Directory to write the scans (and truths) into."),
    count: int = typer.Option(20, "--count", min=1, max=10_000, help="Ferrules in the lot."),
    kind: str = typer.Option("mt", "--kind", help="mt or round."),
    fibers: int = typer.Option(12, "--fibers", help="MT fiber count: 8, 12, 16, 24 or 32."),
    quality: str = typer.Option("good", "--quality", help="good, marginal or bad."),
    seed: int = typer.Option(0, "--seed", help="Seed of the first ferrule."),
    fixture_angle_deg: float = typer.Option(0.0, "--fixture-angle-deg",
                                            help="8 for an APC lot."),
) -> None:
    """Write a simulated lot (LOT-0001.npz ...) drawn from a process of given quality."""
    from mpokit.qc.simulate import simulate, write_simulated

    if kind not in ("mt", "round"):
        typer.echo(f"error: --kind must be 'mt' or 'round', got {kind!r}", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        for i in range(count):
            kwargs: dict[str, object] = {"seed": seed + i, "quality": quality,
                                         "fixture_angle_deg": fixture_angle_deg,
                                         "serial": f"LOT-{i + 1:04d}"}
            if kind == "mt":
                kwargs["fibers"] = fibers
            write_simulated(out / f"LOT-{i + 1:04d}.npz", *simulate(kind, **kwargs))
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(f"wrote {count} scans to {out}")
