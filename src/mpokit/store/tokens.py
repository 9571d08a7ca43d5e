"""API tokens of the web app: created once, shown once, stored only as a SHA-256 hash.

A token is 32 random bytes (``secrets.token_urlsafe``) behind the prefix ``mpk_``; its hash
is all the store keeps, so a stolen database gives no usable token. A fast hash is right
here: the token is random with 256 bits of entropy, so nothing can be guessed by brute force
(passwords would want a slow hash, random tokens do not). Lookups compare hashes in SQL with
a bound parameter.

Example:
    >>> import tempfile, pathlib
    >>> from mpokit.store import open_store
    >>> url = "sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "qc.db")
    >>> with open_store(url) as store:
    ...     text, info = create_token(store, "ci")
    ...     verify_token(store, text) is not None, verify_token(store, "mpk_wrong")
    (True, None)
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from mpokit.errors import InputError
from mpokit.store.db import Store
from mpokit.store.models import Base

__all__ = ["ApiToken", "TokenInfo", "create_token", "list_tokens", "revoke_token",
           "verify_token"]


class ApiToken(Base):
    """A web API token row: only its SHA-256 is stored (migration 0004)."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

_PREFIX = "mpk_"


@dataclass(frozen=True)
class TokenInfo:
    """What the store knows of a token (never the token itself)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked_at is None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, row.created_at, row.revoked_at)


def create_token(store: Store, name: str) -> tuple[str, TokenInfo]:
    """Create a token named ``name``; return its text (shown once) and its record.

    Parameters
    ----------
    store
        The open store.
    name
        A label for people (who or what uses the token), 1 to 100 characters.

    Returns
    -------
    tuple[str, TokenInfo]
        The token text and its stored record.

    Raises
    ------
    InputError
        The name is empty or too long.
    """
    name = name.strip()
    if not 0 < len(name) <= 100:
        raise InputError("a token name needs 1 to 100 characters", field="name",
                         fix="e.g. mpokit token create laptop")
    text = _PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, prefix=text[:10], token_sha256=_hash(text),
                   created_at=datetime.now(UTC), revoked_at=None)
    with store.session() as s:
        s.add(row)
        s.flush()
        info = _info(row)
    return text, info


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every token ever created, oldest first, revoked ones included.

    Parameters
    ----------
    store
        The open store.

    Returns
    -------
    list[TokenInfo]
        The records (no token text: the store does not have it).
    """
    with store.read() as s:
        return [_info(r) for r in s.scalars(select(ApiToken).order_by(ApiToken.id))]


def revoke_token(store: Store, ident: str) -> TokenInfo:
    """Revoke the token with id or name ``ident`` (a name must be unique among active tokens).

    Parameters
    ----------
    store
        The open store.
    ident
        The token's id (as listed) or its name.

    Returns
    -------
    TokenInfo
        The revoked record.

    Raises
    ------
    InputError
        No active token has that id or name, or the name is ambiguous.
    """
    with store.session() as s:
        q = select(ApiToken).where(ApiToken.revoked_at.is_(None))
        q = q.where(ApiToken.id == int(ident)) if ident.isdigit() else q.where(
            ApiToken.name == ident)
        rows = list(s.scalars(q))
        if not rows:
            raise InputError(f"no active token {ident!r}", field="token",
                             fix="see mpokit token list")
        if len(rows) > 1:
            raise InputError(f"{len(rows)} active tokens are named {ident!r}", field="token",
                             fix="revoke by id (mpokit token list shows it)")
        now = datetime.now(UTC)
        s.execute(update(ApiToken).where(ApiToken.id == rows[0].id).values(revoked_at=now))
        return TokenInfo(rows[0].id, rows[0].name, rows[0].prefix, rows[0].created_at, now)


def verify_token(store: Store, text: str) -> TokenInfo | None:
    """The active token whose text is ``text``, or None.

    Parameters
    ----------
    store
        The open store.
    text
        The token as presented by a client.

    Returns
    -------
    TokenInfo | None
        The record when the token exists and is not revoked.
    """
    if not text.startswith(_PREFIX) or len(text) > 200:
        return None
    with store.read() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_sha256 == _hash(text),
                                              ApiToken.revoked_at.is_(None)))
        return _info(row) if row is not None else None
