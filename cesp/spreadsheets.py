"""CSV and XLSX files of rows described by a ``FieldSchema``, for a French office.

Two CSV dialects, because no single one serves both readers:

- ``datagouv`` (default): UTF-8 without BOM, ``,`` between fields, a decimal point,
  ISO dates and ``true``/``false``, as data.gouv.fr asks of open data and as QGIS,
  GDAL, pandas and R read without options. A ``.csvt`` beside the file (``name.csvt``,
  one line of GDAL type names) tells QGIS's delimited-text import and GDAL's CSV driver
  that ``01001`` is text, not the number 1001, and which columns are dates.
- ``excel-fr``: what a French Excel or LibreOffice opens with a double click: ``;``,
  decimal comma, dates ``jj/mm/aaaa``, ``oui``/``non``, UTF-8 with a BOM (without it
  Excel reads the text as Windows-1252). ``cesp check-bulk`` and the imports read this
  dialect back (``cesp.conventions``).

A CSV cell has no type, so a text cell starting as a formula gets the formula guard
(``cesp.zones.cells.safe_cell``). An XLSX cell has one: text is written as a string
cell, which no spreadsheet runs, so the text shows as it is (no apostrophe); numbers,
dates (shown ``jj/mm/aaaa``) and booleans are typed cells. The header is frozen, has an
auto-filter and columns fit their content; a second sheet ``champs`` describes the
fields.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cesp.errors import InvalidInputError
from cesp.field_schema import FieldSchema, Kind
from cesp.output_paths import output_file
from cesp.text import strip_control_characters
from cesp.zones.cells import safe_cell

FRENCH_DATE_FORMAT = "DD/MM/YYYY"
SPREADSHEET_EXTENSIONS = (".csv", ".xlsx")
MAX_WIDTH = 60
TYPE_LABELS_FR = {
    Kind.TEXT: "texte",
    Kind.INTEGER: "entier",
    Kind.REAL: "nombre décimal",
    Kind.DATE: "date",
    Kind.BOOLEAN: "booléen (oui/non)",
}


class Dialect(StrEnum):
    """How a CSV is written: see the module docstring."""

    DATAGOUV = "datagouv"
    EXCEL_FR = "excel-fr"


def parse_dialect(value: str | None, field: str = "dialect") -> Dialect:
    """A dialect by name (``None``: ``datagouv``), or an error naming both."""
    if value is None:
        return Dialect.DATAGOUV
    try:
        return Dialect(value.strip().lower())
    except ValueError:
        accepted = ", ".join(d.value for d in Dialect)
        raise InvalidInputError(
            f"{field}={value!r} is not a CSV dialect: use {accepted} (datagouv: ',' and a "
            "decimal point, for QGIS and open data; excel-fr: ';' and a decimal comma, for "
            "a French spreadsheet)",
            message_fr=(
                f"{field} : dialecte « {value} » inconnu ; valeurs possibles : {accepted} "
                "(datagouv : « , » et point décimal, pour QGIS et data.gouv.fr ; excel-fr : "
                "« ; » et virgule décimale, pour un tableur en français)."
            ),
            field=field,
        ) from None


def _csv_cell(value: Any, kind: Kind, dialect: Dialect) -> Any:
    french = dialect is Dialect.EXCEL_FR
    if value is None:
        return ""
    if kind is Kind.BOOLEAN:
        return ("oui" if value else "non") if french else ("true" if value else "false")
    if kind is Kind.DATE and isinstance(value, date):
        return value.strftime("%d/%m/%Y") if french else value.isoformat()
    if kind is Kind.REAL and isinstance(value, int | float):
        text = repr(float(value))
        return text.replace(".", ",") if french else text
    if kind is Kind.INTEGER and isinstance(value, int | float):
        return str(int(value))
    return safe_cell(str(value))


def csv_bytes(
    schema: FieldSchema, rows: Iterable[Mapping[str, Any]], dialect: Dialect = Dialect.DATAGOUV
) -> bytes:
    """The rows as CSV in ``dialect``, with the field names as header."""
    french = dialect is Dialect.EXCEL_FR
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow(schema.names)
    for row in rows:
        record = schema.record(row)
        writer.writerow(_csv_cell(record[f.name], f.kind, dialect) for f in schema)
    text = buffer.getvalue()
    return ("\ufeff" + text if french else text).encode("utf-8")


def csv_with_types(schema: FieldSchema, rows: Iterable[Mapping[str, Any]], stem: str) -> bytes:
    """A zip of ``stem.csv`` (datagouv dialect) and ``stem.csvt``: one download that QGIS's
    delimited-text import reads typed once unzipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", csv_bytes(schema, rows))
        archive.writestr(f"{stem}.csvt", schema.csvt())
    return buffer.getvalue()


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind is Kind.BOOLEAN:
        return bool(value)
    if kind is Kind.DATE and isinstance(value, datetime):
        return value.date()
    if kind is Kind.REAL and isinstance(value, int | float):
        return float(value)
    if kind in (Kind.DATE, Kind.INTEGER, Kind.REAL) and not isinstance(value, str):
        return value
    return strip_control_characters(str(value))


def _shown(value: Any) -> int:
    if isinstance(value, date):
        return 10
    return len(str(value)) if value is not None else 0


def xlsx_bytes(schema: FieldSchema, rows: Iterable[Mapping[str, Any]], title: str) -> bytes:
    """The rows as an XLSX workbook: sheet ``title`` (typed cells, frozen header,
    auto-filter, fitted widths) and sheet ``champs`` (the fields described)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(schema.names)
    widths = [len(name) for name in schema.names]
    count = 0
    for count, row in enumerate(rows, start=1):
        record = schema.record(row)
        for column, field in enumerate(schema, start=1):
            value = _xlsx_value(record[field.name], field.kind)
            cell = sheet.cell(count + 1, column, value)
            if isinstance(value, str):
                # openpyxl makes a formula of any text starting with "=": force a string.
                cell.data_type = "s"
            elif field.kind is Kind.DATE and value is not None:
                cell.number_format = FRENCH_DATE_FORMAT
            widths[column - 1] = max(widths[column - 1], _shown(value))
    bold = Font(bold=True)
    for column, width in enumerate(widths, start=1):
        sheet.cell(1, column).font = bold
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(schema.fields))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    _describe(book.create_sheet("champs"), schema)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _describe(sheet: Any, schema: FieldSchema) -> None:
    """The data dictionary: one row per field (name, type, meaning)."""
    from openpyxl.styles import Font

    sheet.append(["champ", "type", "description"])
    for field in schema:
        sheet.append([field.name, TYPE_LABELS_FR[field.kind], field.description_fr])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 14), ("B", 20), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def write_file(
    path: Path,
    schema: FieldSchema,
    rows: Iterable[Mapping[str, Any]],
    title: str,
    dialect: Dialect = Dialect.DATAGOUV,
) -> list[Path]:
    """Write ``path.xlsx``, or ``path.csv`` in ``dialect`` with, in the datagouv dialect,
    its ``path.csvt`` beside it (QGIS reads it); returns the files written."""
    suffix = output_file(path, SPREADSHEET_EXTENSIONS)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        path.write_bytes(xlsx_bytes(schema, rows, title))
        return [path]
    path.write_bytes(csv_bytes(schema, rows, dialect))
    if dialect is Dialect.EXCEL_FR:
        return [path]
    types = path.with_suffix(".csvt")
    types.write_text(schema.csvt(), encoding="utf-8", newline="")
    return [path, types]
