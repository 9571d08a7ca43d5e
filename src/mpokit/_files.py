"""Safe file handling: atomic writes, bounded reads, output folders that never destroy.

* :func:`atomic_write` -- a reader never sees a half-written file.
* :func:`read_input_bytes` / :func:`read_input_text` -- only regular files, within the
  ``file_mb`` limit (a FIFO or ``/dev/zero`` is refused before anything is read).
* :func:`output_dir` -- every folder writer (plan, demo, reports) writes into a hidden
  temporary sibling and swaps it in at the end. An existing folder is replaced only when
  it is empty or an earlier mpokit output (it holds :data:`MARKER`, listing the files
  mpokit wrote); a regular file, a symlink, the current folder or one of its parents is
  refused. ``force`` lets mpokit write beside files it did not write, never over them.
* Everything created follows the umask.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> atomic_write_text(p, "hello\\n"); p.read_text()
'hello\\n'
>>> with output_dir(p.parent / "plan") as tmp:
...     _ = (tmp / "a.csv").write_text("x\\n")
>>> sorted(f.name for f in (p.parent / "plan").iterdir())
['.mpokit-output.json', 'a.csv']
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from mpokit._limits import check_limit, limit
from mpokit.errors import InputError

__all__ = [
    "MARKER",
    "InputBlocks",
    "atomic_write",
    "atomic_write_text",
    "check_output_dir",
    "open_input",
    "output_dir",
    "read_input_bytes",
    "read_input_text",
]

MARKER = ".mpokit-output.json"
"""The file that makes a folder "an earlier mpokit output" and lists what mpokit wrote."""

_TMP_TAG = ".mpokit-tmp-"


@cache
def _umask() -> int:
    try:  # Linux: read it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _chmod_default(path: Path, *, folder: bool) -> None:
    """Give ``path`` the mode plain ``open``/``mkdir`` would (mkstemp/mkdtemp use 0600/0700)."""
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


def atomic_write(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> None:
    """Let ``writer`` fill a temporary file beside ``path``, then rename it over ``path``.

    Parameters
    ----------
    path:
        The file to write.
    writer:
        Called with the temporary path to fill.

    On any failure the temporary file is removed and ``path`` keeps its old content; an
    error names ``path``, never the temporary file. The file's mode follows the umask.
    """
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}{_TMP_TAG}", suffix=p.suffix, dir=p.parent)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", file=str(p),
                         fix="choose a folder you can write to") from None
    os.close(fd)
    try:
        writer(Path(tmp))
        _chmod_default(Path(tmp), folder=False)
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(p),
                         fix="check the free space and permissions of the folder") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


# ---------------------------------------------------------------------------- reading


@contextmanager
def open_input(path: str | os.PathLike[str], *,
               limit_name: str = "file_mb") -> Iterator[io.FileIO]:
    """A regular file within the size limit, open for reading (unbuffered, binary).

    Parameters
    ----------
    path:
        The file to open.
    limit_name:
        The size limit that applies (MiB), see :mod:`mpokit._limits`.

    Returns
    -------
    io.FileIO
        A context manager giving the open file. A FIFO, a device, a folder or a file over
        the limit is refused before anything is read. A reader that may see the file grow
        keeps to the limit itself (as :func:`read_input_bytes` and :class:`InputBlocks` do).

    >>> try:
    ...     with open_input("/dev/zero") as f:
    ...         pass
    ... except InputError as exc:
    ...     print(exc.message)
    not a regular file (a character device)
    """
    p = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not block
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError("file not found", file=str(p)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(p)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a folder, not a file", file=str(p))
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"not a regular file ({_kind(st.st_mode)})", file=str(p),
                             fix="give a file saved on disk, not a pipe or device")
        check_limit(limit_name, _mib(st.st_size), what="file size (MiB)", file=str(p))
        f = open(fd, "rb", buffering=0, closefd=False)  # noqa: SIM115 - closed below
    except BaseException:
        os.close(fd)
        raise
    try:
        yield f
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(p)) from None
    finally:
        f.close()
        os.close(fd)


def read_input_bytes(path: str | os.PathLike[str], *, limit_name: str = "file_mb") -> bytes:
    """The bytes of a regular file within the size limit; anything else is an InputError.

    Parameters
    ----------
    path:
        The file to read.
    limit_name:
        The size limit that applies (MiB), see :mod:`mpokit._limits`.

    Returns
    -------
    bytes
        The content. A FIFO, a device, a folder or a file over the limit is refused
        before reading (see :func:`open_input`), so ``/dev/zero`` or a named pipe cannot
        hang or fill memory.

    >>> try:
    ...     read_input_bytes("/dev/zero")
    ... except InputError as exc:
    ...     print(exc.message)
    not a regular file (a character device)
    """
    with open_input(path, limit_name=limit_name) as f:
        cap = limit(limit_name) * 1024 * 1024
        chunks = []
        total = 0
        while True:  # a file that grows while read still stops at the limit
            chunk = f.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                check_limit(limit_name, _mib(total), what="file size (MiB)", file=str(path))
            chunks.append(chunk)
        return b"".join(chunks)


class InputBlocks:
    """A file read block by block through one reusable buffer, cut at separators.

    :meth:`take` hands out the unread data up to (not including) the last occurrence of a
    separator in the buffer, so a caller that splits each block at that separator never
    sees an item cut in two; at the end of the file it hands out the rest. The buffer
    holds about ``block_bytes`` (more only while no separator is found), so reading a
    file of any size keeps that much of it in memory. Separators are found by their
    first byte onwards: a block never starts inside a multi-byte UTF-8 character when
    the separator starts with an ASCII byte.

    Parameters
    ----------
    f:
        A binary file with ``readinto`` (see :func:`open_input`).
    block_bytes:
        The buffer size.
    limit_name:
        The size limit (MiB) the bytes read are held to, see :mod:`mpokit._limits`.
    file:
        The file's name, for the limit's message.

    >>> import io
    >>> src = InputBlocks(io.BytesIO(b"a;bb;ccc;d"), block_bytes=5)
    >>> [(bytes(v), final) for v, final in iter(lambda: src.take(b";"), None)]
    [(b'a;bb', False), (b';ccc', False), (b';d', True)]
    """

    def __init__(self, f: io.RawIOBase | io.BufferedIOBase, *, block_bytes: int = 4 << 20,
                 limit_name: str = "file_mb", file: str | None = None) -> None:
        self._f = f
        self._buf = bytearray(max(1, block_bytes))
        self._view = memoryview(self._buf)
        self._start = 0  # the first byte not handed out
        self._end = 0  # the end of the data in the buffer
        self._eof = False
        self._total = 0
        self._cap = limit(limit_name) * 1024 * 1024
        self._limit_name = limit_name
        self._file = file

    def peek(self, at_least: int = 0) -> memoryview:
        """The data not handed out yet: a full buffer, or the rest of the file.

        Parameters
        ----------
        at_least:
            Make the buffer this big first, when it is smaller.

        Returns
        -------
        memoryview
            Valid until the next call.
        """
        while len(self._buf) < at_least:
            self._grow()
        if self._end - self._start < len(self._buf) and not self._eof:
            self._fill()
        return self._view[self._start:self._end]

    def take(self, sep: bytes) -> tuple[memoryview, bool] | None:
        """The next block: the data up to the last ``sep`` in the buffer, or all the rest.

        Parameters
        ----------
        sep:
            The separator (non-empty). A block starts with it (but the first) and holds
            it nowhere else but possibly at its start.

        Returns
        -------
        tuple[memoryview, bool] | None
            The block (valid until the next call) and whether it is the file's last; None
            when everything has been handed out.
        """
        while True:
            if not self._eof and (self._start or self._end < len(self._buf)):
                self._fill()
            if self._start == self._end:
                return None
            if self._eof:
                block = self._view[self._start:self._end]
                self._start = self._end
                return block, True
            cut = self._buf.rfind(sep, self._start + 1, self._end)
            if cut > self._start:
                block = self._view[self._start:cut]
                self._start = cut
                return block, False
            self._grow()  # a full buffer without a separator

    def _fill(self) -> None:
        """Move the data not handed out to the front and read until full or at the end."""
        pending = self._end - self._start
        if self._start:
            self._view[:pending] = self._view[self._start:self._end]
            self._start, self._end = 0, pending
        while self._end < len(self._buf):
            n = self._f.readinto(self._view[self._end:])
            if not n:
                self._eof = True
                break
            self._end += n
            self._total += n
            if self._total > self._cap:  # the file grew past the limit while read
                check_limit(self._limit_name, _mib(self._total), what="file size (MiB)",
                            file=self._file)

    def _grow(self) -> None:
        """Double the buffer, keeping the data not handed out (moved to the front)."""
        pending = self._end - self._start
        old = self._view[self._start:self._end]
        self._buf = bytearray(2 * len(self._buf))
        self._buf[:pending] = old
        self._view = memoryview(self._buf)
        self._start, self._end = 0, pending


def read_input_text(path: str | os.PathLike[str], *, limit_name: str = "file_mb") -> str:
    """A UTF-8 text file read with :func:`read_input_bytes`; bad encodings are InputErrors."""
    data = read_input_bytes(path, limit_name=limit_name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", file=str(path), line=line,
                         fix="save the file as UTF-8") from None


def _mib(n: int) -> float:
    return round(n / (1024 * 1024), 1) if n < 1024 * 1024 * 1024 * 1024 else float(n >> 20)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO / named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


# ---------------------------------------------------------------------- output folders


def _written_by_mpokit(folder: Path) -> set[str] | None:
    """The files an earlier mpokit run listed in ``folder``'s marker; None without one."""
    try:
        raw = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        files = raw["files"]
        if raw.get("tool") != "mpokit" or not all(isinstance(f, str) for f in files):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {f for f in files if f and not Path(f).is_absolute() and ".." not in Path(f).parts}


