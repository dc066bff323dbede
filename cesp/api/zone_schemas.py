"""Response models for decrees and zones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from cesp.api.post_schemas import PostOut
from cesp.zones.decrees import Decree
from cesp.zones.diff import ZoningDiff
from cesp.zones.importer import ImportReport, ZoneSummary


class DecreeOut(BaseModel):
    """A zoning decree."""

    id: int
    region: str = Field(validation_alias=AliasChoices("region", "region_code"))
    reference: str
    title: str
    signed: date
    effective_from: date
    effective_to: date | None
    profession: str
    zoning_method: str
    status: Literal["draft", "published", "superseded"]
    source_filename: str
    source_sha256: str
    source_format: str
    imported_by: str
    imported_at: datetime
    published_at: datetime | None
    superseded_by: int | None
    complements: int | None = Field(
        None,
        description="Complementary decree: id of the principal decree it amends and stays in "
        "force with (it ends with it)",
    )

    model_config = ConfigDict(from_attributes=True)


class ZoneOut(BaseModel):
    """A zone of a decree (no geometry: use /api/v1/zones for GeoJSON)."""

    name: str
    category: str
    communes: int
    population: int | None
    approximate: bool
    approximate_reason: str | None
    overrides: bool = Field(
        False,
        description="A QPV zone: inside it, its category replaces the territory's",
    )

    @classmethod
    def of(cls, z: ZoneSummary) -> ZoneOut:
        """Serialise a zone summary."""
        return cls(
            name=z.name,
            category=z.category,
            communes=z.communes,
            population=z.population,
            approximate=z.approximate,
            approximate_reason=z.approximate_reason,
            overrides=z.priority > 0,
        )


class CommuneChangeOut(BaseModel):
    """A commune entering or leaving."""

    code: str
    name: str
    population: int | None


class DiffOut(BaseModel):
    """Difference with the decree in force."""

    compared_with: DecreeOut | None
    entering: list[CommuneChangeOut]
    leaving: list[CommuneChangeOut]
    kept: int
    population_entering: int
    population_leaving: int

    @classmethod
    def of(cls, diff: ZoningDiff, compared: Decree | None) -> DiffOut:
        """Serialise a diff."""
        return cls(
            compared_with=DecreeOut.model_validate(compared) if compared else None,
            entering=[CommuneChangeOut(**vars(c)) for c in diff.entering],
            leaving=[CommuneChangeOut(**vars(c)) for c in diff.leaving],
            kept=diff.kept,
            population_entering=diff.population_entering,
            population_leaving=diff.population_leaving,
        )


class ImportAnswer(BaseModel):
    """``POST /api/v1/decrees``."""

    status: Literal["preview", "imported", "published", "unchanged"]
    decree: DecreeOut | None
    superseded: list[DecreeOut]
    format: str | None
    crs: str | None
    encoding: str | None
    notes: list[str]
    zones: list[ZoneOut]
    communes: int
    population: int
    diff: DiffOut | None
    rows_kept: int = Field(0, description="Table rows that became zone communes")
    skipped_by_category: dict[str, int] = Field(
        default_factory=dict, description="Rows of a category that is no zone (Hors vivier, HZ)"
    )
    skipped_by_region: int = Field(0, description="Rows of other regions, left out")
    qpv_zones: int = Field(0, description="Zones of QPV rows (their contour, overriding)")
    complements: DecreeOut | None = Field(
        None, description="Complementary decree: the principal decree it amends"
    )
    in_force_with: list[DecreeOut] = Field(
        default_factory=list,
        description="Complementary decrees in force with the principal decree compared with",
    )
    posts_leaving: list[PostOut] = Field(
        default_factory=list,
        description="Preview only: open practice sites the decree would take out of every zone",
    )
    beneficiaries_leaving: int = Field(
        0,
        description="Preview only: practising beneficiaries (follow-up ledger) whose site the "
        "decree would take out of every qualifying zone",
    )

    @classmethod
    def of(cls, r: ImportReport) -> ImportAnswer:
        """Serialise an import report."""
        return cls(
            status=r.status,  # type: ignore[arg-type]
            decree=DecreeOut.model_validate(r.decree) if r.decree else None,
            superseded=[DecreeOut.model_validate(d) for d in r.superseded],
            format=r.source_format,
            crs=r.crs,
            encoding=r.encoding,
            notes=r.notes,
            zones=[ZoneOut.of(z) for z in r.zones],
            communes=r.communes,
            population=r.population,
            diff=DiffOut.of(r.diff, r.compared_with) if r.diff is not None else None,
            rows_kept=r.rows_kept,
            skipped_by_category=r.skipped_by_category,
            skipped_by_region=r.skipped_by_region,
            qpv_zones=r.qpv_zones,
            complements=DecreeOut.model_validate(r.complements) if r.complements else None,
            in_force_with=[DecreeOut.model_validate(d) for d in r.in_force_with],
            beneficiaries_leaving=0,
        )


class DecreeDetail(DecreeOut):
    """A decree with its zones."""

    zones: list[ZoneOut] = Field(default_factory=list)


class FeatureCollection(BaseModel):
    """GeoJSON FeatureCollection (RFC 7946)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]
