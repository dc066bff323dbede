"""The terms of one CESP contract, checked on construction.

Code de l'éducation, art. L.632-6 (loi n°2009-879 du 21 juillet 2009, art. 46): the
engagement lasts as long as the allowance was paid, at least two years. Impossible or
contradictory terms are refused with an error naming the field, in French and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cesp.engagement.calendar import add_months, months_elapsed
from cesp.engagement.decree_2026 import check_deferral, check_not_combined
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
    other_contract: bool = False

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
        # A plain string (a database column) is accepted and stored as a ``Profession``;
        # whether the CESP existed for it is the one rule of ``professions_open_on``, on
        # the request date (no later than the signature).
        requested = self.requested_on or self.signed_on
        profession = parse_profession(str(self.profession), on=requested)
        object.__setattr__(self, "profession", profession)
        if (
            self.des_obtained_on is not None
            and self.practice_started_on is not None
            and self.practice_started_on < self.des_obtained_on
        ):
            raise InvalidInputError(
                "practice_started_on is before des_obtained_on: practice starts at the "
                "diploma (the DES)",
                message_fr=(
                    f"Le début d'exercice ({self.practice_started_on:%d/%m/%Y}) précède le "
                    f"diplôme ({self.des_obtained_on:%d/%m/%Y}) : l'exercice commence au "
                    "diplôme. Corrigez l'une des deux dates."
                ),
                field="practice_started_on",
            )
        check_deferral(self.deferral_months, requested)
        check_not_combined(self.other_contract, requested)

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
        """Whether the diploma was obtained on or before ``on``.

        The diploma is the DES, the switch of every penalty text (arrêté du 24 juin 2011,
        art. 1er-1; arrêté du 26 mai 2020, art. 1er, II; ``authority.diploma_label_fr``).
        A practice start on or before ``on`` means the diploma was obtained, even when its
        date is not recorded.
        """
        if self.des_obtained_on is not None and self.des_obtained_on <= on:
            return True
        return self.practice_started_on is not None and self.practice_started_on <= on

    def check_possible_on(self, on: date, field: str = "months_paid") -> None:
        """Refuse months of allowance that could not have been paid by ``on``.

        The allowance is monthly from the signature (décret n°2010-735, art. 1er): at most
        one payment per month begun since the signature.
        """
        limit = months_elapsed(self.signed_on, on) + 1
        if self.months_paid > limit:
            raise InvalidInputError(
                f"months_paid={self.months_paid} cannot have been paid by {on.isoformat()}: "
                f"at most {limit} monthly allowances since the signature on "
                f"{self.signed_on.isoformat()}",
                message_fr=(
                    f"{self.months_paid} mois d'allocation ne peuvent avoir été versés au "
                    f"{on:%d/%m/%Y} : au plus {limit} depuis la signature du "
                    f"{self.signed_on:%d/%m/%Y}. Vérifiez les mois perçus ou les dates."
                ),
                field=field,
            )
        served = self.months_served_on(on)
        if (
            self.practice_started_on is not None
            and on >= self.practice_started_on
            and served is not None
            and self.deferral_months + self.suspended_months
            > months_elapsed(self.practice_started_on, on)
        ):
            raise InvalidInputError(
                "deferral_months + suspended_months exceed the months since practice began",
                message_fr=(
                    "Les mois de report et de suspension dépassent la durée écoulée depuis le "
                    f"début d'exercice du {self.practice_started_on:%d/%m/%Y}."
                ),
                field="deferral_months",
            )

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
