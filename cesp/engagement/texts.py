"""The texts that fix what a CESP rupture costs, version by version.

The penalty changed over time; the version in force on the date of the rupture applies:

- before 2011-07-02: no text in the seeds; refused with an error.
- from 2011-07-02 (*): arrêté du 24 juin 2011 (JORF n°0151 du 1er juillet 2011), art. 1er,
  initial version: the "fraction des frais d'études engagés par l'Etat fixée
  forfaitairement à 20 000 €" (seed document 004), before or after the DES.
- from 2012-03-28: the same arrêté as amended, art. 1er-1 (version 1): before the DES,
  200 € per month elapsed since the signature of the contract, at least 2 000 €.
- from 2013-11-08: art. 1er-1 (version 2): before the DES, 200 € per month of allowance
  received, at least 2 000 €.
- from 2020-05-29: arrêté du 26 mai 2020 (JORF 28 mai 2020), art. 1er, II, which
  abrogated the 2011 arrêté: the same amounts (before the DES or during the parcours de
  consolidation des compétences).

(*) the day after its publication (code civil, art. 1er). After the DES the penalty is
20 000 € in every version. On top of the penalty the signatory repays the net allowances
received (art. 1er of each arrêté). Nothing at all is due on death or total incapacity to
practise (décret n°2010-735 du 29 juin 2010; seed document 004: "Rupture du contrat sans
remboursement de plein droit si décès [...] ou si incapacité totale d'exercer").

The ARS Île-de-France slide (document 004) says "seuil minimal de 20000" for a rupture
before the DES: that is a mistake of the slide. Art. 1er-1, 1° of the arrêté du 24 juin
2011 as amended reads "Il ne peut être inférieur à 2 000 euros"; 20 000 € is the amount
after the DES (2°). This module applies the arrêté.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cesp.errors import InvalidInputError
from cesp.zones.professions import DENTAL_CESP_FROM, Profession

PER_MONTH_EUR = 200
FLOOR_BEFORE_DES_EUR = 2_000
AFTER_DES_EUR = 20_000
STUDY_COSTS_LUMP_SUM_2011_EUR = 20_000
ARRETE_2020_FROM = date(2020, 5, 29)
DENTAL_AMOUNTS_FROM = date(2013, 11, 8)
R631_24_16_ABROGATED_ON = date(2026, 1, 7)


class RuptureCause(StrEnum):
    """Why the contract ends early (seed document 004, "Quelles conditions de rupture ?")."""

    DEMISSION = "demission"
    RADIATION = "radiation"
    CHANGEMENT_NON_AUTORISE = "changement-non-autorise"
    DECES = "deces"
    INCAPACITE = "incapacite"

    @property
    def releases_without_payment(self) -> bool:
        """Death and total incapacity end the contract with nothing to repay."""
        return self in (RuptureCause.DECES, RuptureCause.INCAPACITE)


class PenaltyBasis(StrEnum):
    """What the penalty is proportional to."""

    LUMP_SUM = "forfait"
    MONTHS_SINCE_SIGNATURE = "mois-ecoules-depuis-signature"
    MONTHS_OF_ALLOWANCE = "mois-d-allocation-percue"
    NOTHING_DUE = "rien-du"


@dataclass(frozen=True)
class PenaltyRule:
    """One version of the penalty text, in force from ``in_force_from`` to
    ``in_force_until`` (both inclusive; ``None``: still in force)."""

    key: str
    in_force_from: date
    in_force_until: date | None
    before_des_basis: PenaltyBasis
    text: str
    text_fr: str
    note_fr: str | None = None


PENALTY_RULES: tuple[PenaltyRule, ...] = (
    PenaltyRule(
        "arrete-2011-art1-initial",
        date(2011, 7, 2),
        date(2012, 3, 27),
        PenaltyBasis.LUMP_SUM,
        "arrêté du 24 juin 2011 (JORF 1 July 2011), art. 1er, initial version "
        "(in force 2011-07-02 to 2012-03-27)",
        "arrêté du 24 juin 2011, art. 1er, version initiale en vigueur du 02/07/2011 au 27/03/2012",
    ),
    PenaltyRule(
        "arrete-2011-art1-1-v2012",
        date(2012, 3, 28),
        date(2013, 11, 7),
        PenaltyBasis.MONTHS_SINCE_SIGNATURE,
        "arrêté du 24 juin 2011 as amended, art. 1er-1, version in force 2012-03-28 to 2013-11-07",
        "arrêté du 24 juin 2011 modifié, art. 1er-1, version en vigueur du 28/03/2012 "
        "au 07/11/2013",
    ),
    PenaltyRule(
        "arrete-2011-art1-1-v2013",
        date(2013, 11, 8),
        date(2020, 5, 28),
        PenaltyBasis.MONTHS_OF_ALLOWANCE,
        "arrêté du 24 juin 2011 as amended, art. 1er-1, version in force 2013-11-08 to 2020-05-28",
        "arrêté du 24 juin 2011 modifié, art. 1er-1, version en vigueur du 08/11/2013 "
        "au 28/05/2020",
    ),
    PenaltyRule(
        "arrete-2020-art1",
        ARRETE_2020_FROM,
        None,
        PenaltyBasis.MONTHS_OF_ALLOWANCE,
        "arrêté du 26 mai 2020 (JORF 28 May 2020), art. 1er, II, in force from 2020-05-29",
        "arrêté du 26 mai 2020, art. 1er, II, en vigueur depuis le 29/05/2020",
    ),
)

DENTAL_RULES: tuple[PenaltyRule, ...] = (
    PenaltyRule(
        "odontologie-2013-sans-texte",
        DENTAL_CESP_FROM,
        date(2013, 11, 7),
        PenaltyBasis.LUMP_SUM,
        "décret n°2013-735 du 14 août 2013 (dental CESP from 2013-08-16): no penalty text "
        "found before the arrêté du 29 octobre 2013; the maximum (20 000 €) is given",
        "décret n°2013-735 du 14 août 2013 (CESP odontologique depuis le 16/08/2013)",
        "Aucun texte trouvé fixant la pénalité d'un chirurgien-dentiste avant le 08/11/2013 "
        "(l'arrêté du 29 octobre 2013 s'applique à partir de cette date) : le montant "
        "affiché est le maximum de 20 000 €.",
    ),
    PenaltyRule(
        "arrete-2013-10-29-odontologie",
        DENTAL_AMOUNTS_FROM,
        date(2020, 5, 28),
        PenaltyBasis.MONTHS_OF_ALLOWANCE,
        "arrêté du 29 octobre 2013 (odontology), in force 2013-11-08 to 2020-05-28: 200 € per "
        "month of allowance, at least 2 000 €, before the diploma; 20 000 € after",
        "arrêté du 29 octobre 2013 (odontologie), en vigueur du 08/11/2013 au 28/05/2020",
    ),
)

RELEASE_RULE = PenaltyRule(
    "decret-2010-735-deces-incapacite",
    date(2010, 7, 1),
    None,
    PenaltyBasis.NOTHING_DUE,
    "décret n°2010-735 du 29 juin 2010: the contract ends without repayment on death or "
    "total incapacity to practise",
    "décret n°2010-735 du 29 juin 2010 : rupture de plein droit sans remboursement "
    "(décès, incapacité totale d'exercer)",
)


def penalty_rule_on(rupture_on: date, profession: Profession = Profession.MEDECIN) -> PenaltyRule:
    """The penalty text in force on ``rupture_on`` (see the module's table).

    Raises ``InvalidInputError`` before 2 July 2011 (no text in the seeds fixes a penalty
    then). Dentists: the dental CESP opens with décret n°2013-735 du 14 août 2013 (JORF
    15 August, in force 16 August 2013; a rupture before is refused); the arrêté du
    29 octobre 2013 sets the same amounts as for medicine from 8 November 2013 (before
    that day no text was found: the rule carries a note and the maximum); from
    29 May 2020 the arrêté du 26 mai 2020 covers every profession.
    """
    first = PENALTY_RULES[0].in_force_from
    if rupture_on < first:
        raise InvalidInputError(
            f"no penalty text is known for a rupture on {rupture_on.isoformat()}: the "
            f"arrêté du 24 juin 2011 applies from {first.isoformat()}",
            message_fr=(
                f"Aucun texte connu de ce service ne fixe la pénalité d'une rupture au "
                f"{rupture_on:%d/%m/%Y} : l'arrêté du 24 juin 2011 s'applique à partir du "
                f"{first:%d/%m/%Y}."
            ),
            field="rupture",
        )
    if profession is Profession.CHIRURGIEN_DENTISTE and rupture_on < ARRETE_2020_FROM:
        if rupture_on < DENTAL_CESP_FROM:
            raise InvalidInputError(
                f"no dental CESP existed on {rupture_on.isoformat()}: décret n°2013-735 "
                f"opens it from {DENTAL_CESP_FROM.isoformat()}",
                message_fr=(
                    f"Le CESP des études odontologiques n'existe que depuis le "
                    f"{DENTAL_CESP_FROM:%d/%m/%Y} (décret n°2013-735 du 14 août 2013)."
                ),
                field="rupture",
            )
        return next(r for r in DENTAL_RULES if r.in_force_until and rupture_on <= r.in_force_until)
    for rule in PENALTY_RULES:
        if rule.in_force_until is None or rupture_on <= rule.in_force_until:
            return rule
    raise AssertionError("PENALTY_RULES ends with an open-ended rule")


def penalty_under(
    rule: PenaltyRule, after_des: bool, months_since_signature: int, months_paid: int
) -> tuple[int, int | None, bool, PenaltyBasis]:
    """``(penalty, months counted, floor applied, basis)`` under ``rule``.

    After the DES the penalty is a lump sum; before it, the 2011 lump sum or 200 € per
    month counted on the basis of ``rule``, at least 2 000 €.
    """
    if after_des:
        return AFTER_DES_EUR, None, False, PenaltyBasis.LUMP_SUM
    if rule.before_des_basis is PenaltyBasis.LUMP_SUM:
        return STUDY_COSTS_LUMP_SUM_2011_EUR, None, False, PenaltyBasis.LUMP_SUM
    months = (
        months_since_signature
        if rule.before_des_basis is PenaltyBasis.MONTHS_SINCE_SIGNATURE
        else months_paid
    )
    raw = PER_MONTH_EUR * months
    return max(raw, FLOOR_BEFORE_DES_EUR), months, raw < FLOOR_BEFORE_DES_EUR, rule.before_des_basis


def successor_caveat_fr(rupture_on: date, profession: Profession) -> str | None:
    """The caveat of the amounts applied after their basis went (one place for it).

    - midwives and pharmacists (décret n°2026-4): the arrêté du 26 mai 2020's amounts,
      to be confirmed by the decree's own texts;
    - doctors and dentists from 7 January 2026: code de l'éducation art. R.631-24-16,
      whose II, 2° the arrêté du 26 mai 2020 implements (« La pénalité visée au 2° du II
      de l'article R. 631-24-16 […] »), is abrogated from that day (juriblio.fr:
      « Abrogé depuis le 2026-01-07 »); its successor is not known to this service, so
      the arrêté's amounts are given with this caveat, as for the reduced sum
      (``cesp.engagement.reduced``).
    """
    if profession in (Profession.SAGE_FEMME, Profession.PHARMACIEN):
        return (
            "Sages-femmes et pharmaciens (décret n°2026-4) : montants de l'arrêté du "
            "26 mai 2020, à confirmer par les textes d'application du décret."
        )
    if rupture_on >= R631_24_16_ABROGATED_ON:
        return (
            "L'article R.631-24-16 du code de l'éducation, que l'arrêté du 26 mai 2020 "
            f"applique, est abrogé depuis le {R631_24_16_ABROGATED_ON:%d/%m/%Y} et le texte "
            "qui lui succède n'est pas connu de ce service : montants de l'arrêté du "
            "26 mai 2020, à confirmer."
        )
    return None


def decree_2010_735_article_fr(article: int, on: date) -> str:
    """Where a rule of décret n°2010-735 du 29 juin 2010 sits on ``on``.

    Until 28 May 2020 the decree's article; from 29 May 2020 (the date this package uses
    for the section of the code de l'éducation, see ``ARRETE_2020_FROM``) its rules sit
    in code de l'éducation, art. R.631-24-x, whose exact number for this rule was not
    verified here: the citation says so.
    """
    if on < ARRETE_2020_FROM:
        return f"décret n°2010-735, art. {article}"
    return (
        "code de l'éducation, art. R.631-24-x (reprenant l'art. "
        f"{article} du décret n°2010-735 ; numéro exact non vérifié)"
    )


def parse_cause(value: str, field: str = "cause") -> RuptureCause:
    """Validate a rupture cause given as text."""
    try:
        return RuptureCause(value.strip().lower())
    except ValueError as exc:
        choices = ", ".join(c.value for c in RuptureCause)
        raise InvalidInputError(
            f"{field}={value!r} is not a rupture cause: use one of {choices}",
            message_fr=f"Cause de rupture inconnue « {value} » : {choices}.",
            field=field,
        ) from exc
