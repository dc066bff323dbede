"""The national list as a spreadsheet: CSV or XLSX with French column headers.

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


def _rows_of_table(header: list[str], body: list[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Map headers to fields; a missing required column refuses the whole file."""
    fields = [KEYS.get(_key(str(h or ""))) for h in header]
    missing = [
        IMPORT_HEADERS[name]
        for name in IMPORT_HEADERS
        if name not in fields and name not in OPTIONAL
    ]
    if missing:
        raise InvalidInputError(
            f"missing columns: {', '.join(missing)}",
            message_fr=f"Colonnes manquantes : {', '.join(missing)}. Colonnes attendues : "
            f"{', '.join(IMPORT_HEADERS.values())}.",
            field="file",
        )
    rows = []
    for line, values in enumerate(body, start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        raw = {f: v for f, v in zip(fields, values, strict=False) if f is not None}
        rows.append((line, raw))
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInputError(
        "the file is neither UTF-8 nor Windows-1252 text",
        message_fr="Encodage du fichier non reconnu (UTF-8 ou Windows-1252 attendu).",
        field="file",
    )


def read_list(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV (``;`` or ``,``) or XLSX list, with their line numbers."""
    data = path.read_bytes()
    if not data.strip():
        raise InvalidInputError(
            "the file is empty", message_fr="Le fichier est vide.", field="file"
        )
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many types on damaged files
            raise InvalidInputError(
                f"not a readable XLSX workbook: {error}",
                message_fr="Classeur XLSX illisible.",
                field="file",
            ) from error
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        return _rows_of_table([str(h or "") for h in table[0]], table[1:])
    if b"\x00" in data:
        raise InvalidInputError(
            "binary content: give a CSV or XLSX file",
            message_fr="Contenu binaire : fichier CSV ou XLSX attendu.",
            field="file",
        )
    text = _decode(data)
    first = text.splitlines()[0]
    delimiter = max(";,\t", key=first.count)
    table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return _rows_of_table(table[0], table[1:])


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