def _entries(folder: Path) -> set[str]:
    """Every file below ``folder`` (relative, '/'-separated; folders themselves are not listed)."""
    out: set[str] = set()
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]:
            out.add((rel / name).as_posix())
        if not files and not dirs and rel != Path("."):
            out.add(rel.as_posix() + "/")  # an empty folder of the user's is theirs too
    return out


def check_output_dir(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Refuse an output folder mpokit may not write; return it.

    Parameters
    ----------
    path:
        The folder the user named.
    force:
        Allow writing into a folder holding files mpokit did not write (they are kept;
        a file of the same name as one mpokit writes is still refused).

    Returns
    -------
    Path
        ``path``. Raises :class:`InputError` (exit 1) for a symlink, a regular file, the
        current folder or one of its parents, or a folder with files mpokit did not write
        (unless ``force``).
    """
    out = Path(path)
    where = str(out)
    if out.is_symlink():
        raise InputError("the output is a symbolic link; mpokit does not write through links",
                         file=where, fix="name a real folder (or remove the link yourself)")
    if out.exists() and not out.is_dir():
        raise InputError("the output exists and is not a folder", file=where,
                         fix="name a new or empty folder; mpokit never replaces a file")
    try:
        resolved = out.resolve()
        cwd = Path.cwd().resolve()
    except OSError as exc:
        raise InputError(f"cannot resolve the output folder: {exc.strerror or exc}",
                         file=where) from None
    if resolved == cwd or resolved in cwd.parents:
        raise InputError("the output is the current folder or one of its parents",
                         file=where, fix="name a new sub-folder such as plan-out")
    if not out.is_dir():
        return out
    present = _entries(out)
    if not present:
        return out
    ours = _written_by_mpokit(out)
    foreign = sorted(present - (ours or set()) - {MARKER})
    if foreign and not force:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        what = ("holds files an earlier mpokit run did not write" if ours is not None
                else "is not empty and is not an earlier mpokit output")
        raise InputError(f"the output folder {what} ({shown})", file=where,
                         fix="name a new or empty folder, or add --force to write beside those "
                         "files (mpokit then replaces only the files it wrote)")
    return out


def _foreign(out: Path) -> set[str]:
    if not out.is_dir():
        return set()
    return _entries(out) - (_written_by_mpokit(out) or set()) - {MARKER}


@contextmanager
def output_dir(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Write a folder of outputs all at once: yield a temporary folder, then swap it in.

    Parameters
    ----------
    path:
        The output folder (checked with :func:`check_output_dir`).
    force:
        See :func:`check_output_dir`.

    Yields
    ------
    Path
        A new hidden folder beside ``path`` to fill. When the ``with`` block ends normally
        its files become ``path`` (with a :data:`MARKER` listing them); on any error,
        Ctrl-C or SIGTERM it is removed and ``path`` keeps its old content.
    """
    out = check_output_dir(path, force=force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}{_TMP_TAG}{os.getpid()}-",
                                    dir=out.parent))
        _chmod_default(tmp, folder=True)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", file=str(out),
                         fix="choose an output folder you can write to") from None
    try:
        try:
            yield tmp
            with _signals_held():  # a SIGTERM now waits until the swap is whole
                _finish(tmp, out, force=force)
        except OSError as exc:
            name = str(exc.filename or "")
            shown = str(out / Path(name).relative_to(tmp)) if name.startswith(str(tmp)) else (
                name or str(out))
            why = str(exc.strerror or exc).replace(str(tmp), str(out))
            raise InputError(f"cannot write the output: {why}", file=shown,
                             fix="check the free space and permissions of the folder") from None
    finally:
        with _signals_held():  # never leave a half-removed temporary folder
            shutil.rmtree(tmp, ignore_errors=True)


