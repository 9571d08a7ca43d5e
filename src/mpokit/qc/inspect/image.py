"""Reading and writing end-face microscope images: PNG, JPEG, TIFF (8 and 16 bit).

The pixel size comes from the caller (``pixel_um``, the microscope's calibration) or from
the file: TIFF ``XResolution``/``YResolution`` with ``ResolutionUnit`` inch or centimetre
(or ImageJ's ``unit=micron``), PNG ``pHYs`` in pixels per metre, JPEG JFIF density in dots
per inch or cm. A size from a file must be plausible for a microscope (0.02-5 um per pixel):
the common "72 dpi" default is refused, not believed. A value the caller gives always wins.

Example:
    >>> import tempfile, pathlib, numpy as np
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "face.tif"
    >>> write_image(p, np.full((80, 120), 0.5), pixel_um=0.25)
    >>> img = read_image(p)
    >>> img.shape, round(img.pixel_um, 4), img.pixel_source, img.bit_depth
    ((80, 120), 0.25, 'tiff', 16)
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mpokit.errors import InputError

__all__ = ["SUFFIXES", "EndFaceImage", "discover_images", "read_image", "write_image"]

SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
"""File suffix -> format."""

PIXEL_UM_RANGE = (0.02, 5.0)
"""Plausible pixel sizes of an end-face microscope image (um per pixel)."""

_PIXEL_FIX = "give the pixel size with --pixel-um (um per pixel, from the microscope's " \
             "calibration)"


@dataclass(frozen=True)
class EndFaceImage:
    """A grey-level end-face image.

    ``pixels`` are float32 in 0..1 of the file's full scale (255 or 65535), rows top to
    bottom; ``pixel_source`` says where ``pixel_um`` came from (``option``, ``tiff``,
    ``png``, ``jpeg`` or ``simulated``).
    """

    pixels: np.ndarray
    pixel_um: float
    pixel_source: str
    bit_depth: int
    file: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (int(self.pixels.shape[0]), int(self.pixels.shape[1]))


def _check_pixel(value: float, source: str, file: str) -> float:
    lo, hi = PIXEL_UM_RANGE
    if not np.isfinite(value) or not lo <= value <= hi:
        what = "given" if source == "option" else f"read from the {source} metadata"
        raise InputError(f"{value:.4g} um per pixel {what} is not plausible for an end-face "
                         f"microscope ({lo}-{hi} um per pixel)", file=file or None,
                         field="pixel size", fix=_PIXEL_FIX if source != "option"
                         else "check the microscope's calibration")
    return float(value)


def _to_grey(arr: np.ndarray, file: str) -> tuple[np.ndarray, int]:
    """Validate the sample type and reduce colour to grey; return (float 0..1, bit depth)."""
    if arr.dtype == np.bool_:
        raise InputError("1-bit (black and white) image: no grey levels to analyse",
                         file=file, fix="save the microscope image as 8 or 16 bit grey")
    if arr.dtype == np.uint8:
        depth, full = 8, 255.0
    elif arr.dtype == np.uint16:
        depth, full = 16, 65535.0
    else:
        raise InputError(f"unsupported sample type {arr.dtype} (only 8 and 16 bit unsigned "
                         "integer images are read)", file=file,
                         fix="export the image as 8 or 16 bit PNG or TIFF")
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        rgb = arr[..., :3].astype(np.float32)
        grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    elif arr.ndim == 3 and arr.shape[-1] in (1, 2):
        grey = arr[..., 0].astype(np.float32)
    elif arr.ndim == 2:
        grey = arr.astype(np.float32)
    else:
        raise InputError(f"image of shape {arr.shape} is not a single grey or colour picture",
                         file=file, fix="give one image per file (no stacks)")
    if min(grey.shape) < 64:
        raise InputError(f"image of {grey.shape[1]}x{grey.shape[0]} pixels is too small",
                         file=file, fix="use the microscope's full-resolution image")
    return grey / np.float32(full), depth


def _tiff_pixel_um(tif: Any) -> float | None:
    page = tif.pages[0]
    tags = page.tags
    if "XResolution" not in tags:
        return None
    num, den = tags["XResolution"].value
    xres = num / den if den else 0.0
    if "YResolution" in tags:
        ynum, yden = tags["YResolution"].value
        yres = ynum / yden if yden else 0.0
        if xres > 0 and yres > 0 and abs(xres / yres - 1) > 0.01:
            raise InputError("pixels are not square (X and Y resolution differ)",
                             field="XResolution/YResolution",
                             fix="resample to square pixels or " + _PIXEL_FIX)
    if xres <= 0:
        return None
    unit = int(tags["ResolutionUnit"].value) if "ResolutionUnit" in tags else 2
    if unit == 2:
        return 25_400.0 / xres
    if unit == 3:
        return 10_000.0 / xres
    ij = tif.imagej_metadata or {}
    if str(ij.get("unit", "")).lower() in ("micron", "um", "µm", "\\u00B5m"):
        return 1.0 / xres
    return None


_TIFF_QUIET: ContextVar[bool] = ContextVar("_TIFF_QUIET", default=False)


def _drop_tiff_log(record: logging.LogRecord) -> bool:
    """Keep tifffile's own warnings of a read in progress (this thread's) off stderr."""
    return not _TIFF_QUIET.get()


@contextmanager
def _quiet_tifffile() -> Iterator[None]:
    """Drop tifffile's log records during one read; the user sees our error, not its log."""
    logger = logging.getLogger("tifffile")
    if _drop_tiff_log not in logger.filters:
        logger.addFilter(_drop_tiff_log)
    token = _TIFF_QUIET.set(True)
    try:
        yield
    finally:
        _TIFF_QUIET.reset(token)


