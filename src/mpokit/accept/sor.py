"""A small writer of Telcordia SR-4731 issue 2 (``.sor``) OTDR files with known events.

Used by the field-results simulator and the tests: the files it writes are read back with
the ``otdrs`` parser like any instrument's. Block layout (little-endian; ``s`` is a
zero-terminated string, ``cN`` a fixed N-byte text):

* ``Map``: name s, revision u16 (200), block size u32, block count u16, then per block
  name s, revision u16, size u32;
* ``GenParams``: name s, language c2, cable id s, fiber id s, fiber type i16, nominal
  wavelength u16 (nm), originating s, terminating s, cable code s, data flag c2, user offset
  i32 (100 ps), user offset distance i32, operator s, comment s;
* ``SupParams``: name s, then seven strings (supplier, mainframe id and serial, module id
  and serial, software, other);
* ``FxdParams``: name s, date u32, units c2, actual wavelength u16 (0.1 nm), acquisition
  offset i32, its distance i32, pulse widths u16, pulse width u16, data spacing u32, points
  u32, group index u32 (x 100000), backscatter u16, averages u32, averaging time u16,
  range u32, range distance i32, front panel offset i32, noise floor u16, its scale i16,
  power offset u16, loss / reflectance / end-of-fiber thresholds u16 x 3, trace type c2,
  four window coordinates i32;
* ``KeyEvents``: name s, count u16, per event number u16, travel time u32 (100 ps, one
  way), attenuation i16 (dB/km x 1000), loss i16 (dB x 1000), reflectance i32 (dB x 1000),
  code c6, technique c2, five markers i32, comment s; then end-to-end loss i32, two markers
  i32, optical return loss u16, two markers i32;
* ``DataPts``: name s, points u32, scale factors u16, points u32, scale u16, values u16;
* ``Cksum``: name s, CRC-16/CCITT (poly 0x1021, init 0xFFFF) u16 of every byte before the
  block (what ``otdrs`` validates as its preceding-bytes strategy).

Distances: an event at ``d`` metres past the end of the launch cord has travel time
``(launch_m + d) * n / c`` and the launch cord is the user offset.

>>> from mpokit.accept.otdr import parse_sor
>>> data = generate_sor(SorEvent(0.0, 0.3, -50.0), SorEvent(40.0, 0.5, None),
...                     label="x", fiber=1, wavelength_nm=1310, launch_m=100.0)
>>> [(round(e.distance_m, 1), e.loss_db) for e in parse_sor(data).events]
[(0.0, 0.3), (40.0, 0.5)]
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

__all__ = ["C_M_PER_S", "SorEvent", "crc16_ccitt", "generate_sor", "time_units"]

C_M_PER_S = 299_792_458.0
GROUP_INDEX = 1.4680


@dataclass(frozen=True)
class SorEvent:
    """One key event: distance past the launch cord, loss, reflectance (None: non-reflective).

    ``end`` marks the end-of-fiber event.
    """

    distance_m: float
    loss_db: float
    reflectance_db: float | None
    end: bool = False


def time_units(distance_m: float, group_index: float = GROUP_INDEX) -> int:
    """One-way travel time over ``distance_m`` in 100 ps units.

    Parameters
    ----------
    distance_m
        Metres of fiber.
    group_index
        The fiber's group index.

    Returns
    -------
    int
        Travel time in units of 100 ps.

    Examples
    --------
    >>> time_units(100.0)
    4897
    """
    return round(distance_m * group_index / C_M_PER_S / 1e-10)


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of ``data``.

    Parameters
    ----------
    data
        Bytes.

    Returns
    -------
    int
        The 16-bit CRC.

    Examples
    --------
    >>> hex(crc16_ccitt(b"123456789"))
    '0x29b1'
    """
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _s(text: str) -> bytes:
    return text.encode("latin-1") + b"\0"


def _c(text: str, n: int) -> bytes:
    return text.encode("latin-1")[:n].ljust(n, b" ")


def _trace(events: tuple[SorEvent, ...], launch_m: float, n_points: int, spacing_m: float,
           db_per_km: float) -> np.ndarray:
    """A plausible backscatter trace (dB x 1000 below the first point) with the events."""
    x = np.arange(n_points) * spacing_m - launch_m
    level = (x + launch_m) * db_per_km / 1000.0
    for e in events:
        level = level + np.where(x >= e.distance_m, e.loss_db, 0.0)
        if e.reflectance_db is not None:
            spike = np.abs(x - e.distance_m) < spacing_m * 1.5
            level = np.where(spike, level - 4.0, level)
    end = max((e.distance_m for e in events if e.end), default=x[-1])
    level = np.where(x > end + spacing_m * 2, 40.0, level)
    return np.clip(np.round(level * 1000.0 + 2000.0), 0, 65535).astype("<u2")