def write_output_texts(path: str | os.PathLike[str], files: dict[str, str], *,
                       force: bool = False) -> Path:
    """Write named UTF-8 texts as one output folder (all files or none), via :func:`output_dir`.

    Parameters
    ----------
    path:
        The output folder.
    files:
        File name -> text.
    force:
        See :func:`check_output_dir`.

    Returns
    -------
    Path
        ``path``.
    """
    with output_dir(path, force=force) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
    return Path(path)


def _finish(tmp: Path, out: Path, *, force: bool) -> None:
    """Write the marker, fix folder modes, and swap ``tmp`` in as ``out``."""
    written = sorted(_entries(tmp))
    (tmp / MARKER).write_text(json.dumps(
        {"tool": "mpokit", "files": written}, indent=1) + "\n", encoding="utf-8")
    for root, dirs, _files in os.walk(tmp):
        for d in dirs:
            _chmod_default(Path(root) / d, folder=True)
    _swap_in(tmp, out, set(written), force=force)


_HELD = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C / SIGTERM / SIGHUP for a few file renames; they arrive right after."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _remove_stale(out: Path) -> None:
    """Remove temporary siblings of ``out`` left by a run that was killed (SIGKILL, power)."""
    prefix = f".{out.name}{_TMP_TAG}"
    for sibling in out.parent.glob(f"{prefix}*"):
        pid_text = sibling.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or sibling.is_symlink() or not sibling.is_dir():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(sibling, ignore_errors=True)  # its run is gone
        except (PermissionError, OverflowError, OSError):
            continue


