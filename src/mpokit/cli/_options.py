"""What every command that reads channels shares: its options, inputs and consoles.

``check``, ``trace``, ``loss`` and ``limits`` take the same channel inputs (files or folders)
and the same ``--catalog`` / ``--grades`` / ``--json`` options, declared once here. Results
go to stdout (:func:`out_console`), diagnostics and progress to stderr
(:func:`err_console`, :func:`progress`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mpokit.errors import InputError

__all__ = [
    "CHANNEL_SUFFIXES", "CatalogOption", "FilesArgument", "GradesOption", "JsonOption",
    "channel_files", "err_console", "load_extras", "out_console", "output_format", "progress",
]

#: The suffixes of the channel files found in a folder.
CHANNEL_SUFFIXES = (".yaml", ".yml", ".json")

#: Channel inputs: files, or folders searched recursively for channel files.
FilesArgument = Annotated[list[Path], typer.Argument(
    metavar="FILE_OR_FOLDER", show_default=False,
    help="Channel files (YAML or JSON), or folders: every .yaml, .yml and .json file in "
         "them, recursively (a plan output folder: its channels.yaml).")]

#: Extra catalogues (transceivers, cassettes, breakouts, connectors), repeatable.
CatalogOption = Annotated[list[Path] | None, typer.Option(
    "--catalog", metavar="FILE", show_default=False,
    help="Extra catalogue file (transceivers, cassettes, breakouts, connectors); "
         "repeatable.")]

#: Extra connection grades, repeatable.
GradesOption = Annotated[list[Path] | None, typer.Option(
    "--grades", metavar="FILE", show_default=False,
    help="Extra connection grades (YAML, schema of grades.yaml); repeatable.")]

#: Machine-readable output on stdout.
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]

#: Results printed on stdout are never wrapped when stdout is not a terminal.
_PIPE_WIDTH = 10_000


#: The channel files an mpokit command writes into its output folder.
CHANNEL_OUTPUTS = frozenset({"channels.yaml", "channels.yml", "channels.json"})


def _other_output(f: Path) -> bool:
    """``f`` is a file an mpokit command wrote that holds no channels (``summary.json``).

    An output folder lists the files mpokit wrote in its marker (``.mpokit-output.json``).
    """
    from mpokit._files import MARKER

    marker = f.parent / MARKER
    if not marker.is_file():
        return False
    try:
        listed = json.loads(marker.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return False
    return f.name in listed and f.name not in CHANNEL_OUTPUTS


def channel_files(paths: list[Path]) -> list[Path]:
    """The channel files named by ``paths``: files as given, folders expanded.

    In a folder, every ``.yaml``, ``.yml`` and ``.json`` file is a channel file, except
    hidden ones and the files an mpokit command wrote that hold no channels (those its
    output folder's ``.mpokit-output.json`` lists, other than ``channels.yaml``): a plan's
    output folder is checked through its ``channels.yaml``, not its ``summary.json``.

    Parameters
    ----------
    paths
        Files and folders, as the user gave them.

    Returns
    -------
    list[Path]
        Files in the order given; each folder's channel files (``CHANNEL_SUFFIXES``,
        searched recursively, hidden entries skipped) sorted by path.

    Raises
    ------
    InputError
        A folder holds no channel file.

    Examples
    --------
    >>> channel_files([Path("examples/mistakes")])[0].name
    'apc-in-key-up-key-up-adapters.yaml'
    """
    out: list[Path] = []
    for p in paths:
        if not p.is_dir():
            out.append(p)  # a missing file is reported by the reader, with its name
            continue
        found = sorted(f for f in p.rglob("*") if f.suffix.lower() in CHANNEL_SUFFIXES
                       and f.is_file()
                       and not any(part.startswith(".") for part in f.relative_to(p).parts)
                       and not _other_output(f))
        if not found:
            raise InputError("is a folder that holds no channel file (.yaml, .yml or .json)",
                             file=str(p), fix="name channel files or a folder holding them")
        out.extend(found)
    return out


def load_extras(catalog: list[Path] | None, grades: list[Path] | None) -> None:
    """Extend the built-in catalogues with the user's ``--catalog`` and ``--grades`` files.

    Parameters
    ----------
    catalog
        Catalogue files (transceivers, cassettes, breakouts, connectors), or None.
    grades
        Connection-grade files, or None.
    """
    from mpokit.loss import extend_grades
    from mpokit.standards import load_user_catalog

    for p in catalog or []:
        load_user_catalog(str(p))
    for g in grades or []:
        extend_grades(g)


def out_console() -> Console:
    """The console for results (stdout): no hard wrapping when stdout is piped.

    Returns
    -------
    Console
        Terminal width on a terminal; otherwise wide enough that no line is wrapped.
    """
    console = Console(soft_wrap=True)
    if not console.is_terminal:
        console.width = _PIPE_WIDTH
    return console


def err_console() -> Console:
    """The console for diagnostics and progress (stderr).

    Returns
    -------
    Console
        A soft-wrapping console on stderr.
    """
    return Console(stderr=True, soft_wrap=True)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """A transient progress bar on stderr, shown only when stderr is a terminal.

    Parameters
    ----------
    description
        What is being done.
    total
        Steps in all, or None for a spinner with elapsed time.

    Returns
    -------
    Iterator[Callable[..., None]]
        ``step(advance=1, description=None)``: advance the bar, optionally saying what it
        does now.

    Examples
    --------
    >>> with progress("checking", total=2) as step:
    ...     step()
    ...     step(description="writing")
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = err_console()
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                   transient=True, disable=not console.is_terminal)
    with bar:
        task = bar.add_task(description, total=total)

        def step(advance: int = 1, description: str | None = None) -> None:
            if description is None:
                bar.advance(task, advance)
            else:
                bar.update(task, advance=advance, description=description)

        yield step


def output_format(path: Path | None, formats: tuple[str, ...], option: str = "-o") -> str:
    """The format an output file's suffix asks for, checked before any work is done.

    Parameters
    ----------
    path
        The file named on the command line (None: nothing to check, the first format).
    formats
        The formats the command writes, suffixes without the dot (``("csv", "json")``).
    option
        The option that named the file, for the error.

    Returns
    -------
    str
        One of ``formats``.

    Raises
    ------
    InputError
        The suffix is none of ``formats``: a file is never written in another format than
        its name says.

    Examples
    --------
    >>> output_format(Path("limits.JSON"), ("csv", "json"))
    'json'
    """
    if path is None:
        return formats[0]
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in formats:
        names = " or ".join(f".{f}" for f in formats)
        what = repr(path.suffix) if path.suffix else "(no suffix)"
        raise InputError(f"unknown output format {what}: this command writes {names}",
                         file=str(path), field=option,
                         fix=f"name the file {path.stem}.{formats[0]}")
    return fmt
