"""What a doctor owes once practising: the reduced sums, by date.

- 2 July 2011 to 27 March 2012: the initial arrêté du 24 juin 2011, whose annex refers
  to « au quatrième alinéa de l'article 1er » (art. 1er-2 did not exist yet: the
  reviewer's reading of the initial version; the text itself was not read here);
- 28 March 2012 to 28 May 2020: the same arrêté as amended, art. 1er-2 and annex
  (art. 1er-1 is dated 28 March 2012 by juriblio.fr; art. 1er-2 was not read here).
  In both, the annex reduces the sum according to the time practised; its formula was
  not found: the answer gives the maximum and says what is missing.
- 29 May 2020 to 6 January 2026: code de l'éducation, art. R.631-24-16, II, 1°: « D'une
  indemnité égale au produit du dernier montant d'allocation mensuelle perçu par la
  durée pendant laquelle l'engagement n'a pas été respecté » (juriblio.fr, article
  R631-24-16, quoted in its last version, whose change summary names only the
  authority: CNG, then « autorité administrative »). The text sets no ceiling: with a
  24-month minimum engagement and 12 months paid, 23 months not served cost 23 last
  allowances, more than the 12 received. The arrêté du 26 mai 2020, art. 1er, I,
  reads otherwise: « L'indemnité prévue au 1° du II de l'article R. 631-24-16 se
  compose de la somme des allocations nettes perçues par le signataire depuis la
  signature du contrat » (juriblio.fr/arretes/arrete-du-26-mai-2020/176141271/article-1).
  This module keeps the décret's product for a practising signatory (the higher norm,
  the only one that counts the service done) and the arrêté's sum otherwise, and the
  answer says that the two texts differ, with both amounts.
- from 7 January 2026: R.631-24-16 is abrogated (décret n°2026-4); its successor text is
  not known to this service: the answer gives the maximum and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

R631_24_16_FROM = date(2020, 5, 29)
R631_24_16_UNTIL = date(2026, 1, 6)
ARRETE_2011_ART_1_2_FROM = date(2012, 3, 28)


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
    monthly allowance × months not served, with no ceiling (see the module for the
    quote, and for the arrêté du 26 mai 2020, art. 1er, I, which reads otherwise).
    Outside that span, or without the last monthly allowance, ``allowances_eur`` is
    ``None`` and the maximum (every allowance) applies.

    Examples
    --------
    >>> reduced_allowances(date(2022, 1, 1), 10, Decimal("1085")).allowances_eur
    Decimal('10850.00')
    """
    if rupture_on < ARRETE_2011_ART_1_2_FROM:
        return ReducedSum(
            None,
            months_not_served,
            "arrêté du 24 juin 2011, version initiale, art. 1er (4e alinéa) et annexe",
            "Exercice commencé : l'annexe de l'arrêté du 24 juin 2011 (version initiale, "
            "renvoyant au quatrième alinéa de l'article 1er) réduit la somme due selon le "
            "temps d'exercice, mais ni cette annexe ni sa formule n'ont été trouvées ; le "
            "montant affiché est un maximum.",
        )
    if rupture_on < R631_24_16_FROM:
        return ReducedSum(
            None,
            months_not_served,
            "arrêté du 24 juin 2011 modifié, art. 1er-2 et annexe",
            "Exercice commencé : l'arrêté du 24 juin 2011 modifié (art. 1er-2 et annexe) "
            "réduit la somme due selon le temps d'exercice, mais la formule de son annexe "
            "n'a pas été trouvée ; le montant affiché est un maximum.",
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
