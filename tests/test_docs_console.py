"""Every ``console`` block of README.md and docs/*.md is run and its output compared.

A block is a shell session: ``$ COMMAND`` lines, each followed by what it prints on stdout.
Commands run through the real entry point from a folder that holds the bundled
``examples/`` (so paths are the ones the docs show), with the QC store in a temporary file.
The doc's text is compared with what the command prints as doctest does with ELLIPSIS:
``...`` stands for any text, so a doc may elide. ``$ echo $?`` checks the exit code of the
command before it; without it a command must exit 0. Nothing here repeats a figure of the
docs: the docs are compared with the program, not with the test.

Not run: ``mpokit serve`` (it runs until stopped; ``tests/web`` drive it).

Also checked: every ``mpokit ...`` command line the docs quote (code spans, usage blocks)
names a real command and only its options; docs/cli.md lists every command; ``python``
blocks run as doctests (``>>>``) or, for snippets, parse and import what they name.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_RUN = ("mpokit serve",)
BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Step:
    """One ``$ command`` of a console block, what the doc shows it printing, its exit code."""

    command: str
    shown: str
    exit_code: int


def parse_session(block: str) -> list[Step]:
    """The steps of a console block; ``$ echo $?`` sets the previous step's exit code."""
    steps: list[Step] = []
    for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
        command, _, shown = chunk.partition("\n")
        command = command.split("  #", 1)[0].strip()  # a trailing comment explains
        if command == "echo $?":
            prev = steps.pop()
            steps.append(Step(prev.command, prev.shown, int(shown.strip())))
        else:
            steps.append(Step(command, shown, 0))
    return steps


