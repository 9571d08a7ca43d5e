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
import math
import os
from collections.abc import Iterator, Sequence
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
    """``json.dumps(value, indent=2)``, with the text of every nested list and mapping kept
    by its ``repr``: designs repeat most of their lanes, findings and loss parts, and each
    of those is encoded once (the Python encoder that ``indent`` needs is slow). The top
    level, which differs between designs, is joined from its items' texts."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, int], str] = {}

    def dump(self, v: Any, level: int = 0) -> str:
        if type(v) is _Verbatim:
            return v.text
        if isinstance(v, str):
            return str(encode_basestring_ascii(v))
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            return int.__repr__(v)
        if isinstance(v, float):
            return _float(v)
        if not isinstance(v, dict | list | tuple):  # pragma: no cover - to_dict gives JSON types
            raise TypeError(f"not JSON: {type(v).__name__}")
        if not v:
            return "{}" if isinstance(v, dict) else "[]"
        key = None
        if level:  # the top level is each design's own
            key = (repr(v), level)
            text = self._memo.get(key)
            if text is not None:
                return text
        inner = "\n" + "  " * (level + 1)
        if isinstance(v, dict):
            items = [f"{self._key(k)}: {self.dump(x, level + 1)}" for k, x in v.items()]
            text = "{" + inner + ("," + inner).join(items) + "\n" + "  " * level + "}"
        else:
            items = [self.dump(x, level + 1) for x in v]
            text = "[" + inner + ("," + inner).join(items) + "\n" + "  " * level + "]"
        if key is not None:
            self._memo[key] = text
        return text

    @staticmethod
    def _key(k: Any) -> str:
        return str(encode_basestring_ascii(k if isinstance(k, str) else json.dumps(k)))


class _Verbatim:
    """JSON text already encoded at its level."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _float(x: float) -> str:
    """A float as ``json.dumps`` writes it."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    return float.__repr__(x)


def _templates(file: str, res: SetResult) -> list[tuple[str, str]]:
    """Per design: the JSON text before and after the channel name, at list depth."""
    out = []
    enc = _Indented()
    lanes: dict[int, _Verbatim] = {}  # designs of one shape share their lanes (the tuple)
    for r in res.designs:
        d = r.to_dict()
        done = lanes.get(id(r.lanes))
        if done is None:
            done = lanes[id(r.lanes)] = _Verbatim(enc.dump(d["lanes"], 1))
        d["lanes"] = done
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

    Every channel is three pieces -- its design's text before the name, the name, the
    design's text after it -- laid out by array indexing and written a few hundred
    channels per call, as bytes straight to the file when ``stream`` has one. Names are
    encoded a few thousand at a time, so the memory this takes does not grow with the
    number of channels.

    Parameters
    ----------
    stream
        Where to write (text).
    results
        ``(file, result)`` pairs, in order.
    """
    ok = all(bool(res.ok.all()) for _, res in results)
    out = _Sink(stream)
    out.write([f'{{\n  "ok": {json.dumps(ok)},\n  "channels": ['])
    first = True
    for file, res in results:
        if not len(res):
            continue
        for pieces in _pieces(file, res, first, out.binary):
            for start in range(0, pieces.size, _PER_WRITE):
                out.write(pieces[start:start + _PER_WRITE].tolist())
        first = False
    out.write(["\n  ]\n}\n"])
    out.close()


def _pieces(file: str, res: SetResult, first: bool, binary: bool) -> Iterator[np.ndarray]:
    """``(3 n,)`` objects per chunk of ``n`` channels: per channel its design's head, its
    quoted name's inside, and its design's tail (``str``, or ASCII ``bytes`` when
    ``binary``)."""
    heads: list[Any] = []
    tails: list[Any] = []
    for head, tail in _templates(file, res):
        heads.append(",\n    " + head + '"')
        tails.append('"' + tail)
    if binary:
        heads = [h.encode("ascii") for h in heads]
        tails = [t.encode("ascii") for t in tails]
    head_of, tail_of = _objects(heads), _objects(tails)
    design_of = res.channels.design_of
    default = [r.name for r in res.designs]
    for start in range(0, design_of.size, _PER_CHUNK):
        stop = min(start + _PER_CHUNK, design_of.size)
        names = _name_texts(res.channels.names[start:stop], design_of[start:stop], default,
                            binary)
        pieces = np.empty(3 * (stop - start), dtype=object)
        pieces[0::3] = head_of[design_of[start:stop]]
        pieces[1::3] = _objects(names)
        pieces[2::3] = tail_of[design_of[start:stop]]
        if first and not start:  # the first channel of the list has no comma before it
            pieces[0] = pieces[0][1:]
        yield pieces


def _objects(items: list[Any]) -> np.ndarray:
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _name_texts(names: Sequence[str | None], design_of: np.ndarray, default: list[str],
                binary: bool) -> list[Any]:
    """Channel names as JSON writes them between the quotes (ASCII, escaped; ``bytes``
    when ``binary``); a channel without a name is its design's default name."""
    sep = '"'  # verbatim names: printable ASCII without quote or backslash
    joined = sep.join(names) if all(names) else None  # type: ignore[arg-type] # no None
    if (joined is None or not joined.isascii() or not joined.isprintable() or "\\" in joined
            or joined.count(sep) != len(names) - 1):  # some name needs escapes
        sep = "\n"  # which JSON escapes
        joined = sep.join([encode_basestring_ascii(n if n else default[d])[1:-1]
                           for n, d in zip(names, design_of.tolist(), strict=True)])
    return joined.encode("ascii").split(sep.encode()) if binary else joined.split(sep)


class _Sink:
    """Writes lists of pieces: gathered bytes to the stream's file descriptor when it has
    one (text files and stdout: the JSON is ASCII), else joined text to the stream."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.fd = -1
        buffer = getattr(stream, "buffer", None)
        encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
        if buffer is not None and encoding in _ASCII_SUPERSETS and os.linesep == "\n":
            try:
                fd = buffer.fileno()
            except (AttributeError, OSError, ValueError):
                fd = -1
            if fd >= 0 and hasattr(os, "writev"):
                stream.flush()
                self.fd = fd

    @property
    def binary(self) -> bool:
        return self.fd >= 0

    def write(self, pieces: list[Any]) -> None:
        if self.fd < 0:
            self.stream.write("".join(pieces))
            return
        if isinstance(pieces[0], str):
            pieces = [p.encode("ascii") for p in pieces]
        done = os.writev(self.fd, pieces)
        total = sum(map(len, pieces))
        if done < total:  # a short write (a signal, a full pipe): the rest in one piece
            rest = memoryview(b"".join(pieces))[done:]
            while rest:
                rest = rest[os.write(self.fd, rest):]

    def close(self) -> None:
        if self.fd < 0:
            self.stream.flush()


_ASCII_SUPERSETS = frozenset({"utf-8", "utf8", "ascii", "us-ascii", "latin-1", "iso-8859-1"})
#: Pieces per write: three per channel, within the ``writev`` limit of 1024 buffers.
_PER_WRITE = 3 * 341
#: Channels whose names are encoded and laid out at a time.
_PER_CHUNK = 341 * 48


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
