"""Service settings, read once from the environment (prefix ``CESP_``).

Settings are built by the faces (``create_app()`` or the CLI callback) and passed down;
no module reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """Return the reference data directory used when ``CESP_DATA_DIR`` is unset.

    ``data/reference`` (a deployment's own download, see ``cesp data fetch``) wins over
    the development copy in ``../shared/data``. Both are looked up relative to the
    working directory first, then to the repository root, so that the CLI works from
    anywhere inside a checkout.
    """
    for base in (Path.cwd(), REPO_ROOT):
        for candidate in (base / "data" / "reference", base.parent / "shared" / "data"):
            if candidate.is_dir():
                return candidate
    return Path("data/reference")


class Settings(BaseSettings):
    """Configuration of the service, one prefix for all: ``CESP_``."""

    model_config = SettingsConfigDict(env_prefix="CESP_", env_file=None, extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/cesp.sqlite",
        description="SQLAlchemy URL: sqlite:///path (SpatiaLite) or postgresql+psycopg://...",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    log_level: str = "INFO"
    max_upload_mb: int = Field(default=50, ge=1, description="Largest accepted upload")
    body_limit_anonymous_kb: int = Field(
        default=1024,
        ge=1,
        description=(
            "Largest request body from a caller without a valid API key, on any route "
            "(refused with 413 before it is read)"
        ),
    )
    body_limit_default_kb: int = Field(
        default=1024, ge=1, description="Largest request body of a route with no limit of its own"
    )
    body_limit_batch_mb: int = Field(
        default=25, ge=1, description="Largest body of POST /api/v1/eligibility/batch"
    )
    heavy_jobs_per_worker: int = Field(
        default=2,
        ge=1,
        description=(
            "Batches and imports computed at once by one worker; more get 503 with "
            "Retry-After instead of waiting in memory"
        ),
    )
    borderline_m: float = Field(
        default=50.0, ge=0, le=5000, description="Distance to a zone boundary that is borderline"
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Anonymous requests per client per minute (0: off)"
    )
    rate_limit_burst: int = Field(default=120, ge=1, description="Anonymous burst allowance")
    index_warmup: bool = Field(
        default=True, description="Build the zoning index at start-up, before serving"
    )
    index_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often workers look for a newly published decree"
    )
    index_cache_dir: str = Field(
        default="var/cache/index",
        description=(
            "Directory where the built zoning index is kept between processes (one file "
            "per database state, never stale); empty: build it in every process"
        ),
    )
    sql_echo: bool = False
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Server logs: one JSON object per line (json) or plain text (text)",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description=(
            "Comma-separated addresses of the reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are trusted (client identity for logs and the rate limit)"
        ),
    )
    map_tiles: str = Field(
        default="",
        description=(
            "Tile URL template of the maps' background, empty for none (the map draws its "
            "own outlines). IGN Plan: https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile"
            "&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal"
            "&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}; "
            "OSM: https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
    )
    map_tiles_attribution: str = Field(
        default="", description="Attribution shown for CESP_MAP_TILES (e.g. © IGN, © OSM)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError(
                "CESP_DATABASE_URL must start with sqlite:/// (SpatiaLite) or "
                f"postgresql+psycopg:// (PostGIS), got {value!r}"
            )
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
