"""French sentences that explain an engagement and the sum due on a rupture.

The CNG's case officers read them in the CLI and interns read them through the API, so
each figure comes with what it was computed from and the text applied.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

CAUSE_LABELS_FR = {
    "demission": "démission",
    "radiation": "radiation",
    "changement-non-autorise": "changement de lieu d'exercice non autorisé",
    "deces": "décès",
    "incapacite": "incapacité totale d'exercer",
}


def eur(value: int | Decimal) -> str:
    """An amount in euros written the French way: ``20 000 €``, ``1 234,56 €``."""
    if isinstance(value, int):
        return f"{value:,} €".replace(",", " ")
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} €"


def _penalty_clause(
    basis: str,
    penalty_months: int | None,
    per_month_eur: int,
    penalty_eur: int,
    floor_applied: bool,
    signed_on: date,
) -> str:
    if basis == "forfait" or penalty_months is None:
        return f"pénalité forfaitaire de {eur(penalty_eur)}"
    counted = (
        f"mois écoulés depuis la signature du {signed_on:%d/%m/%Y}"
        if basis == "mois-ecoules-depuis-signature"
        else "mois d'allocation perçus"
    )
    raw = per_month_eur * penalty_months
    clause = f"pénalité de {eur(per_month_eur)} × {penalty_months} {counted} = {eur(raw)}"
    if floor_applied:
        clause += f", portée au minimum de {eur(penalty_eur)}"
    return clause


def explain_rupture_fr(
    *,
    rupture_on: date,
    signed_on: date,
    cause: str,
    after_des: bool,
    basis: str,
    penalty_months: int | None,
    per_month_eur: int,
    penalty_eur: int,
    floor_applied: bool,
    rule_fr: str,
    months_paid: int,
    net_monthly_eur: Decimal | None,
    total_due_eur: Decimal | None,
    allowances_due_eur: Decimal | None = None,
    diploma_fr: str = "DES",
) -> str:
    """One paragraph: the penalty, how it was counted, the allowances and the total."""
    label = CAUSE_LABELS_FR.get(cause, cause)
    if basis == "rien-du" and total_due_eur == 0:
        return f"Rupture le {rupture_on:%d/%m/%Y} pour {label} : rien n'est dû ({rule_fr})."
    when = "après" if after_des else "avant"
    if basis == "rien-du":
        clause = "aucune pénalité"
    else:
        clause = _penalty_clause(
            basis, penalty_months, per_month_eur, penalty_eur, floor_applied, signed_on
        )
    sentence = (
        f"Rupture le {rupture_on:%d/%m/%Y} {when} le {diploma_fr} ({label}) : {clause} ({rule_fr})."
    )
    if net_monthly_eur is not None and total_due_eur is not None:
        allowances = (net_monthly_eur * months_paid).quantize(Decimal("0.01"))
        if allowances_due_eur is not None and allowances_due_eur != allowances:
            sentence += (
                f" S'y ajoutent les allocations réduites : {eur(allowances_due_eur)} "
                f"(au lieu de {eur(allowances)}) ; total dû : {eur(total_due_eur)}."
            )
            return sentence
        sentence += (
            f" S'y ajoutent les allocations nettes perçues : {months_paid} × "
            f"{eur(net_monthly_eur.quantize(Decimal('0.01')))} = {eur(allowances)} ; "
            f"total dû : {eur(total_due_eur)}."
        )
    else:
        sentence += (
            f" S'y ajoute le remboursement des allocations nettes perçues ({months_paid} mois)."
        )
    return sentence


def explain_engagement_fr(
    *,
    engagement_months: int,
    months_paid: int,
    minimum_applied: bool,
    months_served: int | None,
    months_remaining: int | None,
    ends_on: date | None,
    penalty_sentence: str | None,
) -> str:
    """The length of the engagement, the service done and left, and the cost of leaving."""
    if minimum_applied:
        text = (
            f"Engagement de {engagement_months} mois : minimum légal de deux ans "
            f"({months_paid} mois d'allocation perçus)."
        )
    else:
        text = (
            f"Engagement de {engagement_months} mois, égal à la durée de versement de l'allocation."
        )
    if months_served is None:
        text += " Exercice non commencé."
    elif months_remaining == 0:
        text += " Engagement accompli."
    else:
        text += f" {months_served} mois de service accomplis, {months_remaining} restants"
        text += f", fin prévue le {ends_on:%d/%m/%Y}." if ends_on else "."
    if penalty_sentence:
        text += (
            f" En cas de démission ce jour : {penalty_sentence[:1].lower()}{penalty_sentence[1:]}"
        )
    return text
