"""The append-only audit trail of every write: who, when, what, and the files' SHA-256.

Rows are inserted in the same transaction as the write they describe (a write that
rolls back leaves no audit row, an audit row always has its write). The database
refuses UPDATE and DELETE on the table (triggers of migration 0004); nothing in the
service tries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from cesp.errors import InvalidInputError
from cesp.storage.tables import audit_log


@dataclass(frozen=True)
class Actor:
    """Who performs a write: an API key's name and role, or a CLI user."""

    name: str
    role: str
    region: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log."""

    id: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str | None
    region_code: str | None
    summary: str
    file_sha256: str | None


def record(
    conn: sa.Connection,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    summary: str,
    *,
    region: str | None = None,
    file_sha256: str | None = None,
) -> None:
    """Append one row (inside the caller's transaction)."""
    conn.execute(
        sa.insert(audit_log).values(
            at=datetime.now(UTC),
            actor=actor.name,
            role=actor.role,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            region_code=region,
            summary=summary,
            file_sha256=file_sha256,
        )
    )


def list_entries(
    conn: sa.Connection,
    *,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Newest first, filtered by action and actor."""
    if not 1 <= limit <= 1000:
        raise InvalidInputError(
            "limit must be between 1 and 1000", message_fr="limit entre 1 et 1000.", field="limit"
        )
    log = audit_log.c
    query = (
        sa.select(
            log.id,
            log.at,
            log.actor,
            log.role,
            log.action,
            log.object_type,
            log.object_id,
            log.region_code,
            log.summary,
            log.file_sha256,
        )
        .order_by(log.id.desc())
        .limit(limit)
        .offset(max(offset, 0))
    )
    if action:
        query = query.where(log.action == action)
    if actor:
        query = query.where(log.actor == actor)
    return [AuditEntry(**row._mapping) for row in conn.execute(query)]
