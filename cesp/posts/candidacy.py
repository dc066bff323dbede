"""Where an intern stands in a campaign: their rank, and the post they chose if any.

The map's panel and ``GET /api/v1/me`` show the same facts from here: the rank of the
campaign asked for or, when none is asked, of the newest open campaign the intern is a
candidate of (so that ``/me`` never says "no rank" while the panel says "rang 1"), and
whether the choice is made (one choice per candidate, in rank order: the ministry's
leaflet, seed document 001, « les étudiants ayant signé un CESP choisissent par ordre
de classement leurs postes d'interne sur une liste nationale fermée »; the article of
décret n°2010-735 that says so was not verified here).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cesp.posts.tables import campaign_candidates, campaigns, choices


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
    c, k, h = campaign_candidates, campaigns, choices
    chosen = sa.and_(h.c.campaign_id == c.c.campaign_id, h.c.beneficiary_id == c.c.beneficiary_id)
    which = c.c.campaign_id == campaign_id if campaign_id is not None else k.c.status == "open"
    row = conn.execute(
        sa.select(c.c.campaign_id, c.c.rank, h.c.beneficiary_id.label("chose"), h.c.post_id)
        .select_from(c.join(k, k.c.id == c.c.campaign_id).outerjoin(h, chosen))
        .where(c.c.beneficiary_id == beneficiary_id, which)
        .order_by(k.c.year.desc(), k.c.id.desc())
    ).first()
    if row is None:
        return None
    post = int(row.post_id) if row.post_id is not None else None
    return Candidacy(int(row.campaign_id), int(row.rank), row.chose is not None, post)
