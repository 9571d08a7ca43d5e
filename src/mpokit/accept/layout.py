"""A tester export's own columns mapped onto the generic results layout (a small YAML file).

::

    columns:              # mpokit field: the column header in the tester's export
      label: "Cable ID"
      fiber: "Fiber"
      far_fiber: "Far End Fiber"
      loss_db: "Loss (dB)"
      length_m: "Length"
    units:                # the unit of a column whose cells carry none
      length_m: ft
    constants:            # a field the export does not hold, the same for every row
      wavelength_nm: "850"

Every field keeps the generic layout's meaning and checks (docs/accept.md); a column the
mapping names but the file lacks is refused with the mapping's and the file's names.

>>> m = parse_layout("columns: {label: 'Cable ID'}\\nunits: {length_m: ft}")
>>> m.columns["label"], m.units["length_m"]
('Cable ID', 'ft')
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field

from mpokit._yaml import parse_model, read_model
from mpokit.standards._records import Strict

__all__ = ["Layout", "parse_layout", "read_layout"]

FieldName = Literal["label", "fiber", "wavelength_nm", "loss_db", "far_fiber", "length_m",
                    "verdict", "serial", "tested_at", "tester"]


class Layout(Strict):
    """How a tester export's columns map onto the generic layout's fields."""

    columns: dict[FieldName, str] = Field(default_factory=dict)
    units: dict[Literal["length_m"], Literal["m", "ft", "km"]] = Field(default_factory=dict)
    constants: dict[FieldName, str] = Field(default_factory=dict)


def parse_layout(text: str, *, file: str = "<layout>") -> Layout:
    """Validate a layout file's YAML text.

    Parameters
    ----------
    text
        The YAML text.
    file
        Its name, for error messages.

    Returns
    -------
    Layout
        The validated layout.

    Examples
    --------
    >>> parse_layout("colums: {}")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mpokit.errors.InputError: <layout>:1: colums: ...
    """
    return parse_model(text, Layout, file=file, empty_is_default=True)


def read_layout(path: str | os.PathLike[str]) -> Layout:
    """Read a layout file (see :func:`parse_layout`).

    Parameters
    ----------
    path
        A YAML layout file.

    Returns
    -------
    Layout
        The validated layout.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "l.yaml"
    >>> _ = p.write_text("columns: {loss_db: 'Loss (dB)'}")
    >>> read_layout(p).columns
    {'loss_db': 'Loss (dB)'}
    """
    return read_model(path, Layout, empty_is_default=True)
