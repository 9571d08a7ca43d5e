"""Interferometer height maps in, :class:`Scan` out (and back).

Formats (see ``docs/qc.md``):

* **NPZ** (the contract): ``height_nm`` (2-D float, NaN = no data), ``pixel_um``, ``kind``
  (``"mt"`` or ``"round"``), optional ``fibers``, ``fixture_angle_deg``, ``serial``.
* **CSV grid**: ``# key=value`` header lines (``pixel_um`` required; ``kind``, ``fibers``,
  ``fixture_angle_deg``, ``serial`` optional), then one row of heights (nm) per line,
  comma separated; empty cells or ``nan`` mean no data.
* **XYZ**: the same ``# key=value`` header, then ``x_um y_um height_nm`` per line (space or
  comma separated) on a regular grid; missing grid points become no data.
* **Zygo .datx** (HDF5, needs h5py): the first ``Surface`` dataset, its ``No Data`` value,
  ``X Converter`` pixel size (m) and ``Z Converter`` unit; mpokit's own metadata is kept
  in root attributes ``mpokit_kind`` and so on.

Array index is ``[iy, ix]``; ``x = ix * pixel_um``, ``y = iy * pixel_um``; heights grow
toward the viewer.

Example:
    >>> import numpy as np
    >>> scan = Scan(np.zeros((8, 10)), pixel_um=2.0, kind="round")
    >>> text = generate_csv(scan)
    >>> parse_csv(text).height_nm.shape
    (8, 10)
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mpokit._files import atomic_write as _atomic_write
from mpokit.errors import InputError
from mpokit.qc.limits import MAX_META_BYTES, ScanLimits, default_limits

__all__ = [
    "SUFFIXES",
    "Kind",
    "Scan",
    "generate_csv",
    "generate_npz",
    "generate_xyz",
    "parse_csv",
    "parse_npz",
    "parse_xyz",
    "read_datx",
    "read_scan",
    "write_datx",
    "write_scan",
]

Kind = Literal["mt", "round"]
KINDS: tuple[str, ...] = ("mt", "round")
SUFFIXES: tuple[str, ...] = (".npz", ".csv", ".xyz", ".datx")


PIXEL_UM_RANGE = (0.05, 20.0)
"""Plausible interferometer pixel pitches (um); anything else is a unit mistake."""
MAX_FIBERS = 32
FIXTURE_ANGLE_RANGE = (-15.0, 15.0)
"""Fixture angles (deg) an end-face interferometer uses: 0 for PC, about 8 for APC."""
NUMERIC_KINDS = "fiu"
"""numpy dtype kinds a height map may have (float, signed and unsigned integer)."""
MIN_FIELD_UM = {"mt": (200.0, 150.0), "round": (280.0, 280.0)}
"""Smallest field of view (x, y) that holds what the definitions measure (docs/qc.md)."""


@dataclass(frozen=True)
class Scan:
    """One interferometer height map of one ferrule end face."""

    height_nm: NDArray[np.float64]
    pixel_um: float
    kind: Kind
    fibers: int | None = None
    fixture_angle_deg: float = 0.0
    serial: str = ""

    def __post_init__(self) -> None:
        raw = np.asarray(self.height_nm)
        if raw.dtype.kind not in NUMERIC_KINDS:
            raise InputError(
                f"height map must hold real numbers (float or integer), got dtype {raw.dtype}",
                field="height_nm", fix="export heights as floating-point nanometres")
        h = raw.astype(np.float64)
        if h.ndim != 2 or min(h.shape) < 8:
            raise InputError(
                f"height map must be a 2-D array of at least 8 x 8 pixels, got shape {h.shape}",
                field="height_nm",
            )
        lo, hi = PIXEL_UM_RANGE
        if not np.isfinite(self.pixel_um) or not lo <= self.pixel_um <= hi:
            raise InputError(
                f"pixel_um must be a pixel pitch between {PIXEL_UM_RANGE[0]:g} and "
                f"{PIXEL_UM_RANGE[1]:g} micrometres, got {self.pixel_um}", field="pixel_um",
                fix="give the pitch in micrometres (e.g. 2.0), not metres or nanometres")
        if self.kind not in KINDS:
            raise InputError(f"kind must be 'mt' or 'round', got {self.kind!r}", field="kind")
        lo_a, hi_a = FIXTURE_ANGLE_RANGE
        if not (math.isfinite(self.fixture_angle_deg) and lo_a <= self.fixture_angle_deg <= hi_a):
            raise InputError(f"fixture_angle_deg must be a number between {lo_a:g} and "
                             f"{hi_a:g} degrees, got {self.fixture_angle_deg}",
                             field="fixture_angle_deg",
                             fix="0 for a PC fixture, 8 for an APC fixture")
        if self.fibers is not None and not 1 <= self.fibers <= MAX_FIBERS:
            raise InputError(f"fibers must be 1 to {MAX_FIBERS} (MT ferrules of up to two "
                             f"rows of 16), got {self.fibers}", field="fibers")
        h = np.where(np.isfinite(h), h, np.nan)
        h.setflags(write=False)
        object.__setattr__(self, "height_nm", h)

    def check_field_of_view(self) -> None:
        """Raise ``InputError`` unless the scan covers what the definitions measure."""
        ny, nx = self.shape
        need = MIN_FIELD_UM[self.kind]
        if nx * self.pixel_um < need[0] or ny * self.pixel_um < need[1]:
            raise InputError(
                f"the scan covers only {nx * self.pixel_um:g} x {ny * self.pixel_um:g} um; an "
                f"{self.kind.upper() if self.kind == 'mt' else 'round'} scan must cover at least "
                f"{need[0]:g} x {need[1]:g} um (a fiber and the surface around it)",
                field="height_nm", fix="check pixel_um, or export a larger field of view")

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)`` in pixels."""
        return (int(self.height_nm.shape[0]), int(self.height_nm.shape[1]))


