"""The manifest of official reference files: where each one is published, what it must be.

``sources.json`` (next to this module) lists every file ``cesp geo load`` reads (and the
COG arrondissements list, kept with them; and, marked ``optional``, the TVS <-> commune
correspondence that ``cesp data load-tvs`` loads), under the name it has in the data directory
(``cog/communes.csv``, ``communes/75-paris.geojson``...), with its publisher, its path
under the publisher's base URL, and what a good copy looks like: size and SHA-256 of the
copy the project was tested with (the development copies in ``../shared/data``), CSV
columns or GeoJSON fields, number of features. The file is checked against the models
below when read, so a typo in it fails loudly instead of producing a half-fetched data
directory.

Why pinned checksums: the loader reconciles COG 2018 boundaries with the COG 2026 commune
list (``cesp/geo/history.py``); another vintage is another dataset that needs review, not
a silent update. A source whose publisher regenerates its bytes on each request (an API
export) is marked ``pinned: false``: its size and checksum are then informative, and only
its structure is enforced.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cesp.errors import InvalidInputError, ReferenceDataError

MANIFEST_FILE = "sources.json"


class Publisher(BaseModel):
    """An organisation publishing reference files, and the base URL they sit under."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(pattern=r"^https?://")
    title: str
    page: str = Field(description="Human page describing the files, where the URLs come from")
    licence: str


class Source(BaseModel):
    """One reference file: where to download it and how to recognise a good copy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Path inside the data directory, as the loader reads it")
    publisher: str
    path: str = Field(description="Path under the publisher's base URL")
    kind: Literal["csv", "geojson"]
    size: int | None = Field(default=None, ge=0)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    pinned: bool = Field(
        default=True, description="Size and checksum must match (false: informative only)"
    )
    columns: tuple[str, ...] = Field(description="CSV columns or GeoJSON fields required")
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    features: int | None = Field(default=None, ge=0, description="GeoJSON feature count")
    archive_member: str | None = Field(
        default=None, description="The URL serves a zip; this member is the file"
    )
    optional: bool = Field(
        default=False,
        description="Reference data loaded by its own command: a failed or absent copy "
        "fails nothing else (the geography loads without it)",
    )
    loaded_by: str | None = Field(default=None, description="The command that loads it")
    note: str | None = None

    @field_validator("name")
    @classmethod
    def _relative_name(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"source name must be a relative path inside the data dir: {value}")
        return value

    @property
    def expected_size(self) -> int | None:
        """Size the download must have, or None when it may legitimately differ."""
        return self.size if self.pinned else None


class Manifest(BaseModel):
    """Publishers and sources, checked for consistency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    publishers: dict[str, Publisher]
    sources: tuple[Source, ...]
    layers: tuple[Source, ...] = Field(
        default=(),
        description="Optional reference layers (QPV contours): never part of a default "
        "fetch, fetched when named (--only qpv), loaded by their own commands",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        names = [s.name for s in (*self.sources, *self.layers)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate source names: {duplicates}")
        unknown = sorted(
            {s.publisher for s in (*self.sources, *self.layers)} - self.publishers.keys()
        )
        if unknown:
            raise ValueError(f"sources name unknown publishers: {unknown}")
        return self

    def url(self, source: Source, base_url: str | None = None) -> str:
        """Where to download ``source``.

        ``base_url`` replaces every publisher with one mirror laid out as
        ``<base_url>/<publisher>/<path>`` (an internal mirror, or a test server).
        """
        if base_url:
            return f"{base_url.rstrip('/')}/{source.publisher}/{source.path}"
        return f"{self.publishers[source.publisher].base_url.rstrip('/')}/{source.path}"

    def select(self, patterns: Iterable[str] | None) -> tuple[Source, ...]:
        """Sources matching any pattern: a name, a folder (``cog``) or a glob (``communes/7*``).

        A pattern without a folder also matches file names alone (``75-*``). Optional
        layers (``qpv/...``) are chosen only by a pattern: without one, the files that
        ``cesp geo load`` needs, and nothing else, so that a deployment that does not use
        a layer never fails a fetch for it.

        Examples
        --------
        >>> [s.name for s in load_manifest().select(["communes/75-*"])]
        ['communes/75-paris.geojson']
        """
        wanted = [p.strip().strip("/") for p in patterns or () if p.strip()]
        if not wanted:
            return self.sources

        def matches(source: Source, pattern: str) -> bool:
            return (
                fnmatch.fnmatchcase(source.name, pattern)
                or source.name.startswith(pattern + "/")
                or fnmatch.fnmatchcase(PurePosixPath(source.name).name, pattern)
            )

        every = (*self.sources, *self.layers)
        unmatched = [p for p in wanted if not any(matches(s, p) for s in every)]
        if unmatched:
            raise InvalidInputError(
                f"No reference file matches {', '.join(unmatched)}: use a name such as "
                "cog/communes.csv, a folder (cog, communes) or a glob (communes/75-*)",
                message_fr=f"Aucun fichier de référence ne correspond à : {', '.join(unmatched)} "
                "(exemples : cog/communes.csv, cog, communes/75-*)",
                field="only",
            )
        return tuple(s for s in every if any(matches(s, p) for p in wanted))


@cache
def load_manifest() -> Manifest:
    """The manifest shipped with the package, validated."""
    text = resources.files("cesp.geo").joinpath(MANIFEST_FILE).read_text(encoding="utf-8")
    try:
        return Manifest.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise ReferenceDataError(
            f"The reference-file manifest {MANIFEST_FILE} is invalid: {exc}",
            message_fr=f"Le manifeste des fichiers de référence est invalide : {exc}",
        ) from exc
