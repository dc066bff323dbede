"""Response models of the public API (the contract clients integrate against)."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field
from shapely.geometry import mapping

from cesp.api.output_model import OutputModel
from cesp.geo.communes import CodeResolution, CommuneUnit


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


class Commune(OutputModel):
    """A commune, arrondissement or former state of a commune."""

    code: str
    name: str
    kind: Literal["commune", "arrondissement"]
    departement: Departement
    region: str = Field(validation_alias=AliasChoices("region", "region_code"))
    parent_code: str | None = Field(None, description="Commune of an arrondissement")
    population: int | None
    valid_from: date | None
    valid_to: date | None = Field(None, description="Exclusive end date of a former state")
    successors: list[str] = Field(
        description="Codes that took over the territory on valid_to",
        validation_alias=AliasChoices("successors", "successor_codes"),
    )
    end_event: str | None
    approximate: bool = Field(description="The polygon is not this unit's own boundary")
    approximate_reason: str | None
    candidates: list[str] = Field(
        description="Communes sharing this approximate polygon",
        validation_alias=AliasChoices("candidates", "candidate_codes"),
    )
    geometry: dict[str, Any] | None = None

    @classmethod
    def derived(cls, unit: CommuneUnit) -> dict[str, Any]:
        """The département as a pair, the polygon as GeoJSON."""
        return {
            "departement": Departement(code=unit.departement_code, name=unit.departement_name),
            "geometry": dict(mapping(unit.geometry)) if unit.geometry is not None else None,
        }


class PointAnswer(OutputModel):
    """``GET /api/v1/communes?lon=&lat=``."""

    lon: float
    lat: float
    date: dt.date = Field(validation_alias=AliasChoices("date", "on_date"))
    commune: Commune
    arrondissement: Commune | None
    approximate: bool
    on_boundary: bool
    candidates: list[Commune]


class CodeAnswer(OutputModel):
    """``GET /api/v1/communes/{code}``."""

    code: str
    date: dt.date = Field(validation_alias=AliasChoices("date", "on_date"))
    status: Literal["in_force", "ended", "not_yet_created"]
    commune: Commune = Field(validation_alias=AliasChoices("commune", "unit"))
    now: list[Commune] = Field(description="Today's communes holding this territory")
    message: str
    message_fr: str

    @classmethod
    def derived(cls, result: CodeResolution) -> dict[str, Any]:
        """A sentence for people, in English and in French."""
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
        return {"message": message, "message_fr": message_fr}


class SearchHit(OutputModel):
    """One commune found by name."""

    rank: int = Field(description="0 exact, 1 prefix, 2 word prefix, 3 substring")
    commune: Commune = Field(validation_alias=AliasChoices("commune", "unit"))


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
