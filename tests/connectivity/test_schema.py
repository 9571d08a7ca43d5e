"""The committed JSON Schema is current, and every example validates against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from mpokit.connectivity.schema import channel_file_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "channel-file.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert json.loads(SCHEMA.read_text()) == json.loads(
        json.dumps(channel_file_schema(), sort_keys=True)
    ), "run: python -m mpokit.connectivity.schema > docs/channel-file.schema.json"


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "examples" / "channels").glob("*.yaml"))
    + sorted((ROOT / "examples" / "mistakes").glob("*.yaml")),
    ids=lambda p: p.stem,
)
def test_example_validates_against_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), json.loads(SCHEMA.read_text()))


def test_schema_rejects_unknown_keys() -> None:
    bad = {"a": "x", "b": "y", "path": [{"cord": {"connector": "MPO-12", "type": "B",
                                                   "fiber": "OS2", "length_m": 1, "colour": 1}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads(SCHEMA.read_text()))
