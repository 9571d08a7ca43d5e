"""Helpers for the loss tests: build compiled channels from plain dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mpokit.connectivity.io import parse_channel
from mpokit.connectivity.model import Channel, compile_channel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "loss"


def make(data: dict[str, Any]) -> Channel:
    return compile_channel(parse_channel(data))


def dr4(*middle: dict[str, Any], length_m: float = 3.0, att: float | None = 0.4,
        grade: Any = None) -> Channel:
    """400GBASE-DR4 channel: Type B cord, ``middle`` elements, Type A cord (Method A)."""
    def cord(t: str) -> dict[str, Any]:
        c: dict[str, Any] = {"connector": "MPO-12", "type": t, "fiber": "OS2",
                             "length_m": length_m}
        if att is not None:
            c["attenuation_db_per_km"] = att
        if grade is not None:
            c["grade"] = grade
        return {"cord": c}
    return make({"a": "400GBASE-DR4", "b": "400GBASE-DR4",
                 "path": [cord("B"), *middle, cord("A")]})


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
