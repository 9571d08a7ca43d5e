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


# --- hostile structure (issue 8 / issue 9 item 6) -----------------------------------------

def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_refused_before_expansion() -> None:
    import time

    from mpokit._yaml import load_yaml
    from mpokit.errors import InputError

    t0 = time.perf_counter()
    with pytest.raises(InputError) as ei:
        load_yaml(_bomb(9), file="b.yaml")
    assert time.perf_counter() - t0 < 2
    assert "aliases" in ei.value.message and ei.value.file == "b.yaml"
    assert ei.value.fix and "MPOKIT_LIMIT_YAML_ALIAS_NODES" in ei.value.fix
    data, _ = load_yaml(_bomb(3), file="ok.yaml")  # 81 leaves through aliases: fine
    assert len(data["a2"]) == 9


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("text", [
    "a: " + "[" * 70 + "]" * 70 + "\n",
    "".join("  " * i + "k:\n" for i in range(70)) + "  " * 70 + "k: 1\n",
    "a: " + "{b: " * 70 + "1" + "}" * 70 + "\n",
])
def test_deep_nesting_refused_with_line(text: str, fast: bool) -> None:
    from mpokit._yaml import load_yaml
    from mpokit.errors import InputError

    with pytest.raises(InputError) as ei:
        load_yaml(text, file="d.yaml", fast=fast)
    assert "nesting depth 65" in ei.value.message and ei.value.line is not None


def test_nesting_past_libyaml_cap_is_an_input_error() -> None:
    from mpokit._yaml import load_yaml
    from mpokit.errors import InputError

    with pytest.raises(InputError, match="more than 1000 levels"):
        load_yaml("a: " + "[" * 3000 + "]" * 3000, file="d.yaml")


def test_depth_limit_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from mpokit._yaml import load_yaml

    monkeypatch.setenv("MPOKIT_LIMIT_YAML_DEPTH", "200")
    data, _ = load_yaml("a: " + "[" * 100 + "]" * 100 + "\n", file="d.yaml")
    assert isinstance(data["a"], list)


def test_big_list_rejects_a_second_name() -> None:
    from mpokit._yaml import load_list_items

    item = "    a: 1\n"
    text = "channels:\n" + "".join(f'  - name: "c{i}"\n' + item for i in range(3))
    assert load_list_items(text, "channels") is not None
    assert load_list_items(text + '  - name: "z"\n    name: "y"\n' + item, "channels") is None
