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
MEDECIN_2017_ZONING_FROM = date(2017, 11, 13)
MEDECIN_2025_ZONING_FROM = date(2025, 5, 9)
DENTISTE_2024_ZONING_FROM = date(2024, 3, 20)


def professions_open_on(on: date) -> tuple[Profession, ...]:
    """Professions for which a CESP exists on ``on``.

    Code de l'éducation art. L.632-6 (loi n°2009-879 du 21 juillet 2009, art. 46) opened
    the CESP to medical students, and loi n°2011-940 du 10 août 2011 to dental students;
    décret n°2026-4 opens it to midwives (sages-femmes) and pharmacists for contracts
    requested from 16 January 2026.
    """
    base = (Profession.MEDECIN, Profession.CHIRURGIEN_DENTISTE)
    if on >= NEW_PROFESSIONS_FROM:
        return (*base, Profession.SAGE_FEMME, Profession.PHARMACIEN)
    return base


def closed_on_fr(profession: str, on: date) -> str | None:
    """Why no CESP exists for ``profession`` on ``on``, in French (décret n°2026-4, see
    ``professions_open_on``); None when one exists.

    Examples
    --------
    >>> closed_on_fr("sage-femme", date(2013, 1, 1))
    "Le CESP n'est ouvert aux sages-femmes qu'à partir du 16/01/2026 (décret n°2026-4)."
    >>> closed_on_fr("medecin", date(2013, 1, 1)) is None
    True
    """
    chosen = Profession(profession)
    if chosen in professions_open_on(on):
        return None
    return (
        f"Le CESP n'est ouvert aux {PLURAL_FR[chosen]} qu'à partir du "
        f"{NEW_PROFESSIONS_FROM.strftime('%d/%m/%Y')} (décret n°2026-4)."
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
        raise InvalidInputError(
            f"No CESP exists for {profession.value} on {on.isoformat()}: décret n°2026-4 opens "
            f"it from {NEW_PROFESSIONS_FROM.isoformat()}",
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
