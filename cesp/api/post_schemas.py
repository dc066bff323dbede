"""Request and response bodies of the posts, campaigns and beneficiaries routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from cesp.api.french_params import Day, Mode
from cesp.api.input_model import InputModel
from cesp.api.output_model import OutputModel
from cesp.posts.candidacy import Candidacy
from cesp.posts.model import Beneficiary, Post
from cesp.posts.qualification import Qualification


class PostOut(OutputModel):
    """A post of a national list, and where its site stands on the date asked."""

    id: int
    reference: str
    campaign: int
    kind: str
    region: str
    departement: str
    profession: str
    specialty: str
    mode: str
    structure: str
    address: str
    commune_code: str
    commune_name: str
    lon: float
    lat: float
    places: int
    places_left: int
    status: str
    qualifies: bool
    qualification: Literal["in_zone", "grandfathered", "out_of_zone"]
    qualification_fr: str
    out_of_zone_since: date | None
    kept_until: date | None = Field(
        default=None, description="Last day a site kept by the three-year rule qualifies"
    )
    proposed_by: str
    proposed_at: datetime
    sample: bool

    @classmethod
    def qualified(cls, post: Post, q: Qualification) -> PostOut:
        """The post and where its site stands by ``q``."""
        return cls.of(
            post,
            qualifies=q.qualifies,
            qualification=q.status,
            qualification_fr=q.label_fr,
            out_of_zone_since=q.out_of_zone_since,
            kept_until=q.kept_until,
        )


class PostPageOut(BaseModel):
    """``GET /api/v1/posts``."""

    items: list[PostOut]
    total: int
    limit: int
    offset: int


class PostIn(InputModel):
    """A post proposed by an ARS (its region is the commune's)."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=40)
    campaign: int = Field(ge=2010, le=2100)
    kind: Literal["exercice", "internat"] = "exercice"
    profession: str = Field(default="medecin", max_length=32)
    specialty: str = Field(min_length=1, max_length=120)
    mode: Mode
    structure: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    commune_code: str = Field(min_length=5, max_length=5)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    places: int = Field(ge=0, le=10_000)
    listed_on: Day | None = Field(
        default=None, description="Set by the server to the day of publication; omit it"
    )


class PostPatch(InputModel):
    """Fields an ARS may change on its post."""

    model_config = ConfigDict(extra="forbid")

    specialty: str | None = Field(default=None, min_length=1, max_length=120)
    mode: Mode | None = None
    structure: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    places: int | None = Field(default=None, ge=0, le=10_000)
    status: Literal["open", "withdrawn"] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields actually given."""
        return self.model_dump(exclude_none=True)


class CampaignOut(OutputModel):
    """A campaign of choice."""

    id: int
    year: int
    kind: str
    procedure: Literal["rank_order", "applications"]
    status: Literal["draft", "open", "closed"]
    published_on: date
    next_rank: int | None


class CampaignIn(InputModel):
    """A new campaign (CNG)."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2010, le=2100)
    kind: Literal["exercice", "internat"]
    published_on: Day | None = None


class Candidate(BaseModel):
    """A candidate of a campaign and their rank (ECN rank for intern posts)."""

    model_config = ConfigDict(extra="forbid")

    beneficiary_id: int = Field(ge=1, le=2**31 - 1)
    rank: int = Field(ge=1, le=1_000_000)


class CandidatesIn(InputModel):
    """Every candidate of a campaign (replaces the previous list)."""

    model_config = ConfigDict(extra="forbid")

    candidates: list[Candidate] = Field(max_length=100_000)


class StatusIn(InputModel):
    """Open or close a campaign."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "closed"]


class ChoiceIn(InputModel):
    """Choose a post, or pass (``{"pass": true}``); a CNG agent names the beneficiary."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={"examples": [{"post_id": 42}, {"pass": True}]},
    )

    post_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The intern post chosen", examples=[42]
    )
    pass_turn: bool = Field(
        default=False, alias="pass", description="true: pass this turn without choosing"
    )
    beneficiary_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="Only for a cng key acting for a beneficiary; an intern key acts for itself",
    )


class ChoiceOut(BaseModel):
    """A choice made (or a turn passed)."""

    beneficiary_id: int
    rank: int
    post_id: int | None
    at: datetime


class ChoiceAnswer(BaseModel):
    """``POST /api/v1/campaigns/{id}/choices``."""

    choice: ChoiceOut
    post: PostOut | None


class WishesIn(InputModel):
    """Up to five posts, in order of preference."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"wishes": [17, 4, 23]}]}
    )

    wishes: list[int] = Field(
        min_length=1,
        max_length=5,
        description="Ids of practice-site posts, most wanted first (replaces earlier wishes)",
        examples=[[17, 4, 23]],
    )
    beneficiary_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="Only for a cng key acting for a beneficiary; an intern key acts for itself",
    )


class WishOut(BaseModel):
    """One wish."""

    rank: int
    post_id: int


class WishesOut(BaseModel):
    """A beneficiary's wishes."""

    beneficiary_id: int
    wishes: list[WishOut]


class ProposalOut(OutputModel):
    """A proposal of an allocation run, with its explanation."""

    id: int
    run: int
    beneficiary_id: int
    post_id: int | None
    wish_rank: int | None
    outcome: Literal["proposed", "tie", "pending", "none"]
    explanation_fr: str
    ars_decision: str | None
    employer_decision: str | None
    status: Literal["proposed", "confirmed", "refused", "none", "superseded", "tie_broken"]


class DecisionIn(InputModel):
    """The ARS's or the employer's answer to a proposal."""

    model_config = ConfigDict(extra="forbid")

    party: Literal["ars", "employer"]
    decision: Literal["confirm", "refuse"]


class HistoryOut(BaseModel):
    """One step of a campaign."""

    id: int
    at: datetime
    actor: str
    event: str
    beneficiary_id: int | None
    post_id: int | None
    detail_fr: str


class MeOut(OutputModel):
    """The beneficiary an intern key speaks for."""

    beneficiary_id: int = Field(validation_alias=AliasChoices("beneficiary_id", "id"))
    name: str
    profession: str
    specialty: str | None
    training_region: str
    rank: int | None = Field(description="Rank in ``campaign`` (None: not a candidate)")
    campaign: int | None = Field(description="Campaign the rank and the choice belong to")
    has_chosen: bool = Field(description="Chosen a post or passed: the choice is final")
    chosen_post_id: int | None

    @classmethod
    def speaking_for(cls, b: Beneficiary, place: Candidacy | None) -> MeOut:
        """The beneficiary and their place in a campaign (None: not a candidate)."""
        return cls.of(
            b,
            rank=place.rank if place else None,
            campaign=place.campaign_id if place else None,
            has_chosen=place.has_chosen if place else False,
            chosen_post_id=place.chosen_post_id if place else None,
        )
