"""Who manages the contracts nationally, and which diploma ends the studies, by date.

- National manager: the Centre national de gestion (CNG) from the décret n°2010-735 du
  29 juin 2010 until the décret n°2025-270 (JORF 25 March 2025); from 26 March 2025 the
  Agence de services et de paiement (ASP) manages the contracts signed from that day and
  takes over every contract on 1 January 2026. The API role ``cng`` keeps its name; the
  label it shows is taken from the date.
- Diploma that switches the penalty from "before" to "after" (doctors): the diplôme
  d'études spécialisées (DES) in every version of the texts, not the thesis:
  arrêté du 24 juin 2011, art. 1er-1, 1° and 2°, both versions (28 March 2012 and
  8 November 2013): « avant l'obtention du diplôme d'études spécialisées » / « après
  l'obtention du diplôme d'études spécialisées »; arrêté du 26 mai 2020, art. 1er, II,
  1° and 2°: « avant l'obtention du diplôme d'études spécialisées ou au cours du
  parcours de consolidation des compétences » / « après l'obtention du diplôme d'études
  spécialisées ou à l'issue du parcours de consolidation des compétences »
  (juriblio.fr/arretes/arrete-du-24-juin-2011/158505052/article-1-1 and
  juriblio.fr/arretes/arrete-du-26-mai-2020/176141271/article-1). The initial version
  of the 2011 arrêté (2 July 2011 to 27 March 2012) was not read here; its 20 000 € is
  the same before and after. An earlier version of this module switched to the
  « diplôme d'État de docteur » on 1 December 2013, citing the décret n°2013-1080 and
  "FHF and AP-HP notes of 2 December 2013" that are not in the seeds: withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ASP_FROM = date(2025, 3, 26)
ASP_ALL_CONTRACTS_FROM = date(2026, 1, 1)


@dataclass(frozen=True)
class NationalManager:
    """The national body that manages a contract on a date."""

    code: str
    name_fr: str
    text_fr: str


CNG = NationalManager(
    "CNG",
    "Centre national de gestion",
    "décret n°2010-735 du 29 juin 2010 (jusqu'au décret n°2025-270)",
)
ASP = NationalManager(
    "ASP",
    "Agence de services et de paiement",
    "décret n°2025-270 (JORF du 25 mars 2025), en vigueur le 26/03/2025",
)


def national_manager_on(on: date, signed_on: date | None = None) -> NationalManager:
    """The manager of a contract signed on ``signed_on`` (unknown: an older contract) on
    ``on``.

    Décret n°2025-270 (JORF 25 March 2025): the ASP from 26 March 2025 for contracts
    signed from then, and for every contract from 1 January 2026; the CNG before.
    """
    if on >= ASP_ALL_CONTRACTS_FROM:
        return ASP
    if on >= ASP_FROM and signed_on is not None and signed_on >= ASP_FROM:
        return ASP
    return CNG


def role_label_fr(role: str, on: date, signed_on: date | None = None) -> str:
    """What the ``cng`` key role shows on ``on`` for a contract signed on ``signed_on``:
    the manager ``national_manager_on`` names (décret n°2025-270: CNG, then ASP)."""
    if role == "cng":
        return national_manager_on(on, signed_on).code
    return {"ars": "ARS", "intern": "interne", "admin": "administrateur"}.get(role, role)


def diploma_label_fr(on: date, profession: str = "medecin") -> str:
    """The diploma that switches the penalty from "before" to "after" on ``on``.

    Doctors: the DES in every version (see the module: arrêté du 24 juin 2011, art.
    1er-1; arrêté du 26 mai 2020, art. 1er, II, which from 29 May 2020 puts the end of
    the parcours de consolidation des compétences on the same footing; ``on`` is kept
    for the versions to come). Dentists: the diplôme d'État
    de docteur en chirurgie dentaire (as this module had it; the arrêté du 29 octobre
    2013 was not read here).
    """
    if profession == "chirurgien-dentiste":
        return "diplôme d'État de docteur en chirurgie dentaire"
    if profession in ("sage-femme", "pharmacien"):
        return "diplôme d'État"
    return "DES"
