"""Checking each design once gives exactly what checking every channel on its own gives.

The per-channel path (``check_channel`` on every spec, ``json.dumps(indent=2)`` of one dict
per channel) is the reference; the design path (``ChannelSet`` -> ``check_set`` ->
``write_json``) must equal it field for field and, here, byte for byte.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpokit.connectivity import ChannelSet, ChannelSpec, compile_channel, read_channels
from mpokit.connectivity.spec import element_body, element_kind
from mpokit.verify import channel_dicts, check_channel, check_set, output, write_json

EX = Path(__file__).resolve().parents[2] / "examples"
FILES = [p for folder in ("channels", "mistakes", "loss")
         for p in sorted((EX / folder).glob("*.yaml"))]
SEEDS: list[ChannelSpec] = [s for f in FILES for s in read_channels(f)]


def relength(spec: ChannelSpec, factor: float) -> ChannelSpec:
    """The same element sequence with every length scaled (a different design, same shape)."""
    path = []
    for el in spec.path:
        kind = element_kind(el)
        body = element_body(el)
        if getattr(body, "length_m", None) is not None:
            body = body.model_copy(update={"length_m": round(body.length_m * factor, 3)})
        path.append(el.model_copy(update={kind: body}))
    return spec.model_copy(update={"path": tuple(path)})


def mixed() -> list[ChannelSpec]:
    """Every example, named, unnamed, repeated and with other lengths, interleaved."""
    out = []
    for k in range(3):
        for i, s in enumerate(SEEDS):
            name = None if (i + k) % 3 == 0 else f"ch{k}-{i}"
            out.append(relength(s, [1.0, 2.5, 40.0][k]).model_copy(update={"name": name}))
    out += [s.model_copy(update={"name": None}) for s in SEEDS[::2]]
    return out


def per_channel(specs: list[ChannelSpec], file: str) -> list[dict[str, Any]]:
    out = []
    for s in specs:
        d = check_channel(s).to_dict()
        d["file"] = file
        out.append(d)
    return out


def test_design_path_equals_per_channel_path_on_mixed_channels() -> None:
    specs = mixed()
    cs = ChannelSet.from_specs(specs)
    assert len(cs.designs) < len(specs)  # the test exercises sharing
    res = check_set(cs)
    assert channel_dicts([("f.yaml", res)]) == per_channel(specs, "f.yaml")
    assert res.ok.tolist() == [check_channel(s).ok for s in specs]
    assert not res.ok.all() and res.ok.any()  # passing and failing channels both present


def test_streamed_json_is_the_per_channel_dump_byte_for_byte() -> None:
    specs = mixed()
    half = len(specs) // 2
    a, b = ChannelSet.from_specs(specs[:half]), ChannelSet.from_specs(specs[half:])
    buf = io.StringIO()
    write_json(buf, [("a.yaml", check_set(a)), ("b.yaml", check_set(b))])
    ref = per_channel(specs[:half], "a.yaml") + per_channel(specs[half:], "b.yaml")
    expected = json.dumps({"ok": all(d["ok"] for d in ref), "channels": ref}, indent=2)
    assert buf.getvalue() == expected + "\n"


def test_names_the_file_left_out_get_their_own_designs_default_name() -> None:
    s = SEEDS[0]
    specs = [s.model_copy(update={"name": "given"}), s.model_copy(update={"name": None})]
    res = check_set(ChannelSet.from_specs(specs))
    assert [res.name(0), res.name(1)] == ["given", check_channel(specs[1]).name]


def test_with_spec_equals_compiling_again() -> None:
    for s in SEEDS:
        longer = relength(s, 3.0)
        a = compile_channel(s).with_spec(longer)
        b = compile_channel(longer)
        assert a.runs == b.runs and a.spec == b.spec and a.matings == b.matings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEEDS) - 1), st.sampled_from([1.0, 0.5, 7.0, 90.0]),
                          st.one_of(st.none(), st.text(max_size=5))), min_size=1, max_size=25))
def test_dedup_never_changes_a_verdict(draws: list[tuple[int, float, str | None]]) -> None:
    specs = [relength(SEEDS[i], f).model_copy(update={"name": n}) for i, f, n in draws]
    res = check_set(ChannelSet.from_specs(specs))
    for i, s in enumerate(specs):
        alone = check_channel(s)
        got = res.result(i)
        assert got.ok == alone.ok == bool(res.ok[i])
        assert got.to_dict() == alone.to_dict()


@pytest.mark.parametrize("chunk", [1, 4, 7, 341 * 48])
def test_json_written_to_a_file_is_the_per_channel_dump_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """A stream with a file behind it gets the pieces as gathered bytes (``writev``): the
    same bytes as the text path, for plain, unnamed, empty, quoted and non-ASCII names,
    and with whatever the stream held before; names encoded ``chunk`` channels at a time
    (chunks with and without names that need escapes)."""
    monkeypatch.setattr(output, "_PER_CHUNK", chunk)
    specs = mixed()
    odd = ['say "hi"', "back\\slash", "tab\there", "ü-é ✓", "", "line\nbreak", "x" * 300]
    specs += [SEEDS[i % len(SEEDS)].model_copy(update={"name": n}) for i, n in enumerate(odd)]
    plain = [s.model_copy(update={"name": f"p{i}"}) for i, s in enumerate(SEEDS)]
    for chans in (specs, plain):
        results = [("a.yaml", check_set(ChannelSet.from_specs(chans)))]
        ref = per_channel(chans, "a.yaml")
        expected = json.dumps({"ok": all(d["ok"] for d in ref), "channels": ref}, indent=2)
        p = tmp_path / "out.json"
        with p.open("w", encoding="utf-8") as f:
            f.write("before ")
            write_json(f, results)
            f.write("after")
        assert p.read_text(encoding="utf-8") == "before " + expected + "\nafter"
        buf = io.StringIO()
        write_json(buf, results)
        assert buf.getvalue() == expected + "\n"
