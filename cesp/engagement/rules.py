"""CESP contract rules: the length of the engagement and the sum due on a rupture.

Pure functions, no I/O: the CLI (``cesp engagement penalty``), the API
(``GET /api/v1/beneficiaries/{id}/engagement``) and the tests call the same code. The
texts and their versions by date live in ``cesp.engagement.texts``; this module
applies them to one contract.

- Length: code de l'éducation, art. L.632-6 (loi n°2009-879 du 21 juillet 2009, art. 46):
  as long as the allowance was paid, at least two years.
- Sum due: the net allowances received plus the penalty in force on the day of the
  rupture; nothing on death or total incapacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cesp.engagement.authority import diploma_label_fr, national_manager_on
from cesp.engagement.calendar import months_elapsed
from cesp.engagement.reduced import reduced_allowances
from cesp.engagement.releases import Release, fulfilled_release, zone_loss_release
from cesp.engagement.terms import MINIMUM_ENGAGEMENT_MONTHS, EngagementTerms
from cesp.engagement.texts import (
    PER_MONTH_EUR,
    RELEASE_RULE,
    PenaltyBasis,
    PenaltyRule,
    RuptureCause,
    parse_cause,
    penalty_rule_on,
    penalty_under,
    successor_caveat_fr,
)
from cesp.engagement.wording import eur, explain_rupture_fr
from cesp.errors import InvalidInputError
from cesp.zones.professions import Profession


@dataclass(frozen=True)
class RuptureAssessment:
    """The sum due if the contract ends on ``rupture_on`` for ``cause``."""

    rupture_on: date
    cause: RuptureCause
    after_des: bool
    profession: Profession
    rule: str
    rule_fr: str
    rule_key: str
    basis: PenaltyBasis
    months_since_signature: int
    months_paid: int
    penalty_months: int | None
    floor_applied: bool
    engagement_months: int
    penalty_eur: int
    allowances_due_eur: Decimal | None
    total_due_eur: Decimal | None
    explanation_fr: str
    notes_fr: tuple[str, ...]
    national_manager: str = "CNG"
    diploma_fr: str = "DES"
    months_served: int | None = None
    release_key: str | None = None
    maximum: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (dates ISO, euros as numbers)."""
        return {
            "national_manager": self.national_manager,
            "diploma_fr": self.diploma_fr,
            "months_served": self.months_served,
            "release_key": self.release_key,
            "maximum": self.maximum,
            "rupture_on": self.rupture_on.isoformat(),
            "cause": self.cause.value,
            "after_des": self.after_des,
            "profession": self.profession.value,
            "rule": self.rule,
            "rule_fr": self.rule_fr,
            "rule_key": self.rule_key,
            "basis": self.basis.value,
            "months_since_signature": self.months_since_signature,
            "months_paid": self.months_paid,
            "penalty_months": self.penalty_months,
            "floor_applied": self.floor_applied,
            "engagement_months": self.engagement_months,
            "penalty_eur": self.penalty_eur,
            "allowances_due_eur": _number(self.allowances_due_eur),
            "total_due_eur": _number(self.total_due_eur),
            "explanation_fr": self.explanation_fr,
            "notes_fr": list(self.notes_fr),
        }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _release_rule(release: Release, on: date) -> PenaltyRule:
    return PenaltyRule(
        release.key, on, None, PenaltyBasis.NOTHING_DUE, release.text, release.text_fr
    )


