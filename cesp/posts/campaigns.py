"""Campaigns of choice: intern posts in rank order, practice sites by ranked wishes.

- Intern posts (``internat``): after the national ranking exams, CESP signatories choose
  their intern post on a closed national list in rank order (code de l'éducation,
  art. L.632-6, loi n°2009-879 du 21 juillet 2009, art. 46; décret n°2010-735 art. 6,
  cited here before, is about practice sites). A candidate may choose once every
  candidate ranked before has chosen or passed; places are taken by one conditional
  UPDATE, so two requests for the last place give one success and one refusal, on both
  backends.
- Practice sites (``exercice``): in the last year of studies a beneficiary files up to 5
  applications in order of preference (art. 7); :mod:`cesp.posts.allocation` proposes
  an allocation that the deciding party confirms.

Every step is appended to ``campaign_history`` in the transaction that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from cesp.access import authorize
from cesp.audit import Actor, record
from cesp.eligibility.index import ZoningIndex
from cesp.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from cesp.posts.beneficiaries import beneficiary_for, get_beneficiary
from cesp.posts.model import PostKind, PostStatus, parse_choice
from cesp.posts.qualification import qualify_sites
from cesp.posts.store import get_post, take_place
from cesp.storage.engine import write_transaction

MAX_WISHES = 5
PROCEDURE = {PostKind.INTERNAT.value: "rank_order", PostKind.EXERCICE.value: "applications"}


@dataclass(frozen=True)
class Campaign:
    """A campaign of choice for one year and one list."""

    id: int
    year: int
    kind: str
    status: str
    published_on: date
    next_rank: int | None

    @property
    def procedure(self) -> str:
        """``rank_order`` for intern posts, ``applications`` for practice sites."""
        return PROCEDURE[self.kind]


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def next_rank(conn: sa.Connection, campaign_id: int) -> int | None:
    """The rank whose turn it is: the best-ranked candidate who has not chosen nor passed."""
    value = conn.execute(
        sa.text(
            "SELECT min(c.rank) FROM campaign_candidates c LEFT JOIN choices h "
            "ON h.campaign_id = c.campaign_id AND h.beneficiary_id = c.beneficiary_id "
            "WHERE c.campaign_id = :id AND h.beneficiary_id IS NULL"
        ),
        {"id": campaign_id},
    ).scalar()
    return int(value) if value is not None else None


def get_campaign(conn: sa.Connection, campaign_id: int, *, lock: bool = False) -> Campaign:
    """One campaign; ``lock`` serialises the writers of a campaign on PostgreSQL."""
    suffix = " FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""
    row = conn.execute(
        sa.text(
            f"SELECT id, year, kind, status, published_on FROM campaigns WHERE id = :id{suffix}"
        ),
        {"id": campaign_id},
    ).first()
    if row is None:
        raise NotFoundError(
            f"no campaign {campaign_id}",
            message_fr=f"Aucune campagne n°{campaign_id}.",
            field="campaign_id",
        )
    rank = next_rank(conn, row.id) if row.kind == PostKind.INTERNAT else None
    return Campaign(row.id, row.year, row.kind, row.status, _date(row.published_on), rank)


def list_campaigns(conn: sa.Connection) -> list[Campaign]:
    """Every campaign, newest first."""
    ids = conn.execute(sa.text("SELECT id FROM campaigns ORDER BY year DESC, kind")).scalars()
    return [get_campaign(conn, int(i)) for i in ids]


def history(conn: sa.Connection, campaign_id: int) -> list[dict[str, Any]]:
    """Every step of a campaign, oldest first."""
    rows = conn.execute(
        sa.text(
            "SELECT id, at, actor, event, beneficiary_id, post_id, detail_fr "
            "FROM campaign_history WHERE campaign_id = :id ORDER BY id"
        ),
        {"id": campaign_id},
    )
    return [dict(r._mapping) for r in rows]


def log_step(
    conn: sa.Connection,
    campaign_id: int,
    actor: Actor,
    event: str,
    detail_fr: str,
    beneficiary_id: int | None = None,
    post_id: int | None = None,
) -> None:
    """Append one step to the campaign's history (inside the caller's transaction)."""
    conn.execute(
        sa.text(
            "INSERT INTO campaign_history (campaign_id, at, actor, event, beneficiary_id, "
            "post_id, detail_fr) VALUES (:c, :at, :actor, :event, :b, :p, :d)"
        ),
        {
            "c": campaign_id,
            "at": datetime.now(UTC),
            "actor": actor.name,
            "event": event,
            "b": beneficiary_id,
            "p": post_id,
            "d": detail_fr,
        },
    )


def create_campaign(
    conn: sa.Connection, year: int, kind: str, published_on: date, actor: Actor
) -> Campaign:
    """A new campaign in ``draft`` (one per year and list)."""
    authorize(actor, "campaign.manage")
    kind = parse_choice(PostKind, kind, "kind", "Liste").value
    if conn.execute(
        sa.text("SELECT 1 FROM campaigns WHERE year = :y AND kind = :k"), {"y": year, "k": kind}
    ).first():
        raise ConflictError(
            "campaign_exists",
            f"a {kind} campaign already exists for {year}",
            message_fr=f"Une campagne {kind} existe déjà pour {year}.",
            field="year",
        )
    campaign_id = conn.execute(
        sa.text(
            "INSERT INTO campaigns (year, kind, status, published_on) "
            "VALUES (:y, :k, 'draft', :p) RETURNING id"
        ),
        {"y": year, "k": kind, "p": published_on},
    ).scalar_one()
    log_step(conn, campaign_id, actor, "created", f"Campagne {kind} {year} créée.")
    record(conn, actor, "campaign.create", "campaign", campaign_id, f"{kind} {year}")
    return get_campaign(conn, campaign_id)


def set_candidates(
    conn: sa.Connection, campaign_id: int, ranks: dict[int, int], actor: Actor
) -> None:
    """Candidates and their rank (ECN rank for intern posts); only before the opening."""
    authorize(actor, "campaign.manage")
    campaign = get_campaign(conn, campaign_id)
    if campaign.status != "draft":
        raise ConflictError(
            "campaign_not_draft",
            "candidates can only be set before the campaign opens",
            message_fr="Les candidats se fixent avant l'ouverture de la campagne.",
        )
    if len(set(ranks.values())) != len(ranks) or any(r < 1 for r in ranks.values()):
        raise InvalidInputError(
            "ranks must be distinct whole numbers from 1",
            message_fr="Les rangs doivent être des entiers distincts à partir de 1.",
            field="rank",
        )
    for beneficiary_id in ranks:
        get_beneficiary(conn, beneficiary_id)
    conn.execute(
        sa.text("DELETE FROM campaign_candidates WHERE campaign_id = :c"), {"c": campaign_id}
    )
    for beneficiary_id, rank in sorted(ranks.items(), key=lambda item: item[1]):
        conn.execute(
            sa.text(
                "INSERT INTO campaign_candidates (campaign_id, beneficiary_id, rank) "
                "VALUES (:c, :b, :r)"
            ),
            {"c": campaign_id, "b": beneficiary_id, "r": rank},
        )
    log_step(conn, campaign_id, actor, "candidates", f"{len(ranks)} candidats classés.")


def set_status(conn: sa.Connection, campaign_id: int, status: str, actor: Actor) -> Campaign:
    """Open (from draft) or close (from open) a campaign."""
    authorize(actor, "campaign.manage")
    campaign = get_campaign(conn, campaign_id, lock=True)
    allowed = {"open": "draft", "closed": "open"}
    if allowed.get(status) != campaign.status:
        raise ConflictError(
            "bad_transition",
            f"cannot go from {campaign.status} to {status}",
            message_fr=f"Passage impossible de « {campaign.status} » à « {status} ».",
            field="status",
        )
    column = "opened_at" if status == "open" else "closed_at"
    conn.execute(
        sa.text(f"UPDATE campaigns SET status = :s, {column} = :at WHERE id = :id"),
        {"s": status, "at": datetime.now(UTC), "id": campaign_id},
    )
    label = "ouverte" if status == "open" else "close"
    log_step(conn, campaign_id, actor, status, f"Campagne {label}.")
    record(conn, actor, f"campaign.{status}", "campaign", campaign_id, f"campaign {status}")
    return get_campaign(conn, campaign_id)


def _require_open(campaign: Campaign, procedure: str) -> None:
    if campaign.status != "open":
        raise ConflictError(
            "campaign_not_open",
            f"campaign {campaign.id} is {campaign.status}",
            message_fr="La campagne n'est pas ouverte.",
        )
    if campaign.procedure != procedure:
        raise ConflictError(
            "wrong_procedure",
            f"campaign {campaign.id} uses {campaign.procedure}, not {procedure}",
            message_fr=(
                "Cette campagne se fait par choix en rang de classement."
                if campaign.procedure == "rank_order"
                else "Cette campagne se fait par vœux classés."
            ),
        )


def _speaker(conn: sa.Connection, actor: Actor, beneficiary_id: int | None) -> int:
    """The beneficiary a request is for: the intern key's own, or the one a CNG agent names."""
    authorize(actor, "choice.make")
    if actor.role == "intern":
        own = beneficiary_for(conn, actor).id
        if beneficiary_id not in (None, own):
            raise ForbiddenError(
                "an intern key acts only for its own beneficiary",
                message_fr="Une clé d'interne n'agit que pour son titulaire.",
                field="beneficiary_id",
            )
        return own
    if beneficiary_id is None:
        raise InvalidInputError(
            "beneficiary_id is required when a CNG agent acts for a candidate",
            message_fr="Indiquez le bénéficiaire (beneficiary_id).",
            field="beneficiary_id",
        )
    return get_beneficiary(conn, beneficiary_id).id


