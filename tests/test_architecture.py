"""The import graph: no cycle, and no package imports one above it.

Layers (docs/architecture.md): base -> standards -> connectivity -> loss -> verify -> plan;
qc -> standards; store -> qc; accept, web, integrations and cli above all. Imports inside
functions count for the layering (an upward import is upward wherever it sits); module-level
imports must form no cycle, and inside one package no import at all (in a function or under
``TYPE_CHECKING`` too) may close a cycle: a lazy import hides a cycle, it does not remove it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "mpokit"

BASE = {"base"}
_CORE = ["standards", "connectivity", "loss", "verify", "plan"]
ALLOWED: dict[str, set[str]] = {"base": BASE}
for _i, _p in enumerate(_CORE):
    ALLOWED[_p] = BASE | set(_CORE[: _i + 1])
ALLOWED["qc"] = BASE | {"standards", "qc"}
ALLOWED["store"] = ALLOWED["qc"] | {"store"}
TOP = {"accept", "web", "cli", "integrations"}
for _p in TOP:
    ALLOWED[_p] = {"base", *_CORE, "qc", "store", *TOP}


def layer(module: str) -> str:
    """``mpokit.loss.budget`` -> ``loss``; top-level modules (errors, _yaml ...) are base."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base"
    if (SRC / parts[1]).is_dir():
        return parts[1]
    return "cli" if parts[1] == "__main__" else "base"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def resolve(name: str) -> str:
    """The module an import names (``mpokit.loss.budget_for_check`` -> ``mpokit.loss``)."""
    parts = name.split(".")
    while parts:
        p = SRC.parent.joinpath(*parts)
        if p.with_suffix(".py").is_file() or (p / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return name


@cache
def imports(path: Path) -> list[tuple[str, int, bool]]:
    """``(module, line, at_module_level)`` of every mpokit import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    top_level: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                break
            top_level.add(id(sub))
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names]
        for n in names:
            if n == "mpokit" or n.startswith("mpokit."):
                out.append((resolve(n), node.lineno, id(node) in top_level))
    return out


FILES = sorted(SRC.rglob("*.py"))


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    missing = packages - set(ALLOWED)
    assert not missing, f"add {missing} to the layer table here and in docs/architecture.md"


def test_no_upward_import() -> None:
    bad = []
    for f in FILES:
        src = layer(module_name(f))
        for target, line, _ in imports(f):
            dst = layer(target)
            if dst not in ALLOWED[src]:
                bad.append(f"{f.relative_to(SRC)}:{line}: {src} imports {target} ({dst})")
    assert not bad, "\n".join(bad)


def test_no_import_cycle() -> None:
    graph = {module_name(f): {t for t, _, top in imports(f) if top} for f in FILES}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if n == m:
                continue
            if state.get(n) == 1:
                return [*stack[stack.index(n):], n]
            if n not in state and (cycle := visit(n)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            cycle = visit(m)
            assert cycle is None, " -> ".join(cycle)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on.add(m)
        for n in sorted(graph.get(m, ())):
            if n not in graph or n == m:
                continue
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            comp = []
            while True:
                n = stack.pop()
                on.discard(n)
                comp.append(n)
                if n == m:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return sorted(out)


def package_graph() -> dict[str, set[str]]:
    """Every import between two modules of the same package, wherever it sits.

    A package's ``__init__`` re-exports its modules, so edges into it are not followed.
    """
    graph: dict[str, set[str]] = {}
    for f in FILES:
        me = module_name(f)
        pkg = me if f.name == "__init__.py" else me.rpartition(".")[0]
        if f.name == "__init__.py" or pkg == "mpokit":
            continue
        graph[me] = {t for t, _, _ in imports(f) if t.rpartition(".")[0] == pkg and t != pkg}
    return graph


#: Cycles inside a package that another piece of work owns; each must shrink, never grow.
KNOWN_PACKAGE_CYCLES: list[list[str]] = []


def test_no_cycle_inside_a_package() -> None:
    found = cycles(package_graph())
    new = [c for c in found if c not in KNOWN_PACKAGE_CYCLES]
    assert not new, "import cycles inside a package:\n" + "\n".join(" <-> ".join(c) for c in new)
    gone = [c for c in KNOWN_PACKAGE_CYCLES if c not in found]
    assert not gone, f"remove {gone} from KNOWN_PACKAGE_CYCLES: it no longer exists"


def test_the_cycle_finder_finds_lazy_and_type_checking_cycles() -> None:
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]
    assert cycles({"p.a": {"p.b"}, "p.b": set()}) == []
    # a function-level import and a TYPE_CHECKING import both count inside a package
    lazy = {t for t, _, top in imports(SRC / "loss" / "budget.py") if not top}
    assert "mpokit.loss.limits" in lazy  # channel_limit is imported inside _limit
    assert "mpokit.loss.limits" in package_graph()["mpokit.loss.budget"]
    typed = {t for t, _, top in imports(SRC / "plan" / "cables.py") if not top}
    assert "mpokit.plan.verdict" in typed  # imported under TYPE_CHECKING only
    assert "mpokit.plan.verdict" in package_graph()["mpokit.plan.cables"]


def test_no_import_error_guard_on_own_modules() -> None:
    """``try: import mpokit.x except ImportError`` would hide a missing in-package module."""
    bad = []
    for f in FILES:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            catches = " ".join(ast.unparse(h.type) for h in node.handlers if h.type)
            if "ImportError" not in catches:
                continue
            for sub in node.body:
                if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("mpokit"):
                    bad.append(f"{f.relative_to(SRC)}:{sub.lineno}")
    assert not bad, bad


def test_the_checker_detects_an_upward_import(tmp_path: Path) -> None:
    """The walk above finds imports at all: a known upward edge would be reported."""
    found = {t for t, _, _ in imports(SRC / "verify" / "channel.py")}
    assert "mpokit.loss" in found and "mpokit.connectivity.model" in found
    assert layer("mpokit.plan.cabling") not in ALLOWED["connectivity"]
