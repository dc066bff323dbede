"""``/api/v1/audit``: the append-only audit trail (``cng`` and ``admin`` keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Query

from cesp.access import authorize
from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection
from cesp.api.output_model import OutputModel
from cesp.api.routes.conventions import ERRORS
from cesp.audit import Actor, list_entries

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryOut(OutputModel):
    """One write, as recorded."""

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


@router.get("", response_model=list[AuditEntryOut], responses={**ERRORS, 401: {}, 403: {}})
def get_audit(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
    action: Annotated[str | None, Query(max_length=40)] = None,
    by: Annotated[str | None, Query(alias="actor", max_length=120)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[AuditEntryOut]:
    """Newest first; filter by action (``decree.import``...) and actor (key name)."""
    authorize(actor, "audit.read")
    entries = list_entries(conn, action=action, actor=by, limit=limit, offset=offset)
    return [AuditEntryOut.of(e) for e in entries]