def _read_tiff(path: Path, file: str) -> tuple[np.ndarray, float | None]:
    import tifffile

    try:
        with _quiet_tifffile(), tifffile.TiffFile(path) as tif:
            if len(tif.pages) == 0:
                raise InputError("TIFF holds no readable image page", file=file,
                                 fix="export the image again as a single-page TIFF")
            if len(tif.pages) > 1:
                raise InputError(f"TIFF holds {len(tif.pages)} pages", file=file,
                                 fix="give one image per file")
            arr = tif.pages[0].asarray()
            try:
                pixel = _tiff_pixel_um(tif)
            except InputError as exc:
                raise exc.located(file=file) from None
    except (tifffile.TiffFileError, IndexError, KeyError, ValueError, EOFError,
            struct.error) as exc:  # corrupt offsets, tags or strips surface as these
        raise InputError(f"not a readable TIFF image ({type(exc).__name__}: {exc})", file=file,
                         fix="give a PNG, JPEG or TIFF image") from None
    return np.asarray(arr), pixel


def _read_pillow(path: Path, file: str) -> tuple[np.ndarray, float | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            mode = im.mode
            if mode == "1":
                arr = np.asarray(im, dtype=bool)
            elif mode in ("I;16", "I;16B", "I;16L"):
                arr = np.asarray(im).astype(np.uint16)
            elif mode == "I":
                raw = np.asarray(im)
                if raw.min() < 0 or raw.max() > 65535:
                    raise InputError("32-bit integer image", file=file,
                                     fix="export the image as 8 or 16 bit")
                arr = raw.astype(np.uint16)
            elif mode in ("L", "RGB", "RGBA", "LA"):
                arr = np.asarray(im)
            elif mode == "P":
                arr = np.asarray(im.convert("RGB"))
            else:
                raise InputError(f"unsupported image mode {mode!r}", file=file,
                                 fix="export the image as 8 or 16 bit grey or RGB")
            dpi = im.info.get("dpi")
    except UnidentifiedImageError:
        raise InputError("not an image (PNG, JPEG or TIFF expected)", file=file,
                         fix="give the microscope's image file") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read image ({exc})", file=file,
                         fix="the file may be truncated; export it again") from None
    pixel = None
    if dpi and float(dpi[0]) > 1.0:
        if len(dpi) > 1 and float(dpi[1]) > 1.0 and abs(float(dpi[0]) / float(dpi[1]) - 1) > 0.01:
            raise InputError("pixels are not square (X and Y density differ)", file=file,
                             fix=_PIXEL_FIX)
        pixel = 25_400.0 / float(dpi[0])
    return arr, pixel


