"""A version number that changes whenever what the in-memory index holds changes.

Publishing a decree and loading reference geography bump it in their own transaction;
every API worker polls it and rebuilds its index when it moves.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def bump_index_version(conn: sa.Connection) -> None:
    """Increment the version (inside the caller's transaction)."""
    conn.execute(
        sa.text("UPDATE index_version SET version = version + 1, updated_at = :at WHERE id = 1"),
        {"at": datetime.now(UTC)},
    )


def read_index_version(conn: sa.Connection) -> int:
    """The current version."""
    return int(conn.execute(sa.text("SELECT version FROM index_version WHERE id = 1")).scalar_one())