def sessions() -> list[tuple[str, list[Step]]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{doc.relative_to(ROOT)}:{line}", parse_session(m.group(1))))
    return found


SESSIONS = sessions()


def test_the_docs_have_console_blocks() -> None:
    where = {name.split(":")[0] for name, _ in SESSIONS}
    assert {"README.md", "docs/environments.md"} <= where
    assert all(steps for _, steps in SESSIONS), "a console block without a $ command"


def test_a_session_is_parsed_as_the_doc_reads() -> None:
    steps = parse_session("$ mpokit check x.yaml   # comment\nFAIL x\n\n0/1 pass\n"
                          "$ echo $?\n2\n$ mpokit reach --pmd P\n...\n")
    assert steps == [Step("mpokit check x.yaml", "FAIL x\n\n0/1 pass\n", 2),
                     Step("mpokit reach --pmd P", "...\n", 0)]


def matches(shown: str, printed: str) -> bool:
    """``printed`` is what ``shown`` says, ``...`` eliding any text (doctest ELLIPSIS)."""
    return doctest.OutputChecker().check_output(shown, printed, doctest.ELLIPSIS)


def test_matching_can_fail() -> None:
    assert matches("a ... z\n", "a b c z\n")
    assert not matches("PASS x\n", "FAIL x\n")
    assert not matches("a\nb\n", "a\nb\nc\n")  # no trailing text unless "..." says so


@pytest.mark.parametrize(("where", "steps"), SESSIONS, ids=[w for w, _ in SESSIONS])
def test_console_block_is_what_the_commands_print(where: str, steps: list[Step],
                                                  tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {**os.environ, "MPOKIT_DB": str(tmp_path / "store.db"), "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    for step in steps:
        if step.command.startswith(NOT_RUN):
            continue
        argv = shlex.split(step.command)
        assert argv[0] == "mpokit", f"{where}: {step.command!r} is not an mpokit command"
        r = subprocess.run([sys.executable, "-m", "mpokit", *argv[1:]], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == step.exit_code, (
            f"{where}: `{step.command}` exited {r.returncode}, the doc says "
            f"{step.exit_code}\n{r.stdout}{r.stderr}")
        assert matches(step.shown, r.stdout), (
            f"{where}: `{step.command}` printed\n{r.stdout}\nthe doc shows\n{step.shown}")


# --- command lines quoted in the docs: `mpokit ...` spans and usage blocks ---------------

CODE_SPAN = re.compile(r"`(mpokit [^`]+)`")
PLAIN_BLOCK = re.compile(r"^```(?:\w*)\n(.*?)^```", re.S | re.M)
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def quoted_command_lines(text: str) -> list[str]:
    """Every ``mpokit ...`` a doc quotes: code spans, and block lines (``$`` prompt or not)
    with their ``[...]`` continuation lines."""
    found = [m.group(1).replace("\\|", "|") for m in CODE_SPAN.finditer(text)]
    for m in PLAIN_BLOCK.finditer(text):
        lines = m.group(1).splitlines()
        for i, line in enumerate(lines):
            cmd = line.removeprefix("$ ").strip()
            if not cmd.startswith("mpokit "):
                continue
            for more in lines[i + 1:]:
                if not (more.startswith("   ") and more.strip().startswith("[")):
                    break
                cmd += " " + more.strip()
            found.append(cmd.split("  #", 1)[0])
    return found


def resolve(words: list[str]) -> tuple[list[str], set[str]]:
    """The command path the words name (``a|b`` alternatives: the first) and its options."""
    from mpokit.cli._app import command

    cmd, path = command(), []
    for w in words:
        sub = getattr(cmd, "commands", {}).get(w.split("|")[0])
        if sub is None:
            break
        cmd, path = sub, [*path, w.split("|")[0]]
    opts = {"--help"} | {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
    return path, opts


def test_quoted_command_lines_are_found_and_can_fail() -> None:
    text = "Run `mpokit check --jsn F`.\n\n```\nmpokit qc batch DIR\n    [--json]\n```\n"
    assert quoted_command_lines(text) == ["mpokit check --jsn F", "mpokit qc batch DIR [--json]"]
    path, opts = resolve(["check", "--jsn", "F"])
    assert path == ["check"] and "--json" in opts and "--jsn" not in opts


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_quoted_command_and_option_exists(doc: Path) -> None:
    wrong = []
    for line in quoted_command_lines(doc.read_text(encoding="utf-8")):
        words = line.split()[1:]
        path, opts = resolve(words)
        if not path and not set(words) <= {"[--version]", "[--help]", "--version", "COMMAND",
                                           "[ARGS]..."}:
            wrong.append(f"{line!r}: no such command")
            continue
        wrong += [f"{line!r}: mpokit {' '.join(path)} has no option {o}"
                  for o in OPTION.findall(" ".join(words[len(path):])) if o not in opts]
    assert not wrong, "\n".join(wrong)


def test_the_command_line_page_lists_every_command() -> None:
    """docs/cli.md is "the full command line": every command of the tree is in its table."""
    from mpokit.cli._app import command

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    first_cells = [ln.split(" | ", 1)[0] for ln in text.splitlines() if ln.startswith("| `")]
    shown = [m.group(1) for cell in first_cells for m in re.finditer(r"`([^`]+)`", cell)]
    missing = []
    for name, group in command().commands.items():
        subs = getattr(group, "commands", None)
        for full in ([f"{name} {s}" for s in subs] if subs else [name]):
            if not any(re.match(re.escape(full) + r"(\s|$)", s) for s in shown):
                missing.append(full)
    assert not missing, f"docs/cli.md lacks {missing}"


# --- python blocks: sessions (>>>) run as doctests, snippets compile and import -------------

PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in PYTHON_BLOCK.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{doc.relative_to(ROOT)}:{line}", m.group(1)))
    return found


PY_BLOCKS = python_blocks()


@pytest.mark.parametrize(("where", "code"), PY_BLOCKS, ids=[w for w, _ in PY_BLOCKS])
def test_python_block_runs(where: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    monkeypatch.chdir(ROOT)  # examples/... paths as the docs show them
    if ">>>" in code:
        test = doctest.DocTestParser().get_doctest(code, {}, where, where, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test)
        assert runner.summarize(verbose=False).failed == 0, where
        return
    tree = ast.parse(code, where)  # a snippet: it parses and every name it imports exists
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports, f"{where}: a snippet that imports nothing cannot be checked"
    exec(compile(ast.Module(body=imports, type_ignores=[]), where, "exec"), {})
