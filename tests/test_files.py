"""Output folders never destroy what mpokit did not write; reads are bounded (mpokit._files)."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mpokit._files import (
    MARKER,
    InputBlocks,
    atomic_write,
    check_output_dir,
    open_input,
    output_dir,
    read_input_bytes,
    read_input_text,
)
from mpokit.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text)


def test_new_folder_gets_files_and_marker(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    with output_dir(out) as tmp:
        _write(tmp, {"a.csv": "1\n", "qc/r.html": "<p>"})
    marker = json.loads((out / MARKER).read_text())
    assert marker == {"tool": "mpokit", "files": ["a.csv", "qc/r.html"]}
    assert (out / "qc" / "r.html").read_text() == "<p>"
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no temp sibling left


def test_earlier_output_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    with output_dir(out) as tmp:
        _write(tmp, {"old.csv": "x", "keep.csv": "1"})
    with output_dir(out) as tmp:
        _write(tmp, {"keep.csv": "2"})
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "keep.csv"]
    assert (out / "keep.csv").read_text() == "2"


@pytest.mark.parametrize("setup", ["file", "foreign", "added"])
def test_refusals_touch_nothing(tmp_path: Path, setup: str) -> None:
    out = tmp_path / "out"
    if setup == "file":
        out.write_text("my notes")
    elif setup == "foreign":
        _write(out, {"thesis.tex": "years"})
    else:  # an earlier output the user added a file to
        with output_dir(out) as tmp:
            _write(tmp, {"a.csv": "1"})
        (out / "notes.txt").write_text("mine")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(InputError) as ei, output_dir(out) as tmp:
        _write(tmp, {"a.csv": "2"})
    assert ei.value.file == str(out) and ei.value.fix
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_force_keeps_foreign_files_and_replaces_only_its_own(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_dir(out) as tmp:
        _write(tmp, {"a.csv": "1", "gone.csv": "old"})
    _write(out, {"notes.txt": "mine", "sub/empty/.keep": ""})
    with output_dir(out, force=True) as tmp:
        _write(tmp, {"a.csv": "2"})
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "sub" / "empty" / ".keep").exists()
    assert (out / "a.csv").read_text() == "2"
    assert not (out / "gone.csv").exists()  # mpokit wrote it, the new run did not
    assert json.loads((out / MARKER).read_text())["files"] == ["a.csv"]


def test_force_never_overwrites_a_file_mpokit_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, {"a.csv": "the user's"})
    with pytest.raises(InputError, match=r"did not write: a\.csv"), \
            output_dir(out, force=True) as tmp:
        _write(tmp, {"a.csv": "2"})
    assert (out / "a.csv").read_text() == "the user's"


def test_cwd_parents_and_symlinks_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    monkeypatch.chdir(proj)
    for path in (".", "..", str(proj), str(tmp_path)):
        with pytest.raises(InputError, match="current folder or one of its parents"):
            check_output_dir(path, force=True)
    (proj / "ln").symlink_to(tmp_path)
    with pytest.raises(InputError, match="symbolic link"):
        check_output_dir("ln", force=True)


def test_an_error_inside_keeps_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    with output_dir(out) as tmp:
        _write(tmp, {"a.csv": "1"})
    with pytest.raises(RuntimeError), output_dir(out) as tmp:
        _write(tmp, {"a.csv": "half"})
        raise RuntimeError("boom")
    assert (out / "a.csv").read_text() == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_modes_follow_the_umask(tmp_path: Path, umask: int) -> None:
    code = (f"import os; os.umask({umask});"
            "from mpokit._files import output_dir, atomic_write_text;"
            f"atomic_write_text({str(tmp_path / 'f.txt')!r}, 'x');"
            f"cm = output_dir({str(tmp_path / 'out')!r})\n"
            "with cm as t:\n    (t / 'a.csv').write_text('1'); (t / 'd').mkdir()")
    subprocess.run([sys.executable, "-c", code], check=True)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "f.txt") == 0o666 & ~umask
    assert mode(tmp_path / "out") == 0o777 & ~umask
    assert mode(tmp_path / "out" / "d") == 0o777 & ~umask
    assert mode(tmp_path / "out" / MARKER) == 0o666 & ~umask


def test_stale_temp_of_a_killed_run_is_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".plan.mpokit-tmp-{dead}-abc"
    stale.mkdir()
    (stale / "cutsheet.csv").write_text("291 MB, say")
    mine = tmp_path / f".plan.mpokit-tmp-{os.getpid()}-live"  # a live run's: kept
    mine.mkdir()
    with output_dir(tmp_path / "plan") as tmp:
        _write(tmp, {"a.csv": "1"})
    assert not stale.exists() and mine.exists()


def test_write_errors_name_the_target_not_the_temp(tmp_path: Path) -> None:
    def disk_full(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device", str(tmp))

    target = tmp_path / "x.txt"
    with pytest.raises(InputError) as ei:
        atomic_write(target, disk_full)
    assert ".mpokit-tmp-" not in str(ei.value) and ei.value.file == str(target)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError) as ei, output_dir(tmp_path / "out") as tmp:
        disk_full(tmp / "cutsheet.csv")
    assert ".mpokit-tmp-" not in str(ei.value)
    assert ei.value.file == str(tmp_path / "out" / "cutsheet.csv")
    assert list(tmp_path.iterdir()) == []


def test_reads_refuse_fifo_device_folder_and_oversize(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="FIFO"):
        read_input_bytes(fifo)
    assert time.perf_counter() - t0 < 5
    with pytest.raises(InputError, match="character device"):
        read_input_bytes("/dev/zero")
    with pytest.raises(InputError, match="is a folder"):
        read_input_bytes(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    monkeypatch.setenv("MPOKIT_LIMIT_FILE_MB", "1")
    with pytest.raises(InputError, match="MPOKIT_LIMIT_FILE_MB=2") as ei:
        read_input_bytes(big)
    assert ei.value.file == str(big)
    monkeypatch.setenv("MPOKIT_LIMIT_FILE_MB", "3")
    assert len(read_input_bytes(big)) == 2 * 1024 * 1024


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError) as ei:
        read_input_text(f)
    assert ei.value.line == 2 and "UTF-8" in str(ei.value)


def test_sigterm_mid_plan_leaves_no_partial_output(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text((ROOT / "examples" / "cluster" / "superpod-4su.yaml").read_text()
                    .replace("nodes: 127", "nodes: 2032"))
    proc = subprocess.Popen([sys.executable, "-m", "mpokit", "plan", str(spec), "-o", "out"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".out.mpokit-tmp-") for p in tmp_path.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@given(data=st.binary(max_size=400), sep=st.sampled_from([b";", b"\n  - ", b"aa", b"\x00\xff"]),
       size=st.integers(1, 64))
def test_blocks_are_the_file_cut_right_before_a_separator(data: bytes, sep: bytes,
                                                          size: int) -> None:
    """Blocks put together are the file; each but the last is followed by the separator
    and starts with it (but the first), whatever the buffer size."""
    src = InputBlocks(io.BytesIO(data), block_bytes=size)
    got: list[tuple[bytes, bool]] = []
    while (block := src.take(sep)) is not None:
        got.append((bytes(block[0]), block[1]))
    assert b"".join(b for b, _ in got) == data
    assert [final for _, final in got] == [False] * (len(got) - 1) + [True] * bool(got)
    at = 0
    for i, (b, final) in enumerate(got):
        assert b
        if i:
            assert b.startswith(sep)
        at += len(b)
        if not final:
            assert data.startswith(sep, at)


def test_blocks_refuse_what_whole_reads_refuse_and_hold_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError, match="not a regular file"), open_input("/dev/zero"):
        pass
    with pytest.raises(InputError, match="is a folder"), open_input(tmp_path):
        pass
    big = tmp_path / "big.txt"
    big.write_bytes(b"x;" * (1024 * 1024))
    with open_input(big) as f:  # the limit is checked while reading, too
        monkeypatch.setenv("MPOKIT_LIMIT_FILE_MB", "1")
        src = InputBlocks(f, block_bytes=4096, file=str(big))
        with pytest.raises(InputError, match="MPOKIT_LIMIT_FILE_MB"):
            while src.take(b";") is not None:
                pass

