"""What a doctor owes once practising: the reduced sums, by date.

- 2 July 2011 to 28 May 2020: arrêté du 24 juin 2011, art. 1er-2 and annex, reduce the
  sum according to the time practised; the annex's formula is not in the seeds: the
  answer gives the maximum and says what is missing.
- 29 May 2020 to 6 January 2026: code de l'éducation, art. R.631-24-16, II, 1°: the
  last monthly allowance times the months of engagement not served, plus the penalty
  (the arrêté du 26 mai 2020, art. 2 and annex, applies it).
- from 7 January 2026: R.631-24-16 is abrogated (décret n°2026-4); its successor text is
  not known to this service: the answer gives the maximum and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

R631_24_16_FROM = date(2020, 5, 29)
R631_24_16_UNTIL = date(2026, 1, 6)


@dataclass(frozen=True)
class ReducedSum:
    """The repayment of a practising signatory: the reduced allowances (``None``: the
    maximum applies) and the note explaining it."""

    allowances_eur: Decimal | None
    months_not_served: int
    text_fr: str
    note_fr: str | None


def reduced_allowances(
    rupture_on: date,
    months_not_served: int,
    last_monthly_eur: Decimal | None,
) -> ReducedSum:
    """The allowances a practising signatory repays on ``rupture_on`` (see the module).

    Code de l'éducation art. R.631-24-16, II, 1° (29 May 2020 – 6 January 2026): last
    monthly allowance × months not served. Outside that span, or without the last monthly
    allowance, ``allowances_eur`` is ``None`` and the maximum (every allowance) applies.

    Examples
    --------
    >>> reduced_allowances(date(2022, 1, 1), 10, Decimal("1085")).allowances_eur
    Decimal('10850.00')
    """
    if rupture_on < R631_24_16_FROM:
        return ReducedSum(
            None,
            months_not_served,
            "arrêté du 24 juin 2011, art. 1er-2 et annexe",
            "Exercice commencé : l'arrêté du 24 juin 2011 (art. 1er-2 et annexe) réduit "
            "la somme due selon le temps d'exercice, mais la formule de son annexe n'a pas "
            "été trouvée ; le montant affiché est un maximum.",
        )
    if rupture_on > R631_24_16_UNTIL:
        return ReducedSum(
            None,
            months_not_served,
            "code de l'éducation, art. R.631-24-16 (abrogé le 07/01/2026)",
            "Exercice commencé : l'article R.631-24-16 du code de l'éducation, qui réduisait "
            "la somme due, est abrogé depuis le 07/01/2026 et le texte qui lui succède n'est "
            "pas connu de ce service ; le montant affiché est un maximum.",
        )
    text = "code de l'éducation, art. R.631-24-16, II, 1°"
    if last_monthly_eur is None:
        return ReducedSum(
            None,
            months_not_served,
            text,
            f"Exercice commencé : {text} réduit les allocations à rembourser à la dernière "
            f"allocation mensuelle × {months_not_served} mois non accomplis ; allocation "
            "mensuelle inconnue : le montant affiché est un maximum.",
        )
    amount = (last_monthly_eur * months_not_served).quantize(Decimal("0.01"))
    return ReducedSum(amount, months_not_served, text, None)
