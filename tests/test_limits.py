"""Limits: defaults, raising them by environment, refusals that say how (mpokit._limits)."""

from __future__ import annotations

import pytest

from mpokit._limits import DEFAULTS, check_limit, limit
from mpokit.errors import InputError


def test_default_and_raised_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limit("yaml_depth") == DEFAULTS["yaml_depth"]
    monkeypatch.setenv("MPOKIT_LIMIT_YAML_DEPTH", "500")
    assert limit("yaml_depth") == 500
    check_limit("yaml_depth", 500, what="depth")  # at the limit is allowed


@pytest.mark.parametrize("raw", ["lots", "-3", "0"])
def test_malformed_env_is_an_input_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("MPOKIT_LIMIT_TRIALS", raw)
    with pytest.raises(InputError, match="MPOKIT_LIMIT_TRIALS"):
        limit("trials")


def test_refusal_names_where_the_limit_and_the_fix() -> None:
    with pytest.raises(InputError) as ei:
        check_limit("trials", 2e9, what="Monte Carlo trials", field="--trials")
    e = ei.value
    assert e.field == "--trials" and "over the limit of 1000000" in e.message
    assert e.fix is not None and "MPOKIT_LIMIT_TRIALS=2000000000" in e.fix