# --------------------------------------------------------------------------- helpers


def _meta(values: Mapping[str, Any], *, file: str | None) -> dict[str, Any]:
    """Normalise metadata (strings from text headers or numpy scalars) to Scan kwargs."""
    out: dict[str, Any] = {}
    try:
        if "pixel_um" in values:
            out["pixel_um"] = float(values["pixel_um"])
        if "kind" in values:
            out["kind"] = str(values["kind"]).strip().lower()
        if values.get("fibers") not in (None, "", "none"):
            raw = values["fibers"]
            if isinstance(raw, bool | np.bool_):
                raise ValueError(f"fibers must be a whole number, got {raw!r}")
            fibers = float(raw)
            if not math.isfinite(fibers) or fibers != int(fibers):
                raise InputError(f"fibers must be a whole number, got {raw!r}", file=file,
                                 field="fibers", fix="give the fiber count, e.g. 12")
            out["fibers"] = int(fibers)
        if "fixture_angle_deg" in values:
            out["fixture_angle_deg"] = float(values["fixture_angle_deg"])
        if "serial" in values:
            out["serial"] = str(values["serial"])[:200]
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"bad metadata value: {exc}", file=file) from None
    return out


def _build(height: NDArray[np.float64], meta: dict[str, Any], *, file: str | None) -> Scan:
    if "pixel_um" not in meta:
        raise InputError("no pixel size", file=file, field="pixel_um",
                         fix="add a '# pixel_um=2.0' header line or pass --pixel-um")
    if "kind" not in meta:
        raise InputError("ferrule kind unknown", file=file, field="kind",
                         fix="add a '# kind=mt' (or round) header line or pass --kind")
    try:
        return Scan(height_nm=height, **meta)
    except InputError as exc:
        raise exc.located(file=file) from None


