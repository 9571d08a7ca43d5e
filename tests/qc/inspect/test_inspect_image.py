"""Reading images: formats, bit depths, pixel size from metadata or option, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mpokit.errors import InputError
from mpokit.qc.inspect.image import discover_images, read_image, write_image

RAMP = np.tile(np.linspace(0.1, 0.9, 200), (120, 1))


@pytest.mark.parametrize(("name", "depth"), [("a.png", 8), ("a.png", 16), ("a.tif", 8),
                                             ("a.tif", 16)])
def test_round_trip_keeps_pixels_and_pixel_size(tmp_path: Path, name: str, depth: int) -> None:
    path = tmp_path / name
    write_image(path, RAMP, pixel_um=0.31, bit_depth=depth)
    img = read_image(path)
    assert img.bit_depth == depth and img.shape == (120, 200)
    assert img.pixel_um == pytest.approx(0.31, rel=1e-3)
    assert img.pixel_source == ("png" if name.endswith("png") else "tiff")
    assert np.max(np.abs(img.pixels - RAMP)) <= 1.0 / (2 ** depth - 1)


def test_jpeg_carries_no_pixel_size_so_option_is_required(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    write_image(path, RAMP, pixel_um=0.3)
    with pytest.raises(InputError, match="no pixel size") as exc:
        read_image(path)
    assert "--pixel-um" in str(exc.value) and "a.jpg" in str(exc.value)
    assert read_image(path, pixel_um=0.3).pixel_source == "option"


def test_option_overrides_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.tif"
    write_image(path, RAMP, pixel_um=0.31)
    img = read_image(path, pixel_um=0.5)
    assert (img.pixel_um, img.pixel_source) == (0.5, "option")


def test_72_dpi_default_is_refused_not_believed(tmp_path: Path) -> None:
    path = tmp_path / "office.png"
    Image.fromarray((RAMP * 255).astype(np.uint8)).save(path, dpi=(72, 72))
    with pytest.raises(InputError, match="not plausible") as exc:
        read_image(path)
    assert "352." in str(exc.value)  # 25400 / 72 um


def test_imagej_micron_resolution_is_read(tmp_path: Path) -> None:
    import tifffile

    path = tmp_path / "ij.tif"
    tifffile.imwrite(path, (RAMP * 65535).astype(np.uint16), imagej=True,
                     resolution=(1 / 0.25, 1 / 0.25), metadata={"unit": "micron"})
    assert read_image(path).pixel_um == pytest.approx(0.25)


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("hello")
    with pytest.raises(InputError, match="not an image"):
        read_image(path, pixel_um=0.3)


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_wrong_bit_depth_tiff(tmp_path: Path, dtype: type) -> None:
    import tifffile

    path = tmp_path / "f.tif"
    tifffile.imwrite(path, (RAMP * 1000).astype(dtype))
    with pytest.raises(InputError, match="8 or 16 bit"):
        read_image(path, pixel_um=0.3)


def test_one_bit_png_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bw.png"
    Image.fromarray(RAMP > 0.5).convert("1").save(path)
    with pytest.raises(InputError, match="1-bit"):
        read_image(path, pixel_um=0.3)


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.bmp").write_bytes(b"BM")
    with pytest.raises(InputError, match="unsupported file type"):
        read_image(tmp_path / "a.bmp", pixel_um=0.3)
    with pytest.raises(InputError, match="file not found"):
        read_image(tmp_path / "gone.png", pixel_um=0.3)


def test_rgb_is_reduced_to_grey(tmp_path: Path) -> None:
    path = tmp_path / "c.png"
    rgb = np.stack([RAMP, RAMP, RAMP], axis=-1)
    Image.fromarray((rgb * 255).astype(np.uint8)).save(path)
    img = read_image(path, pixel_um=0.3)
    assert img.pixels.ndim == 2 and abs(float(img.pixels.mean()) - 0.5) < 0.01


def test_discover_finds_images_in_folders(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for n in ("sub/b.tif", "a.png", "x.txt"):
        (tmp_path / n).write_bytes(b"")
    assert [p.name for p in discover_images([tmp_path])] == ["a.png", "b.tif"]


def test_a_named_file_that_is_not_there_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"")  # there but unreadable: the batch reports it
    assert discover_images([tmp_path / "a.png"]) == [tmp_path / "a.png"]
    with pytest.raises(InputError, match=r"missing\.png: file not found"):
        discover_images([tmp_path / "a.png", tmp_path / "missing.png"])


@pytest.mark.parametrize("header", [
    b"II*\x00" + (0xFFFFFF00).to_bytes(4, "little"),  # first-page offset past the end
    b"II*\x00" + (0).to_bytes(4, "little"),  # no first page
    b"II*\x00" + (8).to_bytes(4, "little") + (5).to_bytes(2, "little") + b"\x00\x01",  # cut IFD
])
def test_corrupt_tiff_is_an_input_error_naming_the_file(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "broken.tif"
    path.write_bytes(header + bytes(64))
    with pytest.raises(InputError, match=r"broken\.tif") as err:
        read_image(path, pixel_um=0.5)
    assert "TIFF" in str(err.value)


def test_a_damaged_tiff_tag_prints_nothing_but_our_message(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """tifffile logs a warning per unreadable tag; the user sees only the InputError."""
    import logging
    import subprocess
    import sys

    import tifffile

    path = tmp_path / "tags.tif"
    tifffile.imwrite(path, (RAMP * 65535).astype(np.uint16), resolution=(4.0, 4.0),
                     resolutionunit="CENTIMETER")
    data = bytearray(path.read_bytes())
    ifd = int.from_bytes(data[4:8], "little")
    for i in range(int.from_bytes(data[ifd:ifd + 2], "little")):
        entry = ifd + 2 + 12 * i
        if int.from_bytes(data[entry:entry + 2], "little") == 282:  # XResolution
            data[entry + 8:entry + 12] = (10**9).to_bytes(4, "little")  # offset past the end
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.DEBUG, logger="tifffile"):
        with pytest.raises(InputError, match=r"tags\.tif: pixel size"):
            read_image(path)
        assert [r.getMessage() for r in caplog.records] == []
        logging.getLogger("tifffile").warning("a note of the caller's own")  # after the read
        assert [r.getMessage() for r in caplog.records] == ["a note of the caller's own"]
    run = subprocess.run([sys.executable, "-m", "mpokit", "qc", "inspect", str(path),
                          "--class", "sm-pc", "--jobs", "1"], capture_output=True, text=True)
    assert run.returncode == 1
    assert "TiffTag" not in run.stderr + run.stdout and "tags.tif: pixel size" in run.stdout
