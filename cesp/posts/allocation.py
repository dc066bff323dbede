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

Ties. When more candidates of exactly equal priority want a post than it has places
left, the rules do not say who goes first: art. 7 leaves the choice to the deciding
party, and the algorithm draws no lots. Whoever wins such a tie, every other outcome
may change (the losers move down their lists and push out weaker candidates), so a
proposal is only made when it holds however the ties are broken. Two passes bound
every way of breaking them: ``hold`` keeps every tied candidate on the post (the best
each of them can hope for, and the least competition for everybody else), ``drop``
turns them all away (the most competition). Deferred acceptance is monotone in what
the posts accept (more acceptance leaves every candidate weakly better off), so each
candidate's outcome under any tie-break lies between the two passes
(``tests/posts/test_allocation.py`` checks it against every tie-break of small cases):

- the same post, or no post, in both passes: a firm ``proposed`` (or ``none``);
- tied in the ``hold`` pass: ``tie``, a question to the deciding party: which of
  these candidates of equal priority goes first on this post. Its answer is stored
  (``cesp.posts.proposals.decide``, table ``tie_breaks``) and read back as
  ``Place.order``: the next run proposes again with the tie broken, the losers falling
  through to their next wishes ahead of weaker candidates;
- anything else: ``pending``, nothing to decide until the ties are broken.

So no candidate of higher priority ends worse off than a weaker one because of a tie,
and every answer removes a tie: the runs cannot stall.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    """A post of the campaign's list; only an ``open`` one can be proposed."""

    id: int
    reference: str
    region: str
    mode: str
    places_left: int
    status: str = "open"
    order: tuple[int, ...] = ()
    """Applicants the deciding party has put first when they were tied, in its order."""


@dataclass
class Outcome:
    """What the allocation proposes for one applicant, and why."""

    applicant_id: int
    outcome: str  # "proposed", "tie", "pending" or "none"
    post_id: int | None = None
    wish_rank: int | None = None
    tied_with: tuple[int, ...] = ()
    reasons_fr: list[str] = field(default_factory=list)

    @property
    def explanation_fr(self) -> str:
        """The whole explanation, one sentence per wish considered."""
        return " ".join(self.reasons_fr)


UNRANKED = 2**62


def priority(applicant: Applicant, place: Place) -> tuple[int, int, int]:
    """Lower is stronger: merit first (no rank: after every ranked applicant), then the
    training region of the post's region (décret n°2010-735, art. 7), then the order in
    which the deciding party broke a tie on this post (art. 7 leaves it the decision)."""
    merit = applicant.merit if applicant.merit is not None else UNRANKED
    chosen = place.order.index(applicant.id) if applicant.id in place.order else len(place.order)
    return (merit, 0 if applicant.training_region == place.region else 1, chosen)


def _names(people: Sequence[Applicant]) -> str:
    """« A », « A et B », « A, B et C », « A, B, C et 2 autre(s) »."""
    shown = [p.name for p in people[:3]]
    if len(people) > 3:
        shown.append(f"{len(people) - 3} autre(s)")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " et " + shown[-1]


def _why_beaten(loser: Applicant, ahead: Sequence[Applicant], place: Place) -> str:
    """Who holds the post's places with a higher priority than ``loser``, and why."""
    merit = priority(loser, place)[0]
    by_merit = [w for w in ahead if priority(w, place)[0] < merit]
    region = priority(loser, place)[1]
    by_region = [w for w in ahead if priority(w, place)[:2] == (merit, region - 1)]
    by_choice = [w for w in ahead if priority(w, place)[:2] == (merit, region)]
    parts = []
    if by_merit:
        one = len(by_merit) == 1
        ranks = ", ".join(str(w.merit) for w in by_merit[:3])
        if loser.merit is None:
            parts.append(
                f"{_names(by_merit)} {'est classé(e)' if one else 'sont classé(e)s'} "
                f"(rang {ranks}), vous êtes sans rang"
            )
        else:
            parts.append(
                f"{_names(by_merit)} {'est mieux classé(e)' if one else 'sont mieux classé(e)s'}"
                f" (rang {ranks} contre {loser.merit})"
            )
    if by_region:
        one = len(by_region) == 1
        parts.append(
            f"{_names(by_region)}, formé(e){'' if one else 's'} dans la région du poste, "
            f"{'est prioritaire' if one else 'sont prioritaires'} à mérite égal "
            "(décret n°2010-735, art. 7)"
        )
    if by_choice:
        parts.append(
            f"à priorité égale, la partie qui décide a retenu {_names(by_choice)} "
            "(décret n°2010-735, art. 7)"
        )
    return " ; ".join(parts)


