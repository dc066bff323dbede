"""What an answer about zones and decrees depends on, as one small value to compare.

HTTP caches (``ETag``) and anything else that keeps a computed answer need to know when
the zoning changed without recomputing it. Two things move:

- the index version (``storage.versioning``), bumped in the transaction that publishes
  a decree (which also closes the decree it replaces) or loads reference geography:
  everything "in force" (zones, eligible communes, maps) follows it;
- the newest decree id: importing a draft changes the decree lists but, on purpose,
  not the index version (a draft is in force nowhere, so no worker should rebuild).

Decrees are never deleted and only publication updates them, so these two numbers
change whenever a decree or zone answer can. Reading them costs one tiny query.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cesp.storage.tables import index_version
from cesp.zones.tables import decrees


@dataclass(frozen=True)
class ZoningState:
    """The index version and the newest decree id, read in one statement."""

    index_version: int
    last_decree_id: int

    @property
    def token(self) -> str:
        """A short string that changes whenever the state does."""
        return f"{self.index_version}.{self.last_decree_id}"


def zoning_state(conn: sa.Connection) -> ZoningState:
    """Read the current ``ZoningState``.

    Examples
    --------
    >>> before = zoning_state(conn)  # doctest: +SKIP
    >>> publish_decree(conn, decree_id, actor)  # doctest: +SKIP
    >>> zoning_state(conn) != before  # doctest: +SKIP
    True
    """
    row = conn.execute(
        sa.select(
            sa.select(index_version.c.version).where(index_version.c.id == 1).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.max(decrees.c.id), 0)).scalar_subquery(),
        )
    ).one()
    return ZoningState(index_version=int(row[0] or 0), last_decree_id=int(row[1]))
