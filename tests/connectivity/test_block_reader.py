"""The block reader of big channel files gives what the whole-text readers give.

``read_channel_set`` reads a big file in blocks (``_fastread.read_blocks``): each block
ends where an item starts, names and design indices are kept per block and each
distinct body once. Wherever the blocks are cut -- here with blocks of a few bytes, so
item boundaries, names and multi-byte characters fall across block edges -- the result
must be the one of the ordinary readers, or None (and the ordinary reader then says what
is wrong and where).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpokit._yaml import load_yaml
from mpokit.connectivity import ChannelSet, parse_channel_set, read_channel_set
from mpokit.connectivity import _fastread as fr
from mpokit.errors import InputError

from .test_channel_set import BODIES, blocks, item, reference, same

#: Names as a plan may write them: plain ASCII, accents, CJK, an emoji, empty; in YAML
#: also a tab (which JSON escapes).
NAMES = ["node00001:1 to leaf0001:1", "ü-é ✓", "名前-1", "rack 🙂 7", ""]
YAML_NAMES = [*NAMES, "a\tb"]
SIZES = [1, 3, 7, 64, 333, 4096, fr.BLOCK_BYTES]


def yaml_text(n: int, names: list[str] | None = None, comments: bool = False) -> str:
    """A planner-style list of ``n`` named items (with comment lines when asked)."""
    names = names or [f"ch-{i}" for i in range(n)]
    lines = ["# written by hand", "channels:"] if comments else ["channels:"]
    for i in range(n):
        if comments and i % 5 == 2:
            lines.append("  # a note between items" if i % 2 else "# at column 0")
        lines.append(item(BODIES[i % len(BODIES)], names[i % len(names)]))
    return "\n".join(lines) + "\n"


def json_text(n: int, names: list[str] | None = None, indent: int | None = 2) -> str:
    """The JSON twin of :func:`yaml_text` (UTF-8 written as is, like ``mpokit plan``)."""
    names = names or [f"ch-{i}" for i in range(n)]
    items = [{"name": names[i % len(names)], **BODIES[i % len(BODIES)]} for i in range(n)]
    return json.dumps({"channels": items}, indent=indent, ensure_ascii=False)


def ordinary(text: str) -> ChannelSet:
    """The whole text read the ordinary way (JSON parser, or PyYAML with line numbers)."""
    if text.lstrip().startswith("{"):
        return parse_channel_set(json.loads(text))
    data, lines = load_yaml(text, fast=False)
    return parse_channel_set(data, lines)


def equal(a: ChannelSet, b: ChannelSet) -> bool:
    """The same channels, names, designs (in order of first use) and design indices."""
    return (a.names == b.names and a.designs == b.designs
            and np.array_equal(a.design_of, b.design_of) and same(a, b))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["yaml", "json", "json-compact", "yaml-comments"])
def test_every_block_size_gives_the_whole_text_result(kind: str, size: int) -> None:
    n = 3 * len(BODIES) + 5
    text = {"yaml": lambda: yaml_text(n, YAML_NAMES),
            "yaml-comments": lambda: yaml_text(n, YAML_NAMES, comments=True),
            "json": lambda: json_text(n, NAMES),
            "json-compact": lambda: json_text(n, NAMES, indent=None)}[kind]()
    got = blocks(text, size)
    assert got is not None, "a plain machine-written list must take the fast path"
    whole = blocks(text, len(text.encode()) + 1)  # one block: the whole-text split
    assert whole is not None and equal(got, whole)
    assert same(got, ordinary(text))
    expected = YAML_NAMES if kind.startswith("yaml") else NAMES
    assert list(got.names[:len(expected)]) == expected
    if kind.startswith("yaml"):
        text_path = fr.plain_list(text)  # the reader of a text already in memory
        assert text_path is not None and equal(got, text_path)


@pytest.mark.parametrize("kind", ["yaml", "json"])
@pytest.mark.parametrize("where", ["name", "body"])
def test_a_byte_that_is_not_utf8_in_the_last_block_is_not_read_here(
    tmp_path: Path, kind: str, where: str
) -> None:
    n = 2000
    text = yaml_text(n) if kind == "yaml" else json_text(n)
    raw = text.encode()
    at = raw.rindex(b'"ch-1999"' if where == "name" else b"length_m")  # the last item
    bad = raw[:at + 2] + b"\xff" + raw[at + 3:]
    assert blocks(raw, 4096) is not None
    assert blocks(bad, 4096) is None
    p = tmp_path / f"c.{kind}"
    p.write_bytes(bad)
    with pytest.raises(InputError) as e:
        read_channel_set(p)
    assert "UTF-8" in str(e.value) and e.value.line == bad[:at].count(b"\n") + 1


@pytest.mark.parametrize("cut", [-1, -3, -20, 0.5, 0.999])
def test_truncated_json_is_not_read_here_and_the_error_names_a_line(
    tmp_path: Path, cut: float
) -> None:
    raw = json_text(300).encode()
    end = int(len(raw) * cut) if isinstance(cut, float) else len(raw) + int(cut)
    short = raw[:end]
    for size in (64, 4096, fr.BLOCK_BYTES):
        assert blocks(short, size) is None
    p = tmp_path / "c.json"
    p.write_bytes(short)
    with pytest.raises(InputError) as e:
        read_channel_set(p)
    assert e.value.line is not None and str(p) in str(e.value)


def test_comments_between_items_keep_the_fast_path(tmp_path: Path) -> None:
    text = yaml_text(2000, comments=True)
    assert len(text) > 256_000  # read_channel_set takes the block reader
    p = tmp_path / "c.yaml"
    p.write_text(text)
    got = read_channel_set(p)
    assert blocks(text, 333) is not None and equal(got, blocks(text, 333))
    assert same(got, reference(text))


@pytest.mark.parametrize("odd", ["\x85", "\u2028", "\u2029", "\ufeff", "\x81", "\x01"])
def test_yaml_names_the_parser_may_change_or_refuse_are_not_read_here(odd: str) -> None:
    """YAML folds a NEL in a quoted name into a space and refuses control characters;
    such names (and LS, PS, BOM, which YAML parsers treat differently) are left to the
    YAML parser. The JSON parser takes them all as they are, and so does the block
    reader."""
    text = yaml_text(40, ["plain", f"a{odd}b"])
    assert blocks(text, 64) is None and fr.plain_list(text) is None
    if odd == "\x85":
        assert ordinary(text).names[1] == "a b"  # not what the line says literally
    if odd in "\x81\x01":
        with pytest.raises(InputError):
            ordinary(text)
    if odd != "\x01":  # JSON escapes a control character (then the parser reads it)
        js = json_text(40, ["plain", f"a{odd}b"])
        got = blocks(js, 64)
        assert got is not None and got.names[1] == f"a{odd}b" == ordinary(js).names[1]


def test_a_file_with_a_single_huge_first_item_falls_back(tmp_path: Path) -> None:
    body = dict(BODIES[0])
    doc = {"channels": [{"name": "x" * 70_000, **body}, {"name": "y", **body}]}
    text = json.dumps(doc, indent=2)
    assert blocks(text, 4096) is None
    p = tmp_path / "c.json"
    p.write_text(text)
    assert read_channel_set(p).names == ("x" * 70_000, "y")


_name = st.one_of(st.sampled_from(NAMES), st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.tuples(st.integers(0, len(BODIES) - 1), _name), min_size=1,
                      max_size=12),
       size=st.integers(1, 700), kind=st.sampled_from(["yaml", "json"]),
       comment=st.integers(-1, 12))
def test_blocks_never_disagree_with_the_ordinary_reader(
    picks: list[tuple[int, str]], size: int, kind: str, comment: int
) -> None:
    """Random names (any character: quotes, backslashes, line breaks, controls, written
    into the YAML line as they are) and bodies, cut in blocks of any size: the block
    reader gives the ordinary reader's channels, or None; and the same for every block
    size."""
    if kind == "json":
        items = [{"name": n, **BODIES[b]} for b, n in picks]
        text = json.dumps({"channels": items}, indent=2, ensure_ascii=False)
    else:
        lines = [item(BODIES[b], n) for b, n in picks]
        if 0 <= comment < len(lines):
            lines.insert(comment, "  # between items")
        text = "channels:\n" + "\n".join(lines) + "\n"
    got = blocks(text, size)
    try:
        expected = ordinary(text)
    except InputError:
        assert got is None
        return
    if got is not None:
        assert same(got, expected) and got.names == expected.names
        whole = blocks(text, 1 << 20)
        assert whole is not None and equal(got, whole)
