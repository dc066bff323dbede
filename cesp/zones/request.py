"""What an ARS officer says about the decree they import, and its checks before any
file is read (``cesp.zones.importer`` takes it from there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from cesp.errors import InvalidInputError
from cesp.geo.tables import regions
from cesp.text import refuse_control_characters
from cesp.zones.professions import parse_profession
from cesp.zones.readers import ReadOptions


@dataclass(frozen=True)
class DecreeRequest:
    """What an ARS officer says about the decree they import."""

    region: str
    reference: str
    signed: date
    effective_from: date
    profession: str
    effective_to: date | None = None
    title: str | None = None
    category: str | None = None
    publish: bool = False
    dry_run: bool = False
    complementary: bool = False
    keep_complementary: bool = False
    read: ReadOptions = field(default_factory=ReadOptions)


def check_request(conn: sa.Connection, request: DecreeRequest) -> None:
    """Refuse a request whose own fields are wrong, before any file is read: control
    characters, profession, region, reference, dates."""
    texts = {"reference": request.reference, "title": request.title, "category": request.category}
    for name, value in {**texts, **vars(request.read)}.items():
        if isinstance(value, str):
            refuse_control_characters(value, name)
    parse_profession(request.profession, request.effective_from)
    if not conn.execute(sa.select(regions.c.code).where(regions.c.code == request.region)).first():
        raise InvalidInputError(
            f"region={request.region!r} is not a region code of the COG (e.g. 11 for "
            "Île-de-France, 84 for Auvergne-Rhône-Alpes)",
            message_fr=f"Code de région inconnu : {request.region}",
            field="region",
        )
    reference = request.reference.strip()
    if not reference or len(reference) > 60:
        raise InvalidInputError(
            "reference must be 1 to 60 characters (the decree number, e.g. 12-209)",
            message_fr="Référence de l'arrêté manquante ou trop longue (ex. 12-209).",
            field="reference",
        )
    if request.effective_to is not None and request.effective_to < request.effective_from:
        raise InvalidInputError(
            f"effective_to ({request.effective_to}) is before effective_from "
            f"({request.effective_from})",
            message_fr="La date de fin précède la date d'effet.",
            field="effective_to",
        )
    if request.effective_from < request.signed:
        raise InvalidInputError(
            f"effective_from ({request.effective_from}) is before the signature "
            f"({request.signed}): a decree takes effect on or after its signature",
            message_fr="La date d'effet précède la date de signature.",
            field="effective_from",
        )
