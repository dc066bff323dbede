"""Service settings, read once from the environment (prefix ``CESP_``).

Settings are built by the faces (``create_app()`` or the CLI callback) and passed down;
no module reads the environment at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_DIR_NAME = "cesp-zones"


def checkout_root() -> Path | None:
    """The source checkout this code runs from, or None when it is installed as a package.

    Told by the project's own ``pyproject.toml`` two levels above the package: an
    installed wheel has none there.
    """
    pyproject = REPO_ROOT / "pyproject.toml"
    if pyproject.is_file() and 'name = "cesp-zones"' in pyproject.read_text("utf-8"):
        return REPO_ROOT
    return None


def default_home() -> Path:
    """The data folder used when ``CESP_HOME`` is unset: the checkout's ``var/`` when the
    code runs from a checkout, else the per-user data folder
    (``$XDG_DATA_HOME/cesp-zones``, by default ``~/.local/share/cesp-zones``).

    It does not depend on the working directory: the same command run from any folder
    finds the same database and index cache.
    """
    root = checkout_root()
    if root is not None:
        return root / "var"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / APP_DIR_NAME


def download_dir() -> Path:
    """Where ``cesp data fetch`` puts the official files by default, and where the
    settings then find them: the checkout's ``data/reference``, or ``reference/`` of the
    data folder for an installed package."""
    root = checkout_root()
    return root / "data" / "reference" if root is not None else default_home() / "reference"


def default_data_dir() -> Path:
    """Return the reference data directory used when ``CESP_DATA_DIR`` is unset.

    ``data/reference`` of the checkout (a deployment's own download, see
    ``cesp data fetch``) wins over the development copy in ``../shared/data`` beside the
    checkout; an installed package looks in ``reference/`` of its data folder.
    """
    root = checkout_root()
    if root is not None:
        for candidate in (download_dir(), root.parent / "shared" / "data"):
            if candidate.is_dir():
                return candidate
    return download_dir()


class Settings(BaseSettings):
    """Configuration of the service, one prefix for all: ``CESP_``."""

    model_config = SettingsConfigDict(env_prefix="CESP_", env_file=None, extra="ignore")

    home: Path = Field(
        default_factory=default_home,
        description=(
            "Data folder of the embedded database and of the index cache when their own "
            "settings are unset (default: the checkout's var/, else ~/.local/share/cesp-zones)"
        ),
    )
    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL: sqlite:///path (SpatiaLite) or postgresql+psycopg://... "
            "(default: SpatiaLite file cesp.sqlite in the data folder)"
        ),
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
    rate_limit_pages_per_minute: int = Field(
        default=6000,
        ge=0,
        description=(
            "Budget of the continuation pages of OGC items (offset > 0), per client per "
            "minute, in units of 100 features asked (a page of 10 costs 1); 0: off"
        ),
    )
    rate_limit_pages_burst: int = Field(default=3000, ge=1, description="Pages burst allowance")
    rate_limit_failed_keys_per_minute: int = Field(
        default=10, ge=0, description="Wrong API keys a client may send per minute (0: off)"
    )
    rate_limit_failed_keys_burst: int = Field(default=20, ge=1, description="Wrong keys burst")
    rate_limit_max_clients: int = Field(
        default=200_000,
        ge=1,
        description="Clients tracked one by one; newcomers beyond share one bucket",
    )
    rate_limit_store: str = Field(
        default="",
        description=(
            "SQLite file of the rate-limit buckets, shared by the workers; cesp serve "
            "makes a fresh one when empty; empty outside cesp serve: per process"
        ),
    )
    index_warmup: bool = Field(
        default=True,
        description=(
            "Build the zoning index at start-up, before serving, and start a batch process"
        ),
    )
    index_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often workers look for a newly published decree"
    )
    index_cache_dir: str | None = Field(
        default=None,  # filled from ``home`` by _fill_defaults
        description=(
            "Directory where the built zoning index is kept between processes (one file "
            "per database state, never stale; default: cache/index in the data folder); "
            "empty: build it in every process"
        ),
    )
    map_cache_dir: str | None = Field(
        default=None,  # filled from ``home`` by _fill_defaults
        description=(
            "Directory where the map's simplified shapes (zones per decree and zoom "
            "level, départements) are kept between processes (default: cache/maps in the "
            "data folder); empty: in memory only"
        ),
    )
    index_version_file: str = Field(
        default="",
        description=(
            "File whose length is the newest zoning index version any worker answers "
            "with, so that every worker of one server sees a publication in order; cesp "
            "serve makes a fresh one when empty; empty outside cesp serve: per process"
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
        if not value:
            return value
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError(
                "CESP_DATABASE_URL must start with sqlite:/// (SpatiaLite) or "
                f"postgresql+psycopg:// (PostGIS), got {value!r}"
            )
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        """Place the embedded database and the index and map caches in the data folder
        unless set."""
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'cesp.sqlite'}"
        if self.index_cache_dir is None:
            self.index_cache_dir = str(self.home / "cache" / "index")
        if self.map_cache_dir is None:
            self.map_cache_dir = str(self.home / "cache" / "maps")
        return self
