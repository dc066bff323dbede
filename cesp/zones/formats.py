"""What a zoning file is, told from its bytes rather than only its name, and the
encoding of a shapefile's ``.dbf`` when no ``.cpg`` says it (``cesp.zones.readers``)."""

from __future__ import annotations

from pathlib import Path

from cesp.errors import InvalidInputError
from cesp.tabular import refuse_pdf, table_format, zip_table_format


def _refuse(message: str, message_fr: str) -> InvalidInputError:
    return InvalidInputError(message, message_fr=message_fr, field="file")


def sniff_format(path: Path, original_name: str | None = None) -> str:
    """``shapefile-zip``, ``xlsx``, ``gpkg``, ``geojson``, ``shapefile`` or ``csv``."""
    name = (original_name or path.name).lower()
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise _refuse("the file is empty", "Le fichier est vide.")
    kind = table_format(head)
    if kind == "pdf":
        raise refuse_pdf()
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(path):
                pass
        except zipfile.BadZipFile as exc:
            raise _refuse("the zip archive is damaged", "L'archive zip est endommagée.") from exc
        return zip_table_format(path) or "shapefile-zip"
    if kind == "xls":
        return "xls"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if name.endswith(".shp"):
        return "shapefile"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "geojson"
    if kind is None:
        raise _refuse(
            "unrecognised file format: expected a zipped shapefile, GeoJSON, GeoPackage, "
            "CSV, XLSX, XLS or ODS",
            "Format non reconnu : shapefile zippé, GeoJSON, GeoPackage, CSV, XLSX, XLS ou ODS "
            "attendu.",
        )
    return "csv"


def detect_dbf_encoding(dbf: Path) -> str:
    """UTF-8 if the records decode as UTF-8, else Windows-1252 (what Windows GIS write)."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return "UTF-8"
    header_length = int.from_bytes(data[8:10], "little")
    records = data[header_length:]
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        return "CP1252"
    return "UTF-8"
