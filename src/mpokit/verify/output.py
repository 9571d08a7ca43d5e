"""Write check results per channel, streamed: JSON for machines, lines for people.

Each design's JSON is formatted once, as a template split at the channel name; every
channel is then its template around its own name, written in chunks. The JSON holds the
same fields and values, in the same order and layout, as ``json.dumps(..., indent=2)`` of
one dict per channel -- without building either the dicts or one giant string.

>>> import io
>>> from mpokit.connectivity import ChannelSet, parse_channels
>>> from mpokit.verify.channels import check_set
>>> res = check_set(ChannelSet.from_specs(parse_channels({"a": "400GBASE-DR4",
...     "b": "400GBASE-DR4", "path": [{"cord": {"connector": "MPO-12", "type": "B",
...     "fiber": "OS2", "length_m": 3}}]})))
>>> buf = io.StringIO()
>>> write_json(buf, [("ch.yaml", res)])
>>> import json; json.loads(buf.getvalue())["channels"][0]["file"]
'ch.yaml'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

import numpy as np
from rich.console import Console
from rich.markup import escape

from mpokit.connectivity.checks import LaneResult
from mpokit.standards.provenance import provenance_tag
from mpokit.verify.channels import SetResult

__all__ = ["channel_dicts", "lane_count", "print_human", "write_json"]

_NAME = "\x00mpokit-channel-name\x00"
_CHUNK = 1 << 22  # characters buffered before each write


def channel_dicts(results: Sequence[tuple[str, SetResult]]) -> list[dict[str, Any]]:
    """Every channel's JSON object (the per-channel form; small inputs and tests).

    Parameters
    ----------
    results
        ``(file, result)`` pairs.

    Returns
    -------
    list[dict]
        One dict per channel: ``name, ok, lanes, findings, [loss], file``.
    """
    out = []
    for file, res in results:
        for r in res.results():
            d = r.to_dict()
            d["file"] = file
            out.append(d)
    return out


class _Indented:
    """``json.dumps(value, indent=2)``, with the text of every list and mapping kept by its
    ``repr``: designs repeat most of their lanes, findings and loss parts, and each of
    those is encoded once (the Python encoder that ``indent`` needs is slow)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, int], str] = {}

    def dump(self, v: Any, level: int = 0) -> str:
        if isinstance(v, str):
            return str(encode_basestring_ascii(v))
        if v is None or isinstance(v, bool | int | float):
            return json.dumps(v)
        if not isinstance(v, dict | list | tuple):  # pragma: no cover - to_dict gives JSON types
            raise TypeError(f"not JSON: {type(v).__name__}")
        if not v:
            return "{}" if isinstance(v, dict) else "[]"
        key = (repr(v), level)
        text = self._memo.get(key)
        if text is None:
            inner = "\n" + "  " * (level + 1)
            if isinstance(v, dict):
                items = [f"{self._key(k)}: {self.dump(x, level + 1)}" for k, x in v.items()]
                text = "{" + inner + ("," + inner).join(items) + "\n" + "  " * level + "}"
            else:
                items = [self.dump(x, level + 1) for x in v]
                text = "[" + inner + ("," + inner).join(items) + "\n" + "  " * level + "]"
            self._memo[key] = text
        return text

    @staticmethod
    def _key(k: Any) -> str:
        return str(encode_basestring_ascii(k if isinstance(k, str) else json.dumps(k)))


def _templates(file: str, res: SetResult) -> list[tuple[str, str]]:
    """Per design: the JSON text before and after the channel name, at list depth."""
    out = []
    enc = _Indented()
    for r in res.designs:
        d = r.to_dict()
        d["name"] = _NAME
        d["file"] = file
        text = enc.dump(d).replace("\n", "\n    ")
        head, sep, tail = text.partition(json.dumps(_NAME))
        if not sep:  # pragma: no cover - the name is always a field
            raise AssertionError("channel template without a name")
        out.append((head, tail))
    return out