def _swap_in(tmp: Path, out: Path, written: set[str], *, force: bool) -> None:
    """Move the finished ``tmp`` to ``out``, replacing only what mpokit wrote there."""
    check_output_dir(out, force=force)  # the folder may have changed while we worked
    foreign = _foreign(out)
    clash = sorted(foreign & (written | {MARKER}))
    if clash:
        raise InputError(f"the output folder holds files mpokit did not write: {', '.join(clash)}",
                         file=str(out), fix="move them away or name another folder; mpokit "
                         "never replaces a file it did not write")
    if not foreign:
        trash = None
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}{_TMP_TAG}{os.getpid()}-old-",
                                          dir=out.parent))
            os.replace(out, trash / "prev")
        try:
            os.rename(tmp, out)
        except OSError as exc:
            if trash is not None and not out.exists():
                os.replace(trash / "prev", out)  # put the old output back
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise InputError("another run wrote this folder at the same time", file=str(out),
                                 fix="run again, one run per output folder") from None
            raise
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
        return
    # --force beside foreign files: replace mpokit's own files one by one, keep the rest
    old = _written_by_mpokit(out) or set()
    for rel in sorted(written):
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, dest)
    for rel in sorted(old - written):
        (out / rel).unlink(missing_ok=True)
    os.replace(tmp / MARKER, out / MARKER)
