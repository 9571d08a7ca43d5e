"""The fast readers of big channel lists give what the ordinary YAML reader gives.

``read_channel_set`` reads a plan's machine-written list item by item and a JSON file by
the JSON parser; both must equal parsing the same text the ordinary way, also with
comments, unnamed items, escaped names, and must still point at the line of a bad item.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from mpokit._files import InputBlocks
from mpokit._yaml import load_yaml
from mpokit.connectivity import ChannelSet, parse_channel_set, read_channel_set, read_channels
from mpokit.connectivity import _fastread as fr
from mpokit.errors import InputError

EX = Path(__file__).resolve().parents[2] / "examples"
BODIES = [yaml.safe_load(p.read_text()) for folder in ("channels", "mistakes")
          for p in sorted((EX / folder).glob("*.yaml"))]
BODIES = [{k: v for k, v in b.items() if k != "name"} for b in BODIES if "channels" not in b]


def flow(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix(
        "\n...").strip()


def item(body: dict, name: str | None) -> str:
    """One item as the planner writes it (name line, then the body indented four)."""
    lines = [f'name: "{name}"'] if name is not None else []
    lines += [f"a: {flow(body['a'])}", f"b: {flow(body['b'])}", "path:"]
    for el in body["path"]:
        (kind, spec), = el.items()
        lines.append(f"  - {kind}: {flow(spec)}")
    return "  - " + "\n    ".join(lines)


def plan_text(n: int, header: str = "") -> str:
    parts = [item(BODIES[i % len(BODIES)] | {}, None if i % 7 == 3 else f"ch-{i}")
             for i in range(n)]
    return header + "channels:\n" + "\n".join(parts) + "\n"


def reference(text: str) -> ChannelSet:
    data, lines = load_yaml(text, fast=False)
    return ChannelSet.from_specs([cs for cs in parse_channel_set(data, lines).specs()])


def same(a: ChannelSet, b: ChannelSet) -> bool:
    return list(a.specs()) == list(b.specs())


def blocks(text: str | bytes, block_bytes: int = fr.BLOCK_BYTES) -> ChannelSet | None:
    """The block reader on ``text`` (as the file's bytes), in blocks of ``block_bytes``."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return fr.read_blocks(InputBlocks(io.BytesIO(raw), block_bytes=block_bytes))


def test_plain_list_equals_the_yaml_reader(tmp_path: Path) -> None:
    text = plan_text(2000)
    assert len(text) > 256_000  # the size at which the fast reader is used
    fast = fr.plain_list(text)
    assert fast is not None and len(fast.designs) <= len(BODIES)
    p = tmp_path / "channels.yaml"
    p.write_text(text)
    got = read_channel_set(p)
    assert same(got, reference(text)) and same(got, fast)
    assert got.names[3] is None and got.names[4] == "ch-4"


def test_comments_keep_the_fast_reader_and_the_data() -> None:
    text = plan_text(300, header="# written by hand\n\n")
    text = text.replace('  - name: "ch-10"', '  # a note between items\n  - name: "ch-10"')
    text = text.replace('  - name: "ch-20"', '# at column 0\n  - name: "ch-20"')
    fast = fr.plain_list(text)
    assert fast is not None and same(fast, reference(text))


@pytest.mark.parametrize("name", ['with \\"escaped\\" quotes', "tab\\there", "ü-é"])
def test_names_with_escapes_fall_back_and_read_right(tmp_path: Path, name: str) -> None:
    text = plan_text(2000).replace('name: "ch-5"', f'name: "{name}"')
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    got = read_channel_set(p)
    assert got.names[5] == yaml.safe_load(f'x: "{name}"')["x"]
    assert got.names[6] == "ch-6" and len(got) == 2000


def test_a_bad_item_in_a_big_list_names_its_line(tmp_path: Path) -> None:
    text = plan_text(2000)
    lines = text.split("\n")
    k = next(i for i, ln in enumerate(lines) if '"ch-1500"' in ln)
    j = next(i for i in range(k, len(lines)) if "connector:" in lines[i])
    lines[j] = lines[j].replace("connector: ", "connector: MPO-99X, x: ", 1)
    p = tmp_path / "c.yaml"
    p.write_text("\n".join(lines))
    with pytest.raises(InputError) as e:
        read_channels(p)
    assert e.value.line == j + 1 and str(p) in str(e.value)


def test_json_twin_reads_the_same_and_keeps_line_numbers(tmp_path: Path) -> None:
    text = plan_text(400)
    data = yaml.safe_load(text)
    p = tmp_path / "c.json"
    p.write_text(json.dumps(data, indent=2))
    assert same(read_channel_set(p), reference(text))
    data["channels"][7]["path"][0]["cord"]["lenght_m"] = 3
    p.write_text(json.dumps(data, indent=2))
    with pytest.raises(InputError) as e:
        read_channels(p)
    assert e.value.line is not None and "lenght_m" in p.read_text().split("\n")[e.value.line - 1]


def test_json_with_nan_is_refused_not_read(tmp_path: Path) -> None:
    p = tmp_path / "c.json"
    body = json.dumps({k: v for k, v in BODIES[0].items()})
    p.write_text(body.replace('"length_m": 5', '"length_m": NaN', 1))
    assert "NaN" in p.read_text()
    with pytest.raises(InputError):
        read_channels(p)


def named_json(n: int, indent: int | None = 2) -> tuple[str, str]:
    """A big JSON twin whose every item has a plain name, and its YAML text."""
    text = plan_text(n).replace("  - a:", '  - name: "anon"\n    a:')
    data = yaml.safe_load(text)
    return json.dumps(data, indent=indent), text


@pytest.mark.parametrize("indent", [2, None])
def test_big_json_is_split_at_item_boundaries_and_equals_the_yaml_reader(
    tmp_path: Path, indent: int | None
) -> None:
    js, text = named_json(3000, indent)
    assert len(js) > 256_000
    fast = blocks(js)
    assert fast is not None and len(fast.designs) <= len(BODIES)
    p = tmp_path / "c.json"
    p.write_text(js)
    got = read_channel_set(p)
    assert same(got, reference(text)) and same(got, fast)


@pytest.mark.parametrize("name", ['with \\"quotes\\"', "back\\\\slash", "}, {\\\"name\\\": \\\"x"])
def test_big_json_with_escaped_names_falls_back_and_reads_right(tmp_path: Path,
                                                                name: str) -> None:
    js, _ = named_json(3000)
    js = js.replace('"name": "ch-5"', f'"name": "{name}"', 1)
    assert blocks(js) is None
    p = tmp_path / "c.json"
    p.write_text(js)
    got = read_channel_set(p)
    assert got.names[5] == json.loads(f'"{name}"') and got.names[6] == "ch-6"


def test_big_json_with_a_name_inside_a_path_element_is_not_split_there(tmp_path: Path) -> None:
    js, _ = named_json(3000)
    # an unknown key that looks like an item boundary inside a path: the pieces are not
    # JSON objects, so the whole text is parsed and the error names its line
    js = js.replace('"ch-9",', '"ch-9", "path": [{"cord": {}}, {"name": "trap", "x": 1}],'
                    ' "_": 0,', 1)
    assert blocks(js) is None
    p = tmp_path / "c.json"
    p.write_text(js)
    with pytest.raises(InputError) as e:
        read_channels(p)
    assert e.value.line is not None


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_big_files_are_read_on_their_bytes_and_still_checked_as_utf8(
    tmp_path: Path, kind: str
) -> None:
    """The fast readers split a big file's bytes and decode only its names and distinct
    bodies: non-ASCII names read right, and a byte that is not UTF-8 -- in a name or in a
    body -- is the usual error naming its line, not a wrong read."""
    js, text = named_json(3000)
    text = text.replace('name: "ch-7"', 'name: "ü-é ✓"', 1)
    js = js.replace('"name": "ch-7"', '"name": "ü-é ✓"', 1)
    raw = (js if kind == "json" else text).encode("utf-8")
    p = tmp_path / f"c.{kind}"
    p.write_bytes(raw)
    got = read_channel_set(p)
    assert got.names[7] == "ü-é ✓" and got.names[8] == "ch-8" and len(got) == 3000
    assert same(got, reference(text))
    assert blocks(raw) is not None
    for bad in (raw.replace("ü-é".encode(), b"\xfc-\xe9", 1),
                raw.replace(b"MPO-12", b"MPO-1\xff", 1)):
        p.write_bytes(bad)
        with pytest.raises(InputError) as e:
            read_channel_set(p)
        assert "UTF-8" in str(e.value) and e.value.line is not None
        assert e.value.line == bad[:bad.index(b"\xfc" if b"\xfc" in bad else b"\xff")
                                   ].count(b"\n") + 1
