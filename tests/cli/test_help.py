"""Every ``--help`` of the command tree, rendered through the real entry point.

Rendered at 250 columns nothing needs wrapping, so a help line that stops mid-sentence is a
hard line break of a docstring leaking into the help (typer keeps them): before the fix,
``qc batch`` showed "per-parameter yield, mean," / "SD and Cpk." in the ``qc`` command
list and ``accept`` "(polarity, budget, swap," / "untested, ...".
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from mpokit.cli._app import command, main

BOX = "│╭╮╰╯─┃┏┓┗┛━"
PANEL_TITLES = {"Options", "Arguments", "Commands"}
#: A help line ends a sentence, a bracket ("[default: 0]", "[required]") or a usage line.
ENDS_CLEANLY = re.compile(r"[.:)\]}]$")


def _walk(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from _walk(sub, [*path, name])


COMMANDS = list(_walk(command(), []))
IDS = [" ".join(p) or "mpokit" for p, _ in COMMANDS]


def render_help(path: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    import typer.rich_utils

    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 250)  # TERMINAL_WIDTH set would win
    monkeypatch.setattr(sys, "argv", ["mpokit", *path, "--help"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 0, out.getvalue()
    return out.getvalue()


def test_the_tree_is_walked() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"check", "qc", "qc batch", "qc inspect", "routes check", "token create"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=IDS)
def test_no_help_line_stops_mid_sentence(path: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = render_help(path, monkeypatch)
    assert "Usage: mpokit" in text
    broken = []
    for line in text.splitlines():
        t = line.strip().strip(BOX).strip()
        if t and t not in PANEL_TITLES and not ENDS_CLEANLY.search(t):
            broken.append(t)
    assert not broken, broken
    assert "``" not in text and "<bool>" not in text  # no reST markup, flags shown as flags
    # every value has a metavar (KIND, FILE, N ...), not the Python type typer falls back to
    assert not re.findall(r"<(?:str|int|float|path|list\[[^>]*)>", text, re.IGNORECASE), text


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_every_command_and_option_says_what_it_does(path: list[str], cmd: Any) -> None:
    assert (cmd.help or "").strip(), f"mpokit {' '.join(path)} has no help"
    for p in cmd.params:
        if p.param_type_name == "option":
            assert (p.help or "").strip(), f"mpokit {' '.join(path)} {p.opts[0]} has no help"
        else:  # arguments are named in upper case, as the docs write them
            assert p.metavar and p.metavar == p.metavar.upper(), (path, p.name, p.metavar)


def test_a_docstring_wrap_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: undo the reflow and ``accept --help`` breaks mid-sentence."""
    import mpokit.cli._app as cli_app

    monkeypatch.setattr(cli_app, "_one_line_paragraphs", lambda text: text)
    text = render_help(["accept"], monkeypatch)
    assert any(ln.strip().endswith("swap,") for ln in text.splitlines())


def test_the_qc_group_says_it_does_more_than_geometry(monkeypatch: pytest.MonkeyPatch) -> None:
    first = render_help(["qc"], monkeypatch).split("Usage:", 1)[1].splitlines()[2]
    for word in ("geometry", "images", "import", "grade", "stats"):
        assert word in first, first


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_the_store_is_named_the_same_everywhere(path: list[str], cmd: Any) -> None:
    """``--store`` and ``--db`` are one option wherever a command opens the QC store."""
    for p in cmd.params:
        names = set(getattr(p, "opts", [])) & {"--store", "--db"}
        if names:
            assert set(p.opts) >= {"--store", "--db"}, (path, p.opts)
            assert p.metavar == "URL", (path, p.opts)


def test_options_named_alike_show_the_same_value_name() -> None:
    """``--report DIR`` on every command that writes reports, not ``DIR`` here, ``<path>``
    there (before: accept showed DIR, the qc commands ``<path>``)."""
    seen: dict[str, set[str | None]] = {}
    for _, cmd in COMMANDS:
        for p in cmd.params:
            for name in set(getattr(p, "opts", [])) & {"--report", "--summary", "--jobs",
                                                       "--store", "--catalog", "--grades"}:
                seen.setdefault(name, set()).add(p.metavar)
    assert seen and all(len(v) == 1 and None not in v for v in seen.values()), seen
