"""Allocation runs of a practice-site campaign, and the deciding parties' answers.

``run_allocation`` reads the wishes, computes :func:`cesp.posts.allocation.allocate` and
stores one proposal per applicant (a new run number each time, earlier runs kept).
``decide`` records the answer of the ARS or of the employer (décret n°2010-735, art. 7:
the ARS decides for liberal practice, the employer for salaried practice, both for
mixed); a proposal is confirmed when every party it needs has confirmed, and the place
is then taken with the same conditional UPDATE as an intern's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from cesp.access import authorize
from cesp.audit import Actor, record
from cesp.errors import ConflictError, InvalidInputError, NotFoundError
from cesp.posts.allocation import Applicant, Outcome, Place, allocate
from cesp.posts.campaigns import get_campaign, log_step, require_open
from cesp.posts.store import PostFilter, select_posts, take_place
from cesp.posts.tables import (
    applications,
    beneficiaries,
    campaign_candidates,
    proposals,
    tie_breaks,
)
from cesp.storage.engine import write_transaction

PARTIES = {"liberal": ("ars",), "salarie": ("employer",), "mixte": ("ars", "employer")}


@dataclass(frozen=True)
class Proposal:
    """One stored outcome of an allocation run."""

    id: int
    campaign_id: int
    run: int
    beneficiary_id: int
    post_id: int | None
    wish_rank: int | None
    outcome: str
    explanation_fr: str
    ars_decision: str | None
    employer_decision: str | None
    status: str


COLUMNS = tuple(proposals.c[name] for name in Proposal.__dataclass_fields__)
"""The columns of a ``Proposal``."""


def _proposal(row: sa.Row[Any]) -> Proposal:
    return Proposal(**row._mapping)


def _get(conn: sa.Connection, proposal_id: int) -> sa.Row[Any] | None:
    return conn.execute(sa.select(*COLUMNS).where(proposals.c.id == proposal_id)).first()


def _placed(conn: sa.Connection, campaign_id: int) -> set[int]:
    """The beneficiaries of a campaign whose proposal is confirmed."""
    return set(
        conn.execute(
            sa.select(proposals.c.beneficiary_id).where(
                proposals.c.campaign_id == campaign_id, proposals.c.status == "confirmed"
            )
        ).scalars()
    )


def applicants_and_places(
    conn: sa.Connection, campaign_id: int
) -> tuple[list[Applicant], list[Place]]:
    """What the allocation reads: wishes of those not yet placed (less the posts whose
    deciding party refused them), every post of the list with its status, and the ties
    the deciding parties broke."""
    campaign = get_campaign(conn, campaign_id)
    placed = _placed(conn, campaign_id)
    refused = {
        (r.beneficiary_id, r.post_id)
        for r in conn.execute(
            sa.select(proposals.c.beneficiary_id, proposals.c.post_id).where(
                proposals.c.campaign_id == campaign_id, proposals.c.status == "refused"
            )
        )
    }
    wishes: dict[int, list[int]] = {}
    for who, post_id in conn.execute(
        sa.select(applications.c.beneficiary_id, applications.c.post_id)
        .where(applications.c.campaign_id == campaign_id)
        .order_by(applications.c.beneficiary_id, applications.c.wish_rank)
    ):
        if who not in placed and (who, post_id) not in refused:
            wishes.setdefault(who, []).append(post_id)
    applicants = []
    b, c = beneficiaries, campaign_candidates
    ranked = b.outerjoin(c, sa.and_(c.c.beneficiary_id == b.c.id, c.c.campaign_id == campaign_id))
    for row in conn.execute(
        sa.select(b.c.id, b.c.name, b.c.training_region, c.c.rank)
        .select_from(ranked)
        .where(b.c.id.in_(sorted(wishes)))
        .order_by(b.c.id)
    ):
        applicants.append(
            Applicant(row.id, row.name, row.training_region, row.rank, tuple(wishes[row.id]))
        )
    order: dict[int, list[int]] = {}
    for post_id, who in conn.execute(
        sa.select(tie_breaks.c.post_id, tie_breaks.c.beneficiary_id)
        .where(tie_breaks.c.campaign_id == campaign_id)
        .order_by(tie_breaks.c.post_id, tie_breaks.c.position)
    ):
        order.setdefault(post_id, []).append(who)
    posts = select_posts(conn, PostFilter(campaign=campaign.year, kind=campaign.kind))
    places = [
        Place(
            p.id, p.reference, p.region, p.mode, p.places_left, p.status, tuple(order.get(p.id, ()))
        )
        for p in posts
    ]
    return applicants, places


def _supersede_open(conn: sa.Connection, campaign_id: int, run: int, actor: Actor) -> None:
    """Close every earlier proposal still awaiting a decision: run ``run`` replaces them
    (their partial decisions go with them; the new run's proposals are decided anew)."""
    stale = conn.execute(
        sa.select(proposals.c.id, proposals.c.run, proposals.c.beneficiary_id, proposals.c.post_id)
        .where(proposals.c.campaign_id == campaign_id, proposals.c.status == "proposed")
        .order_by(proposals.c.id)
    ).all()
    if not stale:
        return
    conn.execute(
        sa.update(proposals)
        .where(proposals.c.id.in_([p.id for p in stale]))
        .values(status="superseded")
    )
    for p in stale:
        log_step(
            conn,
            campaign_id,
            actor,
            "proposal.superseded",
            f"Proposition n°{p.id} de la répartition n°{p.run} remplacée par la "
            f"répartition n°{run} : elle n'attend plus de décision.",
            p.beneficiary_id,
            p.post_id,
        )


def run_allocation(engine: sa.Engine, campaign_id: int, actor: Actor) -> tuple[int, list[Outcome]]:
    """Compute and store a new allocation run; returns its number and the outcomes.

    The new run supersedes the proposals of earlier runs still awaiting a decision
    (status ``superseded``, written to the campaign's history): only the latest run
    can be decided, so a proposal made on stale wishes or places cannot be confirmed."""
    authorize(actor, "campaign.manage")
    with write_transaction(engine) as conn:
        campaign = get_campaign(conn, campaign_id, lock=True)
        require_open(campaign, "applications")
        applicants, places = applicants_and_places(conn, campaign_id)
        outcomes = allocate(applicants, places)
        run = int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(proposals.c.run), 0) + 1).where(
                    proposals.c.campaign_id == campaign_id
                )
            ).scalar_one()
        )
        _supersede_open(conn, campaign_id, run, actor)
        now = datetime.now(UTC)
        for outcome in outcomes:
            conn.execute(
                sa.insert(proposals).values(
                    campaign_id=campaign_id,
                    run=run,
                    beneficiary_id=outcome.applicant_id,
                    post_id=outcome.post_id,
                    wish_rank=outcome.wish_rank,
                    outcome=outcome.outcome,
                    explanation_fr=outcome.explanation_fr,
                    status="proposed" if outcome.outcome in ("proposed", "tie") else "none",
                    created_at=now,
                )
            )
            log_step(
                conn,
                campaign_id,
                actor,
                f"allocation.{outcome.outcome}",
                f"Répartition n°{run} : {outcome.explanation_fr}",
                outcome.applicant_id,
                outcome.post_id,
            )
        record(
            conn,
            actor,
            "campaign.allocate",
            "campaign",
            campaign_id,
            f"run {run}: {sum(o.outcome == 'proposed' for o in outcomes)} proposed, "
            f"{sum(o.outcome == 'tie' for o in outcomes)} tied, "
            f"{sum(o.outcome == 'pending' for o in outcomes)} pending, "
            f"{sum(o.outcome == 'none' for o in outcomes)} without a post",
        )
    return run, outcomes