def _header_lines(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Split ``# key=value`` header lines from data lines (kept with 1-based numbers)."""
    meta: dict[str, str] = {}
    data: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            for part in body.replace(";", ",").split(","):
                if "=" in part:
                    key, _, value = part.partition("=")
                    meta[key.strip().lower()] = value.strip()
            continue
        data.append((number, line))
    return meta, data


def _float_cell(cell: str, *, file: str | None, line: int, column: int) -> float:
    cell = cell.strip()
    if cell == "" or cell.lower() in ("nan", "na", "-"):
        return float("nan")
    try:
        return float(cell)
    except ValueError:
        raise InputError(f"not a number: {cell!r} (column {column})", file=file,
                         line=line) from None


def _meta_header(scan: Scan) -> str:
    parts = [f"pixel_um={scan.pixel_um:g}", f"kind={scan.kind}"]
    if scan.fibers is not None:
        parts.append(f"fibers={scan.fibers}")
    parts.append(f"fixture_angle_deg={scan.fixture_angle_deg:g}")
    if scan.serial:
        parts.append(f"serial={scan.serial}")
    return "".join(f"# {p}\n" for p in parts)


# --------------------------------------------------------------------------- NPZ


def _npz_preflight(data: bytes, *, file: str | None, limits: ScanLimits) -> set[str]:
    """Check every NPZ member's declared size before numpy allocates anything.

    Returns the member names (without ``.npy``). ``height_nm`` must declare a 2-D numeric
    array within ``limits`` whose byte count matches the member's stored size; metadata
    members must be small.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(f"not a readable NPZ file ({exc})", file=file,
                         fix="re-export the scan; the file is truncated or not an NPZ") from None
    names: set[str] = set()
    with zf:
        for info in zf.infolist():
            name = info.filename.removesuffix(".npy")
            names.add(name)
            if name != "height_nm":
                if info.file_size > MAX_META_BYTES:
                    raise InputError(f"metadata member declares {info.file_size:,} bytes "
                                     f"(at most {MAX_META_BYTES:,} expected)", file=file,
                                     field=name)
                continue
            limits.check_expansion(info.file_size, info.compress_size, file=file,
                                   field="height_nm")
            try:
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
                raise InputError(f"unreadable array header ({exc})", file=file,
                                 field="height_nm") from None
            if dtype.kind not in NUMERIC_KINDS:
                raise InputError(f"height map must hold real numbers (float or integer), got "
                                 f"dtype {dtype}", file=file, field="height_nm",
                                 fix="export heights as floating-point nanometres")
            if len(shape) != 2:
                raise InputError(f"height map must be a 2-D array, got shape {shape}",
                                 file=file, field="height_nm")
            limits.check_pixels(shape[0], shape[1], file=file, field="height_nm")
            need = int(shape[0]) * int(shape[1]) * dtype.itemsize
            if need > info.file_size:
                raise InputError(f"declares a {shape[0]} x {shape[1]} {dtype} array "
                                 f"({need:,} bytes) but the member holds only "
                                 f"{info.file_size:,} bytes", file=file, field="height_nm",
                                 fix="the file is truncated or corrupt; re-export it")
    return names


def parse_npz(data: bytes, *, file: str | None = None, limits: ScanLimits | None = None,
              **defaults: Any) -> Scan:
    """Parse the bytes of an NPZ scan (the contract format).

    Declared array sizes are checked against ``limits`` and against the bytes present before
    anything is allocated (:mod:`mpokit.qc.limits`).
    """
    names = _npz_preflight(data, file=file, limits=limits or default_limits())
    if "height_nm" not in names:
        raise InputError("missing array 'height_nm'", file=file, field="height_nm",
                         fix=f"arrays found: {sorted(names) or 'none'}")
    meta_raw: dict[str, Any] = {}
    field = "height_nm"
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            raw = npz["height_nm"]
            for key in ("pixel_um", "kind", "fibers", "fixture_angle_deg", "serial"):
                if key in names:
                    field = key
                    value = npz[key]
                    if value.ndim != 0 and value.size != 1:
                        raise InputError(f"{key} must be a scalar, got shape {value.shape}",
                                         file=file, field=key)
                    meta_raw[key] = value.reshape(()).item()
    except InputError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError,
            TypeError) as exc:
        raise InputError(f"not a readable NPZ member ({exc})", file=file, field=field,
                         fix="re-export the scan; the file is truncated or corrupt") from None
    if raw.dtype.kind not in NUMERIC_KINDS:
        raise InputError(f"height map must hold real numbers, got dtype {raw.dtype}",
                         file=file, field="height_nm")
    height = np.asarray(raw, dtype=np.float64)
    for key in ("kind", "serial"):
        if isinstance(meta_raw.get(key), bytes):
            meta_raw[key] = meta_raw[key].decode(errors="replace")
    meta = {**defaults, **_meta(meta_raw, file=file)}
    return _build(height, meta, file=file)


def generate_npz(scan: Scan) -> bytes:
    """The NPZ bytes of ``scan``, stored uncompressed: a noisy height map shrinks by only
    about 15 % under zlib, and inflating it costs several times the analysis of the scan
    when a batch reads the file back."""
    arrays: dict[str, Any] = {
        "height_nm": scan.height_nm,
        "pixel_um": np.float64(scan.pixel_um),
        "kind": np.str_(scan.kind),
        "fixture_angle_deg": np.float64(scan.fixture_angle_deg),
        "serial": np.str_(scan.serial),
    }
    if scan.fibers is not None:
        arrays["fibers"] = np.int64(scan.fibers)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


# --------------------------------------------------------------------------- CSV grid


def parse_csv(text: str, *, file: str | None = None, limits: ScanLimits | None = None,
              **defaults: Any) -> Scan:
    """Parse a CSV grid: ``# key=value`` header, then one row of heights per line."""
    lim = limits or default_limits()
    meta_text, data = _header_lines(text)
    if not data:
        raise InputError("no data rows", file=file)
    rows: list[NDArray[np.float64]] = []
    width = -1
    for number, line in data:
        cells = line.split(",")
        if width < 0:
            width = len(cells)
        elif len(cells) != width:
            raise InputError(f"row has {len(cells)} values, expected {width}", file=file,
                             line=number)
        lim.check_pixels(len(rows) + 1, width, file=file, field="height_nm")
        rows.append(np.array([_float_cell(c, file=file, line=number, column=i + 1)
                              for i, c in enumerate(cells)], dtype=np.float64))
    meta = {**defaults, **_meta(meta_text, file=file)}
    return _build(np.stack(rows), meta, file=file)


def generate_csv(scan: Scan) -> str:
    """CSV grid text of ``scan`` (heights to 0.001 nm; NaN written as an empty cell)."""
    out = io.StringIO()
    out.write(_meta_header(scan))
    for row in scan.height_nm:
        out.write(",".join("" if not np.isfinite(v) else f"{v:.3f}" for v in row))
        out.write("\n")
    return out.getvalue()


# --------------------------------------------------------------------------- XYZ


def parse_xyz(text: str, *, file: str | None = None, limits: ScanLimits | None = None,
              **defaults: Any) -> Scan:
    """Parse an ASCII ``x_um y_um height_nm`` point list on a regular grid.

    The grid the points span is checked against ``limits`` before it is allocated: its size
    and how far it expands the points actually present (a few far-apart points would
    otherwise declare gigabytes of empty grid).
    """
    lim = limits or default_limits()
    meta_text, data = _header_lines(text)
    if not data:
        raise InputError("no data points", file=file)
    pts = np.empty((len(data), 3))
    for i, (number, line) in enumerate(data):
        cells = line.replace(",", " ").split()
        if len(cells) != 3:
            raise InputError(f"expected 'x_um y_um height_nm', got {len(cells)} values",
                             file=file, line=number)
        pts[i] = [_float_cell(c, file=file, line=number, column=j + 1)
                  for j, c in enumerate(cells)]
    if not np.all(np.isfinite(pts[:, :2])):
        raise InputError("x and y must be numbers on every line", file=file)
    meta = {**defaults, **_meta(meta_text, file=file)}
    xs = np.unique(pts[:, 0])
    ys = np.unique(pts[:, 1])
    pixel = meta.get("pixel_um")
    if pixel is None:
        steps = np.diff(xs) if xs.size > 1 else np.diff(ys)
        if steps.size == 0:
            raise InputError("cannot infer the pixel size from a single point", file=file)
        pixel = float(np.min(steps))
        meta["pixel_um"] = pixel
    if not (math.isfinite(pixel) and pixel > 0):
        raise InputError(f"pixel_um must be a positive number, got {pixel}", file=file,
                         field="pixel_um", fix="give the grid pitch in micrometres")
    nx_f = (xs[-1] - xs[0]) / pixel + 1
    ny_f = (ys[-1] - ys[0]) / pixel + 1
    if not (math.isfinite(nx_f) and math.isfinite(ny_f)) or nx_f * ny_f > lim.max_pixels:
        lim.check_pixels(int(min(ny_f, 1e15)), int(min(nx_f, 1e15)), file=file,
                         field="x_um, y_um")
    lim.check_expansion(int(nx_f) * int(ny_f) * 8, len(text), file=file, field="x_um, y_um")
    ix = np.rint((pts[:, 0] - xs[0]) / pixel).astype(np.intp)
    iy = np.rint((pts[:, 1] - ys[0]) / pixel).astype(np.intp)
    off_grid = np.abs(ix * pixel + xs[0] - pts[:, 0]) + np.abs(iy * pixel + ys[0] - pts[:, 1])
    if np.any(off_grid > 0.01 * pixel):
        bad = int(np.argmax(off_grid > 0.01 * pixel))
        raise InputError(f"point ({pts[bad, 0]:g}, {pts[bad, 1]:g}) is off the "
                         f"{pixel:g} um grid", file=file, line=data[bad][0])
    height = np.full((int(iy.max()) + 1, int(ix.max()) + 1), np.nan)
    height[iy, ix] = pts[:, 2]
    return _build(height, meta, file=file)


def generate_xyz(scan: Scan) -> str:
    """XYZ text of ``scan`` (points without data are left out)."""
    iy, ix = np.nonzero(np.isfinite(scan.height_nm))
    out = io.StringIO()
    out.write(_meta_header(scan))
    p = scan.pixel_um
    for y, x, z in zip(iy, ix, scan.height_nm[iy, ix], strict=True):
        out.write(f"{x * p:.4f} {y * p:.4f} {z:.3f}\n")
    return out.getvalue()


# --------------------------------------------------------------------------- Zygo .datx

_Z_UNITS_NM = {"nanometers": 1.0, "micrometers": 1e3, "millimeters": 1e6, "meters": 1e9,
               "angstroms": 0.1}


def _attr_text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else ""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def _converter(attrs: Any, name: str) -> tuple[str, list[float]]:
    conv = attrs[name]
    conv = conv.reshape(-1)[0] if isinstance(conv, np.ndarray) and conv.shape else conv
    unit = _attr_text(conv["BaseUnit"]) if "BaseUnit" in (conv.dtype.names or ()) else ""
    params = [float(v) for v in np.asarray(conv["Parameters"]).reshape(-1)]
    return unit, params


def read_datx(path: str | os.PathLike[str], *, limits: ScanLimits | None = None,
              **defaults: Any) -> Scan:
    """Read a Zygo ``.datx`` (HDF5) height map.

    The Surface dataset's declared shape is checked against ``limits`` and against the bytes
    stored for it before it is read (unwritten chunks of a fill-value dataset count as zero).
    """
    lim = limits or default_limits()
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("reading .datx needs h5py", file=str(path),
                         fix="pip install 'mpokit[qc]'") from exc
    file = str(path)
    try:
        h5 = h5py.File(file, "r")
    except OSError as exc:
        raise InputError(f"not a readable HDF5/.datx file ({exc})", file=file) from None
    with h5:
        found: list[str] = []

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset) and "surface" in name.lower() and obj.ndim == 2:
                found.append(name)

        h5.visititems(visit)
        if not found:
            raise InputError("no 2-D 'Surface' dataset", file=file)
        ds = h5[found[0]]
        if ds.dtype.kind not in NUMERIC_KINDS:
            raise InputError(f"Surface dataset must hold real numbers, got dtype {ds.dtype}",
                             file=file, field=found[0])
        lim.check_pixels(ds.shape[0], ds.shape[1], file=file, field=found[0])
        lim.check_expansion(int(ds.size) * ds.dtype.itemsize, int(ds.id.get_storage_size()),
                            file=file, field=found[0])
        try:
            height = np.asarray(ds[()], dtype=np.float64)
        except (OSError, ValueError) as exc:
            raise InputError(f"unreadable Surface dataset ({exc})", file=file,
                             field=found[0]) from None
        attrs = ds.attrs
        if "No Data" in attrs:
            no_data = np.asarray(attrs["No Data"], dtype=np.float64).reshape(-1)
            if no_data.size:
                height[height == no_data[0]] = np.nan
        height[np.abs(height) > 1e37] = np.nan
        meta_raw: dict[str, Any] = {}
        try:
            if "Z Converter" in attrs:
                unit, _ = _converter(attrs, "Z Converter")
                factor = _Z_UNITS_NM.get(unit.strip().lower())
                if factor is None:
                    raise InputError(f"unsupported height unit {unit!r}", file=file,
                                     field="Z Converter", fix="export heights in a length unit")
                height = height * factor
            if "X Converter" in attrs:
                _, params = _converter(attrs, "X Converter")
                if len(params) > 1 and params[1] > 0:
                    meta_raw["pixel_um"] = params[1] * 1e6
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            raise InputError(f"unreadable converter attribute ({exc})", file=file) from None
        for key in ("pixel_um", "kind", "fibers", "fixture_angle_deg", "serial"):
            if f"mpokit_{key}" in h5.attrs:
                meta_raw[key] = _attr_text(h5.attrs[f"mpokit_{key}"])
    meta = {**defaults, **_meta(meta_raw, file=file)}
    return _build(height, meta, file=file)