def choose(
    engine: sa.Engine,
    campaign_id: int,
    actor: Actor,
    post_id: int | None,
    beneficiary_id: int | None = None,
) -> dict[str, Any]:
    """Choose an intern post (``post_id``) or pass (``None``), in rank order, atomically."""
    with write_transaction(engine) as conn:
        campaign = get_campaign(conn, campaign_id, lock=True)
        _require_open(campaign, "rank_order")
        who = _speaker(conn, actor, beneficiary_id)
        rank = conn.execute(
            sa.text(
                "SELECT rank FROM campaign_candidates "
                "WHERE campaign_id = :c AND beneficiary_id = :b"
            ),
            {"c": campaign_id, "b": who},
        ).scalar()
        if rank is None:
            raise ConflictError(
                "not_a_candidate",
                f"beneficiary {who} is not a candidate of campaign {campaign_id}",
                message_fr="Vous n'êtes pas candidat à cette campagne.",
            )
        if conn.execute(
            sa.text("SELECT 1 FROM choices WHERE campaign_id = :c AND beneficiary_id = :b"),
            {"c": campaign_id, "b": who},
        ).first():
            raise ConflictError(
                "already_chosen",
                f"rank {rank} has already chosen or passed",
                message_fr="Vous avez déjà choisi (ou passé votre tour).",
            )
        if campaign.next_rank is not None and rank > campaign.next_rank:
            raise ConflictError(
                "not_your_turn",
                f"rank {campaign.next_rank} must choose before rank {rank}",
                message_fr=(
                    f"Ce n'est pas encore votre tour : le rang {campaign.next_rank} doit "
                    f"choisir avant vous (rang {rank})."
                ),
            )
        post = None
        if post_id is not None:
            post = get_post(conn, post_id)
            if post.campaign != campaign.year or post.kind != campaign.kind:
                raise InvalidInputError(
                    f"post {post_id} is not on the list of this campaign",
                    message_fr="Ce poste n'est pas sur la liste de cette campagne.",
                    field="post_id",
                )
            if not take_place(conn, post_id):
                raise ConflictError(
                    "no_place_left",
                    f"post {post_id} has no place left",
                    message_fr="Plus aucune place sur ce poste : choisissez-en un autre.",
                    field="post_id",
                )
        at = datetime.now(UTC)
        conn.execute(
            sa.text(
                "INSERT INTO choices (campaign_id, beneficiary_id, post_id, at, actor) "
                "VALUES (:c, :b, :p, :at, :actor)"
            ),
            {"c": campaign_id, "b": who, "p": post_id, "at": at, "actor": actor.name},
        )
        detail = (
            f"Rang {rank} : poste {post.reference} choisi ({post.specialty}, {post.commune_name})."
            if post
            else f"Rang {rank} : passe son tour."
        )
        log_step(conn, campaign_id, actor, "choice" if post else "pass", detail, who, post_id)
        record(conn, actor, "campaign.choice", "campaign", campaign_id, detail)
        return {
            "beneficiary_id": who,
            "rank": int(rank),
            "post_id": post_id,
            "at": at,
            "post": get_post(conn, post_id) if post_id is not None else None,
        }