@dataclass(frozen=True)
class _Held:
    """Who a post keeps: ``firm`` within its places, ``tied`` competing for the rest."""

    firm: tuple[Applicant, ...] = ()
    tied: tuple[Applicant, ...] = ()


def _hold(place: Place, wanting: Iterable[Applicant], ties: str) -> tuple[_Held, list[Applicant]]:
    """What the post keeps and whom it turns away, ``ties`` being ``hold`` (keep every
    candidate tied for the last places) or ``drop`` (turn them all away)."""
    ordered = sorted(wanting, key=lambda a: (priority(a, place), a.id))
    if len(ordered) <= place.places_left:
        return _Held(tuple(ordered)), []
    if place.places_left == 0:
        return _Held(), ordered
    cutoff = priority(ordered[place.places_left - 1], place)
    firm = [a for a in ordered if priority(a, place) < cutoff]
    tied = [a for a in ordered if priority(a, place) == cutoff]
    worse = [a for a in ordered if priority(a, place) > cutoff]
    if len(firm) + len(tied) <= place.places_left:
        return _Held((*firm, *tied)), worse
    if ties == "hold":
        return _Held(tuple(firm), tuple(tied)), worse
    return _Held(tuple(firm)), [*tied, *worse]


@dataclass
class _Pass:
    """One deferred acceptance: who each post holds, who proposed to it, and why each
    applicant was turned away from each wish."""

    held: dict[int, _Held]
    proposed_to: dict[int, set[int]]
    reasons: dict[int, list[str]]

    def post_of(self, applicant_id: int) -> int | None:
        """The post holding ``applicant_id`` at the end, if any."""
        for post_id, held in self.held.items():
            if any(a.id == applicant_id for a in (*held.firm, *held.tied)):
                return post_id
        return None


def _skip_reason(place: Place | None) -> str | None:
    """Why a wish cannot be proposed at all (None when the post takes candidates)."""
    if place is None:
        return "le poste n'est pas sur la liste de cette campagne"
    if place.status == "withdrawn":
        return "le poste a été retiré de la liste par son ARS"
    if place.status == "filled" or place.places_left <= 0:
        return "toutes les places du poste sont déjà pourvues"
    return None


