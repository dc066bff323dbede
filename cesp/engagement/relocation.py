"""Validation of a beneficiary's change of practice location (the CNG contract).

Rules: a CESP beneficiary may change practice site during the engagement on request to
the director general of the ARS they depend on (décret n°2010-735 du 29 juin 2010,
relatif au contrat d'engagement de service public; seed document "le CESP" of the
ministry); the new site must lie, on the change date, in a zone where care is lacking
as set by the ARS (code de l'éducation art. L.632-6). A move to another region is
authorised by the national manager of the contract on the change date: the CNG, then
the ASP (décret n°2025-270, see ``cesp.engagement.authority``: from 26 March 2025 the ASP
for contracts signed from that day, every contract from 1 January 2026), named by
``national_manager_on`` from the change date and the signature date.

The decision is stored with every reason and can be fetched years later.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from cesp.eligibility.check import EligibilityResult, check
from cesp.eligibility.sites import Site
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.engagement.authority import national_manager_on
from cesp.engagement.tables import relocation_decisions
from cesp.errors import CespError, InvalidInputError, NotFoundError
from cesp.zones.professions import parse_profession


@dataclass(frozen=True)
class Reason:
    """Why a move is refused (or a warning on an allowed one)."""

    code: str
    message: str
    message_fr: str


@dataclass(frozen=True)
class RelocationDecision:
    """The answer given to the national manager (CNG, then ASP)."""

    id: str
    decision: str
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    authority: str
    authority_region: str | None
    current: EligibilityResult
    new: EligibilityResult
    change_date: date
    engagement_end: date
    profession: str
    created_at: datetime
    authority_name_fr: str = ""


def _check_named(
    index: ZoningIndex, conn: sa.Connection, site: Site, on: date, profession: str, name: str
) -> EligibilityResult:
    """``check``, with errors naming the site they concern (``new_site.insee``)."""
    try:
        return check(index, conn, site, on, profession)
    except CespError as error:
        error.field = f"{name}.{error.field}" if error.field else name
        raise


def decide(
    index: ZoningIndex,
    conn: sa.Connection,
    *,
    profession: str,
    current_site: Site,
    new_site: Site,
    change_date: date,
    engagement_end: date,
    signed_on: date | None = None,
) -> RelocationDecision:
    """Decide on a move; every failed rule is a reason (no short-circuit).

    ``signed_on``: the signature of the contract, which with ``change_date`` names the
    national manager (``national_manager_on``); unknown, the contract is taken as signed
    before 26 March 2025 (the CNG until 31 December 2025).
    """
    profession = parse_profession(profession, change_date).value
    current = _check_named(index, conn, current_site, change_date, profession, "current_site")
    new = _check_named(index, conn, new_site, change_date, profession, "new_site")
    if current.commune is None:
        raise InvalidInputError(
            "current_site is in no French commune: cannot tell which ARS the beneficiary "
            "depends on",
            message_fr="Le lieu d'exercice actuel n'est dans aucune commune française.",
            field="current_site",
        )
    reasons: list[Reason] = []
    warnings: list[Reason] = []
    if change_date > engagement_end:
        reasons.append(
            Reason(
                "after_engagement_end",
                f"the change date {change_date} is after the end of the engagement "
                f"{engagement_end}",
                f"La date de changement ({change_date:%d/%m/%Y}) est postérieure à la fin de "
                f"l'engagement ({engagement_end:%d/%m/%Y}).",
            )
        )
    messages = {
        "not_eligible": (
            "the new site is not in a qualifying zone in force on the change date",
            "Le nouveau lieu n'est pas dans une zone éligible en vigueur à la date du changement.",
        ),
        "no_zoning": (
            "no zoning decree is in force for the new site's region on the change date",
            "Aucun arrêté de zonage n'est en vigueur dans la région du nouveau lieu à cette date.",
        ),
        "outside_territory": (
            "the new site is in no French commune",
            "Le nouveau lieu n'est dans aucune commune française.",
        ),
        "partial": (
            "the new site's commune lies only partly in a qualifying zone: give coordinates",
            "La commune du nouveau lieu n'est qu'en partie en zone éligible : indiquez les "
            "coordonnées.",
        ),
    }
    if new.status in messages:
        message, message_fr = messages[new.status]
        reasons.append(Reason(f"new_site_{new.status}", message, message_fr))
    elif new.status == "borderline":
        if new.eligible:
            warnings.append(
                Reason(
                    "new_site_borderline",
                    "the new site is inside a qualifying zone but within the borderline band "
                    "of its boundary: confirm the address",
                    "Le nouveau lieu est en zone éligible mais très près de sa limite : "
                    "faites confirmer l'adresse.",
                )
            )
        else:
            reasons.append(
                Reason(
                    "new_site_not_eligible",
                    "the new site lies just outside a qualifying zone (borderline band)",
                    "Le nouveau lieu est juste hors d'une zone éligible (limite de zone).",
                )
            )
    if new.approximate and not reasons:
        warnings.append(
            Reason(
                "approximate_boundaries",
                "the boundaries used for the new site are approximate: check it by hand",
                "Contours approchés pour le nouveau lieu : vérification manuelle conseillée.",
            )
        )
    same_region = new.commune is not None and new.commune.region == current.commune.region
    manager = national_manager_on(change_date, signed_on)
    return RelocationDecision(
        id=str(uuid.uuid4()),
        decision="refused" if reasons else "allowed",
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        authority="ARS" if same_region else manager.code,
        authority_name_fr=(
            f"ARS de la région {current.commune.region}" if same_region else manager.name_fr
        ),
        authority_region=current.commune.region if same_region else None,
        current=current,
        new=new,
        change_date=change_date,
        engagement_end=engagement_end,
        profession=profession,
        created_at=datetime.now(UTC),
    )


def load_decision(conn: sa.Connection, decision_id: str) -> dict[str, Any]:
    """A stored decision, exactly as it was answered."""
    row = conn.execute(
        sa.select(relocation_decisions.c.body).where(relocation_decisions.c.id == decision_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"No relocation decision {decision_id}",
            message_fr="Décision de changement de lieu introuvable.",
            field="id",
        )
    body: dict[str, Any] = json.loads(row[0])
    return body


def reasons_dict(reasons: tuple[Reason, ...]) -> list[dict[str, str]]:
    """Reasons as JSON-ready dicts."""
    return [asdict(r) for r in reasons]
