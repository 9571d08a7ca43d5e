"""Station export layouts: the generic IL/RL columns and user mapping files.

The generic layout (see ``docs/store.md``) has the columns ``serial, end, fiber,
wavelength_nm, il_db, rl_db, station, timestamp`` and optionally ``lot`` and ``supplier``.
Another station's export is read with a small YAML mapping file::

    columns:            # mpokit field: the column header in the station's file
      serial: "Serial No."
      fiber: "Fiber #"
      wavelength_nm: "Lambda"
      il_db: "IL (dB)"
      rl_db: "RL (dB)"
    constants:          # fields the file does not hold, the same for every row
      end: A
      station: bench-7
    ignore: ["Operator"]   # columns present but not imported

Example:
    >>> m = parse_mapping("columns: {il_db: 'IL (dB)'}\\nconstants: {station: s1}")
    >>> m.column_for("il_db"), m.column_for("fiber"), m.constants["station"]
    ('IL (dB)', 'fiber', 's1')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from mpokit._files import read_input_text
from mpokit._yaml import load_yaml, validate_model
from mpokit.standards._records import Strict

__all__ = ["FIELDS", "OPTIONAL_FIELDS", "REQUIRED_FIELDS", "Mapping", "parse_mapping",
           "read_mapping"]

FieldName = Literal["serial", "end", "fiber", "wavelength_nm", "il_db", "rl_db", "station",
                    "timestamp", "lot", "supplier"]
REQUIRED_FIELDS: tuple[str, ...] = ("serial", "end", "fiber", "wavelength_nm", "il_db",
                                    "station")
OPTIONAL_FIELDS: tuple[str, ...] = ("rl_db", "timestamp", "lot", "supplier")
FIELDS: tuple[str, ...] = REQUIRED_FIELDS + OPTIONAL_FIELDS


class Mapping(Strict):
    """How a station's columns map onto mpokit's fields."""

    columns: dict[FieldName, str] = Field(default_factory=dict)
    constants: dict[FieldName, str] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)

    def column_for(self, field: str) -> str:
        """The file's column header holding ``field`` (the field's own name by default).

        Parameters
        ----------
        field
            A measurement field name.

        Returns
        -------
        str
            The column header.
        """
        return self.columns.get(field, field)  # type: ignore[call-overload]


GENERIC = Mapping()


def parse_mapping(text: str, *, file: str = "<mapping>") -> Mapping:
    """Validate a mapping file's YAML text.

    Parameters
    ----------
    text
        The YAML text.
    file
        Its name, for error messages.

    Returns
    -------
    Mapping
        The validated mapping.
    """
    data, lines = load_yaml(text, file=file)
    return validate_model(data or {}, Mapping, lines)


def read_mapping(path: str | os.PathLike[str]) -> Mapping:
    """Read a mapping file (see :func:`parse_mapping`).

    Parameters
    ----------
    path
        A YAML mapping file.

    Returns
    -------
    Mapping
        The validated mapping.
    """
    p = Path(path)
    text = read_input_text(p)  # names the file: not found, a folder, too big, not UTF-8
    return parse_mapping(text, file=str(p))
