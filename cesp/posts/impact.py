"""What a decree being previewed would do to the open posts of its region.

A new decree replaces the zoning of its region and profession from its effective date.
The dry run of an import (``cesp zones import --dry-run``, ``POST /api/v1/decrees`` with
``dry_run``) lists the open practice sites that qualify the day before and would lie in
no qualifying zone of the new decree, and counts the practising beneficiaries of the
ledger in the same case, so that an ARS sees the impact before publishing.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import shapely
import sqlalchemy as sa

from cesp.eligibility.evaluation import evaluate_points
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.engagement.ledger_store import periods_in_region
from cesp.posts.model import Post, PostKind
from cesp.posts.store import PostFilter, qualifications, select_posts
from cesp.zones.importer import ImportReport
from cesp.zones.request import DecreeRequest


def _coverage(report: ImportReport) -> shapely.Geometry | None:
    kept = [
        zone.geometry
        for zone in report.draft_zones
        if zone.category in report.qualifying_categories
    ]
    coverage = shapely.union_all(kept) if kept else None
    if coverage is not None:
        shapely.prepare(coverage)
    return coverage


def beneficiaries_leaving(
    conn: sa.Connection, index: ZoningIndex, request: DecreeRequest, report: ImportReport
) -> list[int]:
    """Beneficiaries practising in the region on the effective date at a site that
    qualifies the day before and lies in no qualifying zone of the new decree (the ledger
    then applies the zone-loss rule, ``cesp.engagement.releases``)."""
    before = request.effective_from - timedelta(days=1)
    periods = periods_in_region(conn, request.region, request.effective_from)
    if not periods:
        return []
    status = evaluate_points(
        index,
        np.array([p.lon for _, p in periods], dtype=float),
        np.array([p.lat for _, p in periods], dtype=float),
        np.full(len(periods), before.toordinal(), dtype=np.int64),
        np.full(len(periods), request.profession, dtype=object),
    )
    coverage = _coverage(report)
    leaving = set()
    for (beneficiary_id, period), was in zip(periods, status.eligible, strict=True):
        if not was:
            continue
        if coverage is not None and coverage.covers(shapely.Point(period.lon, period.lat)):
            continue
        leaving.add(beneficiary_id)
    return sorted(leaving)


def preview_impact(
    conn: sa.Connection, index: ZoningIndex, request: DecreeRequest, report: ImportReport
) -> tuple[list[Post], list[int]]:
    """What the preview shows beside the zones: the posts and the practising
    beneficiaries that would leave every qualifying zone (one composition for the API
    and the CLI). A complementary decree adds zones to those in force and takes none
    away: nothing leaves."""
    if request.complementary:
        return [], []
    return (
        posts_leaving(conn, index, request, report),
        beneficiaries_leaving(conn, index, request, report),
    )


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
    coverage = _coverage(report)
    leaving = []
    for post, q in zip(posts, status, strict=True):
        if q.status != "in_zone":
            continue
        if coverage is not None and coverage.covers(shapely.Point(post.lon, post.lat)):
            continue
        leaving.append(post)
    return leaving
