"""The YAML layer: line numbers, duplicate keys, and the fast paths for big files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit._yaml import load_list_items, load_yaml
from mpokit.connectivity.io import read_channels
from mpokit.errors import InputError

ITEM = """\
  - name: "{name}"
    a: 400GBASE-DR4
    b: {{transceiver: 800G-2xDR4, port: {port}}}
    path:
      - cord: {{connector: MPO-12, type: B, polish: APC, fiber: OS2, length_m: {length}}}
"""


def big_text(n: int = 3000) -> str:
    return "channels:\n" + "".join(
        ITEM.format(name=f"leaf{i:04d}:{i % 64}", port=1 + i % 2, length=3 + i % 7)
        for i in range(n))


def test_item_cache_gives_exactly_what_the_yaml_parser_gives() -> None:
    text = big_text()
    fast = load_list_items(text, "channels")
    assert fast is not None
    assert fast[0] == load_yaml(text, fast=False)[0]


@pytest.mark.parametrize("twist", [
    lambda t: t.replace('  - name: "leaf0005:5"', "  # a comment\n  - name: \"leaf0005:5\""),
    lambda t: t.replace('name: "leaf0007:7"', "name: leaf0007:7"),
    lambda t: "# header\n" + t,
])
def test_other_shapes_fall_back_to_the_ordinary_parser(twist) -> None:  # type: ignore[no-untyped-def]
    text = twist(big_text(50))
    fast = load_list_items(text, "channels")
    if fast is not None:
        assert fast[0] == load_yaml(text, fast=False)[0]
    else:
        assert load_yaml(text)[0]["channels"][5]["a"] == "400GBASE-DR4"


def test_big_file_errors_still_name_the_line(tmp_path: Path) -> None:
    text = big_text(4000).replace("length_m: 5}", "length_m: -5}", 1)
    p = tmp_path / "channels.yaml"
    p.write_text(text)
    assert len(text) > 256_000
    with pytest.raises(InputError) as ei:
        read_channels(p)
    bad_line = next(i for i, ln in enumerate(text.splitlines(), 1) if "length_m: -5" in ln)
    assert ei.value.line == bad_line
    assert ei.value.field is not None and ei.value.field.endswith("cord.length_m")


def test_big_file_duplicate_key_is_caught(tmp_path: Path) -> None:
    text = big_text(4000).replace("fiber: OS2, length_m: 4}",
                                  "fiber: OS2, fiber: OS2, length_m: 4}", 1)
    p = tmp_path / "channels.yaml"
    p.write_text(text)
    with pytest.raises(InputError, match="duplicate key 'fiber'"):
        read_channels(p)
