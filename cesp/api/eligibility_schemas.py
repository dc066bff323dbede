"""Request and response models of the eligibility and relocation API (the CNG contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from cesp.api.french_params import Day, refuse_booleans
from cesp.api.input_model import InputModel
from cesp.api.output_model import OutputModel
from cesp.eligibility.check import EligibilityResult
from cesp.eligibility.sites import CommuneSite, PointSite, make_site
from cesp.eligibility.status import Status
from cesp.eligibility.wording import explain_fr
from cesp.engagement.relocation import RelocationDecision


class SiteIn(BaseModel):
    """A practice site: lon/lat (WGS84), x/y (Lambert-93, EPSG:2154) or an INSEE code."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lon": 2.4417, "lat": 48.9245}, {"insee": "93027"}]},
    )

    lon: float | None = Field(
        None, ge=-180, le=180, description="WGS84 longitude (with lat)", examples=[2.4417]
    )
    lat: float | None = Field(
        None, ge=-90, le=90, description="WGS84 latitude (with lon)", examples=[48.9245]
    )
    x: float | None = Field(
        None, description="Lambert-93 easting, metres (with y)", examples=[659000]
    )
    y: float | None = Field(
        None, description="Lambert-93 northing, metres (with x)", examples=[6866000]
    )
    insee: str | None = Field(
        None,
        max_length=10,
        description="INSEE commune code (5 characters, 2A/2B for Corsica) instead of a point",
        examples=["93027"],
    )

    _numbers = field_validator("lon", "lat", "x", "y", mode="before")(refuse_booleans)

    def to_site(self, prefix: str = "") -> PointSite | CommuneSite:
        """The domain site (raises an error naming ``prefix`` + field)."""
        return make_site(self.lon, self.lat, self.x, self.y, self.insee, prefix)


class EligibilityQuery(SiteIn):
    """The query of ``GET /api/v1/eligibility``: a site, a date, a profession (other
    query parameters are ignored, as everywhere in the API)."""

    model_config = ConfigDict(extra="ignore")

    date: Day | None = Field(None, description="Default today")
    profession: str = Field("medecin", max_length=32)


class BatchSiteIn(SiteIn):
    """A site of a batch, with an optional id, date and profession of its own."""

    id: str | int | None = Field(None, description="Your identifier, echoed in the answer")
    date: Day | None = Field(None, description="Date of this site (YYYY-MM-DD or DD/MM/YYYY)")
    profession: str | None = Field(
        None,
        max_length=32,
        description="Profession of this site: medecin, chirurgien-dentiste, sage-femme or "
        "pharmacien",
    )


class DecreeRefOut(OutputModel):
    """The decree of a zone."""

    id: int
    reference: str
    region: str
    profession: str
    signed: dt.date
    effective_from: dt.date
    effective_to: dt.date | None


class ZoneOut(OutputModel):
    """A zone matching the site (or the nearest qualifying one)."""

    zone_id: int
    name: str
    category: str
    category_label: str
    qualifies: bool
    approximate: bool
    decree: DecreeRefOut


class CommuneOut(OutputModel):
    """The commune (or Paris arrondissement) of the site."""

    code: str
    name: str
    departement: str
    region: str
    approximate: bool
    approximate_reason: str | None
    approximate_reason_fr: str | None = Field(
        None,
        description="In French, when the answer holds for a larger territory than the one "
        "asked (a Lyon or Marseille arrondissement answered with its commune's polygon)",
    )


class EligibilityOut(OutputModel):
    """The answer to "does this site qualify?"."""

    site: dict[str, Any]
    date: dt.date = Field(validation_alias=AliasChoices("date", "on_date"))
    profession: str
    eligible: bool
    status: Status
    commune: CommuneOut | None
    arrondissement: CommuneOut | None
    zones: list[ZoneOut]
    decrees: list[DecreeRefOut]
    nearest_zone: ZoneOut | None = Field(validation_alias=AliasChoices("nearest_zone", "nearest"))
    distance_m: float | None = Field(description="To the nearest qualifying zone, if outside")
    coverage: float | None = Field(description="Share of the commune in qualifying zones")
    approximate: bool
    candidates: list[CommuneOut]
    message_fr: str
    id: str | int | None = Field(None, description="The site's id, in a batch")

    @classmethod
    def derived(cls, r: EligibilityResult) -> dict[str, Any]:
        """The site as given (no empty coordinate) and the French sentence."""
        return {
            "site": {k: v for k, v in vars(r.site).items() if v is not None},
            "message_fr": explain_fr(r),
        }