def generate_sor(*events: SorEvent, label: str, fiber: int, wavelength_nm: float,
                 launch_m: float = 0.0, db_per_km: float = 0.35,
                 group_index: float = GROUP_INDEX, n_points: int = 2000,
                 supplier: str = "mpokit simulator") -> bytes:
    """The bytes of an SR-4731 issue 2 file holding ``events`` (see the module docstring).

    Parameters
    ----------
    *events
        Key events, distances past the launch cord.
    label
        The channel label, written as the cable id.
    fiber
        The 1-based end-A position traced, written as the fiber id.
    wavelength_nm
        Test wavelength.
    launch_m
        Launch cord length (the user offset).
    db_per_km
        Fiber attenuation written with every event and used for the trace.
    group_index
        The fiber's group index.
    n_points
        Trace points.
    supplier
        The supplier name field.

    Returns
    -------
    bytes
        A complete file with a checksum block.

    Examples
    --------
    >>> generate_sor(SorEvent(0.0, 0.2, None), label="x", fiber=1, wavelength_nm=850)[:4]
    b'Map\\x00'
    """
    evs = tuple(sorted(events, key=lambda e: e.distance_m))
    last = max((e.distance_m for e in evs), default=0.0)
    spacing_m = max((launch_m + last) * 1.5 / n_points, 0.05)
    spacing_t = time_units(spacing_m * 10_000, group_index)  # 10,000 points in 100 ps
    gen = (_s("GenParams") + _c("EN", 2) + _s(label) + _s(str(fiber))
           + struct.pack("<hH", 652 if wavelength_nm > 1000 else 651, int(wavelength_nm))
           + _s("end A") + _s("end B") + _s("") + _c("BC", 2)
           + struct.pack("<ii", time_units(launch_m, group_index), int(launch_m * 10))
           + _s("") + _s(""))
    sup = _s("SupParams") + b"".join(_s(x) for x in (supplier, "SIM", "0", "SIM", "0",
                                                      "1.0", ""))
    fxd = (_s("FxdParams") + struct.pack("<I", 1_764_547_200) + _c("mt", 2)
           + struct.pack("<Hii", round(wavelength_nm * 10), 0, 0)
           + struct.pack("<HHII", 1, 100, spacing_t, n_points)
           + struct.pack("<IHIHIiiHhHHHH", round(group_index * 100_000), 800, 1000, 30,
                         time_units(spacing_m * n_points, group_index),
                         int(spacing_m * n_points * 10), 0, 25000, 1000, 0, 200, 65000, 3000)
           + _c("ST", 2) + struct.pack("<iiii", 0, 0, 0, 0))
    body = b""
    for k, e in enumerate(evs):
        t = time_units(launch_m + e.distance_m, group_index)
        refl = 0 if e.reflectance_db is None else round(e.reflectance_db * 1000)
        code = ("1" if e.reflectance_db is not None else "0") + ("E" if e.end else "F") + "9999"
        body += (struct.pack("<HIhhi", k + 1, t, round(db_per_km * 1000),
                             round(e.loss_db * 1000), refl)
                 + _c(code, 6) + _c("LS", 2) + struct.pack("<iiiii", t, t, t, t, t) + _s(""))
    total = sum(e.loss_db for e in evs) + last * db_per_km / 1000
    keys = (_s("KeyEvents") + struct.pack("<H", len(evs)) + body
            + struct.pack("<iiiHii", round(total * 1000), 0,
                          time_units(launch_m + last, group_index), 45000, 0,
                          time_units(launch_m + last, group_index)))
    trace = _trace(evs, launch_m, n_points, spacing_m, db_per_km)
    pts = (_s("DataPts") + struct.pack("<IHIH", n_points, 1, n_points, 1000)
           + trace.tobytes())
    blocks = [("GenParams", gen), ("SupParams", sup), ("FxdParams", fxd),
              ("KeyEvents", keys), ("DataPts", pts)]
    cks_size = len(_s("Cksum")) + 2
    names = [n for n, _ in blocks] + ["Cksum"]
    sizes = [len(b) for _, b in blocks] + [cks_size]
    map_size = len(_s("Map")) + 2 + 4 + 2 + sum(len(_s(n)) + 6 for n in names)
    head = _s("Map") + struct.pack("<HIH", 200, map_size, len(names) + 1)
    head += b"".join(_s(n) + struct.pack("<HI", 200, s) for n, s in zip(names, sizes,
                                                                         strict=True))
    data = head + b"".join(b for _, b in blocks)
    return data + _s("Cksum") + struct.pack("<H", crc16_ccitt(data))
