"""All of pydantic's errors as InputErrors: every problem, in file order, with "did you mean"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mpokit._yaml import load_yaml, validation_error, validation_errors
from mpokit.connectivity.io import parse_channels
from mpokit.connectivity.spec import CordElement
from mpokit.errors import MAX_REPORTED, InputError, InputErrors
from mpokit.plan.spec import parse_spec


def errors_of(text: str) -> list[InputError]:
    data, lines = load_yaml(text, file="c.yaml")
    try:
        CordElement.model_validate(data)
    except ValidationError as exc:
        return validation_errors(exc, lines, model=CordElement)
    raise AssertionError("expected a validation error")


def test_a_misspelt_optional_key_gets_did_you_mean() -> None:
    (e,) = errors_of("cord: {connector: LC, type: A-B, fiber: OM4, length_m: 2, polsh: UPC}\n")
    assert (e.field, e.message, e.fix) == ("cord.polsh", "unknown key 'polsh'",
                                           "did you mean 'polish'?")


def test_a_misspelt_required_key_is_reported_once() -> None:
    (e,) = errors_of("cord: {connector: LC, type: A-B, fiber: OM4, lenght_m: 2}\n")
    assert e.message == "unknown key 'lenght_m'" and e.fix == "did you mean 'length_m'?"


def test_every_error_in_line_order() -> None:
    errs = errors_of("cord:\n  connector: LC\n  fiber: OM9\n  type: A-B\n  length_m: -1\n"
                     "  colour: red\n")
    assert [e.line for e in errs] == sorted(e.line or 0 for e in errs)
    assert {e.field for e in errs} == {"cord.fiber", "cord.length_m", "cord.colour"}


def test_validation_error_bundles_and_caps() -> None:
    text = "cord:\n" + "".join(f"  extra{i}: 1\n" for i in range(MAX_REPORTED + 5))
    data, lines = load_yaml(text + "  connector: LC\n  type: A-B\n  fiber: OM4\n  length_m: 1\n",
                            file="c.yaml")
    with pytest.raises(ValidationError) as info:
        CordElement.model_validate(data)
    err = validation_error(info.value, lines, model=CordElement)
    assert isinstance(err, InputErrors) and err.truncated
    assert len(err.errors) == MAX_REPORTED
    assert err.line == 2 and err.field == "cord.extra0"  # the first error leads
    assert f"stopped after {MAX_REPORTED} errors" in str(err)


def test_errors_of_several_channels_come_together() -> None:
    text = ("channels:\n"
            "  - {a: 10GBASE-SR, b: 10GBASE-SR, pth: []}\n"
            "  - {a: 10GBASE-SR, b: 10GBASE-SRX, path: [{cord: {connector: LC, type: A-B,"
            " fiber: OM4, length_m: 1}}]}\n")
    data, lines = load_yaml(text, file="c.yaml")
    with pytest.raises(InputErrors) as info:
        parse_channels(data, lines)
    lines_fields = [(e.line, e.field) for e in info.value.errors]
    assert lines_fields == [(2, "channels[0].pth"), (3, "channels[1].b")]
    assert "did you mean 'path'?" in str(info.value)
    assert "did you mean '10GBASE-SR'" in str(info.value)


def test_cluster_spec_reports_every_error_with_did_you_mean() -> None:
    text = ("cluster: {name: x, nodes: 4, rails: 8, nic_speed_gbps: 400}\n"
            "fabric: {scalable_unit: 32, switch: {ports: 64, port_speed_gbps: 400, cages: 32,"
            " modle: QM9700}}\n"
            "cabeling: {}\n")
    data, lines = load_yaml(text, file="s.yaml")
    with pytest.raises(InputErrors) as info:
        parse_spec(data, lines)
    got = {(e.line, e.field, e.fix) for e in info.value.errors}
    assert got == {(2, "fabric.switch.modle", "did you mean 'model'?"),
                   (3, "cabeling", "did you mean 'cabling'?")}


ITEM = """\
  - name: "leaf{i:05d}"
    a: 400GBASE-DR4
    b: 400GBASE-DR4
    path:
      - cord: {{connector: MPO-12, type: B, polish: APC, fiber: OS2, {key}: 3}}
"""


def test_a_big_list_names_the_line_without_indexing_the_whole_file() -> None:
    """Errors in a plan-sized file name their line as the full index would (and fast)."""
    from mpokit._yaml import Lines

    bad = {1234, 2999}
    text = "channels:\n" + "".join(
        ITEM.format(i=i, key="lenght_m" if i in bad else "length_m") for i in range(3000))
    assert len(text) > 256_000
    data, lines = load_yaml(text, file="big.yaml")
    with pytest.raises(InputErrors) as info:
        parse_channels(data, lines)
    assert lines._by_path is None  # no whole-file index was built
    got = [(e.line, e.field) for e in info.value.errors]
    assert got == [(5 * i + 6, f"channels[{i}].path[0].cord.lenght_m") for i in sorted(bad)]
    full = Lines("big.yaml", None, text)
    assert all(full.by_path[("channels", i, "path", 0, "cord", "lenght_m")] == 5 * i + 6
               for i in bad)
