"""Posts in the database: add (one or a whole list, all or nothing), read, filter, change.

Every write goes through :func:`cesp.posts.validation.validate_posts` first and is
audited in the same transaction. Whether a post's site still qualifies is computed on
read from the zoning index (:mod:`cesp.posts.qualification`), so a newly published
decree re-flags every post at once without a batch job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from cesp.access import authorize
from cesp.audit import Actor, record
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import ConflictError, InvalidInputError, NotFoundError, ValidationFailedError
from cesp.posts.campaigns import withdraw_from_campaign
from cesp.posts.model import Post, PostStatus
from cesp.posts.qualification import Qualification, qualify_sites
from cesp.posts.tables import posts
from cesp.posts.validation import PostDraft, parse_fields, validate_posts

COLUMNS = tuple(column for column in posts.c if column.name != "updated_at")
"""The columns of a ``Post``."""
MAX_LIMIT = 1000


def post_of(row: sa.Row[Any]) -> Post:
    """A ``Post`` from a row of ``posts`` selected with ``COLUMNS``."""
    return Post(
        id=row.id,
        reference=row.reference,
        campaign=row.campaign,
        kind=row.kind,
        region=row.region_code,
        departement=row.departement_code,
        profession=row.profession,
        specialty=row.specialty,
        mode=row.mode,
        structure=row.structure,
        address=row.address,
        commune_code=row.commune_code,
        commune_name=row.commune_name,
        lon=row.lon,
        lat=row.lat,
        places=row.places,
        places_taken=row.places_taken,
        status=row.status,
        listed_on=row.listed_on,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        sample=row.sample,
    )


def insert_posts(
    conn: sa.Connection,
    drafts: Sequence[PostDraft],
    actor: Actor,
    listed_on: date,
    *,
    sample: bool = False,
    source: str = "api",
) -> list[int]:
    """Insert checked posts (inside the caller's transaction); returns their ids."""
    regions = {d.fields["region"] for d in drafts}
    for region in sorted(regions):
        authorize(actor, "post.write", region)
    now = datetime.now(UTC)
    ids: list[int] = []
    for draft in drafts:
        f = draft.fields
        clash = conn.execute(
            sa.select(posts.c.id).where(
                posts.c.campaign == f["campaign"], posts.c.reference == f["reference"]
            )
        ).first()
        if clash:
            raise InvalidInputError(
                f"campaign {f['campaign']} already has a post {f['reference']!r} (id {clash.id})",
                message_fr=f"La campagne {f['campaign']} a déjà un poste « {f['reference']} ».",
                field="reference",
            )
        stored = {name: value for name, value in f.items() if name in posts.c}
        post_id = conn.execute(
            sa.insert(posts)
            .values(
                **stored,
                region_code=f["region"],
                departement_code=f["departement"],
                places_taken=0,
                listed_on=listed_on,
                proposed_by=actor.name,
                proposed_at=now,
                updated_at=now,
                sample=sample,
            )
            .returning(posts.c.id)
        ).scalar_one()
        ids.append(int(post_id))
    if ids:
        summary = f"{len(ids)} posts added ({source})" if len(ids) > 1 else f"post {ids[0]} added"
        record(
            conn,
            actor,
            "post.create",
            "post",
            ids[0] if len(ids) == 1 else None,
            summary,
            region=next(iter(regions)) if len(regions) == 1 else None,
        )
    return ids


def add_posts(
    conn: sa.Connection,
    index: ZoningIndex,
    rows: Sequence[tuple[int | None, dict[str, Any]]],
    campaign: int,
    actor: Actor,
    listed_on: date,
    *,
    sample: bool = False,
    source: str = "api",
) -> list[int]:
    """Validate then insert; any problem in any row raises and nothing is written."""
    drafts, problems = validate_posts(conn, index, rows, campaign, listed_on)
    if len(rows) == 1 and len(problems) == 1 and rows[0][0] is None:
        [problem] = problems
        raise InvalidInputError(problem.message, message_fr=problem.message_fr, field=problem.field)
    if problems:
        raise ValidationFailedError(problems)
    return insert_posts(conn, drafts, actor, listed_on, sample=sample, source=source)


def take_place(conn: sa.Connection, post_id: int) -> None:
    """Take one place of a post in one conditional UPDATE, so that two transactions
    racing for the last place cannot both succeed; a refusal says why: the post was
    withdrawn (``post_withdrawn``), or its places are all taken (``no_place_left``)."""
    taken = conn.execute(
        sa.update(posts)
        .where(
            posts.c.id == post_id,
            posts.c.status != PostStatus.WITHDRAWN.value,
            posts.c.places_taken < posts.c.places,
        )
        .values(
            places_taken=posts.c.places_taken + 1,
            updated_at=datetime.now(UTC),
            status=sa.case(
                (posts.c.places_taken + 1 >= posts.c.places, "filled"), else_=posts.c.status
            ),
        )
    ).rowcount
    if taken == 1:
        return
    post = get_post(conn, post_id)
    if post.status == PostStatus.WITHDRAWN:
        raise ConflictError(
            "post_withdrawn",
            f"post {post.reference} was withdrawn from the list by its ARS",
            message_fr=f"Le poste {post.reference} a été retiré de la liste par son ARS.",
            field="post_id",
        )
    raise ConflictError(
        "no_place_left",
        f"post {post.reference} has no place left",
        message_fr=f"Plus aucune place sur le poste {post.reference} : toutes sont pourvues.",
        field="post_id",
    )


def get_post(conn: sa.Connection, post_id: int) -> Post:
    """One post, or ``NotFoundError``."""
    found = conn.execute(sa.select(*COLUMNS).where(posts.c.id == post_id)).first()
    if found is None:
        raise NotFoundError(
            f"no post {post_id}", message_fr=f"Aucun poste n°{post_id}.", field="post_id"
        )
    return post_of(found)


@dataclass(frozen=True)
class PostFilter:
    """What ``GET /api/v1/posts`` and ``cesp posts export`` filter on."""

    campaign: int | None = None
    kind: str | None = None
    region: str | None = None
    departement: str | None = None
    specialty: str | None = None
    mode: str | None = None
    status: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    ids: tuple[int, ...] | None = None


def select_posts(conn: sa.Connection, where: PostFilter) -> list[Post]:
    """Posts matching the stored fields, ordered by id (a stable order for paging)."""
    query = sa.select(*COLUMNS).order_by(posts.c.id)
    for column, name in (
        (posts.c.campaign, "campaign"),
        (posts.c.kind, "kind"),
        (posts.c.region_code, "region"),
        (posts.c.departement_code, "departement"),
        (posts.c.mode, "mode"),
        (posts.c.status, "status"),
    ):
        value = getattr(where, name)
        if value is not None:
            query = query.where(column == value)
    if where.specialty is not None:
        query = query.where(sa.func.lower(posts.c.specialty) == sa.func.lower(where.specialty))
    if where.bbox is not None:
        x0, y0, x1, y1 = where.bbox
        query = query.where(posts.c.lon.between(x0, x1), posts.c.lat.between(y0, y1))
    if where.ids is not None:
        query = query.where(posts.c.id.in_(where.ids))
    return [post_of(r) for r in conn.execute(query)]


def qualifications(index: ZoningIndex, posts: Sequence[Post], on: date) -> list[Qualification]:
    """Where each post's site stands on ``on``."""
    if not posts:
        return []
    return qualify_sites(
        index, [p.lon for p in posts], [p.lat for p in posts], [p.profession for p in posts], on
    )


@dataclass(frozen=True)
class PostPage:
    """One page of the list, with the qualification of each post on the date asked."""

    items: list[tuple[Post, Qualification]]
    total: int
    limit: int
    offset: int


def list_posts(
    conn: sa.Connection,
    index: ZoningIndex,
    where: PostFilter,
    *,
    qualifies: bool | None = None,
    on: date | None = None,
    limit: int = 100,
    offset: int = 0,
    first_region: str | None = None,
) -> PostPage:
    """A page of posts; ``qualifies`` filters on the derived qualification on ``on``;
    ``first_region`` puts a region's posts first (a beneficiary's training region has
    priority, décret n°2010-735 art. 7), the order staying stable within each part."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(
            f"limit must be between 1 and {MAX_LIMIT}",
            message_fr=f"limit doit être compris entre 1 et {MAX_LIMIT}.",
            field="limit",
        )
    if offset < 0:
        raise InvalidInputError(
            "offset cannot be negative", message_fr="offset ne peut être négatif.", field="offset"
        )
    on = on or date.today()
    posts = select_posts(conn, where)
    if first_region is not None:
        posts.sort(key=lambda p: p.region != first_region)
    if qualifies is None:
        page = posts[offset : offset + limit]
        return PostPage(
            list(zip(page, qualifications(index, page, on), strict=True)), len(posts), limit, offset
        )
    pairs = [
        (p, q)
        for p, q in zip(posts, qualifications(index, posts, on), strict=True)
        if q.qualifies == qualifies
    ]
    return PostPage(pairs[offset : offset + limit], len(pairs), limit, offset)


EDITABLE = ("specialty", "mode", "structure", "address", "places", "status")


def update_post(conn: sa.Connection, post_id: int, changes: dict[str, Any], actor: Actor) -> Post:
    """Change a post's editable fields (inside the caller's transaction), audited.

    Places cannot drop below the places already taken; a post with no place left is
    ``filled``; ``withdrawn`` keeps the post (and its history) but closes it, and only
    while none of its places is taken (``cesp.posts.campaigns.withdraw_from_campaign``).
    """
    post = get_post(conn, post_id)
    authorize(actor, "post.write", post.region)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInputError(
            f"cannot change {', '.join(unknown)}: editable fields are {', '.join(EDITABLE)}",
            message_fr="Champ non modifiable : " + ", ".join(unknown) + ".",
            field=unknown[0],
        )
    merged = {
        "reference": post.reference,
        "kind": post.kind,
        "profession": post.profession,
        "specialty": post.specialty,
        "mode": post.mode,
        "structure": post.structure,
        "address": post.address,
        "commune_code": post.commune_code,
        "lon": post.lon,
        "lat": post.lat,
        "places": post.places,
        **{k: v for k, v in changes.items() if k != "status"},
    }
    fields = parse_fields(merged, post.campaign)
    status = str(changes.get("status", post.status)).strip().lower()
    if status not in {s.value for s in PostStatus}:
        raise InvalidInputError(
            f"status must be open, filled or withdrawn, not {status!r}",
            message_fr="Statut : open, filled ou withdrawn.",
            field="status",
        )
    if fields["places"] < post.places_taken:
        taken = post.places_taken
        raise InvalidInputError(
            f"places cannot drop below the {taken} place{'s' if taken > 1 else ''} "
            f"already taken (asked: {fields['places']})",
            message_fr="Places : le nombre de places ne peut pas descendre sous "
            + ("la place déjà pourvue" if taken == 1 else f"les {taken} places déjà pourvues")
            + f" (demandé : {fields['places']}).",
            field="places",
        )
    if status == PostStatus.WITHDRAWN and post.status != PostStatus.WITHDRAWN:
        withdraw_from_campaign(conn, post, actor)
    if status != PostStatus.WITHDRAWN:
        status = PostStatus.FILLED if post.places_taken >= fields["places"] else PostStatus.OPEN
    conn.execute(
        sa.update(posts)
        .where(posts.c.id == post_id)
        .values(
            specialty=fields["specialty"],
            mode=fields["mode"],
            structure=fields["structure"],
            address=fields["address"],
            places=fields["places"],
            status=str(status),
            updated_at=datetime.now(UTC),
        )
    )
    record(
        conn,
        actor,
        "post.update",
        "post",
        post_id,
        "post changed: " + ", ".join(f"{k}={v}" for k, v in sorted(changes.items())),
        region=post.region,
    )
    return get_post(conn, post_id)
