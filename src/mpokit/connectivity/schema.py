"""The JSON Schema of the channel file, generated from the pydantic models.

``python -m mpokit.connectivity.schema > docs/channel-file.schema.json`` regenerates
the committed copy; a test keeps the two equal.

>>> sorted(channel_file_schema()["$defs"])[:3]
['AdapterElement', 'AdapterSpec', 'BreakoutElement']
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from mpokit.connectivity.spec import ChannelFile, ChannelSpec

__all__ = ["channel_file_schema"]


def channel_file_schema() -> dict[str, Any]:
    """One channel, or a list of channels under ``channels:``."""
    schema = TypeAdapter(ChannelSpec | ChannelFile).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mpokit channel file"
    schema["description"] = (
        "A channel from transceiver A to transceiver B through cords, adapters, trunks, "
        "cassettes, breakouts, splices and OCS ports; or a list of them under 'channels'. "
        "See docs/channel-file.md."
    )
    return schema


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(channel_file_schema(), indent=2, sort_keys=True))