def file_wishes(
    engine: sa.Engine,
    index: ZoningIndex,
    campaign_id: int,
    actor: Actor,
    post_ids: list[int],
    beneficiary_id: int | None = None,
) -> list[int]:
    """Replace a beneficiary's ranked wishes (1 to 5 distinct open posts of the list)."""
    if not 1 <= len(post_ids) <= MAX_WISHES or len(set(post_ids)) != len(post_ids):
        raise InvalidInputError(
            f"give 1 to {MAX_WISHES} distinct posts, in order of preference",
            message_fr=f"Indiquez de 1 à {MAX_WISHES} postes distincts, par ordre de préférence.",
            field="wishes",
        )
    with write_transaction(engine) as conn:
        campaign = get_campaign(conn, campaign_id, lock=True)
        _require_open(campaign, "applications")
        who = _speaker(conn, actor, beneficiary_id)
        posts = [get_post(conn, p) for p in post_ids]
        for position, post in enumerate(posts):
            if post.campaign != campaign.year or post.kind != campaign.kind:
                raise InvalidInputError(
                    f"post {post.id} is not on the list of this campaign",
                    message_fr=f"Le poste {post.reference} n'est pas sur la liste de la campagne.",
                    field=f"wishes[{position}]",
                )
            if post.status != PostStatus.OPEN:
                raise ConflictError(
                    "post_closed",
                    f"post {post.id} is {post.status}",
                    message_fr=f"Le poste {post.reference} n'est plus ouvert.",
                    field=f"wishes[{position}]",
                )
        # The three-year rule counts from the list's publication (L.632-6), not from the
        # day the wishes are filed.
        published = campaign.published_on
        for position, (post, q) in enumerate(
            zip(
                posts,
                qualify_sites(
                    index,
                    [p.lon for p in posts],
                    [p.lat for p in posts],
                    [p.profession for p in posts],
                    published,
                ),
                strict=True,
            )
        ):
            if not q.qualifies:
                raise ConflictError(
                    "post_out_of_zone",
                    f"post {post.id} no longer qualifies ({q.status})",
                    message_fr=f"Le poste {post.reference} n'est plus éligible : {q.label_fr}.",
                    field=f"wishes[{position}]",
                )
        conn.execute(
            sa.text("DELETE FROM applications WHERE campaign_id = :c AND beneficiary_id = :b"),
            {"c": campaign_id, "b": who},
        )
        at = datetime.now(UTC)
        for rank, post in enumerate(posts, start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO applications (campaign_id, beneficiary_id, wish_rank, post_id, at)"
                    " VALUES (:c, :b, :r, :p, :at)"
                ),
                {"c": campaign_id, "b": who, "r": rank, "p": post.id, "at": at},
            )
        listing = ", ".join(f"{r}. {p.reference}" for r, p in enumerate(posts, start=1))
        log_step(conn, campaign_id, actor, "wishes", f"Vœux déposés : {listing}.", who)
    return post_ids


def wishes_of(conn: sa.Connection, campaign_id: int, beneficiary_id: int) -> list[int]:
    """A beneficiary's wishes, in order of preference."""
    return [
        int(p)
        for p in conn.execute(
            sa.text(
                "SELECT post_id FROM applications WHERE campaign_id = :c AND beneficiary_id = :b "
                "ORDER BY wish_rank"
            ),
            {"c": campaign_id, "b": beneficiary_id},
        ).scalars()
    ]
