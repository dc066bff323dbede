"""The ``posts`` collection: the national lists of posts as point features.

Properties are the stored fields of each post (campaign, list, region, specialty, mode,
structure, places and places left, status). Whether a site still qualifies on a date is
derived from the zoning index and answered by ``/api/v1/posts?qualifies=&date=``; the
OGC collection serves what QGIS needs to draw and filter the list.
"""

from __future__ import annotations

from typing import Any

import shapely
import sqlalchemy as sa

from cesp.errors import NotFoundError
from cesp.ogc.model import Collection, CollectionSource, Extent, Feature, FeaturePage
from cesp.ogc.query import ItemQuery, Queryable
from cesp.posts.model import Post
from cesp.posts.store import PostFilter, get_post, select_posts

CAMPAIGN = Queryable("campaign", "campaign year, e.g. 2026", r"\d{4}")
KIND = Queryable(
    "kind", "exercice (practice sites) or internat (intern posts)", r"exercice|internat"
)
REGION = Queryable("region", "COG region code, e.g. 11 (Île-de-France)", r"\d{2}")
DEPARTEMENT = Queryable("departement", "département code, e.g. 93, 2A, 971", r"\d{2,3}|2[AB]")
MODE = Queryable("mode", "liberal, salarie or mixte", r"liberal|salarie|mixte")
STATUS = Queryable("status", "open, filled or withdrawn", r"open|filled|withdrawn")


def _feature(post: Post) -> Feature:
    properties: dict[str, Any] = {
        "reference": post.reference,
        "campaign": post.campaign,
        "kind": post.kind,
        "region": post.region,
        "departement": post.departement,
        "profession": post.profession,
        "specialty": post.specialty,
        "mode": post.mode,
        "structure": post.structure,
        "address": post.address,
        "commune_code": post.commune_code,
        "commune_name": post.commune_name,
        "places": post.places,
        "places_left": post.places_left,
        "status": post.status,
        "listed_on": post.listed_on.isoformat(),
        "sample": post.sample,
    }
    return Feature(post.id, properties, shapely.Point(post.lon, post.lat))


def _selected(conn: sa.Connection, query: ItemQuery) -> list[Post]:
    f = query.filters
    where = PostFilter(
        campaign=int(f["campaign"]) if "campaign" in f else None,
        kind=f.get("kind"),
        region=f.get("region"),
        departement=f.get("departement"),
        mode=f.get("mode"),
        status=f.get("status"),
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
    row = conn.execute(sa.text("SELECT min(lon), min(lat), max(lon), max(lat) FROM posts")).one()
    bbox = None if row[0] is None else (row[0], row[1], row[2], row[3])
    return Extent(bbox, None, None, temporal=False)


POSTS = Collection(
    id="posts",
    title="Postes CESP",
    description=(
        "The national lists kept by the CNG: practice sites (exercice) and intern posts "
        "(internat), with places left and status; sample data is marked sample=true."
    ),
    queryables=(CAMPAIGN, KIND, REGION, DEPARTEMENT, MODE, STATUS),
    extent=_extent,
    page=_page,
    feature=_one,
)
POSTS_SOURCE = CollectionSource("posts", POSTS.queryables, lambda conn: [POSTS])
