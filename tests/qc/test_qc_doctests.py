"""The examples in the QC module docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["fit", "io", "locate", "mt", "round", "simulate", "profiles", "analyze", "batch",
           "report", "limits", "lot"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"mpokit.qc.{name}")
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
