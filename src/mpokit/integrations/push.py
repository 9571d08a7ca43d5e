"""Push a plant into NetBox or Nautobot: idempotent, with a dry run, never silently half-done.

The push walks the objects in dependency order (site, racks, manufacturer, roles, device
types and their port templates, devices, cables). Each stage first lists what the server
already holds, then creates only what is missing, in bulk requests of at most
:data:`CHUNK` objects (each request is one database transaction on both servers: it
lands whole or not at all). An object that exists with the same key is kept; where its
planned fields differ it is reported as a conflict and left untouched (the operator's
edits are never overwritten). A second push therefore changes nothing, and a push that
stopped part-way (network, permissions, validation) finishes the job when re-run.

Failures raise :class:`PushError`, which carries the :class:`PushReport` of what was
created before the failure and names the object the server refused.

The tool-specific spelling (endpoints, field names, filters) lives in
:mod:`~mpokit.integrations.netbox` and :mod:`~mpokit.integrations.nautobot` as a
:class:`Dialect`; the HTTP side is an :class:`Api`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mpokit.errors import MpokitError
from mpokit.integrations.plant import Cable, Plant, PortRef
from mpokit.integrations.records import Inventory, inventory

__all__ = ["CHUNK", "Api", "ApiError", "Dialect", "PushError", "PushReport", "push"]

#: Objects per bulk create request.
CHUNK = 200

Key = Any
Body = dict[str, Any]


class ApiError(MpokitError):
    """The server answered with an error: ``status`` (HTTP code, 0 for no answer) and the
    server's ``detail`` (its message or field errors)."""

    def __init__(self, status: int, detail: Any, *, url: str = "") -> None:
        self.status, self.detail, self.url = status, detail, url
        super().__init__(f"HTTP {status} from {url}: {detail}" if status else
                         f"no answer from {url}: {detail}")


class Api(Protocol):
    """The three calls a push needs; each raises :class:`ApiError` on an error answer."""

    def find(self, endpoint: str, **filters: Any) -> list[Body]:
        """Every object of ``endpoint`` matching ``filters`` (all pages)."""
        ...

    def create(self, endpoint: str, bodies: list[Body]) -> list[Body]:
        """Create ``bodies`` in one request; the created objects, in order."""
        ...


@dataclass
class PushReport:
    """What a push did (or, in a dry run, would do), per object kind."""

    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, bucket: dict[str, int], kind: str, n: int) -> None:
        if n:
            bucket[kind] = bucket.get(kind, 0) + n

    @property
    def n_created(self) -> int:
        """Objects created (or to create, in a dry run)."""
        return sum(self.created.values())

    def lines(self) -> list[str]:
        """Human summary, one line per object kind."""
        verb = "would create" if self.dry_run else "created"
        kinds = sorted(set(self.created) | set(self.unchanged))
        out = [f"{k}: {verb} {self.created.get(k, 0)}, unchanged {self.unchanged.get(k, 0)}"
               for k in kinds]
        out += [f"conflict: {c}" for c in self.conflicts]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "created": dict(self.created),
                "unchanged": dict(self.unchanged), "conflicts": list(self.conflicts)}


class PushError(MpokitError):
    """A push stopped: ``report`` holds what was created before; re-running finishes it."""

    def __init__(self, message: str, report: PushReport) -> None:
        self.report = report
        super().__init__(message)


@dataclass
class Stage:
    """One kind of object: the planned ones (key -> body), how to key the server's ones."""

    kind: str
    endpoint: str
    planned: list[tuple[Key, Body, str]]  # (key, body, name for messages)
    key_of: Callable[[Body], Key]
    filters: dict[str, Any] | None = field(default_factory=dict)  # None: nothing to list
    compare: tuple[str, ...] = ()  # fields whose difference is a conflict


class Dialect(Protocol):
    """How one tool spells the stages; ``ids`` maps (kind, key) to server object ids."""

    name: str

    def stages(self, inv: Inventory, ids: dict[tuple[str, Key], Any]) -> Iterable[Stage]:
        """The stages in order; each may use the ids of the stages before it."""
        ...


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, dict) and "id" in b:
        b = b["id"]
    if isinstance(b, dict) and "value" in b:
        b = b["value"]
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) < 1e-6
        except (TypeError, ValueError):
            return False
    return str(a) == str(b)


