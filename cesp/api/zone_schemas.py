"""Response models for decrees and zones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

from cesp.api.output_model import OutputModel
from cesp.api.post_schemas import PostOut
from cesp.zones.importer import ImportReport, ZoneSummary


class DecreeOut(OutputModel):
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


class ZoneOut(OutputModel):
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
    def derived(cls, z: ZoneSummary) -> dict[str, Any]:
        """A zone overrides the territory's category when its priority is above 0."""
        return {"overrides": z.priority > 0}


class CommuneChangeOut(OutputModel):
    """A commune entering or leaving."""

    code: str
    name: str
    population: int | None


class DiffOut(OutputModel):
    """Difference with the decree in force."""

    compared_with: DecreeOut | None
    entering: list[CommuneChangeOut]
    leaving: list[CommuneChangeOut]
    kept: int
    population_entering: int
    population_leaving: int


class ImportAnswer(OutputModel):
    """``POST /api/v1/decrees``."""

    status: Literal["preview", "imported", "published", "unchanged"]
    decree: DecreeOut | None
    superseded: list[DecreeOut]
    format: str | None = Field(validation_alias=AliasChoices("format", "source_format"))
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
    def derived(cls, r: ImportReport) -> dict[str, Any]:
        """The diff against the decree it was compared with."""
        diff = r.diff
        return {"diff": DiffOut.of(diff, compared_with=r.compared_with) if diff else None}


class DecreeDetail(DecreeOut):
    """A decree with its zones."""

    zones: list[ZoneOut] = Field(default_factory=list)


class FeatureCollection(BaseModel):
    """GeoJSON FeatureCollection (RFC 7946)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]
