"""Transformations of channel specs: the same channel seen from the other end.

>>> from mpokit.connectivity.io import parse_channel
>>> spec = parse_channel({"a": "800G-2xDR4", "b": "400GBASE-DR4", "path": [
...     {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OS2", "length_m": 3,
...               "ends": ["female", "male"]}}]})
>>> rev = reverse_spec(spec)
>>> rev.a, rev.path[0].cord.ends
('400GBASE-DR4', ('male', 'female'))
"""

from __future__ import annotations

from typing import Any

from mpokit.connectivity.model import compile_channel
from mpokit.connectivity.spec import ChannelSpec

__all__ = ["reverse_spec"]


def _invert_map(m: list[int]) -> list[int]:
    inv = [0] * len(m)
    for i, t in enumerate(m, 1):
        if t:
            inv[t - 1] = i
    return inv


def reverse_spec(spec: ChannelSpec) -> ChannelSpec:
    """The channel listed from B to A: ends swapped, path reversed, each part turned round.

    Parameters
    ----------
    spec
        A channel listed from A to B.

    Returns
    -------
    ChannelSpec
        The same channel listed from B to A.
    """
    ch = compile_channel(spec)
    entered = {s.at: s.what.split()[-1] for s in ch.stages
               if s.what.startswith(("cassette", "breakout"))}
    data: dict[str, Any] = spec.model_dump(mode="json", exclude_none=True)
    path = []
    for at, el in reversed(list(enumerate(data["path"]))):
        kind, body = next(iter(el.items()))
        body = dict(body)
        if kind in ("cord", "trunk"):
            if "ends" in body:
                body["ends"] = list(reversed(body["ends"]))
            if isinstance(body.get("grade"), list):
                body["grade"] = list(reversed(body["grade"]))
            if body.get("map"):
                body["map"] = _invert_map(body["map"])
        elif kind == "cassette":
            body["enter"] = "front" if entered[at] == "rear" else "rear"
        elif kind == "breakout":
            body["enter"] = "leg" if entered[at] == "trunk" else "trunk"
        path.append({kind: body})
    out = {"a": data["b"], "b": data["a"], "path": path}
    if "name" in data:
        out["name"] = f"{data['name']} (reversed)"
    return ChannelSpec.model_validate(out)