def list_proposals(conn: sa.Connection, campaign_id: int, run: int | None = None) -> list[Proposal]:
    """Proposals of a run (the latest when ``run`` is None)."""
    if run is None:
        run = conn.execute(
            sa.select(sa.func.max(proposals.c.run)).where(proposals.c.campaign_id == campaign_id)
        ).scalar()
    rows = conn.execute(
        sa.select(*COLUMNS)
        .where(proposals.c.campaign_id == campaign_id, proposals.c.run == run)
        .order_by(proposals.c.beneficiary_id)
    )
    return [_proposal(r) for r in rows]


def _refuse_closed(conn: sa.Connection, proposal: Proposal) -> None:
    """A 409 saying why a proposal cannot be decided (any status but ``proposed``)."""
    if proposal.status == "proposed" and proposal.post_id is not None:
        return
    if proposal.status == "superseded":
        latest = conn.execute(
            sa.select(proposals.c.id, proposals.c.run)
            .where(
                proposals.c.campaign_id == proposal.campaign_id,
                proposals.c.beneficiary_id == proposal.beneficiary_id,
                proposals.c.run > proposal.run,
            )
            .order_by(proposals.c.run.desc())
        ).first()
        where_en = f": decide proposal {latest.id} of run {latest.run}" if latest else ""
        where_fr = (
            f" : décidez sur la proposition n°{latest.id} (répartition n°{latest.run})"
            if latest
            else ""
        )
        raise ConflictError(
            "superseded",
            f"proposal {proposal.id} (run {proposal.run}) was superseded{where_en}",
            message_fr=(
                f"Cette proposition (répartition n°{proposal.run}) a été remplacée et "
                f"n'attend plus de décision{where_fr}."
            ),
            field="proposal_id",
        )
    if proposal.outcome == "pending":
        raise ConflictError(
            "awaiting_tie",
            f"proposal {proposal.id} waits for a tie to be broken; nothing to decide",
            message_fr=(
                "Cette candidature attend le départage d'une égalité de priorité : rien à "
                "décider avant la répartition suivante."
            ),
            field="proposal_id",
        )
    raise ConflictError(
        "not_pending",
        f"proposal {proposal.id} is {proposal.status}",
        message_fr="Cette proposition n'attend plus de décision.",
        field="proposal_id",
    )