class BatchIn(InputModel):
    """``POST /api/v1/eligibility/batch`` (JSON form)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-01-15",
                    "profession": "medecin",
                    "sites": [
                        {"id": "cab-1", "lon": 2.4417, "lat": 48.9245},
                        {"id": "cab-2", "insee": "93027"},
                        {"id": "cab-3", "x": 659000, "y": 6866000, "date": "2013-01-01"},
                    ],
                }
            ]
        },
    )

    date: Day | None = Field(
        None, description="Date of the check for every site without its own (default: today)"
    )
    profession: str = Field(
        "medecin",
        max_length=32,
        description="medecin or chirurgien-dentiste, for sites without their own",
    )
    sites: list[BatchSiteIn] = Field(
        max_length=100_000, description="Up to 100,000 sites; answers come in the same order"
    )


class BatchOut(BaseModel):
    """Answers in the order of the sites."""

    results: list[EligibilityOut]


class RelocationIn(InputModel):
    """``POST /api/v1/relocations/validate``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "profession": "medecin",
                    "current_site": {"insee": "93027"},
                    "new_site": {"lon": 2.4417, "lat": 48.9245},
                    "change_date": "2026-03-01",
                    "engagement_end": "2029-08-31",
                }
            ]
        },
    )

    profession: str = Field(
        max_length=32, description="medecin or chirurgien-dentiste", examples=["medecin"]
    )
    current_site: SiteIn = Field(description="Where the beneficiary practises now")
    new_site: SiteIn = Field(description="The practice site asked for")
    change_date: Day = Field(
        description="Date the move takes effect (YYYY-MM-DD or DD/MM/YYYY)",
        examples=["2026-03-01"],
    )
    engagement_end: Day = Field(
        description="Expected end of the engagement (YYYY-MM-DD or DD/MM/YYYY)",
        examples=["2029-08-31"],
    )
    beneficiary_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The beneficiary, to append the move to their ledger"
    )
    file_reference: str | None = Field(
        None, max_length=80, description="The caller's own file reference, kept as given"
    )
    origin_ars_opinion: Literal["favorable", "defavorable"] | None = Field(
        None, description="Opinion of the ARS of the region left (décret n°2010-735 art. 8)"
    )
    destination_ars_opinion: Literal["favorable", "defavorable"] | None = Field(
        None, description="Opinion of the ARS of the region joined (décret n°2010-735 art. 8)"
    )
    mode: str = Field(
        "liberal", max_length=10, description="Practice at the new site: liberal, salarie, mixte"
    )
    time_fraction: float = Field(
        1.0, gt=0, le=1, description="Share of full time at the new site (1 = full time)"
    )


class ReasonOut(OutputModel):
    """A reason for a refusal, or a warning."""

    code: str
    message: str
    message_fr: str


class RelocationOut(OutputModel):
    """The decision, as stored and as fetched later."""

    id: str
    decision: Literal["allowed", "refused"]
    reasons: list[ReasonOut]
    warnings: list[ReasonOut]
    authority: Literal["ARS", "CNG", "ASP"] = Field(
        description="ARS for a move within the region; else the national manager on the "
        "change date: CNG, then ASP from 2025-03-26 (décret n°2025-270)"
    )
    authority_name_fr: str = ""
    authority_region: str | None
    decrees: list[DecreeRefOut]
    profession: str
    change_date: dt.date
    engagement_end: dt.date
    current_site: EligibilityOut = Field(validation_alias=AliasChoices("current_site", "current"))
    new_site: EligibilityOut = Field(validation_alias=AliasChoices("new_site", "new"))
    created_at: dt.datetime
    beneficiary_id: int | None = None
    file_reference: str | None = None
    origin_ars_opinion: str | None = None
    destination_ars_opinion: str | None = None

    @classmethod
    def derived(cls, d: RelocationDecision) -> dict[str, Any]:
        """The decrees are those of the new site."""
        return {"decrees": d.new.decrees}
