"""The relocation file: the two ARS opinions of a move between regions, the caller's
own reference, the list of stored decisions, and the ledger entry a move makes.

Décret n°2010-735 du 29 juin 2010, art. 8: a change of practice site to another region
is decided by the national manager (the CNG, then the ASP) after the opinions of the ARS
of the region left and of the region joined; both are recorded with the decision. An
unfavourable opinion does not refuse the move by itself: it is a warning the decision
carries.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from cesp.audit import Actor
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.engagement.ledger_store import add_period
from cesp.engagement.relocation import Reason, RelocationDecision
from cesp.engagement.tables import practice_periods, relocation_decisions
from cesp.engagement.texts import decree_2010_735_article_fr
from cesp.errors import InvalidInputError
from cesp.posts.model import Beneficiary

OPINIONS = ("favorable", "defavorable")
MAX_LIMIT = 500


def with_opinions(
    decision: RelocationDecision, origin: str | None, destination: str | None
) -> RelocationDecision:
    """The decision with the two ARS opinions checked (décret n°2010-735 art. 8).

    A move between regions needs both; an unfavourable one becomes a warning.
    """
    for name, value in (("origin_ars_opinion", origin), ("destination_ars_opinion", destination)):
        if value is not None and value not in OPINIONS:
            raise InvalidInputError(
                f"{name}={value!r}: use favorable or defavorable",
                message_fr="Avis de l'ARS : « favorable » ou « defavorable ».",
                field=name,
            )
    if decision.authority == "ARS":
        return decision
    for name, value, label in (
        ("origin_ars_opinion", origin, "de la région quittée"),
        ("destination_ars_opinion", destination, "de la région d'arrivée"),
    ):
        if value is None:
            raise InvalidInputError(
                f"{name} is required for a move to another region (décret n°2010-735 art. 8)",
                message_fr=(
                    f"Un changement de région demande l'avis de l'ARS {label} "
                    f"({decree_2010_735_article_fr(8, decision.change_date)})."
                ),
                field=name,
            )
    warnings = list(decision.warnings)
    for value, label in ((origin, "de la région quittée"), (destination, "de la région d'arrivée")):
        if value == "defavorable":
            warnings.append(
                Reason(
                    "ars_opinion_unfavourable",
                    "an ARS gave an unfavourable opinion (décret n°2010-735 art. 8)",
                    f"Avis défavorable de l'ARS {label} "
                    f"({decree_2010_735_article_fr(8, decision.change_date)}).",
                )
            )
    return dataclasses.replace(decision, warnings=tuple(warnings))


@dataclass(frozen=True)
class RelocationFiling:
    """What the caller adds to a decision: whom it concerns, their own reference, the
    opinions, and the practice at the new site (for the ledger)."""

    beneficiary: Beneficiary | None = None
    file_reference: str | None = None
    origin_ars_opinion: str | None = None
    destination_ars_opinion: str | None = None
    mode: str = "liberal"
    time_fraction: float = 1.0


def file_decision(
    conn: sa.Connection,
    decision: RelocationDecision,
    body: dict[str, Any],
    filing: RelocationFiling,
    new_site: PointSite | CommuneSite,
    actor: Actor,
) -> int | None:
    """Store the decision with its file; an allowed move of a known beneficiary closes
    the period going on and appends one at the new site. Returns the new period's id."""
    conn.execute(
        relocation_decisions.insert().values(
            id=decision.id,
            created_at=decision.created_at,
            requested_by=actor.name,
            profession=decision.profession,
            change_date=decision.change_date,
            decision=decision.decision,
            authority=decision.authority,
            authority_region=decision.authority_region,
            body=json.dumps(body, default=str, ensure_ascii=False),
            beneficiary_id=None if filing.beneficiary is None else filing.beneficiary.id,
            file_reference=filing.file_reference,
            region_from=decision.current.commune.region if decision.current.commune else None,
            region_to=decision.new.commune.region if decision.new.commune else None,
            origin_ars_opinion=filing.origin_ars_opinion,
            destination_ars_opinion=filing.destination_ars_opinion,
        )
    )
    if filing.beneficiary is None or decision.decision != "allowed":
        return None
    t = practice_periods.c
    conn.execute(
        practice_periods.update()
        .where(
            t.beneficiary_id == filing.beneficiary.id,
            t.starts_on < decision.change_date,
            sa.or_(t.ends_on.is_(None), t.ends_on >= decision.change_date),
        )
        .values(ends_on=decision.change_date - timedelta(days=1))
    )
    return add_period(
        conn, filing.beneficiary, new_site, decision.change_date, None, filing.mode,
        filing.time_fraction, actor,
    )  # fmt: skip


@dataclass(frozen=True)
class RelocationFilter:
    """What ``GET /api/v1/relocations`` filters on."""

    beneficiary_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    decision: str | None = None
    region: str | None = None
    limit: int = 100
    offset: int = 0


def list_decisions(conn: sa.Connection, where: RelocationFilter) -> list[dict[str, Any]]:
    """Stored decisions, newest change first; ``region`` matches the region left or joined."""
    if not 1 <= where.limit <= MAX_LIMIT:
        raise InvalidInputError(
            f"limit must be between 1 and {MAX_LIMIT}",
            message_fr=f"limit doit être compris entre 1 et {MAX_LIMIT}.",
            field="limit",
        )
    t = relocation_decisions.c
    query = sa.select(
        t.id, t.created_at, t.change_date, t.decision, t.authority, t.authority_region,
        t.profession, t.beneficiary_id, t.file_reference, t.region_from, t.region_to,
        t.origin_ars_opinion, t.destination_ars_opinion,
    )  # fmt: skip
    if where.beneficiary_id is not None:
        query = query.where(t.beneficiary_id == where.beneficiary_id)
    if where.date_from is not None:
        query = query.where(t.change_date >= where.date_from)
    if where.date_to is not None:
        query = query.where(t.change_date <= where.date_to)
    if where.decision is not None:
        query = query.where(t.decision == where.decision)
    if where.region is not None:
        query = query.where(sa.or_(t.region_from == where.region, t.region_to == where.region))
    query = query.order_by(t.change_date.desc(), t.id).limit(where.limit).offset(where.offset)
    rows = []
    for r in conn.execute(query):
        row = dict(r._mapping)
        row["change_date"] = str(row["change_date"])[:10]
        row["created_at"] = str(row["created_at"])
        rows.append(row)
    return rows