def read_image(path: str | os.PathLike[str], pixel_um: float | None = None) -> EndFaceImage:
    """Read an end-face image; ``pixel_um`` (um per pixel) overrides the file's metadata.

    Parameters
    ----------
    path
        A PNG, JPEG or TIFF image.
    pixel_um
        The pixel size in um (None: from the file's metadata).

    Returns
    -------
    EndFaceImage
        Grey pixels with their pixel size.

    Raises
    ------
    InputError
        A missing or unreadable file, a file that is not an image, an unsupported bit
        depth, or a missing or implausible pixel size.
    """
    p = Path(path)
    file = str(p)
    if not p.exists():
        raise InputError("file not found", file=file)
    if p.is_dir():
        raise InputError("is a folder, not an image", file=file)
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(f"unsupported file type {p.suffix or '(none)'!r}", file=file,
                         fix=f"give a {', '.join(sorted(set(SUFFIXES)))} image")
    try:
        arr, meta_um = _read_tiff(p, file) if fmt == "tiff" else _read_pillow(p, file)
    except PermissionError:
        raise InputError("cannot read file (permission denied)", file=file) from None
    grey, depth = _to_grey(arr, file)
    if pixel_um is not None:
        size, source = _check_pixel(float(pixel_um), "option", file), "option"
    elif meta_um is not None:
        size, source = _check_pixel(meta_um, fmt, file), fmt
    else:
        raise InputError("no pixel size: the file does not carry one", file=file,
                         field="pixel size", fix=_PIXEL_FIX)
    return EndFaceImage(np.ascontiguousarray(grey), size, source, depth, file)


def discover_images(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """Files to inspect: files as given, folders searched recursively for image suffixes.

    Parameters
    ----------
    paths
        Files and folders, as the user gave them.

    Returns
    -------
    list[Path]
        The image files.

    Raises
    ------
    InputError
        A path that does not exist: an input error, not a result row (an unreadable image
        found in a folder stays a row of the batch).
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError("file not found", file=str(p))
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*")
                              if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def write_image(
    path: str | os.PathLike[str],
    pixels: np.ndarray,
    *,
    pixel_um: float | None,
    bit_depth: int = 16,
    jpeg_quality: int = 85,
) -> None:
    """Write grey ``pixels`` (0..1) as PNG, JPEG or TIFF (by suffix), atomically.

    The pixel size is stored where the format allows (TIFF resolution tags in cm, PNG pHYs);
    JPEG densities are 16-bit and cannot hold microscope resolutions, so JPEGs carry none.

    Parameters
    ----------
    path
        The file to write; its suffix picks the format.
    pixels
        Grey levels 0..1.
    pixel_um
        The pixel size to store (None: none).
    bit_depth
        8 or 16 bits per pixel (PNG and TIFF).
    jpeg_quality
        JPEG quality, 1..100.
    """
    from mpokit._files import atomic_write

    p = Path(path)
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(f"unsupported file type {p.suffix!r}", file=str(p),
                         fix="use .png, .jpg or .tif")
    if fmt == "jpeg":
        bit_depth = 8
    full = 255 if bit_depth == 8 else 65535
    data = np.clip(np.rint(np.asarray(pixels, dtype=np.float64) * full), 0, full)
    data = data.astype(np.uint8 if bit_depth == 8 else np.uint16)

    def _write(tmp: Path) -> None:
        if fmt == "tiff":
            import tifffile

            kw: dict[str, Any] = {}
            if pixel_um:
                kw = {"resolution": (1e4 / pixel_um, 1e4 / pixel_um), "resolutionunit": 3}
            tifffile.imwrite(tmp, data, **kw)
            return
        from PIL import Image

        im = Image.fromarray(data)
        if fmt == "jpeg":
            im.save(tmp, format="JPEG", quality=jpeg_quality)
        else:
            dpi = (25_400.0 / pixel_um,) * 2 if pixel_um else None
            im.save(tmp, format="PNG", **({"dpi": dpi} if dpi else {}))

    atomic_write(p, _write)
