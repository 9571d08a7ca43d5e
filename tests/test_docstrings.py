"""The public API documents its parameters and results in one style (numpydoc)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

PACKAGES = ("mpokit.errors", "mpokit.connectivity", "mpokit.loss", "mpokit.verify",
            "mpokit.plan", "mpokit.qc", "mpokit.qc.inspect", "mpokit.standards", "mpokit.store",
            "mpokit.accept")


def public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every function in a package's ``__all__``, and the public methods of its classes."""
    seen: set[int] = set()
    for pkg in PACKAGES:
        module = importlib.import_module(pkg)
        for name in module.__all__:
            obj = getattr(module, name)
            found: list[tuple[str, Any]] = []
            if inspect.isfunction(obj):
                found.append((f"{pkg}.{name}", obj))
            elif inspect.isclass(obj):
                found += [(f"{pkg}.{name}.{m}", f) for m, f in vars(obj).items()
                          if not m.startswith("_") and inspect.isfunction(f)]
            for qualname, f in found:
                if id(f) not in seen:
                    seen.add(id(f))
                    yield qualname, f


CALLABLES = sorted(public_callables())


def test_the_public_api_is_large_enough_to_mean_something() -> None:
    assert len(CALLABLES) > 80


@pytest.mark.parametrize("qualname,func", CALLABLES, ids=[q for q, _ in CALLABLES])
def test_numpydoc_sections(qualname: str, func: Callable[..., Any]) -> None:
    doc = inspect.getdoc(func)
    assert doc, f"{qualname} has no docstring"
    sig = inspect.signature(func)
    params = [p for p in sig.parameters if p not in ("self", "cls")]
    if params:
        assert "\nParameters\n----------\n" in doc, f"{qualname}: no Parameters section"
        section = doc.split("\nParameters\n----------\n", 1)[1]
        for p in params:
            kind = sig.parameters[p].kind
            shown = {inspect.Parameter.VAR_POSITIONAL: f"*{p}",
                     inspect.Parameter.VAR_KEYWORD: f"**{p}"}.get(kind, p)
            assert any(shown in [n.strip() for n in line.split(",")]
                       for line in section.splitlines() if line and not line[0].isspace()), \
                f"{qualname}: parameter {shown!r} not documented"
    if sig.return_annotation not in (None, "None", inspect.Signature.empty):
        assert "\nReturns\n-------\n" in doc, f"{qualname}: no Returns section"
    for google in ("\nArgs:\n", "\nReturns:\n", "\nExample:\n"):
        assert google not in doc, f"{qualname}: Google-style {google.strip()!r} section"
