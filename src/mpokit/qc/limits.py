"""Resource limits for QC inputs: a tiny file must never make mpokit allocate gigabytes.

Every scan reader checks the array size a file *declares* before allocating it, against two
bounds:

* ``max_pixels`` (default 40 million, 320 MB as float64): the largest height map accepted.
  Real end-face interferometers export 0.3-4 megapixels (an MT-12 field of 3.2 x 0.6 mm at
  2 um is 0.5 Mpx; a 4k camera is 16 Mpx), so the default leaves ten times headroom.
  Raise it with ``--max-pixels`` or the environment variable ``MPOKIT_QC_MAX_PIXELS``.
* ``max_expansion`` (default 500): how many bytes of height data one byte of the file may
  expand to (compressed NPZ members, chunked or fill-value HDF5 datasets, sparse XYZ point
  lists). Measured height maps compress 1.1-20x (noise does not compress); a file that
  claims more is a zip bomb or a dataset that is mostly not there. Raise it with
  ``MPOKIT_QC_MAX_EXPANSION``.

Memory per scan is then bounded by about ``8 x max_pixels`` bytes for the map plus a few
working copies of it during analysis (see ``docs/qc.md``).

Example:
    >>> limits = ScanLimits(max_pixels=1000)
    >>> limits.check_pixels(20, 20, file="a.npz", field="height_nm")
    >>> try:
    ...     limits.check_pixels(100, 100, file="a.npz", field="height_nm")
    ... except InputError as exc:
    ...     print(exc.message)
    the height map declares 100 x 100 = 10,000 pixels, above the limit of 1,000 pixels (max_pixels)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from mpokit.errors import InputError

__all__ = ["DEFAULT_MAX_EXPANSION", "DEFAULT_MAX_PIXELS", "ScanLimits", "default_limits"]

DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_EXPANSION = 500.0
MAX_META_BYTES = 65_536
"""Largest metadata member (pixel_um, kind, serial ...) of an NPZ, in bytes."""


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"environment variable {name} must be a number, got {raw!r}",
                         field=name) from None
    if not value > 0 or value == float("inf"):
        raise InputError(f"environment variable {name} must be a positive number, got {raw!r}",
                         field=name)
    return value


@dataclass(frozen=True)
class ScanLimits:
    """Bounds on what one scan file may make mpokit allocate (see the module docstring)."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_expansion: float = DEFAULT_MAX_EXPANSION

    def check_pixels(self, ny: int, nx: int, *, file: str | None, field: str) -> None:
        """Raise ``InputError`` when an ``ny x nx`` map is above ``max_pixels``.

        Parameters
        ----------
        ny, nx
            The map's declared rows and columns.
        file, field
            Named in the error.
        """
        n = int(ny) * int(nx)
        if n > self.max_pixels:
            raise InputError(
                f"the height map declares {ny} x {nx} = {n:,} pixels, above the limit of "
                f"{self.max_pixels:,} pixels (max_pixels)", file=file, field=field,
                fix=f"if the scan is real, raise the limit with --max-pixels {n} or "
                    f"MPOKIT_QC_MAX_PIXELS={n}")

    def check_expansion(self, declared_bytes: int, present_bytes: int, *, file: str | None,
                        field: str) -> None:
        """Raise ``InputError`` when ``declared_bytes`` is more than ``max_expansion`` times the
        bytes actually present in the file.

        Parameters
        ----------
        declared_bytes
            The data size the file's header declares.
        present_bytes
            The bytes the file holds.
        file, field
            Named in the error.
        """
        if declared_bytes > self.max_expansion * max(present_bytes, 1) and \
                declared_bytes > 1_000_000:
            ratio = declared_bytes / max(present_bytes, 1)
            raise InputError(
                f"declares {declared_bytes:,} bytes of data but holds only {present_bytes:,} "
                f"(expansion {ratio:,.0f}x, above the limit of {self.max_expansion:g}x, "
                f"max_expansion): a compression bomb or a dataset that is mostly missing",
                file=file, field=field,
                fix=f"if the file is genuine, set MPOKIT_QC_MAX_EXPANSION={ratio:.0f}")


def default_limits(max_pixels: int | None = None) -> ScanLimits:
    """Limits from the environment (``MPOKIT_QC_MAX_PIXELS``, ``MPOKIT_QC_MAX_EXPANSION``),
    with ``max_pixels`` overriding the environment when given."""
    pixels = max_pixels if max_pixels is not None else int(
        _env_number("MPOKIT_QC_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    if pixels < 64:
        raise InputError(f"max_pixels must be at least 64, got {pixels}", field="max_pixels")
    return ScanLimits(max_pixels=pixels,
                      max_expansion=_env_number("MPOKIT_QC_MAX_EXPANSION",
                                                DEFAULT_MAX_EXPANSION))
