"""The zone collections: ``zones`` (the zoning in force) and ``decree-{id}`` (one decree).

``zones`` answers, by default, with the zones in force today; ``datetime`` picks another
day, or a span, in which case every decree applying on one of its days contributes (a
span across a new decree returns both the old and the new zones of that region). A
decree's zones are served as the collection ``decree-{id}`` because an OGC collection id
is one path segment; ``/ogc/decrees/{id}/zones`` redirects there.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from cesp.errors import NotFoundError
from cesp.field_schema import ZONE_FIELDS
from cesp.ogc.model import Collection, CollectionSource, Extent, Feature, FeaturePage
from cesp.ogc.query import ItemQuery, Period, Queryable
from cesp.zones.decree_record import IN_FORCE_STATUSES
from cesp.zones.decrees import Decree, Zone, get_decree, list_decrees
from cesp.zones.export import zone_records
from cesp.zones.features import ZoneFilter, decrees_meeting, get_zone, zone_extents, zones_page
from cesp.zones.professions import Profession, parse_profession

CATEGORY = Queryable(
    "categorie",
    "zone category code, e.g. ZIP, ZAC, ZV, zone_deficitaire, tres_sous_dotee",
    r"[A-Za-z_]{1,32}",
    aliases=("category",),
)
REGION = Queryable(
    "insee_reg", "COG region code, e.g. 11 (Île-de-France)", r"\d{2}", aliases=("region",)
)
PROFESSION = Queryable(
    "profession",
    "profession of the decree: "
    + ", ".join(p.value for p in Profession)
    + " (case and accents do not matter: Médecin)",
    r"[\w' -]{1,40}",
    normalize=lambda value, name: parse_profession(value, field=name).value,
)
DECREE_PREFIX = "decree-"
# A decree's collection takes the filters of ``zones`` too (a decree of another region or
# profession answers no feature), so that one filter can be given for every layer.
DECREE_QUERYABLES = (CATEGORY, REGION, PROFESSION)


def _features(conn: sa.Connection, decrees: list[Decree], zones: list[Zone]) -> list[Feature]:
    """Zones as features with the fields of the zone exports (``ZONE_FIELDS``), so that
    a QGIS style made on the GeoPackage applies to this layer."""
    records = zone_records(conn, decrees, zones)
    return [
        Feature(zone.id, ZONE_FIELDS.json_properties(record), zone.geometry)
        for zone, record in zip(zones, records, strict=True)
    ]


def _page(conn: sa.Connection, decrees: list[Decree], query: ItemQuery) -> FeaturePage:
    selection = ZoneFilter(tuple(d.id for d in decrees), query.filters.get("categorie"), query.area)
    zones, matched = zones_page(conn, selection, limit=query.limit, offset=query.offset)
    return FeaturePage(_features(conn, decrees, zones), matched)


def _published_zone(conn: sa.Connection, feature_id: str, decree_id: int | None) -> Feature:
    """A zone of a published (or superseded) decree, of ``decree_id`` when given."""
    zone = (
        get_zone(conn, int(feature_id)) if feature_id.isdigit() and len(feature_id) < 12 else None
    )
    decree = get_decree(conn, zone.decree_id) if zone is not None else None
    if (
        zone is None
        or decree is None
        or decree.status not in IN_FORCE_STATUSES
        or (decree_id is not None and decree.id != decree_id)
    ):
        raise NotFoundError(
            f"No feature {feature_id!r} in this collection",
            message_fr=f"Aucune zone n°{feature_id} dans cette collection.",
            field="featureId",
        )
    return _features(conn, [decree], [zone])[0]


def _zones_in_force_page(conn: sa.Connection, query: ItemQuery) -> FeaturePage:
    period = query.period or Period(date.today(), date.today())
    decrees = decrees_meeting(
        conn,
        period.start,
        period.end,
        region=query.filters.get("insee_reg"),
        profession=query.filters.get("profession"),
    )
    return _page(conn, decrees, query)


def _merge(
    boxes: list[tuple[float, float, float, float]],
) -> tuple[float, float, float, float] | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _zones_extent(conn: sa.Connection) -> Extent:
    decrees = decrees_meeting(conn, None, None)
    extents = zone_extents(conn)
    starts = [d.effective_from for d in decrees]
    return Extent(
        _merge([extents[d.id] for d in decrees if d.id in extents]),
        min(starts) if starts else None,
        None,
    )


ZONES_IN_FORCE = Collection(
    id="zones",
    title="Zones en vigueur (CESP)",
    description=(
        "Zones of the ARS decrees in force, all regions and professions: today by default, "
        "or on the day (or span) given by datetime. Each zone carries its category, whether "
        "it opens the CESP, the INSEE codes of its communes and its decree (reference, "
        "dates, profession), with the field names of the GeoPackage export."
    ),
    fields=ZONE_FIELDS,
    queryables=(CATEGORY, REGION, PROFESSION),
    extent=_zones_extent,
    page=_zones_in_force_page,
    feature=lambda conn, fid: _published_zone(conn, fid, None),
)


def _zones_collections(conn: sa.Connection) -> list[Collection]:
    del conn
    return [ZONES_IN_FORCE]


ZONES_SOURCE = CollectionSource("zones", ZONES_IN_FORCE.queryables, _zones_collections)


def decree_collection(decree: Decree) -> Collection:
    """The collection of one decree's zones."""

    def page(conn: sa.Connection, query: ItemQuery) -> FeaturePage:
        outside = query.period is not None and not query.period.meets(
            decree.effective_from, decree.effective_to
        )
        other_region = query.filters.get("insee_reg", decree.region_code) != decree.region_code
        other = query.filters.get("profession", decree.profession) != decree.profession
        if outside or other_region or other:
            return FeaturePage([], 0)
        return _page(conn, [decree], query)

    def extent(conn: sa.Connection) -> Extent:
        bbox = zone_extents(conn, [decree.id]).get(decree.id)
        return Extent(bbox, decree.effective_from, decree.effective_to)

    until = f" au {decree.effective_to:%d/%m/%Y}" if decree.effective_to else ""
    return Collection(
        id=f"{DECREE_PREFIX}{decree.id}",
        title=f"Arrêté {decree.reference} ({decree.profession}, région {decree.region_code})",
        description=(
            f"{decree.title or 'Arrêté ' + decree.reference} — en vigueur du "
            f"{decree.effective_from:%d/%m/%Y}{until} ; statut {decree.status}."
        ),
        fields=ZONE_FIELDS,
        queryables=DECREE_QUERYABLES,
        extent=extent,
        page=page,
        feature=lambda conn, fid: _published_zone(conn, fid, decree.id),
    )


def _decree_collections(conn: sa.Connection) -> list[Collection]:
    return [decree_collection(d) for d in list_decrees(conn) if d.status in IN_FORCE_STATUSES]


DECREES_SOURCE = CollectionSource("decrees", DECREE_QUERYABLES, _decree_collections)
