"""Where an intern stands in a campaign: their rank, and the post they chose if any.

The map's panel and ``GET /api/v1/me`` show the same facts from here: the rank of the
campaign asked for or, when none is asked, of the newest open campaign the intern is a
candidate of (so that ``/me`` never says "no rank" while the panel says "rang 1"), and
whether the choice is made (a choice is final: décret n°2010-735 du 29 juin 2010, art. 6,
one choice per candidate in rank order).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Candidacy:
    """An intern's place in one campaign."""

    campaign_id: int
    rank: int
    has_chosen: bool
    chosen_post_id: int | None


def candidacy(
    conn: sa.Connection, beneficiary_id: int, campaign_id: int | None = None
) -> Candidacy | None:
    """The intern's rank and choice in ``campaign_id`` (default: the newest open campaign
    they are a candidate of); None if they are not a candidate."""
    where = "c.campaign_id = :campaign" if campaign_id is not None else "k.status = 'open'"
    row = conn.execute(
        sa.text(
            "SELECT c.campaign_id, c.rank, h.beneficiary_id AS chose, h.post_id "
            "FROM campaign_candidates c JOIN campaigns k ON k.id = c.campaign_id "
            "LEFT JOIN choices h ON h.campaign_id = c.campaign_id "
            "AND h.beneficiary_id = c.beneficiary_id "
            f"WHERE c.beneficiary_id = :b AND {where} ORDER BY k.year DESC, k.id DESC"
        ),
        {"b": beneficiary_id, "campaign": campaign_id},
    ).first()
    if row is None:
        return None
    post = int(row.post_id) if row.post_id is not None else None
    return Candidacy(int(row.campaign_id), int(row.rank), row.chose is not None, post)
