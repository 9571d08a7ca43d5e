"""What the cabling step produces: link modes, cable parts, designs and the cable table.

>>> LinkMode.OCS.code, LinkMode.from_code(1)
(5, <LinkMode.STRUCTURED: 'structured'>)
>>> Part("trunk", "MPO-12", "OS2", 144, type="A", polish="APC", ends="M-M").description
'MPO-12 trunk type A M-M 144f OS2 APC'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from mpokit.connectivity.spec import ELEMENT_KINDS, ChannelSpec, EndSpec
from mpokit.errors import DesignError
from mpokit.plan.catalog import OpticRecord

if TYPE_CHECKING:
    from mpokit.plan.verdict import DesignCheck

__all__ = ["CableTable", "Cabling", "Design", "Element", "LinkMode", "Part"]


class LinkMode(StrEnum):
    """How a link is cabled (see :mod:`mpokit.plan.cabling` for the element sequences).

    The value is the word written in reports; :attr:`code` is the integer stored in the
    planner's per-link arrays.
    """

    DIRECT = "direct"
    STRUCTURED = "structured"
    BREAKOUT = "breakout"
    DAC = "dac"
    ACC = "acc"
    OCS = "ocs"

    @property
    def code(self) -> int:
        """The integer of this mode in per-link arrays."""
        return _MODES.index(self)

    @staticmethod
    def from_code(code: int) -> LinkMode:
        """The mode stored as ``code`` in a per-link array."""
        return _MODES[code]


_MODES: tuple[LinkMode, ...] = tuple(LinkMode)

Element = tuple[str, dict[str, Any], int | None]
"""One path element of a design: kind, channel-file body, length slot (None: no length)."""


@dataclass(frozen=True)
class Part:
    """A cable part (without length): what the BOM groups by."""

    kind: str  # cord | trunk | breakout | dac | acc
    connector: str
    fiber: str
    fibers: int
    type: str = ""
    polish: str = ""
    ends: str = ""
    diameter_mm: float = 3.0

    @property
    def description(self) -> str:
        """Human description, e.g. ``MPO-12 cord type B F-F OS2 APC``."""
        bits = [self.connector, self.kind]
        if self.type:
            bits.append(f"type {self.type}")
        if self.ends:
            bits.append(self.ends)
        if self.kind == "trunk":
            bits.append(f"{self.fibers}f")
        bits += [self.fiber, self.polish]
        return " ".join(b for b in bits if b)


@dataclass
class Design:
    """Channels sharing one element sequence; lengths differ per channel."""

    cls: str
    mode: LinkMode
    optic: OpticRecord | None
    a_model: str
    a_port: int  # 0: single-port module (port 1, written bare)
    b_model: str
    b_port: int
    elements: list[Element]
    a_dev: np.ndarray
    a_dport: np.ndarray
    b_dev: np.ndarray
    b_dport: np.ndarray
    lengths: np.ndarray  # (n_channels, n_slots) metres, rounded to standard lengths
    result: DesignCheck | None = None  # set by plan.verify
    loss_margin_db: np.ndarray | None = None
    over_reach: np.ndarray | None = None  # per channel: longer than every offered optic reaches

    @property
    def n_channels(self) -> int:
        """Channels of this design."""
        return int(self.a_dev.size)

    def run_lengths(self) -> np.ndarray:
        """(n_channels, runs) lengths in the order the channel's fiber runs appear.

        Returns
        -------
        numpy.ndarray
            Shape (n_channels, runs), in metres.
        """
        slots = [slot for _, _, slot in self.elements if slot is not None]
        return self.lengths[:, slots] if slots else np.zeros((self.n_channels, 0))

    def spec(self, i: int = 0, name: str | None = None) -> ChannelSpec:
        """Channel ``i`` as a typed :class:`ChannelSpec`, handed to the checks directly.

        Parameters
        ----------
        i
            The channel of this design (its lengths).
        name
            The channel's name.

        Returns
        -------
        ChannelSpec
            Its ends and path; a part the schema rejects is a :class:`DesignError`.
        """
        def end(model: str, port: int) -> str | EndSpec:
            return model if port == 0 else EndSpec(transceiver=model, port=port)

        try:
            path = []
            for kind, body, slot in self.elements:
                element = ELEMENT_KINDS[kind]
                fields = dict(body)
                if slot is not None:
                    fields["length_m"] = float(self.lengths[i, slot])
                body_type: Any = element.model_fields[kind].annotation
                path.append(element(**{kind: body_type(**fields)}))
            return ChannelSpec(name=name, a=end(self.a_model, self.a_port),
                               b=end(self.b_model, self.b_port), path=tuple(path))
        except ValidationError as exc:
            raise DesignError(f"{self.cls} {self.mode} design: {exc}") from None


class CableTable:
    """Physical cables as columns (numpy arrays), appended in chunks."""

    COLUMNS = ("part", "length_m", "cls", "a_rack", "a_ru", "a_dev", "a_port", "a_port_hi",
               "a_panel", "a_panel_hi", "b_rack", "b_ru", "b_dev", "b_port", "b_port_hi",
               "b_panel", "b_panel_hi", "b2_dev", "b2_port", "legs")
    """``*_hi``: the last panel and port of a trunk end that spans a range (else -1)."""

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []
        self._cols: dict[str, np.ndarray] | None = None

    def add(self, n: int, **cols: Any) -> None:
        """Append ``n`` rows; missing integer columns are -1 (``legs`` 1).

        Parameters
        ----------
        n
            Number of rows.
        **cols
            Column values (scalars or arrays of length ``n``) by column name.
        """
        chunk: dict[str, np.ndarray] = {}
        for c in self.COLUMNS:
            default = 1 if c == "legs" else -1
            v = cols.get(c, default)
            arr = np.broadcast_to(np.asarray(v), (n,))
            chunk[c] = arr.astype(float if c == "length_m" else np.int64)
        self._chunks.append(chunk)
        self._cols = None

    @property
    def cols(self) -> dict[str, np.ndarray]:
        """All columns, concatenated."""
        if self._cols is None:
            if not self._chunks:
                self._cols = {c: np.zeros(0, dtype=np.int64) for c in self.COLUMNS}
            else:
                self._cols = {c: np.concatenate([ch[c] for ch in self._chunks])
                              for c in self.COLUMNS}
        return self._cols

    def __len__(self) -> int:
        return int(self.cols["part"].size)


@dataclass
class Cabling:
    """Designs, cables, parts and per-rack panel usage of a plan."""

    designs: list[Design] = field(default_factory=list)
    cables: CableTable = field(default_factory=CableTable)
    parts: list[Part] = field(default_factory=list)
    part_index: dict[Part, int] = field(default_factory=dict)
    transceivers: dict[str, int] = field(default_factory=dict)
    rack_panels: dict[str, np.ndarray] = field(default_factory=dict)  # model -> count per rack
    rack_panel_total: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rack_ru_used: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # every panel placed: (model, height in RU, rack, number in its rack, top RU) per call
    placed_panels: list[tuple[str, int, np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=list)
    adapters: dict[str, int] = field(default_factory=dict)
    cassettes: dict[str, int] = field(default_factory=dict)
    reach_exceeded: int = 0
    notes: list[str] = field(default_factory=list)

    def part(self, p: Part) -> int:
        """Index of part ``p``, registering it on first use.

        Parameters
        ----------
        p
            A part (kind, connector, fiber, type, ends).

        Returns
        -------
        int
            Its index in :attr:`parts` (the ``part`` column of the cable table).
        """
        if p not in self.part_index:
            self.part_index[p] = len(self.parts)
            self.parts.append(p)
        return self.part_index[p]

    def count_transceiver(self, model: str, n: int) -> None:
        """Add ``n`` modules of ``model``.

        Parameters
        ----------
        model
            The transceiver model.
        n
            How many more.
        """
        if n:
            self.transceivers[model] = self.transceivers.get(model, 0) + int(n)

    def count_panel_units(self, model: str, n: int, *, cassette: bool) -> None:
        """Add ``n`` MPO adapters (or cassettes) of ``model``.

        Parameters
        ----------
        model
            The adapter description or the cassette model.
        n
            How many more.
        cassette
            True for cassettes, False for MPO adapters.
        """
        book = self.cassettes if cassette else self.adapters
        book[model] = book.get(model, 0) + int(n)