def assess_rupture(
    terms: EngagementTerms,
    rupture_on: date,
    *,
    cause: RuptureCause = RuptureCause.DEMISSION,
    after_des: bool | None = None,
    zone_since: date | None = None,
    zone_lost_on: date | None = None,
) -> RuptureAssessment:
    """The sum due on a rupture: net allowances received plus the penalty in force.

    Parameters
    ----------
    terms
        The contract; ``terms.net_monthly_eur`` (the last monthly allowance) prices the
        allowances when known.
    rupture_on
        Date of the rupture; it picks the texts in force (see ``penalty_rule_on``).
    cause
        Death and total incapacity owe nothing; the other causes owe the sum.
    after_des
        Whether the rupture comes after the diploma; by default from the terms (a
        practice start means the diploma). ``False`` with practice begun is refused.
    zone_since, zone_lost_on
        Since when the zone of the professional project qualified unchanged, and when it
        stopped qualifying (``cesp.engagement.releases.zone_loss_release``).

    Returns
    -------
    RuptureAssessment
        Nothing is due on death, total incapacity, a fulfilled engagement (L.632-6) or
        the loss of a zone unchanged for three years from 2020-05-29 (R.631-24-17); for
        such a lost zone only, no penalty from 2013-08-16 to 2020-05-28 (décret
        n°2010-735 art. 5 as amended by 2013-734; the allowances are still due). Once
        practising, the allowances are reduced by R.631-24-16, II, 1° (2020-05-29 to
        2026-01-06; a note gives the arrêté du 26 mai 2020's differing sum); elsewhere
        the maximum is given with a French note saying why. From 2026-01-07 the
        arrêté's amounts carry a note: their basis R.631-24-16 is abrogated.

    Examples
    --------
    >>> terms = EngagementTerms(signed_on=date(2014, 10, 1), months_paid=30)
    >>> assess_rupture(terms, date(2017, 4, 1)).penalty_eur
    6000
    """
    if rupture_on < terms.signed_on:
        raise InvalidInputError(
            f"rupture {rupture_on.isoformat()} is before the signature "
            f"{terms.signed_on.isoformat()}",
            message_fr=(
                f"La rupture ({rupture_on:%d/%m/%Y}) précède la signature du contrat "
                f"({terms.signed_on:%d/%m/%Y})."
            ),
            field="rupture",
        )
    terms.check_possible_on(rupture_on)
    practising = terms.practice_started_on is not None and terms.practice_started_on <= rupture_on
    if after_des is False and practising:
        raise InvalidInputError(
            "the rupture cannot be before the diploma: practice began on "
            f"{terms.practice_started_on} and practice starts at the diploma",
            message_fr=(
                "Rupture « avant le diplôme » impossible : l'exercice a commencé le "
                f"{terms.practice_started_on:%d/%m/%Y}, or il commence au diplôme. "
                "Retirez --before-des ou corrigez le début d'exercice."
            ),
            field="after_des",
        )
    des = terms.after_des_on(rupture_on) if after_des is None else after_des
    since_signature = months_elapsed(terms.signed_on, rupture_on)
    served = terms.months_served_on(rupture_on)
    notes: list[str] = []
    release: Release | None = None
    maximum = False
    full_allowances = (
        None
        if terms.net_monthly_eur is None
        else (terms.net_monthly_eur * terms.months_paid).quantize(Decimal("0.01"))
    )
    rule: PenaltyRule | None = None
    if cause.releases_without_payment:
        rule = RELEASE_RULE
    else:
        release = fulfilled_release(terms.engagement_months, served) or zone_loss_release(
            rupture_on, zone_since, zone_lost_on
        )
        rule = _release_rule(release, rupture_on) if release else None
    if rule is not None and (release is None or release.waives_allowances):
        penalty, months, floor, basis = 0, None, False, PenaltyBasis.NOTHING_DUE
        allowances: Decimal | None = Decimal("0.00")
    else:
        if release is not None:
            penalty, months, floor, basis = 0, None, False, PenaltyBasis.NOTHING_DUE
        else:
            rule = penalty_rule_on(rupture_on, terms.profession)
            penalty, months, floor, basis = penalty_under(
                rule, des, since_signature, terms.months_paid
            )
            if rule.note_fr:
                notes.append(rule.note_fr)
                maximum = True
        allowances = full_allowances
        if practising and served:
            reduced = reduced_allowances(
                rupture_on, terms.engagement_months - served, terms.net_monthly_eur
            )
            if reduced.allowances_eur is not None:
                allowances = reduced.allowances_eur
                notes.append(
                    f"{served} mois de service accomplis : allocations réduites à la dernière "
                    f"allocation mensuelle × {reduced.months_not_served} mois non accomplis "
                    f"({reduced.text_fr})."
                )
                if full_allowances is not None and full_allowances != allowances:
                    notes.append(
                        "Textes divergents : l'arrêté du 26 mai 2020 (art. 1er, I) fixe "
                        "l'indemnité à la somme des allocations nettes perçues depuis la "
                        f"signature ({eur(full_allowances)}) ; l'article R.631-24-16, II, 1° "
                        "la fixe à la dernière allocation mensuelle × durée d'engagement "
                        f"non respectée ({eur(allowances)}), sans plafond. Le montant "
                        "affiché suit l'article R.631-24-16 ; à confirmer."
                    )
            else:
                maximum = True
                notes.append(f"{served} mois de service déjà accomplis. {reduced.note_fr}")
        caveat = successor_caveat_fr(rupture_on, terms.profession)
        if caveat:
            notes.append(caveat)
        if allowances is None:
            notes.append(
                "Allocation nette mensuelle inconnue : les allocations à rembourser ne sont "
                "pas chiffrées."
            )
    assert rule is not None
    total = None if allowances is None else allowances + penalty
    diploma = diploma_label_fr(rupture_on, terms.profession.value)
    explanation = explain_rupture_fr(
        rupture_on=rupture_on,
        signed_on=terms.signed_on,
        cause=cause.value,
        after_des=des,
        basis=basis.value,
        penalty_months=months,
        per_month_eur=PER_MONTH_EUR,
        penalty_eur=penalty,
        floor_applied=floor,
        rule_fr=rule.text_fr,
        months_paid=terms.months_paid,
        net_monthly_eur=terms.net_monthly_eur,
        total_due_eur=total,
        allowances_due_eur=allowances,
        diploma_fr=diploma,
    )
    return RuptureAssessment(
        rupture_on=rupture_on,
        cause=cause,
        after_des=des,
        profession=terms.profession,
        rule=rule.text,
        rule_fr=rule.text_fr,
        rule_key=rule.key,
        basis=basis,
        months_since_signature=since_signature,
        months_paid=terms.months_paid,
        penalty_months=months,
        floor_applied=floor,
        engagement_months=terms.engagement_months,
        penalty_eur=penalty,
        allowances_due_eur=allowances,
        total_due_eur=total,
        explanation_fr=explanation,
        notes_fr=tuple(notes),
        national_manager=national_manager_on(rupture_on, terms.signed_on).code,
        diploma_fr=diploma,
        months_served=served,
        release_key=None if release is None else release.key,
        maximum=maximum,
    )


__all__ = [
    "MINIMUM_ENGAGEMENT_MONTHS",
    "EngagementTerms",
    "PenaltyBasis",
    "PenaltyRule",
    "RuptureAssessment",
    "RuptureCause",
    "assess_rupture",
    "eur",
    "parse_cause",
    "penalty_rule_on",
]
