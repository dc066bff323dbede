"""Response models of the public API (the contract clients integrate against)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from shapely.geometry import mapping

from cesp.geo.communes import CodeResolution, CommuneUnit, PointResolution
from cesp.geo.search import NameMatch


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer."""

    error: str
    detail: str
    detail_fr: str
    field: str | None = None


class Departement(BaseModel):
    """A département reference."""

    code: str
    name: str | None


class Commune(BaseModel):
    """A commune, arrondissement or former state of a commune."""

    code: str
    name: str
    kind: Literal["commune", "arrondissement"]
    departement: Departement
    region: str
    parent_code: str | None = Field(None, description="Commune of an arrondissement")
    population: int | None
    valid_from: date | None
    valid_to: date | None = Field(None, description="Exclusive end date of a former state")
    successors: list[str] = Field(description="Codes that took over the territory on valid_to")
    end_event: str | None
    approximate: bool = Field(description="The polygon is not this unit's own boundary")
    approximate_reason: str | None
    candidates: list[str] = Field(description="Communes sharing this approximate polygon")
    geometry: dict[str, Any] | None = None

    @classmethod
    def of(cls, unit: CommuneUnit) -> Commune:
        """Serialise a domain unit."""
        return cls(
            code=unit.code,
            name=unit.name,
            kind=unit.kind,  # type: ignore[arg-type]
            departement=Departement(code=unit.departement_code, name=unit.departement_name),
            region=unit.region_code,
            parent_code=unit.parent_code,
            population=unit.population,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            successors=list(unit.successor_codes),
            end_event=unit.end_event,
            approximate=unit.approximate,
            approximate_reason=unit.approximate_reason,
            candidates=list(unit.candidate_codes),
            geometry=dict(mapping(unit.geometry)) if unit.geometry is not None else None,
        )


class PointAnswer(BaseModel):
    """``GET /api/v1/communes?lon=&lat=``."""

    lon: float
    lat: float
    date: date
    commune: Commune
    arrondissement: Commune | None
    approximate: bool
    on_boundary: bool
    candidates: list[Commune]

    @classmethod
    def of(cls, result: PointResolution) -> PointAnswer:
        """Serialise a point resolution."""
        return cls(
            lon=result.lon,
            lat=result.lat,
            date=result.on_date,
            commune=Commune.of(result.commune),
            arrondissement=Commune.of(result.arrondissement) if result.arrondissement else None,
            approximate=result.approximate,
            on_boundary=result.on_boundary,
            candidates=[Commune.of(u) for u in result.candidates],
        )


class CodeAnswer(BaseModel):
    """``GET /api/v1/communes/{code}``."""

    code: str
    date: date
    status: Literal["in_force", "ended", "not_yet_created"]
    commune: Commune
    now: list[Commune] = Field(description="Today's communes holding this territory")
    message: str
    message_fr: str

    @classmethod
    def of(cls, result: CodeResolution) -> CodeAnswer:
        """Serialise a code resolution with a sentence for people."""
        unit = result.unit
        heirs = ", ".join(f"{u.name} ({u.code})" for u in result.now)
        if result.status == "in_force":
            message = f"{unit.code} is {unit.name} on {result.on_date.isoformat()}"
            message_fr = f"{unit.code} désigne {unit.name} au {result.on_date.strftime('%d/%m/%Y')}"
        elif result.status == "ended":
            end = unit.valid_to.isoformat() if unit.valid_to else "?"
            end_fr = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "?"
            message = f"{unit.name} ({unit.code}) ended on {end}: now part of {heirs or '?'}"
            message_fr = (
                f"{unit.name} ({unit.code}) n'existe plus depuis le {end_fr} : "
                f"intégrée à {heirs or '?'}"
            )
        else:
            start = unit.valid_from.isoformat() if unit.valid_from else "?"
            message = f"{unit.code} did not designate a commune yet on that date (from {start})"
            message_fr = f"{unit.code} ne désignait pas encore de commune à cette date"
        return cls(
            code=result.code,
            date=result.on_date,
            status=result.status,
            commune=Commune.of(unit),
            now=[Commune.of(u) for u in result.now],
            message=message,
            message_fr=message_fr,
        )


class SearchHit(BaseModel):
    """One commune found by name."""

    rank: int = Field(description="0 exact, 1 prefix, 2 word prefix, 3 substring")
    commune: Commune

    @classmethod
    def of(cls, match: NameMatch) -> SearchHit:
        """Serialise a name match."""
        return cls(rank=match.rank, commune=Commune.of(match.unit))


class SearchAnswer(BaseModel):
    """``GET /api/v1/communes?q=``."""

    query: str
    results: list[SearchHit]


class Health(BaseModel):
    """``GET /healthz``."""

    status: Literal["ok", "degraded"]
    database: dict[str, Any]
    reference: dict[str, Any] | None
    index: dict[str, Any] | None = None
