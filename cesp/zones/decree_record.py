"""A decree as the engine reads it: the record of one arrêté, without the database.

Kept apart from ``cesp.zones.decrees`` (which reads and writes decree rows through the
typed tables, and so imports SQLAlchemy's table machinery and GeoAlchemy2): a stored
zoning index carries its decrees as these records, and a process that only maps a
stored index (``cesp check-bulk``) need not import the tables to rebuild them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

STATUSES = ("draft", "published", "superseded")
IN_FORCE_STATUSES = ("published", "superseded")
STATUS_FR = {"draft": "projet", "published": "publié", "superseded": "remplacé"}


@dataclass(frozen=True)
class Decree:
    """An ARS zoning decree (arrêté)."""

    id: int
    region_code: str
    reference: str
    title: str
    signed: date
    effective_from: date
    effective_to: date | None
    profession: str
    zoning_method: str
    source_filename: str
    source_sha256: str
    source_format: str
    imported_by: str
    imported_at: datetime
    status: str
    published_at: datetime | None
    superseded_by: int | None
    notes: str | None
    complements: int | None = None

    @property
    def complementary(self) -> bool:
        """True for a decree that amends a principal decree instead of replacing it."""
        return self.complements is not None

    def in_force_on(self, on: date) -> bool:
        """Whether the decree applies on ``on`` (published or superseded, within dates)."""
        return (
            self.status in IN_FORCE_STATUSES
            and self.effective_from <= on
            and (self.effective_to is None or on <= self.effective_to)
        )
