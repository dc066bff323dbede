"""Import a zoning decree: the path of a decree, in one place.

file -> reader (format, layout, CRS, encoding) -> expansion (QPV to their contours) ->
validation (geometry, region, codes at the effective date) -> preview (diff with the
decree in force; a complementary decree with the principal it amends) -> one transaction
(decree, zones, covered communes; publication if asked).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.errors import InvalidInputError, Problem, ValidationFailedError
from cesp.storage.engine import write_transaction
from cesp.storage.schema import require_current
from cesp.text import CONTROL_CHARACTERS
from cesp.zones.building import BuildResult, DraftZone, build_zones
from cesp.zones.categories import ZoneCategory, category_mapping, load_categories
from cesp.zones.decrees import (
    Decree,
    decrees_in_force,
    find_decree,
    insert_decree,
    principal_in_force,
)
from cesp.zones.diff import CommuneChange, ZoningDiff, decree_communes, diff_communes
from cesp.zones.professions import parse_profession, zoning_method
from cesp.zones.publication import publish_decree
from cesp.zones.qpv_zones import build_qpv_zones
from cesp.zones.readers import SourceTable, read_source
from cesp.zones.request import DecreeRequest, check_request


@dataclass(frozen=True)
class ZoneSummary:
    """One zone of the preview."""

    name: str
    category: str
    communes: int
    population: int | None
    approximate: bool
    approximate_reason: str | None
    priority: int = 0


@dataclass
class ImportReport:
    """Outcome of an import or of its dry run."""

    status: str  # "preview", "imported", "published" or "unchanged"
    source_format: str | None
    crs: str | None
    encoding: str | None
    notes: list[str]
    zones: list[ZoneSummary]
    compared_with: Decree | None
    diff: ZoningDiff | None
    decree: Decree | None = None
    superseded: list[Decree] = field(default_factory=list)
    draft_zones: list[DraftZone] = field(default_factory=list, repr=False)
    qualifying_categories: frozenset[str] = frozenset()
    rows_kept: int = 0
    skipped_by_category: dict[str, int] = field(default_factory=dict)
    skipped_by_region: int = 0
    qpv_zones: int = 0
    sheet: str | None = None
    complements: Decree | None = None
    in_force_with: list[Decree] = field(default_factory=list)

    def rows_summary_fr(self) -> str:
        """What the dry run reports about rows: kept, skipped by category, by region, and
        the QPV zones."""
        by_category = ", ".join(
            f"{label} {n}" for label, n in sorted(self.skipped_by_category.items())
        )
        return (
            f"lignes retenues : {self.rows_kept} ; ignorées par catégorie : "
            f"{by_category or 'aucune'} ; ignorées (autres régions) : {self.skipped_by_region}"
            + (f" ; zones de QPV : {self.qpv_zones}" if self.qpv_zones else "")
        )

    @property
    def communes(self) -> int:
        """Communes covered by the zones."""
        return sum(z.communes for z in self.zones)

    @property
    def population(self) -> int:
        """Population of the zones."""
        return sum(z.population or 0 for z in self.zones)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse_control_characters(table: SourceTable) -> None:
    """Every text read from the file, checked (``cesp.text``), each problem at its row."""
    problems = []
    for row in table.rows:
        for name in ("name", "category", "code", "approximate_reason"):
            value = getattr(row, name)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                problems.append(
                    Problem(
                        row.row,
                        f"{name} holds a control character: remove it",
                        f"{name} : caractère de contrôle invisible à supprimer",
                        name,
                    )
                )
    if problems:
        raise ValidationFailedError(problems)


def _existing(conn: sa.Connection, request: DecreeRequest, sha256: str) -> Decree | None:
    """The same decree from the same file (a no-op), or an error for a different file."""
    for decree in find_decree(conn, request.region, request.reference.strip(), request.profession):
        if decree.source_sha256 == sha256:
            return decree
        raise InvalidInputError(
            f"decree {decree.reference} of region {decree.region_code} was already imported "
            f"(id {decree.id}) from another file; decrees are never edited: import the "
            "amending decree under its own reference",
            message_fr=(
                f"L'arrêté {decree.reference} a déjà été importé depuis un autre fichier ; "
                "importez l'arrêté modificatif sous sa propre référence."
            ),
            field="reference",
        )
    return None


def _summaries(zones: list[DraftZone]) -> list[ZoneSummary]:
    return [
        ZoneSummary(
            z.name,
            z.category,
            len(z.communes),
            z.population,
            z.approximate,
            "; ".join(z.approximate_reasons) or None,
            z.priority,
        )
        for z in zones
    ]


def _no_zone(built: BuildResult, region: str) -> Problem:
    """Why a file gave no zone: every row skipped (other regions, no-zone categories)."""
    skipped = sum(built.skipped_by_category.values())
    if built.skipped_by_region or skipped:
        return Problem(
            None,
            f"no zone for region {region} in the file: {built.skipped_by_region} row(s) of "
            f"other regions and {skipped} row(s) of categories that are no zone were skipped",
            f"aucune zone pour la région {region} dans le fichier : "
            f"{built.skipped_by_region} ligne(s) d'autres régions et {skipped} ligne(s) "
            "hors zonage ignorées",
        )
    return Problem(None, "no zone in the file", "aucune zone dans le fichier")


def _add_qpv_zones(
    conn: sa.Connection,
    table: SourceTable,
    request: DecreeRequest,
    built: BuildResult,
    categories: list[ZoneCategory],
) -> None:
    """The QPV rows of the file as overriding zones (``cesp.zones.qpv_zones``)."""
    qpv = build_qpv_zones(
        conn,
        table,
        request.region,
        request.effective_from,
        categories,
        category_mapping(request.read.category_map),
    )
    built.zones += qpv.zones
    built.problems += qpv.problems
    built.notes += qpv.notes
    for label, count in qpv.skipped_by_category.items():
        built.skipped_by_category[label] = built.skipped_by_category.get(label, 0) + count
    built.skipped_by_region += qpv.skipped_by_region
    built.qpv_zones = len(qpv.zones)
    built.rows_kept += len(qpv.zones)


def _no_principal(request: DecreeRequest) -> InvalidInputError:
    return InvalidInputError(
        f"no principal decree of region {request.region} for {request.profession} is in "
        f"force on {request.effective_from}: a complementary decree amends one; import and "
        "publish the principal decree first, or import this one without complementary",
        message_fr=(
            f"Aucun arrêté principal de la région {request.region} en vigueur le "
            f"{request.effective_from:%d/%m/%Y} pour cette profession : un arrêté "
            "complémentaire en modifie un. Publiez d'abord l'arrêté principal, ou importez "
            "celui-ci sans l'option complémentaire."
        ),
        field="complementary",
    )


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def import_decree(
    engine: sa.Engine,
    path: Path,
    request: DecreeRequest,
    *,
    actor: Actor | str,
    original_name: str | None = None,
    progress: Callable[[str, int, int], None] = _no_progress,
) -> ImportReport:
    """Import (or, with ``dry_run``, preview) a decree file. All or nothing.

    Raises
    ------
    InvalidInputError
        A request field or the file is wrong; ``field`` says which.
    ValidationFailedError
        Rows of the file are wrong; every problem is listed with its row.
    """
    require_current(engine)
    if isinstance(actor, str):
        actor = Actor(actor, "admin")
    sha256 = file_sha256(path)
    filename = original_name or path.name
    with engine.connect() as conn:
        check_request(conn, request)
        profession = parse_profession(request.profession)
        existing = _existing(conn, request, sha256)
        if existing is not None:
            return ImportReport(
                "unchanged",
                existing.source_format,
                None,
                None,
                [f"fichier déjà importé (arrêté enregistré n° {existing.id}) : rien à faire"],
                [],
                None,
                None,
                existing,
            )
        progress("read", 0, 1)
        table = read_source(path, request.read, filename)
        _refuse_control_characters(table)
        progress("read", 1, 1)
        method = zoning_method(profession, request.signed)
        categories = load_categories(conn, profession.value, method)
        if not categories:
            raise InvalidInputError(
                f"no zone category is defined for {profession.value} ({method})",
                message_fr="Aucune catégorie de zone définie pour cette profession.",
                field="profession",
            )
        built = build_zones(
            conn,
            table,
            request.region,
            request.signed,
            categories,
            request.category,
            effective_from=request.effective_from,
            mapping=category_mapping(request.read.category_map),
        )
        if table.by_codes:
            _add_qpv_zones(conn, table, request, built, categories)
        progress("validate", len(built.zones), len(built.zones))
        if built.problems:
            raise ValidationFailedError(built.problems)
        if not built.zones:
            raise ValidationFailedError([_no_zone(built, request.region)])
        compared = principal_in_force(
            conn, request.effective_from, profession.value, request.region
        )
        if request.complementary and compared is None:
            raise _no_principal(request)
        in_force = decrees_in_force(conn, request.effective_from, profession.value, request.region)
        attached = [d for d in in_force if compared and d.complements == compared.id]
        after = {
            c.code: CommuneChange(c.code, c.name, c.population)
            for z in built.zones
            for c in z.communes
        }
        before = decree_communes(conn, compared.id) if compared else {}
        for other in attached:
            before = {**before, **decree_communes(conn, other.id)}
        if request.complementary:
            after = {**before, **after}  # it adds to the decrees it stays in force with
        diff = diff_communes(before, after)
    report = ImportReport(
        "preview",
        table.format,
        table.crs,
        table.encoding,
        built.notes,
        _summaries(built.zones),
        compared,
        diff,
        draft_zones=built.zones,
        qualifying_categories=frozenset(c.code for c in categories if c.qualifies_for_cesp),
        rows_kept=built.rows_kept,
        skipped_by_category=built.skipped_by_category,
        skipped_by_region=built.skipped_by_region,
        qpv_zones=built.qpv_zones,
        complements=compared if request.complementary else None,
        in_force_with=attached,
    )
    if request.dry_run:
        return report
    fields = {
        "region_code": request.region,
        "reference": request.reference.strip(),
        "title": request.title or f"Arrêté n°{request.reference.strip()}",
        "signed": request.signed,
        "effective_from": request.effective_from,
        "effective_to": request.effective_to,
        "profession": profession.value,
        "zoning_method": method,
        "source_filename": filename,
        "source_sha256": sha256,
        "source_format": table.format,
        "imported_by": actor.name,
        "notes": "\n".join(built.notes) or None,
        "complements": compared.id if request.complementary and compared else None,
    }
    with write_transaction(engine) as conn:
        if _existing(conn, request, sha256) is not None:
            report.status = "unchanged"
            return report
        decree = insert_decree(conn, fields, built.zones, progress)
        record(
            conn,
            actor,
            "decree.import",
            "decree",
            decree.id,
            f"decree {decree.reference} ({decree.profession}, region {decree.region_code}) "
            f"from {filename}: {len(built.zones)} zones, {report.communes} communes",
            region=decree.region_code,
            file_sha256=sha256,
        )
        report.status = "imported"
        if request.publish:
            decree, report.superseded = publish_decree(
                conn, decree.id, actor, keep_complementary=request.keep_complementary
            )
            report.status = "published"
        report.decree = decree
    return report
