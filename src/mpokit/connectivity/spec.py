"""The channel file, as pydantic models (the contract; docs/channel-file.md).

A channel runs from the transceiver at end ``a`` to the one at end ``b`` through the
elements of ``path``, listed from A to B. Each element is a one-key mapping whose key
is the element kind::

    name: leaf01-1 to spine01-1
    a: 400GBASE-DR4
    b: {transceiver: 800G-2xDR4, port: 2}
    path:
      - cord:    {connector: MPO-12, type: B, polish: APC, fiber: OS2, length_m: 3}
      - adapter: {type: A}
      - cord:    {connector: MPO-12, type: A, polish: APC, fiber: OS2, length_m: 3}

>>> ch = ChannelSpec.model_validate({"a": "10GBASE-SR", "b": "10GBASE-SR",
...     "path": [{"cord": {"connector": "LC", "type": "A-B", "fiber": "OM4", "length_m": 2}}]})
>>> ch.path[0].cord.type
'A-B'
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from mpokit._limits import limit
from mpokit.standards._records import Strict
from mpokit.standards.connectors import Gender, Polish

__all__ = [
    "AdapterElement",
    "AdapterSpec",
    "BreakoutElement",
    "BreakoutSpec",
    "CableSpec",
    "CassetteElement",
    "CassetteSpec",
    "ChannelFile",
    "ChannelSpec",
    "CordElement",
    "Element",
    "EndSpec",
    "FiberType",
    "OcsElement",
    "OcsSpec",
    "SpliceElement",
    "SpliceSpec",
    "TrunkElement",
    "element_body",
    "element_kind",
]

FiberType = Literal["OM3", "OM4", "OM5", "OS2", "OS1a"]
PlugGender = Literal["male", "female"]

_FIBERS = {f.upper(): f for f in ("OM3", "OM4", "OM5", "OS2", "OS1a")}
_GENDERS = {"male": "male", "pinned": "male", "female": "female", "unpinned": "female"}


def _norm_fiber(v: object) -> object:
    return _FIBERS.get(v.strip().upper(), v) if isinstance(v, str) else v


def _norm_polish(v: object) -> object:
    return v.strip().upper() if isinstance(v, str) else v


def _norm_ends(v: object) -> object:
    if isinstance(v, list | tuple):
        return [_GENDERS.get(e.strip().lower(), e) if isinstance(e, str) else e for e in v]
    return v
Grade = Annotated[str, Field(min_length=1, max_length=40)]
Loss = Annotated[float, Field(ge=0, le=60)]
Reflectance = Annotated[float, Field(le=0, ge=-100)]


class EndSpec(Strict):
    """A transceiver port at one end of a channel."""

    transceiver: str
    port: int = Field(default=1, ge=1)
    label: str | None = None


class CableSpec(Strict):
    """A cord or trunk: an array cable (MPO) or a duplex cord (LC).

    ``type`` is A, B or C for MPO cables and A-B or A-A for LC duplex cords;
    ``custom`` with ``map`` gives an explicit fiber map: ``map[i-1]`` is the position at
    end 2 of the fiber at position ``i`` of end 1 (0 = no fiber there).
    """

    connector: str
    type: str
    map: tuple[int, ...] | None = None
    polish: Polish | None = None
    ends: tuple[PlugGender, PlugGender] | None = None
    fiber: FiberType
    length_m: float = Field(ge=0, le=100_000)
    grade: Grade | tuple[Grade, Grade] | None = None
    attenuation_db_per_km: float | None = Field(default=None, ge=0, le=100)
    label: str | None = None

    _fiber = field_validator("fiber", mode="before")(_norm_fiber)
    _polish = field_validator("polish", mode="before")(_norm_polish)
    _ends = field_validator("ends", mode="before")(_norm_ends)

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        t = v.strip().upper()
        allowed = {"A", "B", "C", "A-B", "A-A", "CUSTOM"}
        if t not in allowed:
            raise ValueError(
                "cable type must be A, B or C (MPO), A-B or A-A (LC duplex), or custom with map"
            )
        return "custom" if t == "CUSTOM" else t

    @model_validator(mode="after")
    def _map(self) -> CableSpec:
        if self.type == "custom" and self.map is None:
            raise ValueError("type 'custom' needs 'map' (end-2 position of each end-1 position)")
        if self.map is not None and self.type != "custom":
            raise ValueError("'map' is only allowed with type 'custom'")
        return self


class AdapterSpec(Strict):
    """A mating adapter: type A (key-up/key-down) or B (key-up/key-up)."""

    type: Literal["A", "B"] = "A"
    connector: str | None = None
    loss_db: Loss | None = None
    reflectance_db: Reflectance | None = None
    grade: Grade | None = None
    label: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v


class CassetteSpec(Strict):
    """A cassette (MPO rear, duplex front ports) from the catalogue, used at one port."""

    model: str
    port: int = Field(default=1, ge=1)
    enter: Literal["front", "rear"] | None = None
    loss_db: Loss | None = None
    reflectance_db: Reflectance | None = None
    label: str | None = None


class BreakoutSpec(Strict):
    """A breakout harness from the catalogue; the channel follows leg ``leg``.

    ``polish`` is the trunk end's (default: APC for single-mode MPO, else UPC);
    ``leg_polish`` the legs' (default: the same rule, so LC legs are UPC).
    """

    model: str
    leg: int = Field(default=1, ge=1)
    enter: Literal["trunk", "leg"] | None = None
    polish: Polish | None = None
    leg_polish: Polish | None = None
    _fiber = field_validator("fiber", mode="before")(_norm_fiber)
    _polish = field_validator("polish", "leg_polish", mode="before")(_norm_polish)
    fiber: FiberType
    length_m: float = Field(default=1.0, ge=0, le=100_000)
    grade: Grade | None = None
    attenuation_db_per_km: float | None = Field(default=None, ge=0, le=100)
    label: str | None = None


class SpliceSpec(Strict):
    """A fusion or mechanical splice between two cables (position i to position i)."""

    loss_db: Loss | None = None
    reflectance_db: Reflectance | None = None
    label: str | None = None


class OcsSpec(Strict):
    """A circuit through an optical circuit switch: in port, cross-connect, out port.

    Each port is a receptacle whose internal ferrule has ``gender`` (default: pinned for
    MPO ports) and ``polish`` (default: the plug's); ``connector`` defaults to the plug's.
    The circuit is a crossover (position i to n+1-i; LC A to B), so identical cabling on
    every port works whichever ports a circuit joins.
    """

    loss_db: Loss | None = None
    reflectance_db: Reflectance | None = None
    model: str | None = None
    connector: str | None = None
    gender: Gender | None = None
    polish: Polish | None = None
    label: str | None = None


class CordElement(Strict):
    cord: CableSpec


class TrunkElement(Strict):
    trunk: CableSpec


class AdapterElement(Strict):
    adapter: AdapterSpec


class CassetteElement(Strict):
    cassette: CassetteSpec


class BreakoutElement(Strict):
    breakout: BreakoutSpec


class SpliceElement(Strict):
    splice: SpliceSpec


class OcsElement(Strict):
    ocs: OcsSpec


Element = (
    CordElement
    | TrunkElement
    | AdapterElement
    | CassetteElement
    | BreakoutElement
    | SpliceElement
    | OcsElement
)

ELEMENT_KINDS: dict[str, type[Strict]] = {
    "cord": CordElement,
    "trunk": TrunkElement,
    "adapter": AdapterElement,
    "cassette": CassetteElement,
    "breakout": BreakoutElement,
    "splice": SpliceElement,
    "ocs": OcsElement,
}


def element_kind(el: object) -> str:
    """The kind of a path element (``"cord"``, ``"adapter"`` ...).

    >>> element_kind(AdapterElement(adapter=AdapterSpec(type="B")))
    'adapter'
    """
    return next(iter(type(el).model_fields))  # type: ignore[attr-defined]


def element_body(el: object) -> Any:
    """The element's own spec (the value under its kind)."""
    return getattr(el, element_kind(el))


class ChannelSpec(Strict):
    """One channel: two transceiver ends and the path between them."""

    name: str | None = None
    a: str | EndSpec
    b: str | EndSpec
    path: tuple[Element, ...] = Field(min_length=1)

    @field_validator("path", mode="before")
    @classmethod
    def _bounded_path(cls, v: Any) -> Any:
        cap = limit("path_elements")
        if isinstance(v, list | tuple) and len(v) > cap:
            raise ValueError(f"{len(v)} path elements are over the limit of {cap} (raise it "
                             f"with MPOKIT_LIMIT_PATH_ELEMENTS={len(v)} if the channel is real)")
        return v

    def end(self, which: Literal["a", "b"]) -> EndSpec:
        """The end as an :class:`EndSpec` (a bare name means port 1).

        Parameters
        ----------
        which
            ``"a"`` or ``"b"``.

        Returns
        -------
        EndSpec
            The transceiver and port of that end.
        """
        e = self.a if which == "a" else self.b
        return EndSpec(transceiver=e) if isinstance(e, str) else e


class ChannelFile(Strict):
    """A file holding a list of channels under ``channels:``."""

    channels: tuple[ChannelSpec, ...] = Field(min_length=1)
