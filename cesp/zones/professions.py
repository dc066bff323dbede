"""Professions that a CESP can be signed for, and the zoning method of a decree.

Both depend on the date, so both take it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from cesp.conventions import plain_name
from cesp.errors import InvalidInputError


class Profession(StrEnum):
    """Health professions with a CESP."""

    MEDECIN = "medecin"
    CHIRURGIEN_DENTISTE = "chirurgien-dentiste"
    SAGE_FEMME = "sage-femme"
    PHARMACIEN = "pharmacien"


PLURAL_FR = {
    Profession.MEDECIN: "médecins",
    Profession.CHIRURGIEN_DENTISTE: "chirurgiens-dentistes",
    Profession.SAGE_FEMME: "sages-femmes",
    Profession.PHARMACIEN: "pharmaciens",
}
NEW_PROFESSIONS_FROM = date(2026, 1, 16)
DENTAL_CESP_FROM = date(2013, 8, 16)
MEDECIN_2017_ZONING_FROM = date(2017, 11, 13)
MEDECIN_2025_ZONING_FROM = date(2025, 5, 9)
DENTISTE_2024_ZONING_FROM = date(2024, 3, 20)


def professions_open_on(on: date) -> tuple[Profession, ...]:
    """Professions for which a CESP exists on ``on``: the one rule every face applies
    (beneficiary import, contract terms, relocation, decree import, eligibility wording).

    - doctors: code de l'éducation art. L.632-6 (loi n°2009-879 du 21 juillet 2009,
      art. 46), contracts opened by décret n°2010-735 du 29 juin 2010;
    - dentists: art. L.634-2 provided for the contract (this module credited it to loi
      n°2011-940 du 10 août 2011; not verified here: a banquedesterritoires.fr note links
      the 2013 decree to an art. 47 of a social security financing law). It was opened
      to dental students by décret n°2013-735 du 14 août 2013 (JORF n°0189 du 15 août
      2013), art. 1er: « Le contrat d'engagement de service public mentionné à l'article
      L. 634-2 du code de l'éducation est ouvert aux étudiants admis à poursuivre des
      études odontologiques […] », in force the day after its publication (code civil,
      art. 1er): from 16 August 2013;
    - midwives (sages-femmes) and pharmacists: décret n°2026-4, for contracts requested
      from 16 January 2026.
    """
    base: tuple[Profession, ...] = (Profession.MEDECIN,)
    if on >= DENTAL_CESP_FROM:
        base = (*base, Profession.CHIRURGIEN_DENTISTE)
    if on >= NEW_PROFESSIONS_FROM:
        return (*base, Profession.SAGE_FEMME, Profession.PHARMACIEN)
    return base


def opening_of(profession: Profession) -> tuple[date, str]:
    """The day the CESP opened to ``profession`` and the text that opened it."""
    if profession is Profession.CHIRURGIEN_DENTISTE:
        return DENTAL_CESP_FROM, "décret n°2013-735 du 14 août 2013"
    if profession in (Profession.SAGE_FEMME, Profession.PHARMACIEN):
        return NEW_PROFESSIONS_FROM, "décret n°2026-4"
    return date.min, "loi n°2009-879 du 21 juillet 2009"


def closed_on_fr(profession: str, on: date) -> str | None:
    """Why no CESP exists for ``profession`` on ``on``, in French (see
    ``professions_open_on``); None when one exists.

    Examples
    --------
    >>> closed_on_fr("sage-femme", date(2013, 1, 1))
    "Le CESP n'est ouvert aux sages-femmes qu'à partir du 16/01/2026 (décret n°2026-4)."
    >>> closed_on_fr("chirurgien-dentiste", date(2012, 9, 1))
    "Le CESP n'est ouvert aux chirurgiens-dentistes qu'à partir du 16/08/2013 (décret n°2013-735 du 14 août 2013)."
    >>> closed_on_fr("medecin", date(2013, 1, 1)) is None
    True
    """  # noqa: E501
    chosen = Profession(profession)
    if chosen in professions_open_on(on):
        return None
    opens, text = opening_of(chosen)
    return (
        f"Le CESP n'est ouvert aux {PLURAL_FR[chosen]} qu'à partir du "
        f"{opens.strftime('%d/%m/%Y')} ({text})."
    )


# Other names users give a profession (the CLI's ``--profession dentiste``).
ALIASES = {"dentiste": Profession.CHIRURGIEN_DENTISTE.value}


def parse_profession(value: str, on: date | None = None, field: str = "profession") -> Profession:
    """Validate a profession (``Médecin``, ``sage femme``: see ``cesp.conventions``), and
    that it has a CESP on ``on`` when given."""
    try:
        plain = plain_name(value)
        profession = Profession(ALIASES.get(plain, plain))
    except ValueError as exc:
        choices = ", ".join(p.value for p in Profession)
        raise InvalidInputError(
            f"{field}={value!r} is not a profession: use one of {choices}",
            message_fr=f"Profession inconnue « {value} » : utilisez {choices}.",
            field=field,
        ) from exc
    if on is not None and (closed := closed_on_fr(profession, on)) is not None:
        opens, text = opening_of(profession)
        raise InvalidInputError(
            f"No CESP exists for {profession.value} on {on.isoformat()}: {text} opens "
            f"it from {opens.isoformat()}",
            message_fr=closed,
            field=field,
        )
    return profession


def zoning_method(profession: Profession, signed: date) -> str:
    """The zoning method a decree signed on ``signed`` follows, keying the category table.

    - doctors: zones déficitaires of the SROS (art. L.1434-7 CSP, arrêté du 21 décembre
      2011) until the arrêté du 13 novembre 2017 introduced ZIP / ZAC (art. L.1434-4 CSP),
      then the arrêté du 9 mai 2025 (mesh of territories of vie-santé; ZIP, ZIP+, ZAC;
      hors zonage does not qualify);
    - dentists: the arrêté du 20 mars 2024 (très sous dotées, sous dotées...); earlier
      dental zonings are read with the same categories;
    - midwives and pharmacists: décret n°2026-4.
    """
    if profession is Profession.MEDECIN:
        if signed >= MEDECIN_2025_ZONING_FROM:
            return "arrete_2025"
        return "arrete_2017" if signed >= MEDECIN_2017_ZONING_FROM else "sros_2012"
    if profession is Profession.CHIRURGIEN_DENTISTE:
        return "arrete_2024"
    return "decret_2026"
