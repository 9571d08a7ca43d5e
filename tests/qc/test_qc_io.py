"""Scan formats: round trips (NPZ, CSV, XYZ, .datx) and malformed files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpokit.errors import InputError
from mpokit.qc.io import (
    Scan,
    generate_csv,
    generate_npz,
    parse_csv,
    parse_npz,
    parse_xyz,
    read_scan,
    write_scan,
)


def sample_scan() -> Scan:
    rng = np.random.default_rng(0)
    h = np.round(rng.normal(0, 500, (20, 30)), 3)
    h[3:6, 4:9] = np.nan
    return Scan(h, pixel_um=1.5, kind="mt", fibers=12, fixture_angle_deg=8.0, serial="F-001")


def assert_same(a: Scan, b: Scan) -> None:
    np.testing.assert_allclose(a.height_nm, b.height_nm, atol=1e-3, equal_nan=True)
    assert (a.pixel_um, a.kind, a.fibers, a.fixture_angle_deg, a.serial) == (
        b.pixel_um, b.kind, b.fibers, b.fixture_angle_deg, b.serial)


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".xyz", ".datx"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    scan = sample_scan()
    path = tmp_path / f"scan{suffix}"
    write_scan(scan, path)
    assert_same(scan, read_scan(path))


def test_npz_contract_minimal_keys() -> None:
    """The contract NPZ: height_nm, pixel_um, kind; optional keys absent."""
    buf = io.BytesIO()
    np.savez(buf, height_nm=np.zeros((10, 12)), pixel_um=2.0, kind="round")
    scan = parse_npz(buf.getvalue())
    assert (scan.kind, scan.fibers, scan.fixture_angle_deg, scan.serial) == ("round", None, 0, "")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.floats(-1e5, 1e5, allow_nan=False), min_size=8, max_size=8),
                min_size=8, max_size=12))
def test_csv_round_trip_property(rows: list[list[float]]) -> None:
    scan = Scan(np.round(np.array(rows), 3), pixel_um=2.0, kind="round")
    back = parse_csv(generate_csv(scan))
    np.testing.assert_allclose(back.height_nm, scan.height_nm, atol=1e-3)


def test_npz_bytes_round_trip() -> None:
    scan = sample_scan()
    assert_same(scan, parse_npz(generate_npz(scan)))


@pytest.mark.parametrize(("arrays", "message"), [
    (dict(pixel_um=2.0, kind="mt"), "missing array 'height_nm'"),
    (dict(height_nm=np.zeros((10, 10)), kind="mt"), "no pixel size"),
    (dict(height_nm=np.zeros((10, 10)), pixel_um=2.0), "ferrule kind unknown"),
    (dict(height_nm=np.zeros((10, 10)), pixel_um=2.0, kind="lc"), "kind must be"),
    (dict(height_nm=np.zeros(100), pixel_um=2.0, kind="mt"), "2-D array"),
    (dict(height_nm=np.zeros((10, 10)), pixel_um=-1.0, kind="mt"), "must be a pixel pitch"),
    (dict(height_nm=np.zeros((10, 10)), pixel_um=[1.0, 2.0], kind="mt"), "must be a scalar"),
])
def test_malformed_npz(tmp_path: Path, arrays: dict[str, object], message: str) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=message) as info:
        read_scan(path)
    assert str(path) in str(info.value)


def test_not_an_npz(tmp_path: Path) -> None:
    path = tmp_path / "junk.npz"
    path.write_text("hello")
    with pytest.raises(InputError, match="not a readable NPZ"):
        read_scan(path)


def test_csv_ragged_row_names_the_line() -> None:
    text = "# pixel_um=2\n# kind=mt\n1,2,3\n1,2\n"
    with pytest.raises(InputError) as info:
        parse_csv(text, file="x.csv")
    assert "x.csv:4" in str(info.value) and "expected 3" in str(info.value)


def test_csv_bad_number() -> None:
    with pytest.raises(InputError, match="not a number: 'abc'"):
        parse_csv("# pixel_um=2\n# kind=mt\n1,abc,3\n")


def test_csv_needs_pixel_size_or_default() -> None:
    text = "# kind=round\n" + "\n".join(",".join(["0"] * 8) for _ in range(8))
    with pytest.raises(InputError, match="pixel_um"):
        parse_csv(text)
    assert parse_csv(text, pixel_um=0.8).pixel_um == 0.8


def test_xyz_off_grid_point() -> None:
    lines = ["# kind=round", "# pixel_um=1"] + [f"{x} {y} 0" for y in range(8) for x in range(8)]
    lines.append("3.5 2 7")
    with pytest.raises(InputError, match="off the 1 um grid"):
        parse_xyz("\n".join(lines))


def test_xyz_wrong_column_count() -> None:
    with pytest.raises(InputError, match="expected 'x_um y_um height_nm'"):
        parse_xyz("# kind=mt\n0 0\n", file="a.xyz")


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(b"II*")
    with pytest.raises(InputError, match=r"unsupported file type '\.tif'"):
        read_scan(path)


def test_missing_file(tmp_path: Path) -> None:
    # the same words as every other reader; a missing file is not "an unsupported type"
    for name in ("nope.npz", "nope"):
        with pytest.raises(InputError, match="file not found"):
            read_scan(tmp_path / name)


def test_datx_without_surface(tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "empty.datx"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("Data/Intensity/x", data=np.zeros((10, 10)))
    with pytest.raises(InputError, match="no 2-D 'Surface' dataset"):
        read_scan(path)


def test_datx_micrometre_heights_and_no_data(tmp_path: Path) -> None:
    """A Zygo-style file: heights in um, a No Data sentinel, pixel size in metres."""
    import h5py

    path = tmp_path / "zygo.datx"
    data = np.full((10, 12), 0.25)
    data[0, 0] = 1e38
    str_dt = h5py.string_dtype()
    conv_dt = np.dtype([("Category", str_dt), ("BaseUnit", str_dt),
                        ("Parameters", h5py.vlen_dtype(np.float64))])
    with h5py.File(path, "w") as h5:
        ds = h5.create_dataset("Data/Surface/{abc}", data=data)
        lateral = [0, 2e-6, 0, 0]
        for axis, unit, params in (("X", "Pixels", lateral), ("Y", "Pixels", lateral),
                                   ("Z", "MicroMeters", [0, 1, 0, 0])):
            c = np.empty(1, dtype=conv_dt)
            c[0] = ("HeightCat" if axis == "Z" else "LateralCat", unit, np.array(params, float))
            ds.attrs[f"{axis} Converter"] = c
        ds.attrs["No Data"] = np.array([1e38])
    scan = read_scan(path, kind="round")
    assert scan.pixel_um == pytest.approx(2.0)
    assert np.isnan(scan.height_nm[0, 0])
    assert scan.height_nm[5, 5] == pytest.approx(250.0)


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(pixel_um=2e-6, kind="mt"), "pitch in micrometres"),   # metres by mistake
        (dict(pixel_um=2000.0, kind="mt"), "pixel pitch between"),  # nanometres by mistake
        (dict(pixel_um=2.0, kind="mt", fibers=100), "fibers must be 1 to 32"),
    ],
)
def test_scan_rejects_unit_mistakes(kwargs: dict, words: str) -> None:
    from mpokit.errors import InputError
    from mpokit.qc import Scan

    with pytest.raises(InputError, match=words):
        Scan(np.zeros((300, 1600)), **kwargs)


def test_too_small_field_of_view_is_an_input_error_not_a_crash() -> None:
    from mpokit.errors import InputError
    from mpokit.qc import Scan, analyze_scan

    scan = Scan(np.zeros((40, 60)), pixel_um=1.0, kind="round")
    with pytest.raises(InputError, match="covers only 60 x 40 um") as ei:
        analyze_scan(scan)
    assert ei.value.field == "height_nm"
