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

from cesp.engagement.calendar import add_months, months_elapsed
from cesp.engagement.texts import (
    PER_MONTH_EUR,
    RELEASE_RULE,
    PenaltyBasis,
    PenaltyRule,
    RuptureCause,
    parse_cause,
    penalty_rule_on,
    penalty_under,
)
from cesp.engagement.wording import (
    eur,
    explain_engagement_fr,
    explain_rupture_fr,
    practice_started_note_fr,
)
from cesp.errors import InvalidInputError
from cesp.zones.professions import Profession, parse_profession

MINIMUM_ENGAGEMENT_MONTHS = 24


def _non_negative(value: int, field: str, label_fr: str) -> None:
    if value < 0:
        raise InvalidInputError(
            f"{field} must be zero or more, got {value}",
            message_fr=f"{label_fr} ne peut pas être négatif ({value}).",
            field=field,
        )


def _not_before(later: date | None, earlier: date, field: str, label_fr: str) -> None:
    if later is not None and later < earlier:
        raise InvalidInputError(
            f"{field} {later.isoformat()} is before the signature {earlier.isoformat()}",
            message_fr=(
                f"{label_fr} ({later:%d/%m/%Y}) précède la signature du contrat "
                f"({earlier:%d/%m/%Y})."
            ),
            field=field,
        )


@dataclass(frozen=True)
class EngagementTerms:
    """What the contract and the CNG's records say about one signatory.

    Field names follow ``cesp.posts.model.Beneficiary``.

    - ``months_paid``: months of allowance received. The allowance is not paid while the
      contract is suspended at the signatory's request (seed document 004: "Versée sans
      interruption sauf suspension demandée par le candidat"), so these months already
      leave out the suspensions of the studies.
    - ``suspended_months`` and ``deferral_months``: months of suspension and of deferral
      (report) granted after ``practice_started_on``; they are not service, so they push
      the end of the engagement back.
    - ``practice_started_on``: the day the engagement period began.
    - ``requested_on``: when the contract was requested (décret n°2026-4 opens the CESP
      to midwives and pharmacists for requests from 2026-01-16); defaults to the signature.
    - ``net_monthly_eur``: the net monthly allowance, when known, to price the repayment.
    """

    signed_on: date
    months_paid: int
    profession: Profession = Profession.MEDECIN
    requested_on: date | None = None
    suspended_months: int = 0
    deferral_months: int = 0
    des_obtained_on: date | None = None
    practice_started_on: date | None = None
    net_monthly_eur: Decimal | None = None

    def __post_init__(self) -> None:
        _non_negative(self.months_paid, "months_paid", "Le nombre de mois d'allocation")
        _non_negative(self.suspended_months, "suspended_months", "Le nombre de mois suspendus")
        _non_negative(self.deferral_months, "deferral_months", "Le nombre de mois de report")
        if self.net_monthly_eur is not None and not isinstance(self.net_monthly_eur, Decimal):
            object.__setattr__(self, "net_monthly_eur", Decimal(str(self.net_monthly_eur)))
        if self.net_monthly_eur is not None and self.net_monthly_eur < 0:
            raise InvalidInputError(
                f"net_monthly_eur must be zero or more, got {self.net_monthly_eur}",
                message_fr=f"L'allocation nette mensuelle ne peut pas être négative "
                f"({self.net_monthly_eur}).",
                field="net_monthly",
            )
        if self.requested_on is not None and self.requested_on > self.signed_on:
            raise InvalidInputError(
                f"requested_on {self.requested_on.isoformat()} is after the signature",
                message_fr="La demande de contrat est postérieure à sa signature.",
                field="requested_on",
            )
        _not_before(self.des_obtained_on, self.signed_on, "des_obtained_on", "Le DES")
        _not_before(
            self.practice_started_on, self.signed_on, "practice_started_on", "Le début d'exercice"
        )
        # A plain string (a database column) is accepted and stored as a ``Profession``.
        profession = parse_profession(str(self.profession), on=self.requested_on or self.signed_on)
        object.__setattr__(self, "profession", profession)

    @property
    def engagement_months(self) -> int:
        """Months of service owed: as long as the allowance was paid, at least 24.

        Code de l'éducation, art. L.632-6 (loi n°2009-879 du 21 juillet 2009, art. 46):
        "La durée de leur engagement est égale à celle pendant laquelle l'allocation leur
        a été versée et ne peut être inférieure à deux ans."
        """
        return max(MINIMUM_ENGAGEMENT_MONTHS, self.months_paid)

    @property
    def minimum_applied(self) -> bool:
        """The two-year minimum, not the months paid, sets the engagement."""
        return self.months_paid < MINIMUM_ENGAGEMENT_MONTHS

    def after_des_on(self, on: date) -> bool:
        """Whether the DES was obtained on or before ``on``."""
        return self.des_obtained_on is not None and self.des_obtained_on <= on

    def months_served_on(self, on: date) -> int | None:
        """Months of service done by ``on``, less deferrals and suspensions (``None``
        when the engagement has not begun)."""
        if self.practice_started_on is None:
            return None
        if on < self.practice_started_on:
            return 0
        elapsed = months_elapsed(self.practice_started_on, on)
        served = elapsed - self.deferral_months - self.suspended_months
        return min(self.engagement_months, max(0, served))

    @property
    def engagement_ends_on(self) -> date | None:
        """The day the engagement is fulfilled, deferrals and suspensions included."""
        if self.practice_started_on is None:
            return None
        span = self.engagement_months + self.deferral_months + self.suspended_months
        return add_months(self.practice_started_on, span)


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

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (dates ISO, euros as numbers)."""
        return {
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


def assess_rupture(
    terms: EngagementTerms,
    rupture_on: date,
    *,
    cause: RuptureCause = RuptureCause.DEMISSION,
    after_des: bool | None = None,
) -> RuptureAssessment:
    """The sum due on a rupture: net allowances received plus the penalty in force.

    Parameters
    ----------
    terms
        The contract; ``terms.net_monthly_eur`` prices the allowances when known.
    rupture_on
        Date of the rupture; it picks the text in force (see ``penalty_rule_on``).
    cause
        Death and total incapacity owe nothing; the other causes owe the full sum.
    after_des
        Whether the rupture comes after the DES; by default, from
        ``terms.des_obtained_on``.

    Returns
    -------
    RuptureAssessment
        ``penalty_eur`` always; ``allowances_due_eur`` and ``total_due_eur`` when the net
        monthly allowance is known (``None`` otherwise).

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
    des = terms.after_des_on(rupture_on) if after_des is None else after_des
    since_signature = months_elapsed(terms.signed_on, rupture_on)
    notes: list[str] = []
    if cause.releases_without_payment:
        rule = RELEASE_RULE
        penalty, months, floor, basis = 0, None, False, PenaltyBasis.NOTHING_DUE
        allowances: Decimal | None = Decimal("0.00")
    else:
        rule = penalty_rule_on(rupture_on, terms.profession)
        penalty, months, floor, basis = penalty_under(rule, des, since_signature, terms.months_paid)
        allowances = (
            None
            if terms.net_monthly_eur is None
            else (terms.net_monthly_eur * terms.months_paid).quantize(Decimal("0.01"))
        )
        served = terms.months_served_on(rupture_on)
        if served:
            notes.append(practice_started_note_fr(served))
        if terms.profession in (Profession.SAGE_FEMME, Profession.PHARMACIEN):
            notes.append(
                "Sages-femmes et pharmaciens (décret n°2026-4) : montants de l'arrêté du "
                "26 mai 2020, à confirmer par les textes d'application du décret."
            )
        if allowances is None:
            notes.append(
                "Allocation nette mensuelle inconnue : les allocations à rembourser ne sont "
                "pas chiffrées."
            )
    total = None if allowances is None else allowances + penalty
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
    )


