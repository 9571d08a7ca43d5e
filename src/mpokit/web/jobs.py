"""Background jobs: a small thread-pool registry with progress, polled by the pages.

A job runs one library call in a worker thread; it reports progress through the
``progress(fraction, message)`` callable it is given. ``GET /api/v1/jobs/{id}`` (in
:mod:`mpokit.web.app`) answers its state. Jobs live in memory: a restart forgets them
(their outputs, written atomically into the data folder, stay).

Example:
    >>> reg = JobRegistry(workers=1)
    >>> job = reg.submit("sum", lambda progress: sum(range(10)))
    >>> reg.wait(job.id, timeout_s=5).state, reg.get(job.id).result
    ('done', 45)
    >>> reg.shutdown()
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from mpokit.errors import MpokitError

__all__ = ["Job", "JobRegistry", "JobState", "Progress", "new_job_id"]

log = logging.getLogger("mpokit.web")

JobState = Literal["queued", "running", "done", "failed"]
#: The callable a job's function gets: ``progress(fraction 0..1, message)``.
Progress = Callable[[float, str], None]


@dataclass
class Job:
    """One background job. Its fields change only under the registry's lock."""

    id: str
    kind: str
    state: JobState = "queued"
    progress: float = 0.0
    message: str = "queued"
    result: Any = None
    error: dict[str, Any] | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    link: str | None = None  # the page that shows the result
    done_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The job's state as the API returns it (``result`` is the caller's business).

        Returns
        -------
        dict
            id, kind, state, progress (0..1), message, error, created_at, finished_at.
        """
        return {
            "id": self.id, "kind": self.kind, "state": self.state,
            "progress": round(self.progress, 4), "message": self.message,
            "error": self.error, "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "link": self.link,
        }


def new_job_id() -> str:
    """A new random job id (16 hex digits).

    Returns
    -------
    str
        The id.
    """
    return uuid.uuid4().hex[:16]


class JobRegistry:
    """Runs jobs on a thread pool and remembers the last ``keep`` of them.

    Parameters
    ----------
    workers
        Worker threads (jobs beyond that wait in the queue).
    keep
        How many finished jobs to remember.
    """

    def __init__(self, workers: int = 2, keep: int = 200) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mpokit-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, fn: Callable[[Progress], Any],
               on_done: Callable[[Job], None] | None = None, *,
               job_id: str | None = None) -> Job:
        """Queue ``fn(progress)``; return its job at once.

        Parameters
        ----------
        kind
            What the job does (``plan``, ``check`` ...), shown to users.
        fn
            The work; its return value becomes ``job.result``. An :class:`MpokitError` it
            raises becomes a problem in ``job.error``; any other exception a generic one.
        on_done
            Called in the worker with the finished job (done or failed).
        job_id
            The id to use (new ids are random; give one when ``fn`` must know its own id,
            e.g. to store its result under it).

        Returns
        -------
        Job
            The queued job.
        """
        job = Job(id=job_id or new_job_id(), kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job, fn, on_done)
        return job

    def _set(self, job: Job, **values: Any) -> None:
        with self._lock:
            for k, v in values.items():
                setattr(job, k, v)

    def _run(self, job: Job, fn: Callable[[Progress], Any],
             on_done: Callable[[Job], None] | None) -> None:
        from mpokit.web.problems import problem, problem_for

        def progress(fraction: float, message: str) -> None:
            self._set(job, progress=min(max(float(fraction), 0.0), 1.0), message=message)

        self._set(job, state="running", message="running")
        try:
            result = fn(progress)
        except MpokitError as exc:
            self._set(job, state="failed", error=problem_for(exc), message="failed",
                      finished_at=datetime.now(UTC))
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            self._set(job, state="failed", message="failed", finished_at=datetime.now(UTC),
                      error=problem(500, "the job failed; the error is in the server log"))
        else:
            self._set(job, state="done", result=result, progress=1.0, message="done",
                      finished_at=datetime.now(UTC))
        if on_done is not None:
            try:
                on_done(job)
            except Exception:
                log.exception("after job %s", job.id)
        job.done_event.set()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished_at is not None]
        for j in sorted(finished, key=lambda j: j.created_at)[: max(0, len(finished)
                                                                    - self._keep)]:
            del self._jobs[j.id]

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or None (unknown or forgotten).

        Parameters
        ----------
        job_id
            The id returned on submission.

        Returns
        -------
        Job | None
            The job.
        """
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout_s: float | None = None) -> Job:
        """Block until the job finishes (for tests and the CLI).

        Parameters
        ----------
        job_id
            The job's id.
        timeout_s
            Give up after this long (the job is returned as it stands).

        Returns
        -------
        Job
            The job.

        Raises
        ------
        KeyError
            No such job.
        """
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        job.done_event.wait(timeout_s)
        return job

    def shutdown(self) -> None:
        """Stop taking jobs; wait for the running ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)
