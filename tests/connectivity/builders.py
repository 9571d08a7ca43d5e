"""Small builders for channel dicts used across the connectivity tests."""

from __future__ import annotations

from typing import Any


def cord(t: str, ends: tuple[str, str] = ("female", "female"), polish: str = "APC",
         connector: str = "MPO-12", fiber: str = "OS2", length_m: float = 3) -> dict[str, Any]:
    return {"cord": {"connector": connector, "type": t, "polish": polish, "ends": list(ends),
                     "fiber": fiber, "length_m": length_m}}


def trunk(t: str, ends: tuple[str, str] = ("male", "male"), polish: str = "APC",
          connector: str = "MPO-12", fiber: str = "OS2", length_m: float = 80) -> dict[str, Any]:
    return {"trunk": {"connector": connector, "type": t, "polish": polish, "ends": list(ends),
                      "fiber": fiber, "length_m": length_m}}


def adapter(t: str) -> dict[str, Any]:
    return {"adapter": {"type": t}}


def channel(a: Any, b: Any, *path: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"a": a, "b": b, "path": list(path)}
    if name:
        d["name"] = name
    return d