def write_json(stream: TextIO, results: Sequence[tuple[str, SetResult]]) -> None:
    """Write ``{"ok": ..., "channels": [...]}`` for every channel, in chunks.

    Parameters
    ----------
    stream
        Where to write (text).
    results
        ``(file, result)`` pairs, in order.
    """
    ok = all(bool(res.ok.all()) for _, res in results)
    buf: list[str] = [f'{{\n  "ok": {json.dumps(ok)},\n  "channels": [']
    size = 0
    sep = "\n    "
    quote = encode_basestring_ascii  # what json.dumps does to a str, without its overhead
    for file, res in results:
        tpl = _templates(file, res)
        names = res.channels.names
        default = [r.name for r in res.designs]
        for i, d in enumerate(res.channels.design_of.tolist()):
            head, tail = tpl[d]
            n = names[i]
            piece = f"{sep}{head}{quote(n if n else default[d])}{tail}"
            buf.append(piece)
            sep = ",\n    "
            size += len(piece)
            if size > _CHUNK:
                stream.write("".join(buf))
                buf.clear()
                size = 0
    buf.append("\n  ]\n}\n")
    stream.write("".join(buf))


def lane_count(lanes: Sequence[LaneResult]) -> tuple[int, int]:
    """Lanes that arrive at a receiver of the far end, of the lanes the channel must carry.

    A channel carries, in each direction, as many lanes as the narrower end has (the other
    lanes of a wider end belong to other legs of a breakout). A lane that should arrive but
    leaves at the wrong port counts against the channel.

    Parameters
    ----------
    lanes
        The channel's Tx lanes (:class:`~mpokit.connectivity.checks.LaneResult`).

    Returns
    -------
    tuple[int, int]
        ``(arriving, expected)``.

    Examples
    --------
    >>> from mpokit.connectivity.checks import LaneResult
    >>> away = [LaneResult(d, 1, 1, None, None, "elsewhere") for d in ("a->b", "b->a")]
    >>> lane_count(away)
    (0, 2)
    """
    per_dir = {d: sum(ln.direction == d for ln in lanes) for d in ("a->b", "b->a")}
    good = sum(ln.status in ("ok", "lane_order") for ln in lanes)
    return good, max(good, 2 * min(per_dir.values()))


def _design_lines(r: Any) -> tuple[str, list[str]]:
    """The channel line after the name, and the finding lines, of one design."""
    good, expected = lane_count(r.lanes)
    loss = r.extra.get("loss")
    loss_txt = ""
    if isinstance(loss, dict) and loss.get("total_db") is not None:
        loss_txt = f"  IL {loss['total_db']:.2f} dB"
        if loss.get("limit_db") is not None:
            loss_txt += f" of {loss['limit_db']:.2f} dB" + provenance_tag(
                loss.get("limit_status"))
    lines = []
    for f in r.findings:
        mark = "[red]x[/]" if f.severity == "error" else "[yellow]![/]"
        where = f" path[{f.at}]" if f.at is not None else ""
        lanes_txt = f" lanes {','.join(map(str, f.lanes))}" if f.lanes else ""
        lines.append(f"  {mark} [bold]{escape(f.code)}[/]{where}{lanes_txt}: "
                     f"{escape(f.message)}")
        if f.fix:
            lines.append(f"      [cyan]fix:[/] {escape(f.fix)}")
    return f"  ({good}/{expected} lanes){loss_txt}", lines


def print_human(
    console: Console, results: Sequence[tuple[str, SetResult]], *, all_: bool = True
) -> None:
    """One line per channel and its findings.

    Names, findings and fixes are printed literally (no markup, no highlighting).

    Parameters
    ----------
    console
        Where to print (stdout for results).
    results
        ``(file, result)`` pairs.
    all_
        False: passing channels without findings are counted, not listed.
    """
    quiet = 0
    for file, res in results:
        listed = np.ones(len(res), dtype=bool)
        if not all_:
            loud = np.fromiter((not r.ok or bool(r.findings) for r in res.designs),
                               dtype=bool, count=len(res.designs))
            listed = loud[res.channels.design_of]
            quiet += int(np.count_nonzero(~listed))
        parts = [_design_lines(r) for r in res.designs]
        where = f"  [dim]{escape(file)}[/]"
        for i in np.flatnonzero(listed).tolist():
            d = int(res.channels.design_of[i])
            verdict = "[green]PASS[/]" if res.designs[d].ok else "[red]FAIL[/]"
            line, finding_lines = parts[d]
            console.print(f"{verdict} {escape(res.name(i))}{line}{where}", highlight=False)
            for text in finding_lines:
                console.print(text, highlight=False)
    if quiet:
        console.print(f"[green]{quiet} passing channels without findings[/] not listed "
                      "(--all lists them)", highlight=False)
