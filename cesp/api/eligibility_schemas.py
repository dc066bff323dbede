"""Request and response models of the eligibility and relocation API (the CNG contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cesp.api.input_model import InputModel
from cesp.zones.eligibility import CommuneRef, DecreeRef, EligibilityResult, ZoneMatch
from cesp.zones.relocation import RelocationDecision, reasons_dict
from cesp.zones.sites import CommuneSite, PointSite, make_site
from cesp.zones.wording import explain_fr

Status = Literal[
    "eligible", "not_eligible", "borderline", "partial", "no_zoning", "outside_territory"
]


class SiteIn(BaseModel):
    """A practice site: lon/lat (WGS84), x/y (Lambert-93, EPSG:2154) or an INSEE code."""

    model_config = ConfigDict(extra="forbid")

    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    x: float | None = None
    y: float | None = None
    insee: str | None = Field(None, max_length=10)

    def to_site(self, prefix: str = "") -> PointSite | CommuneSite:
        """The domain site (raises an error naming ``prefix`` + field)."""
        return make_site(self.lon, self.lat, self.x, self.y, self.insee, prefix)


class BatchSiteIn(SiteIn):
    """A site of a batch, with an optional id, date and profession of its own."""

    id: str | int | None = None
    date: dt.date | None = None
    profession: str | None = Field(None, max_length=32)


class DecreeRefOut(BaseModel):
    """The decree of a zone."""

    id: int
    reference: str
    region: str
    profession: str
    signed: dt.date
    effective_from: dt.date
    effective_to: dt.date | None

    @classmethod
    def of(cls, d: DecreeRef) -> DecreeRefOut:
        """Serialise."""
        return cls(**vars(d))


class ZoneOut(BaseModel):
    """A zone matching the site (or the nearest qualifying one)."""

    zone_id: int
    name: str
    category: str
    category_label: str
    qualifies: bool
    approximate: bool
    decree: DecreeRefOut

    @classmethod
    def of(cls, z: ZoneMatch) -> ZoneOut:
        """Serialise."""
        return cls(
            zone_id=z.zone_id,
            name=z.name,
            category=z.category,
            category_label=z.category_label,
            qualifies=z.qualifies,
            approximate=z.approximate,
            decree=DecreeRefOut.of(z.decree),
        )


class CommuneOut(BaseModel):
    """The commune (or Paris arrondissement) of the site."""

    code: str
    name: str
    departement: str
    region: str
    approximate: bool
    approximate_reason: str | None

    @classmethod
    def of(cls, c: CommuneRef | None) -> CommuneOut | None:
        """Serialise."""
        return cls(**vars(c)) if c is not None else None


class EligibilityOut(BaseModel):
    """The answer to "does this site qualify?"."""

    site: dict[str, Any]
    date: dt.date
    profession: str
    eligible: bool
    status: Status
    commune: CommuneOut | None
    arrondissement: CommuneOut | None
    zones: list[ZoneOut]
    decrees: list[DecreeRefOut]
    nearest_zone: ZoneOut | None
    distance_m: float | None = Field(description="To the nearest qualifying zone, if outside")
    coverage: float | None = Field(description="Share of the commune in qualifying zones")
    approximate: bool
    candidates: list[CommuneOut]
    message_fr: str
    id: str | int | None = Field(None, description="The site's id, in a batch")

    @classmethod
    def of(cls, r: EligibilityResult, site_id: str | int | None = None) -> EligibilityOut:
        """Serialise a result with its French sentence (and the site's id in a batch)."""
        site = {k: v for k, v in vars(r.site).items() if v is not None}
        return cls(
            site=site,
            date=r.on_date,
            profession=r.profession,
            eligible=r.eligible,
            status=r.status,  # type: ignore[arg-type]
            commune=CommuneOut.of(r.commune),
            arrondissement=CommuneOut.of(r.arrondissement),
            zones=[ZoneOut.of(z) for z in r.zones],
            decrees=[DecreeRefOut.of(d) for d in r.decrees],
            nearest_zone=ZoneOut.of(r.nearest) if r.nearest else None,
            distance_m=r.distance_m,
            coverage=r.coverage,
            approximate=r.approximate,
            candidates=[c for c in (CommuneOut.of(x) for x in r.candidates) if c],
            message_fr=explain_fr(r),
            id=site_id,
        )


class BatchIn(InputModel):
    """``POST /api/v1/eligibility/batch`` (JSON form)."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None
    profession: str = Field("medecin", max_length=32)
    sites: list[BatchSiteIn] = Field(max_length=100_000)


class BatchOut(BaseModel):
    """Answers in the order of the sites."""

    results: list[EligibilityOut]


class RelocationIn(InputModel):
    """``POST /api/v1/relocations/validate``."""

    model_config = ConfigDict(extra="forbid")

    profession: str = Field(max_length=32)
    current_site: SiteIn
    new_site: SiteIn
    change_date: dt.date
    engagement_end: dt.date


class ReasonOut(BaseModel):
    """A reason for a refusal, or a warning."""

    code: str
    message: str
    message_fr: str


class RelocationOut(BaseModel):
    """The decision, as stored and as fetched later."""

    id: str
    decision: Literal["allowed", "refused"]
    reasons: list[ReasonOut]
    warnings: list[ReasonOut]
    authority: Literal["ARS", "CNG"]
    authority_region: str | None
    decrees: list[DecreeRefOut]
    profession: str
    change_date: dt.date
    engagement_end: dt.date
    current_site: EligibilityOut
    new_site: EligibilityOut
    created_at: dt.datetime

    @classmethod
    def of(cls, d: RelocationDecision) -> RelocationOut:
        """Serialise a decision."""
        return cls(
            id=d.id,
            decision=d.decision,  # type: ignore[arg-type]
            reasons=[ReasonOut(**r) for r in reasons_dict(d.reasons)],
            warnings=[ReasonOut(**r) for r in reasons_dict(d.warnings)],
            authority=d.authority,  # type: ignore[arg-type]
            authority_region=d.authority_region,
            decrees=[DecreeRefOut.of(x) for x in d.new.decrees],
            profession=d.profession,
            change_date=d.change_date,
            engagement_end=d.engagement_end,
            current_site=EligibilityOut.of(d.current),
            new_site=EligibilityOut.of(d.new),
            created_at=d.created_at,
        )
