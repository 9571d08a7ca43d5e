"""Where batch work runs: a local process pool (default) or a Dask cluster.

An engine maps a picklable function over a list of argument tuples and returns the results in
input order, so results do not depend on the engine. ``dask`` connects to ``scheduler`` (an
address such as ``tcp://10.0.0.5:8786``) or, when none is given, starts a
``distributed.LocalCluster`` for the duration of the ``with`` block.

Example:
    >>> with get_engine("local", jobs=1) as eng:
    ...     eng.starmap(pow, [(2, 3), (3, 2)])
    [8, 9]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, Literal

from mpokit.errors import InputError

__all__ = ["DaskEngine", "Engine", "LocalEngine", "get_engine"]

EngineName = Literal["local", "dask"]


class Engine:
    """Base engine: runs in this process. Use as a context manager."""

    name = "serial"

    def starmap(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``[fn(*a) for a in args]``, in input order."""
        return [fn(*a) for a in args]

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[fn(x) for x in items]``, in input order."""
        return self.starmap(fn, [(x,) for x in items])

    def close(self) -> None:
        """Release workers."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class LocalEngine(Engine):
    """A local process pool of ``jobs`` workers (serial when ``jobs`` is 1)."""

    name = "local"

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def starmap(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Run over the pool; results in input order."""
        if self.jobs <= 1 or len(args) <= 1:
            return super().starmap(fn, args)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        futures = [self._pool.submit(fn, *a) for a in args]
        return [f.result() for f in futures]

    def close(self) -> None:
        """Shut the pool down."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class DaskEngine(Engine):
    """A ``dask.distributed`` client: to ``scheduler``, or to a new LocalCluster."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, jobs: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("the dask engine needs dask.distributed", field="--engine",
                             fix="pip install 'mpokit[dask]'") from None
        self._cluster: Any = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="4s")
            else:
                self._cluster = LocalCluster(n_workers=jobs or min(4, os.cpu_count() or 1),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}",
                             field="--scheduler",
                             fix="give the address the scheduler prints, e.g. "
                             "tcp://HOST:8786") from None

    def starmap(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Submit one task per argument tuple; gather in input order."""
        futures = [self.client.submit(fn, *a, pure=False) for a in args]
        return list(self.client.gather(futures))

    def close(self) -> None:
        """Close the client (and the LocalCluster this engine started)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def get_engine(name: str = "local", *, scheduler: str | None = None,
               jobs: int | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``).

    Parameters:
        name: ``"local"`` (process pool) or ``"dask"``.
        scheduler: a Dask scheduler address (dask only; a LocalCluster when None).
        jobs: worker processes (local pool size, or LocalCluster workers).

    Returns:
        An :class:`Engine`; close it (or use ``with``).
    """
    if name == "local":
        if scheduler:
            raise InputError("--scheduler needs --engine dask", field="--scheduler")
        return LocalEngine(jobs)
    if name == "dask":
        return DaskEngine(scheduler, jobs)
    raise InputError(f"unknown engine {name!r}", field="--engine", fix="use local or dask")
