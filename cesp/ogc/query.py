"""The query of an OGC ``/items`` request, parsed and checked without HTTP.

OGC API - Features Part 1 (OGC 17-069r4) fixes the semantics followed here:

- ``limit`` (7.15.3, /req/core/fc-limit-response-1): default 100 here, maximum 10,000;
  "if the value of the limit parameter is larger than the maximum value, this SHALL NOT
  result in an error (instead use the maximum as the parameter value)", so it is clamped;
- ``bbox`` (7.15.3, /req/core/fc-bbox-response): features whose geometry intersects the
  box, 4 or 6 numbers, in CRS84 unless ``bbox-crs`` (Part 2) names another CRS;
- ``datetime`` (7.15.4, /req/core/fc-time-response): an instant or an interval
  ``start/end`` with ``..`` or nothing for an open end; features whose temporal extent
  intersects it;
- an invalid value of any parameter is a 400 (/req/core/query-param-invalid), and so is a
  parameter the API definition does not know (/req/core/query-param-unknown).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shapely.geometry.base import BaseGeometry

from cesp.errors import InvalidInputError
from cesp.ogc.crs import CRS84, OgcCrs, bbox_area, check_bbox, parse_crs

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
LEGAL_TIME_ZONE = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Period:
    """Closed interval of calendar days; ``None`` is an open end."""

    start: date | None
    end: date | None

    def meets(self, start: date | None, end: date | None) -> bool:
        """Whether ``[start, end]`` (``None``: open) shares at least one day with this."""
        after_start = end is None or self.start is None or end >= self.start
        before_end = start is None or self.end is None or start <= self.end
        return after_start and before_end


@dataclass(frozen=True)
class Queryable:
    """A feature property a collection filters on with ``?name=value`` (Part 1, 7.15.5).

    ``name`` is the property's name in the features (``cesp.field_schema``), so that a
    client can filter on what it sees; ``aliases`` are the English names the layers had
    before, still accepted so that saved QGIS connections and GDAL URLs keep working.
    """

    name: str
    description: str
    pattern: str
    aliases: tuple[str, ...] = ()
    # Turns what a person types (``Médecin``, ``Libéral``) into the stored value, or raises
    # ``InvalidInputError`` naming the accepted values (``cesp.conventions``).
    normalize: Callable[[str, str], str] | None = None

    def check(self, value: str, given: str | None = None) -> str:
        """The value, or ``InvalidInputError`` naming the parameter as the client wrote
        it (``given``: an alias)."""
        text = value.strip()
        name = given or self.name
        if not re.fullmatch(self.pattern, text):
            raise InvalidInputError(
                f"{name}={value!r} does not match {self.pattern}: {self.description}",
                message_fr=(
                    f"Valeur invalide pour {name} : « {value} » (attendu : {self.description})."
                ),
                field=name,
            )
        return self.normalize(text, name) if self.normalize else text

    def schema(self) -> dict[str, str]:
        """JSON schema of the parameter, for the API definition."""
        return {"type": "string", "pattern": f"^(?:{self.pattern})$"}


@dataclass(frozen=True)
class ItemQuery:
    """What an ``/items`` request asks: page, spatial and temporal filters, CRS."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    area: BaseGeometry | None = None
    period: Period | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    crs: OgcCrs = CRS84


def clamp_limit(limit: int | None) -> int:
    """``limit`` within 1..10,000 (above the maximum is not an error: Part 1, 7.15.3)."""
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1:
        raise InvalidInputError(
            f"limit={limit} must be at least 1",
            message_fr=f"limit={limit} : la taille de page doit être au moins 1.",
            field="limit",
        )
    return min(limit, MAX_LIMIT)


def parse_bbox(text: str, crs: OgcCrs) -> tuple[float, ...]:
    """Four or six comma-separated finite numbers, in the axis order of ``crs``."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise InvalidInputError(
            f"bbox={text!r} must be 4 (or 6) comma-separated numbers: minx,miny,maxx,maxy",
            message_fr=(
                f"bbox « {text} » : 4 (ou 6) nombres séparés par des virgules attendus : "
                "xmin,ymin,xmax,ymax."
            ),
            field="bbox",
        )
    check_bbox(values, crs)
    return values


def _instant(text: str) -> date:
    """A day from an RFC 3339 date or date-time; a zoned time is read in French legal time."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise InvalidInputError(
            f"datetime={text!r} is not an RFC 3339 date or date-time such as 2018-01-01 "
            "or 2018-01-01T00:00:00Z",
            message_fr=(
                f"datetime : « {text} » n'est pas une date ou une date-heure RFC 3339 "
                "(ex. 2018-01-01 ou 2018-01-01T00:00:00Z)."
            ),
            field="datetime",
        ) from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(LEGAL_TIME_ZONE)
    return moment.date()


def parse_datetime(text: str) -> Period:
    """An instant (a one-day period) or an interval ``start/end`` (``..`` or empty: open).

    Decrees take effect on calendar days, so times are reduced to their day in
    Europe/Paris time.
    """
    text = text.strip()
    if "/" not in text:
        day = _instant(text)
        return Period(day, day)
    start_text, _, end_text = text.partition("/")
    start = None if start_text in ("", "..") else _instant(start_text)
    end = None if end_text in ("", "..") else _instant(end_text)
    if start is None and end is None:
        raise InvalidInputError(
            "datetime='../..' leaves both ends open: give at least one date",
            message_fr="datetime « ../.. » : les deux bouts sont ouverts ; indiquez une date.",
            field="datetime",
        )
    if start is not None and end is not None and start > end:
        raise InvalidInputError(
            f"datetime={text!r}: the start is after the end",
            message_fr=f"datetime « {text} » : la date de début est après la date de fin.",
            field="datetime",
        )
    return Period(start, end)


def build_query(
    *,
    limit: int | None,
    offset: int | None,
    bbox: str | None,
    bbox_crs: str | None,
    datetime_text: str | None,
    crs: str | None,
    filters: Mapping[str, str],
    queryables: tuple[Queryable, ...],
    crs_field: str = "crs",
) -> ItemQuery:
    """Check every parameter of an ``/items`` request and build the query."""
    by_name = {q.name: q for q in queryables} | {a: q for q in queryables for a in q.aliases}
    checked = {}
    for name, value in filters.items():
        if name not in by_name:
            known = ", ".join(q.name for q in queryables) or "none"
            raise InvalidInputError(
                f"{name} is not a filter of this collection (filters: {known})",
                message_fr=(
                    f"{name} n'est pas un filtre de cette collection ; filtres possibles : "
                    f"{known if queryables else 'aucun'}."
                ),
                field=name,
            )
        queryable = by_name[name]
        checked[queryable.name] = queryable.check(value, name)
    if offset is not None and offset < 0:
        raise InvalidInputError(
            f"offset={offset} must be 0 or more",
            message_fr=f"offset={offset} : indiquez 0 ou plus.",
            field="offset",
        )
    area = None
    if bbox is not None:
        box_crs = parse_crs(bbox_crs, "bbox-crs")
        area = bbox_area(parse_bbox(bbox, box_crs), box_crs)
    elif bbox_crs is not None:
        parse_crs(bbox_crs, "bbox-crs")
    return ItemQuery(
        limit=clamp_limit(limit),
        offset=offset or 0,
        area=area,
        period=parse_datetime(datetime_text) if datetime_text is not None else None,
        filters=checked,
        crs=parse_crs(crs, crs_field),
    )
