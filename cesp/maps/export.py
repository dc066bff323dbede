"""``cesp map export``: one HTML file that works offline, with nothing to fetch.

Scripts and stylesheets are inlined (images as data URIs), and so are the zones in
force, the départements, the region outline and, for a region, its communes simplified
for zoom 10. The tools that need the service (eligibility on click, commune search by
the API, posts and the choice) are replaced by what the file can do alone: the zone
popup and a search among the embedded communes. Posts are left out: the list changes
during a campaign and a file would show it stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cesp.maps.page import MapRequest, PageOptions, build_map
from cesp.maps.shape_store import ShapeStore


@dataclass(frozen=True)
class ExportReport:
    """What was written."""

    path: Path
    size_bytes: int
    zones: int
    communes: int


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def export_map(
    conn: sa.Connection,
    request: MapRequest,
    path: Path,
    *,
    tiles: str = "",
    tiles_attribution: str = "",
    progress: Callable[[str, int, int], None] = _no_progress,
) -> ExportReport:
    """Write the standalone map page of ``request`` to ``path``.

    Parameters
    ----------
    conn
        A read connection.
    request
        Region (None: metropolitan France, without communes), date, profession.
    path
        The HTML file to write (its folder is created).
    tiles, tiles_attribution
        A tile URL template, if the file's readers can reach it; empty: none.
    progress
        Called with ``(stage, done, total)``.
    """
    options = PageOptions(standalone=True, tiles=tiles, tiles_attribution=tiles_attribution)
    page = build_map(conn, ShapeStore(), request, options, progress)
    progress("Page", 0, 1)
    html = page.render()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    progress("Page", 1, 1)
    communes = page.config.get("communes") or {"features": []}
    return ExportReport(
        path, path.stat().st_size, len(page.config["zones"]["features"]), len(communes["features"])
    )
