"""``mpokit qc``: end-face geometry QC (thin adapter over :mod:`mpokit.qc`).

    mpokit qc geometry FILE_OR_DIR... [--json] [--profile NAME|FILE] [--report DIR]
                       [--summary FILE.csv] [--jobs N]
    mpokit qc simulate OUT.npz [--kind mt|round] [--fibers 12] [--seed N] [--noise-nm 3]

Exit codes: 0 every ferrule passes, 2 any ferrule fails, 1 an unreadable input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from mpokit.cli._app import EXIT_FAILED, EXIT_INPUT, EXIT_OK, app, fail_input
from mpokit.errors import MpokitError

__all__ = ["qc_app"]

qc_app = typer.Typer(
    help="Connector end-face geometry from interferometer height maps.",
    no_args_is_help=True,
)
app.add_typer(qc_app, name="qc")


def _text_line(outcome: object) -> str:
    from mpokit.qc.batch import QcFailure

    if isinstance(outcome, QcFailure):
        return f"ERROR {outcome.message}"
    from mpokit.qc.analyze import QcResult

    assert isinstance(outcome, QcResult)
    params = " ".join(f"{k}={'-' if v is None else f'{v:.4g}'}"
                      for k, v in outcome.parameters().items())
    head = f"{'PASS' if outcome.ok else 'FAIL'} {outcome.file} [{outcome.serial}] " \
           f"{outcome.kind} ({outcome.profile}) {params}"
    lines = [head]
    for c in outcome.checks:
        if not c.ok:
            where = f" at {c.location}" if c.location else ""
            lines.append(f"    {c.parameter} = {c.value:.4g}{where} outside {c.limit.text()} "
                         f"({c.limit.status})")
    return "\n".join(lines)


@qc_app.command("geometry")
def geometry(
    paths: list[Path] = typer.Argument(..., help="Scan files or directories (searched "
                                       "recursively for .npz .csv .xyz .datx)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON {ok, results} on stdout."),
    profile: str | None = typer.Option(None, "--profile", help="Built-in profile name "
                                       "(mt-pc, mt-apc, round-pc, round-upc, round-apc) or "
                                       "a YAML file. Default: from kind and fixture angle."),
    report: Path | None = typer.Option(None, "--report", help="Write one HTML report per "
                                       "ferrule into this directory."),
    summary: Path | None = typer.Option(None, "--summary", help="Write a CSV summary."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1,
                                    help="Worker processes (default: all cores)."),
    kind: str | None = typer.Option(None, "--kind", help="mt or round, for files without it."),
    pixel_um: float | None = typer.Option(None, "--pixel-um", help="Pixel pitch for files "
                                          "without it."),
    fibers: int | None = typer.Option(None, "--fibers", help="Fiber count for files "
                                      "without it."),
) -> None:
    """Measure end-face geometry and judge it against a limit profile."""
    from mpokit.qc.batch import QcFailure, discover, run_batch, write_summary
    from mpokit.qc.profiles import get_profile

    try:
        if profile is not None:
            get_profile(profile)  # fail early on an unknown name or a bad file
        files = discover(paths)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if not files:
        typer.echo("error: no scan files found (.npz .csv .xyz .datx)", err=True)
        raise typer.Exit(EXIT_INPUT)
    defaults = {"kind": kind, "pixel_um": pixel_um, "fibers": fibers}
    show_progress = sys.stderr.isatty() and not (as_json and not sys.stdout.isatty())
    if show_progress and len(files) > 1:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("QC", total=len(files))
            outcomes = run_batch(files, profile=profile, defaults=defaults, jobs=jobs,
                                 report_dir=str(report) if report else None,
                                 progress=lambda _o: bar.advance(task))
    else:
        outcomes = run_batch(files, profile=profile, defaults=defaults, jobs=jobs,
                             report_dir=str(report) if report else None)
    failures = [o for o in outcomes if isinstance(o, QcFailure)]
    for f in failures:
        typer.echo(f"error: {f.message}", err=True)
    if summary is not None:
        write_summary(outcomes, summary)
    ok = all(o.ok for o in outcomes)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "results": [o.to_dict() for o in outcomes]},
                              indent=2))
    else:
        for o in outcomes:
            if not isinstance(o, QcFailure):
                typer.echo(_text_line(o))
    if failures:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


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
) -> None:
    """Write a realistic synthetic scan with known geometry (and its truth JSON)."""
    from mpokit.qc.simulate import simulate, write_simulated

    if kind not in ("mt", "round"):
        typer.echo(f"error: --kind must be 'mt' or 'round', got {kind!r}", err=True)
        raise typer.Exit(EXIT_INPUT)
    kwargs: dict[str, object] = {"seed": seed, "noise_nm": noise_nm,
                                 "fixture_angle_deg": fixture_angle_deg}
    if kind == "mt":
        kwargs["fibers"] = fibers
    if pixel_um is not None:
        kwargs["pixel_um"] = pixel_um
    try:
        scan, t = simulate(kind, **kwargs)
        truth_file = write_simulated(out, scan, t, with_truth=truth)
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(f"wrote {out}" + (f" and {truth_file}" if truth_file else ""))
