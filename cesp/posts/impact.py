"""What a decree being previewed would do to the open posts of its region.

A new decree replaces the zoning of its region and profession from its effective date.
The dry run of an import (``cesp zones import --dry-run``, ``POST /api/v1/decrees`` with
``dry_run``) lists the open practice sites that qualify the day before and would lie in
no qualifying zone of the new decree, so that an ARS sees the impact before publishing.
"""

from __future__ import annotations

from datetime import timedelta

import shapely
import sqlalchemy as sa

from cesp.posts.model import Post, PostKind
from cesp.posts.store import PostFilter, qualifications, select_posts
from cesp.zones.importer import DecreeRequest, ImportReport
from cesp.zones.index import ZoningIndex


def posts_leaving(
    conn: sa.Connection, index: ZoningIndex, request: DecreeRequest, report: ImportReport
) -> list[Post]:
    """Open practice sites of the region, qualifying before, in no qualifying new zone."""
    posts = [
        p
        for p in select_posts(
            conn, PostFilter(kind=PostKind.EXERCICE.value, region=request.region, status="open")
        )
        if p.profession == request.profession
    ]
    if not posts:
        return []
    before = request.effective_from - timedelta(days=1)
    status = qualifications(index, posts, before)
    kept = [
        zone.geometry
        for zone in report.draft_zones
        if zone.category in report.qualifying_categories
    ]
    coverage = shapely.union_all(kept) if kept else None
    if coverage is not None:
        shapely.prepare(coverage)
    leaving = []
    for post, q in zip(posts, status, strict=True):
        if q.status != "in_zone":
            continue
        if coverage is not None and coverage.covers(shapely.Point(post.lon, post.lat)):
            continue
        leaving.append(post)
    return leaving
