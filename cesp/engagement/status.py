"""Where a signatory stands on a date, and what breaking the contract then would cost.

Built on ``cesp.engagement.rules``: the length of the engagement (L.632-6), the service
done and left, and the price of a resignation that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cesp.engagement.authority import national_manager_on
from cesp.engagement.rules import EngagementTerms, RuptureAssessment, assess_rupture
from cesp.engagement.wording import explain_engagement_fr
from cesp.errors import InvalidInputError


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
    national_manager: str = "CNG"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "national_manager": self.national_manager,
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
        national_manager=national_manager_on(on, terms.signed_on).code,
    )