def _deferred_acceptance(
    applicants: Sequence[Applicant], places: Sequence[Place], ties: str
) -> _Pass:
    by_id = {p.id: p for p in places}
    people = {a.id: a for a in applicants}
    next_wish = {a.id: 0 for a in applicants}
    held = {p.id: _Held() for p in places}
    proposed_to: dict[int, set[int]] = {p.id: set() for p in places}
    reasons: dict[int, list[str]] = {a.id: [] for a in applicants}
    free = sorted(people)
    while free:
        applicant = people[free.pop(0)]
        while next_wish[applicant.id] < len(applicant.wishes):
            rank = next_wish[applicant.id]
            next_wish[applicant.id] += 1
            place = by_id.get(applicant.wishes[rank])
            skip = _skip_reason(place)
            if place is None or skip is not None:
                reference = f" ({place.reference})" if place is not None else ""
                reasons[applicant.id].append(f"Vœu n°{rank + 1}{reference} : {skip}.")
                continue
            # The post chooses among everyone who ever asked for it: a candidate dropped
            # from a tie still stands in front of weaker ones (once turned away, always).
            before = {a.id for a in (*held[place.id].firm, *held[place.id].tied)}
            proposed_to[place.id].add(applicant.id)
            kept, turned = _hold(place, [people[i] for i in proposed_to[place.id]], ties)
            held[place.id] = kept
            ahead = [*kept.firm, *kept.tied]
            for loser in (t for t in turned if t.id in before | {applicant.id}):
                wish = people[loser.id].wishes.index(place.id) + 1
                why = _why_beaten(loser, [a for a in ahead if a.id != loser.id], place)
                if not why:  # dropped from a tie in the ``drop`` pass
                    why = "égalité de priorité non départagée"
                reasons[loser.id].append(f"Vœu n°{wish} ({place.reference}) non retenu : {why}.")
                if loser.id != applicant.id:
                    free.append(loser.id)
                    free.sort()
            if applicant in ahead:
                break
    return _Pass(held, proposed_to, reasons)


def allocate(applicants: Sequence[Applicant], places: Sequence[Place]) -> list[Outcome]:
    """One outcome per applicant, in the order of ``applicants``' ids (see the module
    docstring for ``tie`` and ``pending``)."""
    by_id = {p.id: p for p in places}
    best = _deferred_acceptance(applicants, places, "hold")
    worst = _deferred_acceptance(applicants, places, "drop")
    outcomes = {a.id: Outcome(a.id, "none", reasons_fr=best.reasons[a.id]) for a in applicants}
    ties = {post_id: held for post_id, held in best.held.items() if held.tied}
    tied_ids = {a.id for held in best.held.values() for a in held.tied}
    for applicant in applicants:
        outcome = outcomes[applicant.id]
        post_id = best.post_of(applicant.id)
        if applicant.id not in tied_ids and post_id == worst.post_of(applicant.id):
            if post_id is None:
                if not applicant.wishes:
                    outcome.reasons_fr.append("Aucun vœu déposé.")
                outcome.reasons_fr.append("Aucun vœu n'a pu être satisfait.")
                continue
            place = by_id[post_id]
            outcome.outcome, outcome.post_id = "proposed", post_id
            outcome.wish_rank = applicant.wishes.index(post_id) + 1
            decider = DECIDERS_FR.get(place.mode, "la partie qui décide")
            outcome.reasons_fr.append(
                f"Vœu n°{outcome.wish_rank} ({place.reference}) proposé ; "
                f"à confirmer par {decider}."
            )
        elif applicant.id in tied_ids:
            assert post_id is not None
            place, held = by_id[post_id], ties[post_id]
            others = tuple(a for a in held.tied if a.id != applicant.id)
            outcome.outcome, outcome.post_id = "tie", post_id
            outcome.wish_rank = applicant.wishes.index(post_id) + 1
            outcome.tied_with = tuple(a.id for a in others)
            decider = DECIDERS_FR.get(place.mode, "la partie qui décide")
            outcome.reasons_fr.append(
                f"Vœu n°{outcome.wish_rank} ({place.reference}) : égalité de priorité avec "
                f"{_names(others)} ; la décision revient à {decider}, qui les départage "
                "(décret n°2010-735, art. 7). La répartition suivante en tiendra compte : si une "
                "autre candidature passe avant la vôtre, vos vœux suivants seront examinés."
            )
        else:
            outcome.outcome = "pending"
            outcome.reasons_fr = [
                "En attente : une égalité de priorité sur "
                + ", ".join(by_id[p].reference for p in list(ties)[:5])
                + (" (et d'autres postes)" if len(ties) > 5 else "")
                + " doit d'abord être départagée par la partie qui décide ; votre "
                "proposition en dépend et sera faite à la répartition suivante."
            ]
    return [outcomes[i] for i in sorted(outcomes)]
