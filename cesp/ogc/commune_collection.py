"""The ``communes`` collection: today's communes, one feature per INSEE code.

Only current communes are served (one feature per code, so the code is the feature id);
``datetime`` keeps those that already existed on a day of the span (a commune created in
2019 is not in ``datetime=2018-06-01``). What a former code designated on a date is the
business of ``/api/v1/communes/{code}?date=``, which knows the history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cesp.errors import NotFoundError
from cesp.field_schema import COMMUNE_FIELDS
from cesp.geo.communes import INSEE_CODE, CommuneUnit
from cesp.geo.listing import CommuneFilter, current_communes
from cesp.geo.regions import loaded_extent
from cesp.ogc.model import Collection, CollectionSource, Extent, Feature, FeaturePage
from cesp.ogc.query import ItemQuery, Queryable

DEPARTEMENT = Queryable(
    "insee_dep",
    "département code, e.g. 93, 2A, 971",
    r"\d{2,3}|2[ABab]",
    aliases=("departement",),
)
REGION = Queryable(
    "insee_reg", "COG region code, e.g. 11 (Île-de-France)", r"\d{2}", aliases=("region",)
)
CODE = Queryable(
    "insee_com",
    "INSEE commune code, e.g. 93008",
    INSEE_CODE.pattern.strip("^$"),
    aliases=("code",),
)


def _properties(unit: CommuneUnit) -> dict[str, Any]:
    """The commune with ``COMMUNE_FIELDS`` (ADMIN EXPRESS names: ``insee_com``...)."""
    return COMMUNE_FIELDS.json_properties(
        {
            "insee_com": unit.code,
            "nom": unit.name,
            "insee_dep": unit.departement_code,
            "nom_dep": unit.departement_name,
            "insee_reg": unit.region_code,
            "population": unit.population,
            "depuis": unit.valid_from,
            "approx": bool(unit.approximate),
            "raison": unit.approximate_reason,
        }
    )


def _feature(unit: CommuneUnit) -> Feature:
    return Feature(unit.code, _properties(unit), unit.geometry)


def _page(conn: sa.Connection, query: ItemQuery) -> FeaturePage:
    departement = query.filters.get("insee_dep")
    selection = CommuneFilter(
        code=query.filters.get("insee_com", "").upper() or None,
        departement=departement.upper() if departement else None,
        region=query.filters.get("insee_reg"),
        area=query.area,
        existing_by=query.period.end if query.period else None,
    )
    units, matched = current_communes(conn, selection, limit=query.limit, offset=query.offset)
    return FeaturePage([_feature(u) for u in units], matched)


def _one(conn: sa.Connection, feature_id: str) -> Feature:
    code = feature_id.strip().upper()
    units = (
        current_communes(conn, CommuneFilter(code=code), limit=1)[0]
        if INSEE_CODE.match(code)
        else []
    )
    if not units:
        raise NotFoundError(
            f"No current commune has the INSEE code {feature_id!r}",
            message_fr=f"Aucune commune actuelle n'a le code INSEE « {feature_id} ».",
            field="featureId",
        )
    return _feature(units[0])


def _extent(conn: sa.Connection) -> Extent:
    return Extent(loaded_extent(conn), None, None, temporal=False)


COMMUNES = Collection(
    id="communes",
    title="Communes",
    description=(
        "Today's communes (INSEE code officiel géographique) with their département, region, "
        "legal population and boundary; approx marks a boundary older than the commune. "
        "Field names are those of IGN's ADMIN EXPRESS (insee_com, insee_dep, insee_reg)."
    ),
    fields=COMMUNE_FIELDS,
    queryables=(DEPARTEMENT, REGION, CODE),
    extent=_extent,
    page=_page,
    feature=_one,
)


def _communes_collections(conn: sa.Connection) -> list[Collection]:
    del conn
    return [COMMUNES]


COMMUNES_SOURCE = CollectionSource("communes", COMMUNES.queryables, _communes_collections)
