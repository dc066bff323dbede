"""Spreadsheet answers: one place for the formats, media types and file names.

``format=csv`` is the CSV in ``dialect`` (``datagouv`` by default, ``excel-fr`` for a
French spreadsheet); ``csvt`` is the one-line types file QGIS reads beside a CSV of the
same name (download both, keep the names); ``zip`` is the CSV and its ``.csvt``
together; ``xlsx`` a typed workbook (``cesp.spreadsheets``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from cesp.field_schema import FieldSchema
from cesp.spreadsheets import Dialect, csv_bytes, csv_with_types, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableFormat(StrEnum):
    """Spreadsheet formats of a download."""

    csv = "csv"
    csvt = "csvt"
    zip = "zip"
    xlsx = "xlsx"


DialectParam = Annotated[
    Dialect,
    Query(
        description=(
            "CSV dialect: datagouv (',' and a decimal point, UTF-8: QGIS, data.gouv.fr) or "
            "excel-fr (';', decimal comma, jj/mm/aaaa, UTF-8 with BOM: a French spreadsheet)"
        )
    ),
]


def table_response(
    schema: FieldSchema,
    rows: Sequence[Mapping[str, Any]],
    stem: str,
    fmt: TableFormat,
    dialect: Dialect = Dialect.DATAGOUV,
    title: str = "",
) -> Response:
    """The rows as a download named ``stem.<ext>``."""
    body: bytes
    if fmt is TableFormat.xlsx:
        body, media, ext = xlsx_bytes(schema, rows, title or schema.kind), XLSX, "xlsx"
    elif fmt is TableFormat.csvt:
        body, media, ext = schema.csvt().encode(), "text/plain; charset=utf-8", "csvt"
    elif fmt is TableFormat.zip:
        body, media, ext = csv_with_types(schema, rows, stem), "application/zip", "zip"
    else:
        body, media, ext = csv_bytes(schema, rows, dialect), "text/csv; charset=utf-8", "csv"
    disposition = f'attachment; filename="{stem}.{ext}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
