"""Hostile scan files: each is refused with exit 1, a message naming the file and the field,
no traceback, and bounded memory (peak RSS measured in a child process)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mpokit.errors import InputError
from mpokit.qc.io import parse_npz, read_scan
from mpokit.qc.limits import ScanLimits
from mpokit.qc.simulate import simulate_mt, write_simulated

# Peak RSS of a child that imports mpokit and numpy and runs one command is ~150 MB; the
# hostile files below would need 6-24 GB without the limits.
MAX_RSS_MB = 600

CHILD = """
import resource, sys
from mpokit.cli import main
sys.argv = ["mpokit", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
# VmHWM is this process's own peak; ru_maxrss would include the forked parent's size
# before exec (a big pytest process), so it is not used here
hwm = [ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
print("MAXRSS_KB", hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      file=sys.stderr)
sys.exit(code)
"""


def run_child(*args: str, timeout: float = 120.0) -> tuple[int, str, str, float]:
    """Run ``mpokit ARGS`` in a child; returns exit code, stdout, stderr, peak RSS (MB)."""
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True,
                          text=True, timeout=timeout)
    rss_lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("MAXRSS_KB")]
    assert rss_lines, proc.stderr
    rss_mb = int(rss_lines[-1].split()[1]) / 1024.0
    err = "\n".join(ln for ln in proc.stderr.splitlines() if not ln.startswith("MAXRSS_KB"))
    return proc.returncode, proc.stdout, err, rss_mb


def assert_refused(path: Path, field: str, *extra: str) -> str:
    code, out, err, rss_mb = run_child("qc", "geometry", str(path), *extra)
    assert code == 1, (code, out, err)
    assert "Traceback" not in err + out
    assert str(path) in err and field in err, err
    assert rss_mb < MAX_RSS_MB, f"peak RSS {rss_mb:.0f} MB"
    return err


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """A version-1.0 .npy header declaring ``shape`` (no data follows)."""
    head = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    pad = 64 - (10 + len(head) + 1) % 64
    text = (head + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def meta_members(zf: zipfile.ZipFile, **meta: object) -> None:
    for key, value in {"pixel_um": 2.0, "kind": "mt", **meta}.items():
        buf = io.BytesIO()
        np.save(buf, np.asarray(value))
        zf.writestr(f"{key}.npy", buf.getvalue())


# --------------------------------------------------------------------------- NPZ


def test_npz_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    # 200 MB of zeros behind a valid (10000 x 2500) float64 header, deflated to ~0.2 MB.
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        meta_members(zf)
        with zf.open("height_nm.npy", "w", force_zip64=True) as fh:
            fh.write(npy_header((10000, 2500)))
            chunk = bytes(8 * 2500 * 100)
            for _ in range(100):
                fh.write(chunk)
    assert path.stat().st_size < 1_000_000
    err = assert_refused(path, "height_nm")
    assert "max_expansion" in err and "MPOKIT_QC_MAX_EXPANSION" in err


def test_npz_lying_zip_header_declaring_21_gb(tmp_path: Path) -> None:
    # The case: a 3 MB file whose member claims 21 GB uncompressed.
    raw = npy_header((51200, 51200)) + bytes(3_000_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        meta_members(zf)
        zf.writestr("height_nm.npy", raw)
    data = bytearray(buf.getvalue())
    # patch the uncompressed size in the central directory entry of height_nm.npy
    name = b"height_nm.npy"
    cd = data.find(b"PK\x01\x02")
    while cd >= 0 and data[cd + 46: cd + 46 + len(name)] != name:
        cd = data.find(b"PK\x01\x02", cd + 4)
    assert cd >= 0
    data[cd + 24: cd + 28] = struct.pack("<I", 0xFFFFFFFE)
    path = tmp_path / "liar.npz"
    path.write_bytes(bytes(data))
    assert_refused(path, "height_nm")


def test_npz_declaring_1e12_elements_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as zf:
        meta_members(zf)
        zf.writestr("height_nm.npy", npy_header((1_000_000, 1_000_000)) + bytes(800))
    err = assert_refused(path, "height_nm")
    assert "max_pixels" in err and "--max-pixels" in err


def test_npz_header_larger_than_its_data_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.npz"
    with zipfile.ZipFile(path, "w") as zf:
        meta_members(zf)
        zf.writestr("height_nm.npy", npy_header((300, 400)) + bytes(800))
    err = assert_refused(path, "height_nm")
    assert "truncated" in err


def test_truncated_npz_is_refused(tmp_path: Path, good_mt_file: Path) -> None:
    path = tmp_path / "cut.npz"
    path.write_bytes(good_mt_file.read_bytes()[:5000])
    err = assert_refused(path, "NPZ")
    assert "BadZipFile" not in err or "not a readable NPZ" in err


@pytest.mark.parametrize("value", [np.zeros((20, 20), bool),
                                   np.zeros((20, 20), "datetime64[s]"),
                                   np.full((20, 20), "1.0"),
                                   np.zeros((20, 20), complex)],
                         ids=["bool", "datetime", "string", "complex"])
def test_non_numeric_height_maps_are_refused(value: np.ndarray) -> None:
    buf = io.BytesIO()
    np.savez(buf, height_nm=value, pixel_um=2.0, kind="mt")
    with pytest.raises(InputError) as info:
        parse_npz(buf.getvalue(), file="x.npz")
    assert info.value.field == "height_nm" and info.value.file == "x.npz"
    assert "real numbers" in info.value.message


@pytest.mark.parametrize(("key", "value"), [("fibers", np.inf), ("fibers", np.nan),
                                            ("fibers", 12.5), ("fixture_angle_deg", np.nan),
                                            ("fixture_angle_deg", 1e308),
                                            ("fixture_angle_deg", 90.0)])
def test_bad_metadata_numbers_are_refused(tmp_path: Path, key: str, value: float) -> None:
    scan, _ = simulate_mt(fibers=12, seed=1)
    buf = io.BytesIO()
    arrays: dict[str, Any] = {"height_nm": scan.height_nm, "pixel_um": 2.0, "kind": "mt",
                              key: value}
    np.savez(buf, **arrays)
    path = tmp_path / f"meta_{key}.npz"
    path.write_bytes(buf.getvalue())
    err = assert_refused(path, key)
    assert "OverflowError" not in err


# --------------------------------------------------------------------------- XYZ / CSV


def test_sparse_xyz_is_refused_before_allocating_its_grid(tmp_path: Path) -> None:
    path = tmp_path / "sparse.xyz"
    path.write_text("# kind=mt\n0 0 1\n0.05 0 1\n20000 20000 1\n")  # 47 bytes -> 6.5 GB
    assert path.stat().st_size < 60
    err = assert_refused(path, "x_um")
    assert "max_pixels" in err


def test_xyz_grid_mostly_missing_is_refused(tmp_path: Path) -> None:
    pts = "\n".join(f"{x} {y} 1" for x in (0, 2, 4) for y in (0, 2))
    path = tmp_path / "corners.xyz"
    path.write_text(f"# kind=mt\n# pixel_um=2\n{pts}\n3000 3000 1\n")
    err = assert_refused(path, "x_um")
    assert "max_expansion" in err


@pytest.mark.parametrize("pixel", ["0", "nan", "-2", "inf"])
def test_xyz_bad_pixel_is_refused(pixel: str) -> None:
    from mpokit.qc.io import parse_xyz

    with pytest.raises(InputError) as info:
        parse_xyz(f"# kind=mt\n# pixel_um={pixel}\n0 0 1\n2 0 1\n", file="p.xyz")
    assert info.value.field == "pixel_um" and info.value.file == "p.xyz"


def test_csv_above_pixel_limit_is_refused_while_parsing() -> None:
    from mpokit.qc.io import parse_csv

    text = "# pixel_um=2\n# kind=mt\n" + ("1," * 99 + "1\n") * 50
    with pytest.raises(InputError) as info:
        parse_csv(text, file="big.csv", limits=ScanLimits(max_pixels=1000))
    assert "max_pixels" in info.value.message and info.value.file == "big.csv"


# --------------------------------------------------------------------------- datx


def test_datx_fill_value_dataset_is_refused(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "fill.datx"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("Data/Surface/{1}", shape=(40000, 40000), dtype="f8",
                          chunks=(1000, 1000), fillvalue=1.0)
        h5.attrs["mpokit_kind"] = "mt"
    assert path.stat().st_size < 20_000
    err = assert_refused(path, "Surface", "--pixel-um", "2")
    assert "max_pixels" in err


def test_datx_fill_value_within_pixel_limit_is_refused_by_expansion(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "fill_small.datx"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("Data/Surface/{1}", shape=(3000, 3000), dtype="f8",
                          chunks=(500, 500), fillvalue=1.0)
        h5.attrs["mpokit_kind"] = "mt"
    err = assert_refused(path, "Surface", "--pixel-um", "2")
    assert "max_expansion" in err


# --------------------------------------------------------------------------- limits


def test_raised_pixel_limit_is_honoured(tmp_path: Path, good_mt_file: Path) -> None:
    with pytest.raises(InputError, match="max_pixels"):
        read_scan(good_mt_file, limits=ScanLimits(max_pixels=100_000))
    assert read_scan(good_mt_file, limits=ScanLimits(max_pixels=480_000)).shape == (300, 1600)


def test_simulate_tiny_pixel_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    out = tmp_path / "sim.npz"
    code, _, err, rss_mb = run_child("qc", "simulate", str(out), "--pixel-um", "0.05")
    assert code == 1 and "Traceback" not in err
    assert "pixel_um" in err and "--max-pixels" in err
    assert rss_mb < MAX_RSS_MB and not out.exists()


def test_write_then_read_roundtrip_still_works(tmp_path: Path) -> None:
    scan, truth = simulate_mt(fibers=8, seed=3)
    path = tmp_path / "ok.npz"
    write_simulated(path, scan, truth)
    assert np.array_equal(read_scan(path).height_nm, scan.height_nm, equal_nan=True)


def test_deflate_ratio_of_real_scans_is_far_below_the_limit(good_mt_file: Path) -> None:
    with zipfile.ZipFile(good_mt_file) as zf:
        info = zf.getinfo("height_nm.npy")
    assert info.file_size / info.compress_size < 20
    assert zlib  # (used by the bomb builder through zipfile)