def write_datx(scan: Scan, path: str | os.PathLike[str]) -> None:
    """Write ``scan`` as a minimal Zygo-style ``.datx`` (Surface dataset + converters)."""
    import h5py

    def writer(tmp: Path) -> None:
        str_dt = h5py.string_dtype()
        conv_dt = np.dtype([("Category", str_dt), ("BaseUnit", str_dt),
                            ("Parameters", h5py.vlen_dtype(np.float64))])

        def conv(category: str, unit: str, params: list[float]) -> NDArray[Any]:
            c = np.empty(1, dtype=conv_dt)
            c[0] = (category, unit, np.asarray(params, dtype=np.float64))
            return c

        no_data = float(np.finfo(np.float64).max)
        with h5py.File(tmp, "w") as h5:
            data = np.where(np.isfinite(scan.height_nm), scan.height_nm, no_data)
            ds = h5.create_dataset("Data/Surface/{00000000-0000-0000-0000-000000000001}",
                                   data=data)
            pixel_m = scan.pixel_um * 1e-6
            ds.attrs["X Converter"] = conv("LateralCat", "Pixels", [0.0, pixel_m, 0.0, 0.0])
            ds.attrs["Y Converter"] = conv("LateralCat", "Pixels", [0.0, pixel_m, 0.0, 0.0])
            ds.attrs["Z Converter"] = conv("HeightCat", "NanoMeters", [0.0, 1.0, 0.0, 0.0])
            ds.attrs["Unit"] = np.array(["NanoMeters"], dtype=str_dt)
            ds.attrs["No Data"] = np.array([no_data])
            h5.attrs["mpokit_kind"] = scan.kind
            h5.attrs["mpokit_fixture_angle_deg"] = str(scan.fixture_angle_deg)
            h5.attrs["mpokit_serial"] = scan.serial
            if scan.fibers is not None:
                h5.attrs["mpokit_fibers"] = str(scan.fibers)

    _atomic_write(Path(path), writer)