def push(plant: Plant, api: Api, dialect: Dialect, *, dry_run: bool = False,
         progress: Callable[[str], None] | None = None) -> PushReport:
    """Create the plant's objects that the server does not hold yet.

    Parameters
    ----------
    plant
        The plant to push.
    api
        The server connection.
    dialect
        NetBox's or Nautobot's spelling of the objects.
    dry_run
        Only read: report what would be created. Objects that depend on ones not created
        yet are counted as to be created.
    progress
        Called with each stage's kind.

    Returns
    -------
    PushReport
        Created, unchanged and conflicting objects per kind.

    Raises
    ------
    PushError
        The server refused a request; the error names the object and carries the report of
        what was created before it.
    """
    inv = inventory(plant, breakouts=bool(getattr(dialect, "breakouts", False)))
    report = PushReport(dry_run=dry_run)
    ids: dict[tuple[str, Key], Any] = {}
    step = progress or (lambda _s: None)
    stage_name = ""
    try:
        for st in dialect.stages(inv, ids):
            stage_name = st.kind
            step(st.kind)
            existing = ({} if st.filters is None else
                        {st.key_of(o): o for o in api.find(st.endpoint, **st.filters)})
            todo: list[tuple[Key, Body, str]] = []
            for key, body, name in st.planned:
                have = existing.get(key)
                if have is None:
                    todo.append((key, body, name))
                    continue
                ids[(st.kind, key)] = have["id"]
                diff = [f for f in st.compare if f in body and not _same(body[f], have.get(f))]
                if diff:
                    report.conflicts.append(
                        f"{st.kind} {name}: the server's {', '.join(diff)} "
                        f"{'differs' if len(diff) == 1 else 'differ'} from the plan (left as "
                        "it is)")
                report.count(report.unchanged, st.kind, 1)
            if dry_run:
                for key, _b, _n in todo:
                    ids[(st.kind, key)] = None
                report.count(report.created, st.kind, len(todo))
                continue
            for i in range(0, len(todo), CHUNK):
                chunk = todo[i:i + CHUNK]
                try:
                    made = api.create(st.endpoint, [b for _k, b, _n in chunk])
                except ApiError as exc:
                    raise PushError(_explain(exc, st.kind, chunk, dialect.name),
                                    report) from None
                for (key, _b, _n), made_obj in zip(chunk, made, strict=True):
                    ids[(st.kind, key)] = made_obj["id"]
                report.count(report.created, st.kind, len(chunk))
    except ApiError as exc:
        raise PushError(_explain(exc, stage_name, [], dialect.name), report) from None
    return report


def _explain(exc: ApiError, kind: str, chunk: list[tuple[Key, Body, str]], tool: str) -> str:
    """A message naming the object the server refused and what to do."""
    if exc.status in (401, 403):
        return (f"{tool} refused the token (HTTP {exc.status}) at the {kind or 'first'} "
                "stage: check the token (--token-env) and its read and write permissions; "
                f"the server said: {exc.detail}")
    if exc.status == 404:
        return (f"{exc.url} not found (HTTP 404): is the URL the {tool} server's base URL "
                "(without /api)?")
    if exc.status == 0:
        return f"cannot reach {tool} at {exc.url}: {exc.detail}"
    names = [n for _k, _b, n in chunk]
    detail = exc.detail
    if isinstance(detail, list) and len(detail) == len(chunk):
        bad = [(n, d) for n, d in zip(names, detail, strict=True) if d]
        if bad:
            return "; ".join(f"{tool} refused {kind} {n!r}: {d}" for n, d in bad[:5])
    first = f" ({names[0]!r}..{names[-1]!r})" if names else ""
    return f"{tool} refused {kind}{first} (HTTP {exc.status}): {detail}"


def cable_key(c: Cable) -> tuple[PortRef, PortRef]:
    """The key of a planned cable: its two ports, in sorted order."""
    a, b = sorted((c.a[0], c.b[0]))
    return (a, b)
