"""Bad channel files give an InputError naming the file, line and field, with a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.connectivity.io import read_channels
from mpokit.errors import InputError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ch.yaml"
    p.write_text(text)
    return p


GOOD_PATH = """\
path:
  - cord: {connector: MPO-12, type: B, polish: APC, ends: [female, female], fiber: OS2, length_m: 3}
"""


@pytest.mark.parametrize(
    "text,line,field,words",
    [
        ("a: 400GBASE-DR\nb: 400GBASE-DR4\n" + GOOD_PATH, 1, "a", "did you mean '400GBASE-DR4'"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12, type: B, "
         "fiber: OS2, lenght_m: 3}\n", 4, "path[0].cord.lenght_m", "unknown key"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12, type: B, "
         "fiber: OS2, length_m: 3}\n  - adaptor: {type: A}\n", 5, "path[1].adaptor",
         "did you mean 'adapter'"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-13, type: B, "
         "fiber: OS2, length_m: 3}\n", 4, "path[0].cord.connector", "unknown connector"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12, type: D, "
         "fiber: OS2, length_m: 3}\n", 4, "path[0].cord.type", "cable type must be"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12, type: B, "
         "fiber: OS2, length_m: -3}\n", 4, "path[0].cord.length_m", "greater than or equal"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12, type: B, "
         "fiber: OM9, length_m: 3}\n", 4, "path[0].cord.fiber", "OM4"),
        ("a: 400GBASE-DR4\n" + GOOD_PATH, 1, "b", "missing required key 'b'"),
        ("a: 400GBASE-DR4\nb: 400GBASE-DR4\nlength: 3\n" + GOOD_PATH, 3, "length", "unknown key"),
        ("channels:\n  - a: 400GBASE-DR4\n    b: 400GBASE-DR4\n    path:\n"
         "      - cassette: {model: MPO12-LC6-Q}\n", 5, "channels[0].path[0].cassette.model",
         "did you mean"),
    ],
)
def test_bad_input_names_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, words: str
) -> None:
    p = write(tmp_path, text)
    with pytest.raises(InputError) as ei:
        read_channels(p)
    err = ei.value
    assert err.file == str(p)
    assert err.line == line, str(err)
    assert err.field == field, str(err)
    assert words in str(err)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    p = write(tmp_path, "a: 400GBASE-DR4\nb: [unclosed\npath: []\n")
    with pytest.raises(InputError) as ei:
        read_channels(p)
    assert ei.value.line is not None and "not valid YAML" in str(ei.value)


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    p = write(tmp_path, "a: 400GBASE-DR4\na: 400GBASE-DR4\nb: 400GBASE-DR4\n" + GOOD_PATH)
    with pytest.raises(InputError, match="duplicate key 'a'") as ei:
        read_channels(p)
    assert ei.value.line == 2


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read_channels(write(tmp_path, ""))
    with pytest.raises(InputError, match="file not found"):
        read_channels(tmp_path / "nope.yaml")


def test_channels_list_and_single_channel_forms(tmp_path: Path) -> None:
    one = "a: 400GBASE-DR4\nb: 400GBASE-DR4\n" + GOOD_PATH
    assert len(read_channels(write(tmp_path, one))) == 1
    many = "channels:\n" + "".join(
        "  - " + one.replace("\n", "\n    ").rstrip() + "\n" for _ in range(3))
    assert len(read_channels(write(tmp_path, many))) == 3


def test_json_files_are_read_too(tmp_path: Path) -> None:
    p = tmp_path / "ch.json"
    p.write_text('{"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [{"cord": {"connector": "LC",'
                 ' "type": "A-B", "fiber": "OM4", "length_m": 2}}]}')
    assert read_channels(p)[0].path[0].cord.type == "A-B"


def test_closed_vocabulary_suggests_the_closest_value(tmp_path: Path) -> None:
    p = write(tmp_path, "a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n  - cord: {connector: MPO-12, "
              "type: B, polish: PC, fiber: OS2, length_m: 3}\n")
    with pytest.raises(InputError) as ei:
        read_channels(p)
    assert ei.value.field == "path[0].cord.polish" and ei.value.line == 4
    assert "did you mean 'UPC'" in str(ei.value)


def test_a_bare_list_reads_as_channels(tmp_path: Path) -> None:
    p = tmp_path / "list.json"
    one = ('{"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [{"cord": {"connector": "LC",'
           ' "type": "A-B", "fiber": "OM4", "length_m": 2}}]}')
    p.write_text(f"[{one}, {one}]")
    assert len(read_channels(p)) == 2
    p.write_text(f'[{one}, {{"a": "10GBASE-SR"}}]')
    with pytest.raises(InputError) as ei:
        read_channels(p)
    assert ei.value.field == "channels[1].b" and ei.value.line == 1
