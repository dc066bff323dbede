"""The national list as a spreadsheet: CSV, XLSX, XLS or ODS with French column headers.

Import reads a file an ARS officer fills in (French headers, or the export's field
names, so an exported list reads back); export writes what the CNG publishes, with the
fields of ``POST_LIST_FIELDS`` (the names of the OGC ``posts`` layer) and where each
site stands on the export date. Headers are matched without regard to case or accents
("code insee" = "Code INSEE"). ``cesp.spreadsheets`` writes the files.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cesp.errors import InvalidInputError
from cesp.field_schema import POST_LIST_FIELDS
from cesp.posts.model import Post
from cesp.posts.qualification import Qualification
from cesp.posts.records import post_record
from cesp.spreadsheets import Dialect, csv_bytes, xlsx_bytes
from cesp.tabular import read_table

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
# The export's field names (``POST_FIELDS``) read back as the import's columns.
EXPORT_NAMES = {
    "reference": "reference",
    "type_poste": "kind",
    "insee_reg": "region",
    "profession": "profession",
    "specialite": "specialty",
    "mode": "mode",
    "structure": "structure",
    "adresse": "address",
    "insee_com": "commune_code",
    "lon": "lon",
    "lat": "lat",
    "places": "places",
}


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(c for c in text if c.isalnum())


KEYS = {_key(label): name for name, label in IMPORT_HEADERS.items()} | {
    _key(column): name for column, name in EXPORT_NAMES.items()
}


def _is_header(cells: list[str]) -> bool:
    """A header row names at least half of the import columns (a title block is not)."""
    return sum(1 for c in cells if _key(c) in KEYS) * 2 >= len(IMPORT_HEADERS)


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


def list_record(post: Post, q: Qualification) -> dict[str, Any]:
    """A post of the list with where its site stands (``POST_LIST_FIELDS``)."""
    return {
        **post_record(post),
        "situation": q.label_fr,
        "hors_zone": q.out_of_zone_since,
        "auteur": post.proposed_by,
        "propose_le": post.proposed_at.date(),
    }


def list_csv(
    items: Sequence[tuple[Post, Qualification]], dialect: Dialect = Dialect.DATAGOUV
) -> bytes:
    """The list as CSV in ``dialect`` (``cesp.spreadsheets``), ``POST_LIST_FIELDS`` names."""
    return csv_bytes(POST_LIST_FIELDS, [list_record(p, q) for p, q in items], dialect)


def list_xlsx(items: Sequence[tuple[Post, Qualification]]) -> bytes:
    """An XLSX workbook: sheet ``liste nationale`` (typed cells) and sheet ``champs``."""
    return xlsx_bytes(POST_LIST_FIELDS, [list_record(p, q) for p, q in items], "liste nationale")
