"""The inputs every channel command shares: files as given, folders expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.cli._options import channel_files, out_console
from mpokit.errors import InputError


def touch(p: Path) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("x")
    return p


def test_folders_expand_recursively_sorted_and_skip_hidden_and_other_files(
    tmp_path: Path,
) -> None:
    d = tmp_path / "plant"
    b = touch(d / "b.yaml")
    a = touch(d / "sub" / "a.JSON")
    c = touch(d / "c.yml")
    touch(d / "notes.txt")
    touch(d / ".git" / "x.yaml")
    touch(d / ".hidden.yaml")
    explicit = touch(tmp_path / "z.txt")  # a file named explicitly is taken as given
    assert channel_files([explicit, d]) == [explicit, b, c, a]


def test_a_missing_file_is_left_to_the_reader(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert channel_files([missing]) == [missing]


def test_an_empty_folder_names_itself(tmp_path: Path) -> None:
    touch(tmp_path / "readme.md")
    with pytest.raises(InputError) as info:
        channel_files([tmp_path])
    assert info.value.file == str(tmp_path)
    assert "holds no channel file" in info.value.message


def test_results_console_does_not_wrap_when_not_a_terminal() -> None:
    console = out_console()
    assert not console.is_terminal  # pytest captures stdout
    assert console.width >= 1000
