"""The national list as a spreadsheet: CSV, XLSX, XLS or ODS with French column headers.

Import reads a file an ARS officer fills in; export writes what the CNG publishes, with
where each site stands on the export date. Headers are matched without regard to case
or accents ("code insee" = "Code INSEE"). Exported text cells are neutralised against
spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cesp.errors import InvalidInputError
from cesp.posts.model import MODE_LABELS_FR, Post, PracticeMode
from cesp.posts.qualification import Qualification
from cesp.tabular import read_table
from cesp.zones.cells import safe_cell

IMPORT_HEADERS = {
    "reference": "Référence",
    "kind": "Type de poste",
    "region": "Région",
    "profession": "Profession",
    "specialty": "Spécialité",
    "mode": "Mode d'exercice",
    "structure": "Structure",
    "address": "Adresse",
    "commune_code": "Code INSEE",
    "lon": "Longitude",
    "lat": "Latitude",
    "places": "Places",
}
OPTIONAL = {"region"}
EXPORT_HEADERS = [
    "Identifiant",
    "Campagne",
    *IMPORT_HEADERS.values(),
    "Département",
    "Commune",
    "Places restantes",
    "Statut",
    "Éligibilité",
    "Hors zone depuis",
    "Proposé par",
    "Proposé le",
    "Données d'exemple",
]
STATUS_FR = {"open": "ouvert", "filled": "pourvu", "withdrawn": "retiré"}


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(c for c in text if c.isalnum())


KEYS = {_key(label): name for name, label in IMPORT_HEADERS.items()}


def _is_header(cells: list[str]) -> bool:
    """A header row names at least half of the import columns (a title block is not)."""
    return sum(1 for c in cells if _key(c) in KEYS) * 2 >= len(KEYS)


def read_list(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows of the list (any table ``cesp.tabular`` reads), keyed by field, with their line
    numbers; a missing required column refuses the whole file."""
    table = read_table(path, header_hint=_is_header)
    fields = {column: KEYS.get(_key(column)) for column in table.columns}
    missing = [
        IMPORT_HEADERS[name]
        for name in IMPORT_HEADERS
        if name not in fields.values() and name not in OPTIONAL
    ]
    if missing:
        raise InvalidInputError(
            f"missing columns: {', '.join(missing)}",
            message_fr=f"Colonnes manquantes : {', '.join(missing)}. Colonnes attendues : "
            f"{', '.join(IMPORT_HEADERS.values())}.",
            field="file",
        )
    return [
        (line, {field: value for column, value in raw.items() if (field := fields.get(column))})
        for line, raw in table.rows
    ]


def _export_row(post: Post, q: Qualification) -> list[Any]:
    return [
        post.id,
        post.campaign,
        post.reference,
        post.kind,
        post.region,
        post.profession,
        post.specialty,
        MODE_LABELS_FR[PracticeMode(post.mode)],
        post.structure,
        post.address,
        post.commune_code,
        post.lon,
        post.lat,
        post.places,
        post.departement,
        post.commune_name,
        post.places_left,
        STATUS_FR[post.status],
        q.label_fr,
        q.out_of_zone_since.isoformat() if q.out_of_zone_since else "",
        post.proposed_by,
        post.proposed_at.date().isoformat(),
        "oui (exemple)" if post.sample else "non",
    ]


def list_csv(items: Sequence[tuple[Post, Qualification]]) -> bytes:
    """``;``-separated UTF-8 CSV with a BOM, as French spreadsheets open it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    writer.writerows([safe_cell(v) for v in _export_row(p, q)] for p, q in items)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def list_xlsx(items: Sequence[tuple[Post, Qualification]]) -> bytes:
    """An XLSX workbook with one sheet ``liste nationale``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "liste nationale"
    sheet.append(EXPORT_HEADERS)
    for post, q in items:
        sheet.append([safe_cell(v) for v in _export_row(post, q)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
