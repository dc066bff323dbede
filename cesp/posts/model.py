"""Posts of the national lists and the beneficiaries who choose them.

Two national lists (décret n°2010-735 du 29 juin 2010, art. 7; code de l'éducation
art. L.632-6): intern posts (``internat``), chosen after the national ranking exams in
rank order; practice sites (``exercice``), chosen in the last year of studies on the
list the CNG builds from the ARS proposals. A practice site is liberal, salaried or
mixed: the mode decides who confirms a beneficiary's choice (art. 7: the ARS for
liberal practice, the employer for salaried practice, both for mixed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from cesp.conventions import plain_name
from cesp.errors import InvalidInputError

E = TypeVar("E", bound=StrEnum)


class PostKind(StrEnum):
    """Which national list a post belongs to."""

    EXERCICE = "exercice"
    INTERNAT = "internat"


class PracticeMode(StrEnum):
    """Liberal, salaried or mixed practice."""

    LIBERAL = "liberal"
    SALARIE = "salarie"
    MIXTE = "mixte"


class PostStatus(StrEnum):
    """Open (places left), filled, or withdrawn by its ARS."""

    OPEN = "open"
    FILLED = "filled"
    WITHDRAWN = "withdrawn"


MODE_ALIASES = {
    "liberal": PracticeMode.LIBERAL,
    "libéral": PracticeMode.LIBERAL,
    "salarie": PracticeMode.SALARIE,
    "salarié": PracticeMode.SALARIE,
    "mixte": PracticeMode.MIXTE,
}
MODE_LABELS_FR = {
    PracticeMode.LIBERAL: "libéral",
    PracticeMode.SALARIE: "salarié",
    PracticeMode.MIXTE: "mixte",
}


def parse_choice(kind: type[E], value: str, field: str, label_fr: str) -> E:
    """An enum member from user text, or an error listing the accepted values."""
    text = value.strip().lower()
    if kind is PracticeMode and text in MODE_ALIASES:
        return kind(MODE_ALIASES[text])
    try:
        return kind(text)
    except ValueError:
        accepted = ", ".join(member.value for member in kind)
        raise InvalidInputError(
            f"{field} must be one of {accepted}, not {value!r}",
            message_fr=f"{label_fr} : valeur « {value} » inconnue ; valeurs possibles : "
            f"{accepted}.",
            field=field,
        ) from None


@dataclass(frozen=True)
class Post:
    """One post of a national list, as stored."""

    id: int
    reference: str
    campaign: int
    kind: str
    region: str
    departement: str
    profession: str
    specialty: str
    mode: str
    structure: str
    address: str
    commune_code: str
    commune_name: str
    lon: float
    lat: float
    places: int
    places_taken: int
    status: str
    listed_on: date
    proposed_by: str
    proposed_at: datetime
    sample: bool

    @property
    def places_left(self) -> int:
        """Places still to take (none once withdrawn)."""
        if self.status == PostStatus.WITHDRAWN:
            return 0
        return self.places - self.places_taken


@dataclass(frozen=True)
class Beneficiary:
    """A CESP signatory (student or intern)."""

    id: int
    reference: str
    name: str
    profession: str
    specialty: str | None
    training_region: str
    requested_on: date
    signed_on: date
    months_paid: int
    suspended_months: int
    deferral_months: int
    des_obtained_on: date | None
    practice_started_on: date | None
    key_name: str | None
    sample: bool


def profile_mismatch(post: Post, beneficiary: Beneficiary) -> tuple[str, str] | None:
    """Why ``beneficiary`` cannot choose or wish ``post`` (English, French), or None.

    The CESP binds a beneficiary to practise their own profession (code de l'éducation
    art. L.632-6; art. L.634-2 for dentists): a post of another profession is never
    theirs. A practice site (``exercice``) is offered in one specialty, the one the
    beneficiary practises once qualified (décret n°2010-735 du 29 juin 2010, art. 7: the
    national list is drawn up by specialty from the ARS proposals), so it must match
    their recorded specialty. An intern post is different: choosing it after the
    national ranking exams *is* choosing the specialty of one's internat (art. 6), so
    only the profession is compared.
    """
    if post.profession != beneficiary.profession:
        return (
            f"post {post.reference} is for the profession {post.profession}, "
            f"not {beneficiary.profession}",
            f"Le poste {post.reference} est réservé à la profession « {post.profession} » ; "
            f"votre contrat est signé pour « {beneficiary.profession} ».",
        )
    if post.kind != PostKind.EXERCICE:
        return None
    if not beneficiary.specialty:
        return (
            f"beneficiary {beneficiary.id} has no specialty recorded: a practice site is "
            "offered in one specialty",
            f"Votre spécialité n'est pas renseignée : le poste {post.reference} est proposé "
            f"en {post.specialty}. Demandez au CNG de l'enregistrer.",
        )
    if plain_name(post.specialty) != plain_name(beneficiary.specialty):
        return (
            f"post {post.reference} is in {post.specialty}, not {beneficiary.specialty}",
            f"Le poste {post.reference} est proposé en {post.specialty} ; votre spécialité "
            f"est {beneficiary.specialty}.",
        )
    return None
