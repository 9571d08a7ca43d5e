"""End-face inspection from the web: an uploaded microscope image is inspected
(:func:`mpokit.qc.inspect.inspect_image`), its result imported into the store
(:func:`mpokit.store.endface.import_inspections`) and one overlay PNG per fiber (zones and
flaws drawn by :func:`mpokit.qc.inspect.render.overlay`) kept in the data folder, so the lot
page can show the images the verdicts came from.

The store keeps results, not pixels; overlays live in ``<data dir>/endface/<key>/`` where
``key`` is a hash of (serial, end, image name): no request text ever becomes a path.

Example:
    >>> overlay_key("MPO-1", "A", "MPO-1_A.png")
    'b2dea500476725ca'
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from mpokit._files import atomic_write
from mpokit.errors import InputError, MpokitError
from mpokit.store.db import Store
from mpokit.store.endface import import_inspections, serial_end_from_name
from mpokit.web.qa_uploads import staged

__all__ = ["IMAGE_SUFFIXES", "KEY", "inspect_upload", "overlay_files", "overlay_key"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
KEY = re.compile(r"^[0-9a-f]{16}$")


def overlay_key(serial: str, end: str, image: str) -> str:
    """The folder name of an inspected image's overlays.

    Parameters
    ----------
    serial, end
        The assembly end the image shows.
    image
        The image's name as recorded in the store.

    Returns
    -------
    str
        16 hex digits.
    """
    return hashlib.sha256(f"{serial}\0{end}\0{image}".encode()).hexdigest()[:16]


def overlay_files(root: Path, serial: str, end: str, image: str) -> list[int]:
    """The fibers whose overlay exists for this image (sorted).

    Parameters
    ----------
    root
        ``<data dir>/endface``.
    serial, end, image
        As recorded in the store.

    Returns
    -------
    list[int]
        Fiber numbers.
    """
    folder = root / overlay_key(serial, end, image)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.glob("fiber-*.png"):
        num = p.stem.removeprefix("fiber-")
        if num.isdigit():
            out.append(int(num))
    return sorted(out)


def inspect_upload(store: Store, root: Path, name: str, data: bytes, *,
                   connector_class: str, serial: str = "", end: str = "",
                   pixel_um: float | None = None, origin: str = "supplier",
                   lot: str | None = None, supplier: str | None = None) -> dict[str, Any]:
    """Inspect an uploaded end-face image, import the result, keep the overlays.

    Parameters
    ----------
    store
        The open store.
    root
        ``<data dir>/endface`` (created when needed).
    name, data
        The upload's name (``SERIAL_END.png`` names the end) and bytes.
    connector_class
        ``sm-pc``, ``sm-apc``, ``mm-pc`` or ``mm-apc``.
    serial, end
        The assembly end the image shows (default: from the name).
    pixel_um
        Pixel size in um (default: the image's metadata).
    origin, lot, supplier
        As for station-file imports.

    Returns
    -------
    dict[str, Any]
        ``serial``, ``end``, ``result`` (the inspection), ``import`` (rows, skipped) and
        ``fibers`` (those with an overlay).

    Raises
    ------
    InputError
        No serial/end, an unreadable image, an unknown connector class (nothing stored).
    """
    from mpokit.qc.inspect import inspect_image, read_image
    from mpokit.qc.inspect.render import overlay

    with staged([(name, data)], IMAGE_SUFFIXES) as (path,):
        named = serial_end_from_name(path.name)
        serial = serial.strip() or (named[0] if named else "")
        end = end.strip() or (named[1] if named else "")
        if not serial or not end:
            raise InputError("no assembly serial and end for this image", field="serial",
                             fix="name the image SERIAL_END.png (e.g. MPO-0042_A.png) or "
                                 "give serial and end")
        img = _read(read_image, path, pixel_um)
        res = inspect_image(img, connector_class, file=path.name)
        imported = import_inspections(store, [(serial, end, res.to_dict())],
                                      name=f"web:{path.name}", origin=origin,  # type: ignore[arg-type]
                                      lot=lot, supplier=supplier)
        folder = root / overlay_key(serial, end, path.name)
        folder.mkdir(parents=True, exist_ok=True)
        for f in res.fibers:
            _save_png(overlay(img, res, f), folder / f"fiber-{f.index}.png")
    return {"serial": serial, "end": end, "result": res.to_dict(),
            "import": imported.to_dict(), "fibers": [f.index for f in res.fibers]}


def _save_png(image: Any, path: Path) -> None:
    atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))


def _read(reader: Any, path: Path, pixel_um: float | None) -> Any:
    """``reader(path, pixel_um)``; a decoder failing on malformed bytes is an input error.

    The image readers turn the faults they know into :class:`InputError`; a decoder may
    still raise something else on hostile bytes (tifffile: ``IndexError`` for a TIFF with
    no page), which must not become a server error.
    """
    try:
        return reader(path, pixel_um)
    except MpokitError:
        raise
    except Exception as exc:  # untrusted bytes at the web's edge
        raise InputError(f"not a readable image ({type(exc).__name__}: {exc})",
                         file=path.name, fix="give a PNG, JPEG or TIFF image") from None
