"""Who manages the contracts nationally, and which diploma ends the studies, by date.

- National manager: the Centre national de gestion (CNG) from the décret n°2010-735 du
  29 juin 2010 until the décret n°2025-270 (JORF 25 March 2025); from 26 March 2025 the
  Agence de services et de paiement (ASP) manages the contracts signed from that day and
  takes over every contract on 1 January 2026. The API role ``cng`` keeps its name; the
  label it shows is taken from the date.
- Diploma: until the décret n°2013-1080 du 29 novembre 2013 the allowance stopped, and
  practice began, at the diplôme d'études spécialisées (DES); from its entry into force
  (the day after its publication, taken here as 1 December 2013) at the diplôme d'État
  de docteur (seed: FHF and AP-HP notes of 2 December 2013).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ASP_FROM = date(2025, 3, 26)
ASP_ALL_CONTRACTS_FROM = date(2026, 1, 1)
DOCTOR_DIPLOMA_FROM = date(2013, 12, 1)


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
    """The diploma that ends the studies on ``on``.

    Décret n°2010-735 du 29 juin 2010: the DES; décret n°2013-1080 du 29 novembre 2013
    (from 1 December 2013): the diplôme d'État de docteur. Dentists (décret n°2013-735
    du 14 août 2013): the diplôme d'État de docteur en chirurgie dentaire.
    """
    if profession == "chirurgien-dentiste":
        return "diplôme d'État de docteur en chirurgie dentaire"
    if profession in ("sage-femme", "pharmacien"):
        return "diplôme d'État"
    return "DES" if on < DOCTOR_DIPLOMA_FROM else "diplôme d'État de docteur"
