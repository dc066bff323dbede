"""The ``posts`` collection: the national lists of posts as point features.

Properties are the fields of the national list's spreadsheet (``POST_FIELDS``: campaign,
list, region, specialty, mode, structure, places and places left, status), with the
same French values. Whether a site still qualifies on a date is
derived from the zoning index and answered by ``/api/v1/posts?qualifies=&date=``; the
OGC collection serves what QGIS needs to draw and filter the list.
"""

from __future__ import annotations

import shapely
import sqlalchemy as sa

from cesp.conventions import plain_name
from cesp.errors import NotFoundError
from cesp.field_schema import POST_FIELDS
from cesp.ogc.model import Collection, CollectionSource, Extent, Feature, FeaturePage
from cesp.ogc.query import ItemQuery, Queryable
from cesp.posts.model import Post, PostStatus, PracticeMode, parse_choice
from cesp.posts.records import STATUS_BY_LABEL, post_record
from cesp.posts.store import PostFilter, get_post, select_posts
from cesp.posts.tables import posts

CAMPAIGN = Queryable("campagne", "campaign year, e.g. 2026", r"\d{4}", aliases=("campaign",))
KIND = Queryable(
    "type_poste",
    "exercice (practice sites) or internat (intern posts)",
    r"exercice|internat",
    aliases=("kind",),
)
REGION = Queryable(
    "insee_reg", "COG region code, e.g. 11 (Île-de-France)", r"\d{2}", aliases=("region",)
)
DEPARTEMENT = Queryable(
    "insee_dep", "département code, e.g. 93, 2A, 971", r"\d{2,3}|2[AB]", aliases=("departement",)
)
MODE = Queryable(
    "mode",
    "libéral, salarié or mixte (case and accents do not matter)",
    r"[\w ]{1,20}",
    normalize=lambda value, name: (
        parse_choice(PracticeMode, plain_name(value), name, "Mode d'exercice").value
    ),
)


def _status(value: str, name: str) -> str:
    """The stored status of a filter value, French (``Ouvert``) or English (``open``)."""
    key = plain_name(value)
    by_label = {plain_name(label): status for label, status in STATUS_BY_LABEL.items()}
    if key in by_label:
        return by_label[key].value
    return parse_choice(PostStatus, key, name, "Statut").value


STATUS = Queryable(
    "statut",
    "ouvert, pourvu or retiré (open, filled, withdrawn too; case and accents do not matter)",
    r"[\w ]{1,20}",
    aliases=("status",),
    normalize=_status,
)


def _feature(post: Post) -> Feature:
    properties = POST_FIELDS.json_properties(post_record(post))
    return Feature(post.id, properties, shapely.Point(post.lon, post.lat))


def _selected(conn: sa.Connection, query: ItemQuery) -> list[Post]:
    f = query.filters
    where = PostFilter(
        campaign=int(f["campagne"]) if "campagne" in f else None,
        kind=f.get("type_poste"),
        region=f.get("insee_reg"),
        departement=f.get("insee_dep"),
        mode=f.get("mode"),
        status=f.get("statut"),
        bbox=query.area.bounds if query.area is not None else None,
    )
    posts = select_posts(conn, where)
    if query.area is not None:
        area = query.area
        posts = [p for p in posts if area.intersects(shapely.Point(p.lon, p.lat))]
    return posts


def _page(conn: sa.Connection, query: ItemQuery) -> FeaturePage:
    posts = _selected(conn, query)
    page = posts[query.offset : query.offset + query.limit]
    return FeaturePage([_feature(p) for p in page], len(posts))


def _one(conn: sa.Connection, feature_id: str) -> Feature:
    if not feature_id.isdigit() or int(feature_id) > 2**31 - 1:
        raise NotFoundError(
            f"No post {feature_id!r}",
            message_fr=f"Aucun poste « {feature_id} ».",
            field="featureId",
        )
    return _feature(get_post(conn, int(feature_id)))


def _extent(conn: sa.Connection) -> Extent:
    lon, lat = posts.c.lon, posts.c.lat
    row = conn.execute(
        sa.select(sa.func.min(lon), sa.func.min(lat), sa.func.max(lon), sa.func.max(lat))
    ).one()
    bbox = None if row[0] is None else (row[0], row[1], row[2], row[3])
    return Extent(bbox, None, None, temporal=False)


POSTS = Collection(
    id="posts",
    title="Postes CESP",
    description=(
        "The national lists kept by the CNG: practice sites (exercice) and intern posts "
        "(internat), with places left (restantes) and status (statut); sample data is "
        "marked exemple=true. Field names and values are those of the list's spreadsheet."
    ),
    fields=POST_FIELDS,
    queryables=(CAMPAIGN, KIND, REGION, DEPARTEMENT, MODE, STATUS),
    extent=_extent,
    page=_page,
    feature=_one,
)
POSTS_SOURCE = CollectionSource("posts", POSTS.queryables, lambda conn: [POSTS])
