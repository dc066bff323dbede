"""The append-only audit trail of every write: who, when, what, and the files' SHA-256.

Rows are inserted in the same transaction as the write they describe (a write that
rolls back leaves no audit row, an audit row always has its write). The database
refuses UPDATE and DELETE on the table (triggers of migration 0004); nothing in the
service tries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from cesp.errors import InvalidInputError


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
        sa.text(
            "INSERT INTO audit_log (at, actor, role, action, object_type, object_id, "
            "region_code, summary, file_sha256) VALUES (:at, :actor, :role, :action, :type, "
            ":oid, :region, :summary, :sha)"
        ),
        {
            "at": datetime.now(UTC),
            "actor": actor.name,
            "role": actor.role,
            "action": action,
            "type": object_type,
            "oid": None if object_id is None else str(object_id),
            "region": region,
            "summary": summary,
            "sha": file_sha256,
        },
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
    clauses: list[str] = []
    params: dict[str, object] = {"limit": limit, "offset": max(offset, 0)}
    if action:
        clauses.append("action = :action")
        params["action"] = action
    if actor:
        clauses.append("actor = :actor")
        params["actor"] = actor
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        sa.text(
            "SELECT id, at, actor, role, action, object_type, object_id, region_code, summary, "
            f"file_sha256 FROM audit_log {where} ORDER BY id DESC LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    result = []
    for r in rows:
        values: dict[str, Any] = dict(r._mapping)
        if not isinstance(values["at"], datetime):
            values["at"] = datetime.fromisoformat(str(values["at"]))
        result.append(AuditEntry(**values))
    return result