# --------------------------------------------------------------------------- dispatch


def read_scan(path: str | os.PathLike[str], *, limits: ScanLimits | None = None,
              **defaults: Any) -> Scan:
    """Read a scan of any supported format, chosen by the file suffix.

    ``defaults`` (``kind``, ``pixel_um``, ``fibers`` ...) fill in metadata the file lacks;
    metadata in the file wins.

    Parameters
    ----------
    path
        A ``.npz``, ``.csv``, ``.xyz`` or ``.datx`` height map.
    limits
        Bounds on what the file may make mpokit allocate (None: from the environment).
    **defaults
        Metadata the file lacks.

    Returns
    -------
    Scan
        The height map in nm with its pixel pitch and metadata.

    Raises
    ------
    InputError
        The file cannot be read, or metadata needed is missing.
    """
    p = Path(path)
    file = str(path)
    suffix = p.suffix.lower()
    if not p.exists():
        raise InputError("file not found", file=file)
    if suffix not in SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(none)'!r}", file=file,
                         fix=f"use one of {', '.join(SUFFIXES)}")
    if not p.is_file():
        raise InputError("not a regular file", file=file)
    given = {k: v for k, v in defaults.items() if v is not None}
    lim = limits or default_limits()
    if suffix == ".datx":
        return read_datx(p, limits=lim, **given)
    size = p.stat().st_size
    most = lim.max_pixels * (8 if suffix == ".npz" else 40) + 1_000_000
    if size > most:
        raise InputError(f"file is {size:,} bytes, more than a {lim.max_pixels:,}-pixel scan "
                         f"needs ({most:,} bytes, from max_pixels)", file=file,
                         fix="if the scan is real, raise --max-pixels")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", file=file) from None
    if suffix == ".npz":
        return parse_npz(raw, file=file, limits=lim, **given)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", file=file) from None
    parser = parse_csv if suffix == ".csv" else parse_xyz
    return parser(text, file=file, limits=lim, **given)


def write_scan(scan: Scan, path: str | os.PathLike[str]) -> None:
    """Write ``scan`` in the format named by the suffix of ``path`` (atomically).

    Parameters
    ----------
    scan
        The height map.
    path
        The file to write; the format follows the suffix.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".datx":
        write_datx(scan, p)
        return
    if suffix == ".npz":
        payload = generate_npz(scan)
        _atomic_write(p, lambda tmp: tmp.write_bytes(payload))
        return
    if suffix in (".csv", ".xyz"):
        text = generate_csv(scan) if suffix == ".csv" else generate_xyz(scan)
        _atomic_write(p, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return
    raise InputError(f"unsupported file type {suffix or '(none)'!r}", file=str(path),
                     fix=f"use one of {', '.join(SUFFIXES)}")

