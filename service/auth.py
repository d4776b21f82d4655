"""Bearer tokens, roles and the principal a request acts as.

A token is ``mitra_`` followed by 32 random bytes, urlsafe-base64 encoded. Only its
SHA-256 is stored, so a leaked database does not leak usable tokens; the plaintext is
returned once by :func:`create_token`. Looking a token up by its hash means the
comparison never runs over attacker-chosen prefixes of a stored secret, and the
final :func:`hmac.compare_digest` keeps the last step constant-time as well.

Like every domain module, these functions take a session and never commit: the
caller owns the transaction (``authenticate`` updates ``last_used_at``).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from service.db.models import ApiToken

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

TOKEN_PREFIX = "mitra_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8  # "mitra_" and 8 characters of the secret: shown in lists
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours; refuse before hashing
MAX_OWNER_LENGTH = 100
# Refresh last_used_at at most this often, so reads do not each write a row.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class Role(enum.StrEnum):
    """What a token may do. Each role includes the ones below it."""

    VIEWER = "viewer"  # read
    PLANNER = "planner"  # propose partnerships, record feedback, edit partners
    ADMIN = "admin"  # archive partners, manage tokens

    @property
    def rank(self) -> int:
        return _RANK[self]

    def includes(self, other: Role | str) -> bool:
        """True when this role may do what ``other`` may do."""
        return self.rank >= Role(other).rank


_RANK = {Role.VIEWER: 0, Role.PLANNER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting. ``token_id`` is None for local actors (CLI, seed, tests)."""

    owner: str
    role: Role
    token_id: int | None = None

    @classmethod
    def local(cls, owner: str = "cli", role: Role = Role.ADMIN) -> Principal:
        return cls(owner=owner, role=role, token_id=None)


class AuthError(Exception):
    """Base of the typed access errors; ``code`` is what the API reports."""

    code = "AUTH_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(AuthError):
    code = "UNAUTHENTICATED"


class Forbidden(AuthError):
    code = "FORBIDDEN"


def require(principal: Principal | None, role: Role | str) -> Principal:
    """Return ``principal`` when it holds at least ``role``; raise otherwise."""
    needed = Role(role)
    if principal is None:
        raise Unauthenticated("a valid bearer token is required")
    if not principal.role.includes(needed):
        raise Forbidden(
            f"this action needs the {needed.value} role; the token has {principal.role.value}"
        )
    return principal


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone=True columns.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def clean_owner(owner: str) -> str:
    """The owner name trimmed; ValueError when empty, too long or holding control characters."""
    value = owner.strip()
    if not value:
        raise ValueError("owner must not be empty")
    if len(value) > MAX_OWNER_LENGTH:
        raise ValueError(f"owner must be at most {MAX_OWNER_LENGTH} characters")
    if any(not ch.isprintable() for ch in value):
        raise ValueError("owner must not contain control characters")
    return value


async def create_token(
    session: AsyncSession, *, owner: str, role: Role | str
) -> tuple[ApiToken, str]:
    """Add a token; return the row and the plaintext, which is never stored or shown again."""
    role = Role(role)
    plaintext = generate_token()
    row = ApiToken(
        owner=clean_owner(owner),
        role=role.value,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        created_at=_utcnow(),
    )
    session.add(row)
    await session.flush()
    return row, plaintext


async def list_tokens(
    session: AsyncSession, *, include_revoked: bool = False
) -> Sequence[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return (await session.scalars(stmt)).all()


async def revoke_token(
    session: AsyncSession, *, token_id: int | None = None, prefix: str | None = None
) -> ApiToken | None:
    """Revoke one token by id or by its displayed prefix; None when no such live token.

    A prefix that matches more than one live token is refused (ValueError) rather
    than revoking several.
    """
    if (token_id is None) == (prefix is None):
        raise ValueError("give exactly one of token_id or prefix")
    stmt = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if token_id is not None:
        stmt = stmt.where(ApiToken.id == token_id)
    else:
        stmt = stmt.where(ApiToken.prefix == prefix)
    rows = (await session.scalars(stmt)).all()
    if not rows:
        return None
    if len(rows) > 1:
        raise ValueError(f"prefix {prefix!r} matches {len(rows)} tokens; revoke by id")
    row = rows[0]
    row.revoked_at = _utcnow()
    await session.flush()
    return row


def parse_bearer(header: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value or None


async def authenticate(
    session: AsyncSession, plaintext: str | None, *, touch: bool = True
) -> Principal | None:
    """The principal for a token, or None when it is missing, unknown or revoked.

    With ``touch`` the token's ``last_used_at`` is refreshed (at most once a minute);
    the caller commits.
    """
    if not plaintext or len(plaintext) > MAX_TOKEN_LENGTH or not plaintext.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(plaintext)
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None:
        return None
    if touch:
        now = _utcnow()
        if row.last_used_at is None or now - _aware(row.last_used_at) >= LAST_USED_RESOLUTION:
            row.last_used_at = now
            await session.flush()
    return Principal(owner=row.owner, role=Role(row.role), token_id=row.id)