@dataclass(frozen=True)
class EngagementStatus:
    """Where a signatory stands on ``on``, and what breaking the contract then would cost."""

    on: date
    engagement_months: int
    months_paid: int
    minimum_applied: bool
    suspended_months: int
    deferral_months: int
    practice_started_on: date | None
    engagement_ends_on: date | None
    months_served: int | None
    months_remaining: int | None
    completed: bool
    rupture_if_now: RuptureAssessment | None
    explanation_fr: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "on": self.on.isoformat(),
            "engagement_months": self.engagement_months,
            "months_paid": self.months_paid,
            "minimum_applied": self.minimum_applied,
            "suspended_months": self.suspended_months,
            "deferral_months": self.deferral_months,
            "practice_started_on": _iso(self.practice_started_on),
            "engagement_ends_on": _iso(self.engagement_ends_on),
            "months_served": self.months_served,
            "months_remaining": self.months_remaining,
            "completed": self.completed,
            "rupture_if_now": None
            if self.rupture_if_now is None
            else self.rupture_if_now.as_dict(),
            "explanation_fr": self.explanation_fr,
        }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def assess_engagement(terms: EngagementTerms, on: date) -> EngagementStatus:
    """The engagement of ``terms`` seen on ``on``: length, service done and left, and the
    cost of a resignation (``demission``) on that day, before or after the DES as
    ``terms.des_obtained_on`` says. A fulfilled engagement has nothing left to break.

    Raises ``InvalidInputError`` when ``on`` precedes the signature, or when no penalty
    text is known for that day (see ``penalty_rule_on``).
    """
    if on < terms.signed_on:
        raise InvalidInputError(
            f"date {on.isoformat()} is before the signature {terms.signed_on.isoformat()}",
            message_fr=f"La date ({on:%d/%m/%Y}) précède la signature du contrat "
            f"({terms.signed_on:%d/%m/%Y}).",
            field="date",
        )
    served = terms.months_served_on(on)
    remaining = None if served is None else terms.engagement_months - served
    completed = remaining == 0
    rupture = None if completed else assess_rupture(terms, on)
    explanation = explain_engagement_fr(
        engagement_months=terms.engagement_months,
        months_paid=terms.months_paid,
        minimum_applied=terms.minimum_applied,
        months_served=served,
        months_remaining=remaining,
        ends_on=terms.engagement_ends_on,
        penalty_sentence=None if rupture is None else rupture.explanation_fr,
    )
    return EngagementStatus(
        on=on,
        engagement_months=terms.engagement_months,
        months_paid=terms.months_paid,
        minimum_applied=terms.minimum_applied,
        suspended_months=terms.suspended_months,
        deferral_months=terms.deferral_months,
        practice_started_on=terms.practice_started_on,
        engagement_ends_on=terms.engagement_ends_on,
        months_served=served,
        months_remaining=remaining,
        completed=completed,
        rupture_if_now=rupture,
        explanation_fr=explanation,
    )


__all__ = [
    "MINIMUM_ENGAGEMENT_MONTHS",
    "EngagementStatus",
    "EngagementTerms",
    "PenaltyBasis",
    "PenaltyRule",
    "RuptureAssessment",
    "RuptureCause",
    "assess_engagement",
    "assess_rupture",
    "eur",
    "parse_cause",
    "penalty_rule_on",
]
