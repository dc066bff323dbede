"""Propose an allocation of practice sites from ranked wishes: pure and deterministic.

Décret n°2010-735 du 29 juin 2010, art. 7: a beneficiary files up to five applications
in order of preference; among candidates of equal merit, those trained in the region of
the post have priority; the decision belongs to the ARS for liberal practice, to the
employer for salaried practice, to both for mixed practice.

The proposal is a candidate-proposing deferred acceptance (Gale-Shapley): each
candidate gets the best wish that no candidate of higher priority for that post wants
more, which honours the wishes, the places and the priority, whatever the order in
which candidates are read. A post's priority between two candidates is their merit
(campaign rank, lower is better; an applicant without a rank comes after every ranked
one, and unranked applicants are of equal merit), then the training region.
When candidates of exactly equal priority compete for the last places, the algorithm
does not draw lots: they are all held as a ``tie`` and the deciding party chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

DECIDERS_FR = {"liberal": "l'ARS", "salarie": "l'employeur", "mixte": "l'ARS et l'employeur"}


@dataclass(frozen=True)
class Applicant:
    """A beneficiary's application: merit (None when all are equal) and ranked wishes."""

    id: int
    name: str
    training_region: str
    merit: int | None
    wishes: tuple[int, ...]


@dataclass(frozen=True)
class Place:
    """A post offered in the campaign."""

    id: int
    reference: str
    region: str
    mode: str
    places_left: int


@dataclass
class Outcome:
    """What the allocation proposes for one applicant, and why."""

    applicant_id: int
    outcome: str  # "proposed", "tie" or "none"
    post_id: int | None = None
    wish_rank: int | None = None
    tied_with: tuple[int, ...] = ()
    reasons_fr: list[str] = field(default_factory=list)

    @property
    def explanation_fr(self) -> str:
        """The whole explanation, one sentence per wish considered."""
        return " ".join(self.reasons_fr)


UNRANKED = 2**62


def priority(applicant: Applicant, place: Place) -> tuple[int, int]:
    """Lower is stronger: merit first (no rank: after every ranked applicant), then the
    training region of the post's region (décret n°2010-735, art. 7)."""
    merit = applicant.merit if applicant.merit is not None else UNRANKED
    return (merit, 0 if applicant.training_region == place.region else 1)


def _why_beaten(loser: Applicant, winner: Applicant, place: Place) -> str:
    if priority(winner, place)[0] < priority(loser, place)[0]:
        if loser.merit is None:
            return f"{winner.name} est classé(e) (rang {winner.merit}), vous êtes sans rang"
        return f"{winner.name} est mieux classé(e) (rang {winner.merit} contre {loser.merit})"
    return (
        f"{winner.name}, formé(e) dans la région du poste, est prioritaire "
        "à mérite égal (décret n°2010-735, art. 7)"
    )


def _hold(place: Place, wanting: list[Applicant]) -> tuple[list[Applicant], list[Applicant]]:
    """Those the post keeps (possibly more than its places when tied) and those it turns away."""
    ordered = sorted(wanting, key=lambda a: (priority(a, place), a.id))
    if len(ordered) <= place.places_left:
        return ordered, []
    if place.places_left == 0:
        return [], ordered
    cutoff = priority(ordered[place.places_left - 1], place)
    kept = [a for a in ordered if priority(a, place) <= cutoff]
    return kept, [a for a in ordered if priority(a, place) > cutoff]


def allocate(applicants: Sequence[Applicant], places: Sequence[Place]) -> list[Outcome]:
    """One outcome per applicant, in the order of ``applicants``' ids."""
    by_id = {p.id: p for p in places}
    people = {a.id: a for a in applicants}
    next_wish = {a.id: 0 for a in applicants}
    held: dict[int, list[Applicant]] = {p.id: [] for p in places}
    reasons: dict[int, list[str]] = {a.id: [] for a in applicants}
    free = sorted(people)
    while free:
        applicant = people[free.pop(0)]
        while next_wish[applicant.id] < len(applicant.wishes):
            rank = next_wish[applicant.id]
            next_wish[applicant.id] += 1
            place = by_id.get(applicant.wishes[rank])
            if place is None:
                reasons[applicant.id].append(
                    f"Vœu n°{rank + 1} : le poste n'est plus proposé dans cette campagne."
                )
                continue
            kept, turned = _hold(place, [*held[place.id], applicant])
            held[place.id] = kept
            for loser in turned:
                if place.places_left == 0:
                    why = "il ne reste aucune place"
                else:
                    why = _why_beaten(loser, kept[-1], place)
                wish = people[loser.id].wishes.index(place.id) + 1
                reasons[loser.id].append(f"Vœu n°{wish} ({place.reference}) non retenu : {why}.")
                if loser.id != applicant.id:
                    free.append(loser.id)
                    free.sort()
            if applicant in kept:
                break
    outcomes = {a.id: Outcome(a.id, "none", reasons_fr=reasons[a.id]) for a in applicants}
    for place in places:
        group = held[place.id]
        tied = len(group) > place.places_left
        for member in group:
            wish = member.wishes.index(place.id) + 1
            outcome = outcomes[member.id]
            outcome.post_id, outcome.wish_rank = place.id, wish
            decider = DECIDERS_FR.get(place.mode, "la partie qui décide")
            if tied:
                others = tuple(a.id for a in group if a.id != member.id)
                outcome.outcome, outcome.tied_with = "tie", others
                names = ", ".join(people[i].name for i in others)
                outcome.reasons_fr.append(
                    f"Vœu n°{wish} ({place.reference}) : égalité de priorité avec {names} pour "
                    f"{place.places_left} place(s) ; la décision revient à {decider}."
                )
            else:
                outcome.outcome = "proposed"
                outcome.reasons_fr.append(
                    f"Vœu n°{wish} ({place.reference}) proposé ; à confirmer par {decider}."
                )
    for outcome in outcomes.values():
        if outcome.outcome == "none":
            if not people[outcome.applicant_id].wishes:
                outcome.reasons_fr.append("Aucun vœu déposé.")
            outcome.reasons_fr.append("Aucun vœu n'a pu être satisfait.")
    return [outcomes[i] for i in sorted(outcomes)]