def _break_tie(conn: sa.Connection, proposal: Proposal, actor: Actor) -> None:
    """Put the proposal's candidate next in the post's tie-break order (art. 7: the
    deciding party chooses between candidates of equal priority); the next run reads it."""
    assert proposal.post_id is not None
    position = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(tie_breaks.c.position), 0) + 1).where(
            tie_breaks.c.campaign_id == proposal.campaign_id,
            tie_breaks.c.post_id == proposal.post_id,
        )
    ).scalar_one()
    conn.execute(
        sa.insert(tie_breaks).values(
            campaign_id=proposal.campaign_id,
            post_id=proposal.post_id,
            beneficiary_id=proposal.beneficiary_id,
            position=position,
            proposal_id=proposal.id,
            at=datetime.now(UTC),
            actor=actor.name,
        )
    )


def decide(
    engine: sa.Engine, proposal_id: int, party: str, decision: str, actor: Actor
) -> Proposal:
    """Record the ARS's or the employer's answer to a proposal.

    The ARS answers for its own region (an ARS key of the post's region, or the CNG);
    the employer's answer is recorded by the same officers, who receive it. Confirming
    a ``tie`` (candidates of equal priority) breaks it: the candidate goes first on the
    post (status ``tie_broken``), and the next run proposes with the tie broken, the
    other candidates falling through to their next wishes. Superseded, pending and
    decided proposals are refused with the reason.
    """
    if party not in ("ars", "employer"):
        raise InvalidInputError(
            "party must be ars or employer",
            message_fr="party : « ars » ou « employer ».",
            field="party",
        )
    if decision not in ("confirm", "refuse"):
        raise InvalidInputError(
            "decision must be confirm or refuse",
            message_fr="decision : « confirm » ou « refuse ».",
            field="decision",
        )
    with write_transaction(engine) as conn:
        row = _get(conn, proposal_id)
        if row is not None:  # one decision at a time per campaign (tie-break order)
            get_campaign(conn, row.campaign_id, lock=True)
            row = _get(conn, proposal_id)
        if row is None:
            raise NotFoundError(
                f"no proposal {proposal_id}",
                message_fr=f"Aucune proposition n°{proposal_id}.",
                field="proposal_id",
            )
        proposal = _proposal(row)
        _refuse_closed(conn, proposal)
        assert proposal.post_id is not None
        post = select_posts(conn, PostFilter(ids=(proposal.post_id,)))[0]
        authorize(actor, "post.write", post.region)
        needed = PARTIES[post.mode]
        if party not in needed:
            raise InvalidInputError(
                f"a {post.mode} post is decided by {' and '.join(needed)}, not {party}",
                message_fr="Cette partie ne décide pas pour ce mode d'exercice.",
                field="party",
            )
        answers = {"ars": proposal.ars_decision, "employer": proposal.employer_decision}
        answers[party] = decision
        status = "proposed"
        if decision == "refuse":
            status = "refused"
        elif all(answers[p] == "confirm" for p in needed) and proposal.outcome == "tie":
            status = "tie_broken"
            _break_tie(conn, proposal, actor)
        elif all(answers[p] == "confirm" for p in needed):
            status = "confirmed"
            if proposal.beneficiary_id in _placed(conn, proposal.campaign_id):
                raise ConflictError(
                    "already_placed",
                    f"beneficiary {proposal.beneficiary_id} already has a confirmed post",
                    message_fr="Ce bénéficiaire a déjà un lieu d'exercice confirmé.",
                )
            take_place(conn, post.id)
        conn.execute(
            sa.update(proposals)
            .where(proposals.c.id == proposal_id)
            .values(
                ars_decision=answers["ars"], employer_decision=answers["employer"], status=status
            )
        )
        verb = "confirme" if decision == "confirm" else "refuse"
        if status == "tie_broken":
            verb = "départage l'égalité en faveur de"
        who = "L'ARS" if party == "ars" else "L'employeur"
        log_step(
            conn,
            proposal.campaign_id,
            actor,
            f"decision.{decision}",
            f"{who} {verb} la proposition du poste {post.reference}.",
            proposal.beneficiary_id,
            post.id,
        )
        record(
            conn,
            actor,
            f"proposal.{decision}",
            "proposal",
            proposal_id,
            f"{party} {decision}s post {post.id} for beneficiary {proposal.beneficiary_id}",
            region=post.region,
        )
        stored = _get(conn, proposal_id)
        assert stored is not None
        return _proposal(stored)
