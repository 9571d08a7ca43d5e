"""Connector families, polishes and transceiver MDIs as typed catalogue records.

Positions are numbered in the plug-face frame (docs/frames.md): looking at the end face
of a plug, key up, position 1 on the left, key-side row first. Position ``p`` (1-based)
sits in row ``(p-1) // columns`` and column ``(p-1) % columns``.

>>> c = connector("MPO-12")
>>> c.positions, c.xy_um[0].tolist()
(12, [-1375.0, 0.0])
>>> connector("MPO-8").populated_mask.sum()
np.int64(8)
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from mpokit.standards._records import Record, Strict
from mpokit.standards.catalog import Catalog

__all__ = [
    "Connector",
    "Gender",
    "KeyStyle",
    "MdiPort",
    "Polish",
    "PolishSpec",
    "Transceiver",
    "connector",
    "connectors",
    "polishes",
    "transceiver",
    "transceivers",
]

Gender = Literal["male", "female", "none"]
"""``male`` = pinned, ``female`` = unpinned, ``none`` = genderless (LC)."""
KeyStyle = Literal["centred", "offset", "latch"]
Polish = Literal["UPC", "APC"]


class Connector(Record):
    """A connector family: ferrule footprint, key style and populated positions."""

    family: Literal["MPO", "LC"]
    ferrule: str
    rows: int = Field(ge=1, le=4)
    columns: int = Field(ge=1, le=32)
    pitch_um: float = Field(gt=0)
    row_pitch_um: float = 0.0
    key: KeyStyle
    populated: tuple[int, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> Connector:
        n = self.rows * self.columns
        for p in self.populated or ():
            if not 1 <= p <= n:
                raise ValueError(f"populated position {p} outside 1..{n}")
        if self.rows > 1 and self.row_pitch_um <= 0:
            raise ValueError("row_pitch_um must be > 0 for multi-row ferrules")
        return self

    @property
    def positions(self) -> int:
        """Number of positions on the ferrule (populated or not)."""
        return self.rows * self.columns

    @property
    def fibers(self) -> int:
        """Number of populated positions."""
        return len(self.populated) if self.populated else self.positions

    @cached_property
    def populated_mask(self) -> np.ndarray:
        """Boolean array over positions (0-based): True where a fiber sits."""
        mask = np.zeros(self.positions, dtype=bool)
        if self.populated:
            mask[np.asarray(self.populated) - 1] = True
        else:
            mask[:] = True
        return mask

    @cached_property
    def xy_um(self) -> np.ndarray:
        """(positions, 2) end-face coordinates in the plug-face frame, x right, y up."""
        idx = np.arange(self.positions)
        row, col = np.divmod(idx, self.columns)
        x = (col - (self.columns - 1) / 2) * self.pitch_um
        y = ((self.rows - 1) / 2 - row) * self.row_pitch_um
        return np.stack([x, y], axis=1).astype(float)

    def footprint(self) -> tuple[str, int, int, str]:
        """What two plugs must share to mate: ferrule, rows, columns and key style.

        Returns
        -------
        tuple[str, int, int, str]
            What decides whether two connectors mate.
        """
        return (self.ferrule, self.rows, self.columns, self.key)


class PolishSpec(Record):
    """An end-face polish."""

    end_face_angle_deg: float
    return_loss_db: float


class MdiPort(Strict):
    """One optical port of a transceiver, lanes as drawn in ``frame``.

    ``tx_nm`` / ``rx_nm`` give each lane's wavelength when it matters for the pairing:
    bidirectional (BiDi) ports such as 400GBASE-SR4.2 send one wavelength and receive
    another on the same fiber, so a position may then hold one Tx and one Rx lane of
    different wavelengths. A Tx lane reaches its receiver only at a far position whose Rx
    lane has the same wavelength.

    >>> MdiPort(connector="MPO-12", polish="UPC", tx=(1, 12), rx=(12, 1),
    ...         tx_nm=(850, 910), rx_nm=(850, 910)).bidi
    True
    """

    connector: str
    polish: Polish
    gender: Gender = "male"
    frame: Literal["module", "plug"] = "module"
    tx: tuple[int, ...]
    rx: tuple[int, ...]
    tx_nm: tuple[int, ...] | None = None
    rx_nm: tuple[int, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> MdiPort:
        if len(self.tx) != len(self.rx):
            raise ValueError("tx and rx must list the same number of lanes")
        if (self.tx_nm is None) != (self.rx_nm is None):
            raise ValueError("give both tx_nm and rx_nm (one wavelength per lane) or neither")
        if self.tx_nm is None or self.rx_nm is None:
            if len(set(self.tx) | set(self.rx)) != 2 * len(self.tx):
                raise ValueError("a position is used twice in tx/rx")
            return self
        if len(self.tx_nm) != len(self.tx) or len(self.rx_nm) != len(self.rx):
            raise ValueError("tx_nm and rx_nm list one wavelength per lane of tx and rx")
        if len(set(self.tx)) != len(self.tx) or len(set(self.rx)) != len(self.rx):
            raise ValueError("a position is used twice in tx (or twice in rx)")
        tx_w = dict(zip(self.tx, self.tx_nm, strict=True))
        for pos, w in zip(self.rx, self.rx_nm, strict=True):
            if tx_w.get(pos) == w:
                raise ValueError(f"position {pos} sends and receives at {w} nm; a "
                                 "bidirectional fiber needs two wavelengths")
        return self

    @property
    def bidi(self) -> bool:
        """True when some fiber carries both directions (two wavelengths)."""
        return bool(set(self.tx) & set(self.rx))


class Transceiver(Record):
    """A transceiver model: its PMD, media and MDI ports."""

    pmd: str
    media: Literal["MM", "SM"]
    lane_rate_gbps: float = Field(gt=0)
    lane_pmd: str | None = Field(
        default=None,
        description="The PMD of one lane pair when lanes of different modules interoperate "
        "(800GBASE-DR8 and 400GBASE-DR4 both carry 100G-DR lanes); default: ``pmd``.")
    pcs_tolerates_lane_order: bool = True
    ports: tuple[MdiPort, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Transceiver:
        for p in self.ports:
            c = connector(p.connector)  # raises CatalogError on unknown names
            n = c.positions
            for pos in (*p.tx, *p.rx):
                if not 1 <= pos <= n:
                    raise ValueError(f"lane position {pos} outside 1..{n} of {c.name}")
        return self

    @property
    def lanes(self) -> int:
        """Lanes per port."""
        return len(self.ports[0].tx)

    @property
    def lane_signature(self) -> str:
        """What one lane speaks: two ends talk only when their signatures are equal.

        >>> transceiver("800GBASE-DR8").lane_signature == transceiver("400GBASE-DR4").lane_signature
        True
        >>> transceiver("1.6TBASE-DR8").lane_signature
        '200G-DR'
        """
        return self.lane_pmd or self.pmd


@cache
def connectors() -> Catalog[Connector]:
    """The connector catalogue (built-in records)."""
    return Catalog.builtin("connector", Connector, "connectors", "connectors.yaml")


@cache
def polishes() -> Catalog[PolishSpec]:
    """The polish catalogue."""
    return Catalog.builtin("polish", PolishSpec, "polishes", "connectors.yaml")


@cache
def transceivers() -> Catalog[Transceiver]:
    """The transceiver catalogue (built-in records)."""
    return Catalog.builtin("transceiver", Transceiver, "transceivers", "transceivers.yaml")


def connector(name: str) -> Connector:
    """Look up a connector family by name (``CatalogError`` if unknown).

    Parameters
    ----------
    name
        A connector name (``MPO-12``, ``LC`` ...).

    Returns
    -------
    Connector
        The connector record.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return connectors().get(name)


def transceiver(name: str) -> Transceiver:
    """Look up a transceiver model by name (``CatalogError`` if unknown).

    Parameters
    ----------
    name
        A transceiver name (``400GBASE-DR4`` ...).

    Returns
    -------
    Transceiver
        Its ports, lanes and media.

    Raises
    ------
    CatalogError
        Unknown name, with close matches.
    """
    return transceivers().get(name)
