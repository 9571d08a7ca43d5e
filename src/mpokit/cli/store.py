"""``mpokit qc`` store commands (thin adapters over :mod:`mpokit.store`).

    mpokit qc import FILE... [--db URL] [--mapping FILE] [--origin supplier|incoming]
                     [--lot L] [--supplier S] [--end A]
    mpokit qc grade [SERIAL...] [--profile P] [--lot L] [--engine local|dask] [--scheduler A]
    mpokit qc stats [--by lot|station] [--profile P] [--engine ...]
    mpokit qc correlate
    mpokit qc scans FILE_OR_DIR... [--engine dask] [--end A] [--lot L] [--supplier S]
    mpokit qc sample LOT [--aql 1.0] [--level II] [--seed N] [--severity ...]
    mpokit qc lot-decision LOT [--profile P]
    mpokit qc scorecard SUPPLIER [--profile P]
    mpokit qc certificate SERIAL -o FILE.pdf|FILE.html [--profile P]

``--db`` defaults to ``$MPOKIT_DB`` or a SQLite file in the user's data folder.
Exit codes: 0 pass / accepted, 2 a failure (a failing assembly, a rejected or unmeasurable
lot), 1 usage or input error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from mpokit.cli._app import EXIT_FAILED, EXIT_INPUT, EXIT_OK, fail_input
from mpokit.cli.qc import qc_app
from mpokit.errors import MpokitError

__all__: list[str] = []

DB = typer.Option(None, "--db", "--store", metavar="URL",
                  help="Database URL (sqlite:///FILE.db, postgresql://USER@HOST/DB)"
                  " or a file path. Default: $MPOKIT_DB or the user's data folder.")
PROFILE = typer.Option("iec-B-2", "--profile", help="Limit profile (iec-B-2, iec-C-3, "
                       "iec-B-1, tia-568) or a buyer spec YAML file.")
ENGINE = typer.Option("local", "--engine", help="Where batch work runs: local (process pool) "
                      "or dask.")
SCHEDULER = typer.Option(None, "--scheduler", help="Dask scheduler address (with --engine "
                         "dask); a LocalCluster when omitted.")
JSON = typer.Option(False, "--json", help="Print JSON on stdout.")


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str))


def _with_profile(db: str | None, profile: str, call: Any, *args: Any) -> Any:
    """``call(store, *args, profile)`` on the opened store; input errors exit 1."""
    from mpokit.store import open_store
    from mpokit.store.grading import get_profile

    try:
        prof = get_profile(profile)
        with open_store(db) as store:
            return call(store, *args, prof)
    except MpokitError as exc:
        raise fail_input(exc) from None


@qc_app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(..., help="Station exports (.csv, .xlsx), "
                                       "'qc geometry --json' or 'qc inspect --json' files, "
                                       "or 'qc batch' summaries."),
    db: str | None = DB,
    mapping: Path | None = typer.Option(None, "--mapping", help="Column mapping YAML for "
                                        "non-generic layouts."),
    origin: str = typer.Option("supplier", "--origin", help="supplier (the maker's data) or "
                               "incoming (a buyer's re-measurement)."),
    lot: str | None = typer.Option(None, "--lot", help="Lot of every assembly in the files."),
    supplier: str | None = typer.Option(None, "--supplier", help="Supplier of the assemblies."),
    end: str = typer.Option("A", "--end", help="Ferrule end for geometry results without one."),
    as_json: bool = JSON,
) -> int:
    """Import IL/RL, geometry and end-face results into the store, one transaction per file.

    A file imported before (same bytes, same origin) is skipped.
    """
    from mpokit.store import import_file, open_store, read_mapping

    if origin not in ("supplier", "incoming"):
        raise fail_input(MpokitError(f"--origin: unknown origin {origin!r} (use supplier or "
                                     "incoming)"))
    out, bad = [], 0
    try:
        m = read_mapping(mapping) if mapping else None
        store = open_store(db)
    except MpokitError as exc:
        raise fail_input(exc) from None
    with store:
        for f in files:
            try:
                r = import_file(store, f, mapping=m, origin=origin,  # type: ignore[arg-type]
                                lot=lot, supplier=supplier, end=end)
            except MpokitError as exc:
                bad += 1
                typer.echo(f"error: {exc} (file rejected, nothing imported)", err=True)
                out.append({"file": str(f), "error": str(exc)})
                continue
            out.append(r.to_dict())
            if not as_json:
                what = "already imported, skipped" if r.skipped else f"{r.rows} {r.kind} rows"
                typer.echo(f"{f}: {what}")
    if as_json:
        _echo_json({"ok": bad == 0, "files": out})
    return EXIT_INPUT if bad else EXIT_OK


@qc_app.command("grade")
def grade_cmd(
    serials: list[str] = typer.Argument(None, help="Serials to grade (all when omitted)."),
    db: str | None = DB,
    profile: str = PROFILE,
    lot: str | None = typer.Option(None, "--lot", help="Only this lot."),
    origin: str = typer.Option("supplier", "--origin", help="supplier or incoming data."),
    engine: str = ENGINE,
    scheduler: str | None = SCHEDULER,
    as_json: bool = JSON,
) -> int:
    """Grade assemblies per fiber against a limit profile (IEC 61753-1 or a buyer spec)."""
    from mpokit._engines import get_engine
    from mpokit.store import open_store
    from mpokit.store.assess import grade_all, load_assemblies
    from mpokit.store.grading import get_profile

    try:
        prof = get_profile(profile)
        with open_store(db) as store:
            data = load_assemblies(store, serials or None, origin=origin, lot=lot)
        with get_engine(engine, scheduler=scheduler) as eng:
            grades = grade_all(data, prof, eng)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if not grades:
        raise fail_input(MpokitError("no matching assemblies with IL/RL results in the store"))
    if as_json:
        _echo_json({"ok": all(g.verdict == "pass" for g in grades), "profile": prof.name,
                    "assemblies": [g.to_dict() for g in grades]})
    else:
        for g in grades:
            bad = [f"{e}{f}" for e, f, v in zip(g.ends, g.fibers, g.fiber_verdicts, strict=True)
                   if v != "pass"]
            typer.echo(f"{g.verdict.upper():12} {g.serial} grade {g.grade}"
                       + (f"  fibers: {' '.join(bad)}" if bad else ""))
    return EXIT_OK if all(g.verdict == "pass" for g in grades) else EXIT_FAILED


@qc_app.command("stats")
def stats_cmd(
    db: str | None = DB,
    profile: str = PROFILE,
    by: str = typer.Option("lot", "--by", help="Group by lot or station."),
    matings: int = typer.Option(100_000, "--matings", help="Random matings per group."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random matings."),
    engine: str = ENGINE,
    scheduler: str | None = SCHEDULER,
    as_json: bool = JSON,
) -> int:
    """Yield, mean, 97th percentile, Cpk, random-mating grade and control charts."""
    from mpokit._engines import get_engine
    from mpokit.store import open_store
    from mpokit.store.analysis import statistics
    from mpokit.store.grading import get_profile

    if by not in ("lot", "station"):
        raise fail_input(MpokitError(f"--by: use lot or station, not {by!r}"))
    try:
        prof = get_profile(profile)
        with open_store(db) as store, get_engine(engine, scheduler=scheduler) as eng:
            res = statistics(store, prof, by=by, engine=eng,  # type: ignore[arg-type]
                             matings=matings, seed=seed)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if as_json:
        _echo_json(res)
        return EXIT_OK
    typer.echo(f"{by:12} {'assy':>5} {'yield':>6} {'mean':>7} {'p97':>7} {'Cpk':>6}  "
               "random-mating grade")
    for g in res["groups"]:
        rm = g["random_mating"]
        def f(x: Any, fmt: str) -> str:
            return "-" if x is None else format(x, fmt)
        typer.echo(f"{g['name']:12} {g['assemblies']:>5} {f(g['yield'], '.1%'):>6} "
                   f"{f(g['mean_db'], '.3f'):>7} {f(g['p97_db'], '.3f'):>7} "
                   f"{f(g['cpk'], '.2f'):>6}  {rm['grade']} {rm['reason']}")
    if res["charts"]:
        for kind in ("xbar", "ewma"):
            ooc = res["charts"][kind]["out_of_control"]
            typer.echo(f"{kind} chart: " + (f"out of control: {', '.join(ooc)}" if ooc
                                            else "in control"))
    elif res["charts_reason"]:
        typer.echo(f"charts: unmeasurable ({res['charts_reason']})")
    return EXIT_OK


@qc_app.command("correlate")
def correlate_cmd(db: str | None = DB, as_json: bool = JSON) -> int:
    """Correlation of fiber height and coplanarity with IL."""
    from mpokit.store import open_store
    from mpokit.store.analysis import geometry_correlation

    try:
        with open_store(db) as store:
            res = geometry_correlation(store)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if as_json:
        _echo_json(res)
    else:
        for k, v in res.items():
            r = "unmeasurable (under 3 pairs)" if v["r"] is None else \
                f"r = {v['r']:+.3f}, slope {v['slope']:.3g} dB/nm"
            typer.echo(f"{k}: n = {v['n']}, {r}")
    return EXIT_OK


@qc_app.command("scans")
def scans_cmd(
    paths: list[Path] = typer.Argument(..., metavar="FILE_OR_DIR", help="Scan files or "
                                       "directories (searched recursively for .npz .csv "
                                       ".xyz .datx)."),
    db: str | None = DB,
    profile: str | None = typer.Option(None, "--profile", help="Built-in geometry profile "
                                       "(mt-pc, mt-apc, round-pc, round-upc, round-apc) or a "
                                       "YAML file. Default: from kind and fixture angle."),
    end: str = typer.Option("A", "--end", help="Ferrule end the scans show."),
    lot: str | None = typer.Option(None, "--lot", help="Lot of every assembly scanned."),
    supplier: str | None = typer.Option(None, "--supplier", help="Supplier of the "
                                        "assemblies."),
    engine: str = ENGINE,
    scheduler: str | None = SCHEDULER,
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                                    help="Worker processes "
                                    "(default: all cores)."),
) -> int:
    """Analyse end-face scans (on the chosen engine) and import the geometry results."""
    from mpokit._engines import get_engine
    from mpokit.qc.analyze import QcFailure
    from mpokit.qc.batch import discover, run_batch
    from mpokit.store import open_store
    from mpokit.store.importer import import_geometry_results

    try:
        files = discover(paths)
        with get_engine(engine, scheduler=scheduler, jobs=jobs) as eng:
            outcomes = run_batch(files, profile=profile, map_fn=eng.starmap)
        failures = [o for o in outcomes if isinstance(o, QcFailure)]
        for o in failures:
            typer.echo(f"error: {o.message}", err=True)
        with open_store(db) as store:
            r = import_geometry_results(store, [o.to_dict() for o in outcomes],
                                        name=f"scans:{len(files)} files", end=end, lot=lot,
                                        supplier=supplier)
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(f"{len(outcomes) - len(failures)} scans analysed on {engine}; "
               + ("already imported" if r.skipped else f"{r.rows} ends imported"))
    return EXIT_INPUT if failures else EXIT_OK


@qc_app.command("sample")
def sample_cmd(
    lot: str = typer.Argument(..., help="Lot name given at import."),
    db: str | None = DB,
    aql: float = typer.Option(1.0, "--aql", help="AQL, percent nonconforming (0.010..10)."),
    level: str = typer.Option("II", "--level", help="Inspection level: S-1..S-4, I, II, III."),
    seed: int = typer.Option(0, "--seed", help="Sample seed (recorded)."),
    severity: str | None = typer.Option(None, "--severity", help="normal, tightened or "
                                        "reduced; default from the switching rules."),
    as_json: bool = JSON,
) -> int:
    """Draw an ISO 2859-1 incoming-inspection sample of a lot."""
    from mpokit.store import open_store
    from mpokit.store.inspection import start_inspection

    try:
        with open_store(db) as store:
            res = start_inspection(store, lot, level=level, aql=aql, seed=seed,
                                   severity=severity)  # type: ignore[arg-type]
    except MpokitError as exc:
        raise fail_input(exc) from None
    if as_json:
        _echo_json(res.to_dict())
        return EXIT_OK
    p = res.plan
    typer.echo(f"lot {lot}: {p.lot_size} units, level {p.level}, AQL {p.aql:g}, {p.severity}:"
               f" code letter {p.letter}, sample {p.sample_size}, Ac {p.ac} Re {p.re}"
               f" (table status {p.status})")
    typer.echo("re-measure and import with --origin incoming: " + " ".join(res.sample))
    return EXIT_OK


@qc_app.command("lot-decision")
def inspect_cmd(
    lot: str = typer.Argument(..., help="The lot whose re-measured sample decides."),
    db: str | None = DB,
    profile: str = PROFILE,
    as_json: bool = JSON,
) -> int:
    """Accept or reject a lot from its re-measured sample."""
    from mpokit.store.inspection import decide_inspection

    res = _with_profile(db, profile, decide_inspection, lot)
    if as_json:
        _echo_json(res.to_dict())
    elif res.verdict == "unmeasurable":
        typer.echo(f"lot {lot}: UNMEASURABLE, no incoming result for: {' '.join(res.missing)}")
    else:
        typer.echo(f"lot {lot}: {res.verdict.upper()} ({res.nonconforming} nonconforming in "
                   f"{res.plan.sample_size}, Ac {res.plan.ac} Re {res.plan.re})"
                   + (f"; failing: {' '.join(res.failing)}" if res.failing else ""))
    return EXIT_OK if res.verdict == "accept" else EXIT_FAILED


@qc_app.command("scorecard")
def scorecard_cmd(
    supplier: str = typer.Argument(..., help="Supplier name as imported (--supplier)."),
    db: str | None = DB,
    profile: str = PROFILE,
    as_json: bool = JSON,
) -> int:
    """A supplier's lots, inspections and claimed-vs-measured IL."""
    from mpokit.store.inspection import scorecard

    res = _with_profile(db, profile, scorecard, supplier)
    if as_json:
        _echo_json(res)
        return EXIT_OK
    typer.echo(f"supplier {supplier} ({res['profile']}), next inspection: {res['severity']}")
    for row in res["lots"]:
        y = "-" if row["claimed_yield"] is None else f"{row['claimed_yield']:.1%}"
        typer.echo(f"  lot {row['lot']}: {row['assemblies']} assemblies, claimed yield {y}, "
                   f"inspection {row['inspection']}")
    c = res["claimed_vs_measured"]
    if c["pairs"]:
        typer.echo(f"  claimed vs re-measured IL: {c['pairs']} pairs, bias {c['bias_db']:+.3f}"
                   f" dB, mean |diff| {c['mean_abs_diff_db']:.3f} dB, max "
                   f"{c['max_abs_diff_db']:.3f} dB")
    else:
        typer.echo("  claimed vs re-measured IL: unmeasurable (no re-measured fibers)")
    return EXIT_OK


@qc_app.command("certificate")
def certificate_cmd(
    serial: str = typer.Argument(..., help="Assembly serial (its IL/RL results must be imported)."),
    out: Path = typer.Option(..., "-o", "--output", metavar="FILE",
                             help="Certificate to write: FILE.pdf or "
                             "FILE.html."),
    db: str | None = DB,
    profile: str = PROFILE,
) -> int:
    """Write an assembly's certificate: IL/RL, grade, geometry, end faces, QR code."""
    from mpokit.errors import InputError
    from mpokit.store.certificate import write_certificate

    if out.is_dir():
        raise fail_input(InputError("is a folder", file=str(out), field="-o",
                                    fix="name the certificate FILE.pdf or FILE.html"))
    verdict = _with_profile(db, profile, lambda st, p: write_certificate(st, serial, p, out))
    typer.echo(f"{serial}: {verdict.upper()} -> {out}")
    return EXIT_OK if verdict == "pass" else EXIT_FAILED
