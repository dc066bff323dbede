"""The files of a bulk check: the sites CSV read in slices, the answers CSV written.

Reading streams: ``open_sites`` yields the rows by slices of a few megabytes (pyarrow's
incremental CSV reader, every column as text) while the job checks the previous
slice, so that a million-row file never sits whole in memory and parsing overlaps the
checks. Files that are not plain UTF-8 CSV (a workbook, UTF-16, Windows-1252) go
through ``cesp.tabular`` whole: they are small by nature.

Writing neutralises the cells a spreadsheet would run as formulas (``safe_cell``).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cesp.conventions import plain_name
from cesp.errors import InvalidInputError
from cesp.field_schema import CSVT_TYPES, Kind
from cesp.spreadsheets import Dialect
from cesp.tabular import read_table, table_format
from cesp.zones.cells import NUMBER, safe_cell

# About 75,000 rows of id,lon,lat per slice: the arrays of a slice stay small (a
# million-row job peaks 80 MB lower than with 4 MB slices, for 10 % more CPU time).
BLOCK_BYTES = 1 << 21
SITE_COLUMNS = ("id", "lon", "lat", "date", "profession")
# The names spreadsheets and GIS exports give the coordinates, read as ``lon``/``lat``.
SYNONYMS = {"longitude": "lon", "latitude": "lat", "lng": "lon", "long": "lon"}
DELIMITERS = (",", ";", "\t")
FORMULA_START = r"^[=+\-@\t\r]"
ANSWER_COLUMNS = (
    "eligible",
    "status",
    "commune_code",
    "commune_name",
    "zone_names",
    "decree_references",
    "distance_m",
    "approximate",
    "error",
)


def plain_utf8(path: Path) -> bool:
    """True for UTF-8 text, read by the fast arrow path; anything else (a workbook,
    UTF-16, Windows-1252) goes through ``cesp.tabular``.

    The whole file is decoded (by blocks: 17-20 ms for a million rows, 25 MB), not its head:
    a Windows-1252 file whose first accent comes late is not UTF-8 either."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        if table_format(head) != "csv" or head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return False
        decoder = codecs.getincrementaldecoder("utf-8")()
        block = head
        try:
            while block:
                decoder.decode(block)
                block = handle.read(1 << 20)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def site_columns(names: list[str]) -> list[str]:
    """The header of a sites file, the columns the check reads named as it reads them
    (case, accents and spaces aside: ``Date``, `` Lon ``, ``PROFESSION``, and
    ``Longitude``/``Latitude`` for ``lon``/``lat``) and the others as written; refused
    when two columns would have one name (which one would count?).
    """
    plain = [SYNONYMS.get(p, p) for p in (plain_name(n) for n in names)]
    named = [p if p in SITE_COLUMNS else n for p, n in zip(plain, names, strict=True)]
    repeated = sorted({n for n in named if named.count(n) > 1})
    if repeated:
        listed = ", ".join(repeated)
        raise InvalidInputError(
            f"the header names the column(s) {listed} more than once: give each column "
            "its own name",
            message_fr=f"L'en-tête nomme plusieurs fois la ou les colonnes {listed} : "
            "donnez à chaque colonne un nom différent.",
            field="file",
        )
    return named


def _header(line: str) -> tuple[str, list[str]]:
    """The separator of a header line (the one that splits it into the most cells, quotes
    respected) and its cells."""
    best = max(DELIMITERS, key=lambda d: len(next(csv.reader([line], delimiter=d))))
    return best, next(csv.reader([line], delimiter=best))


def _unreadable(exc: Exception) -> InvalidInputError:
    return InvalidInputError(
        f"cannot read the CSV (UTF-8 text with columns id,lon,lat expected): {exc}",
        message_fr="CSV illisible : texte UTF-8 avec les colonnes id,lon,lat attendu.",
        field="file",
    )


def _text(raw: bytes) -> str:
    return raw.rstrip(b"\r\n").decode("utf-8", "replace")


class _BadRows:
    """Keeps the first row with a wrong number of cells (pyarrow knows its text, not its
    line), so that the refusal can show it and say on which line it is."""

    def __init__(self) -> None:
        self.first: tuple[str, int, int] | None = None

    def __call__(self, row: pacsv.InvalidRow) -> str:
        if self.first is None:
            self.first = (row.text, row.actual_columns, row.expected_columns)
        return "error"

    def refusal(self, path: Path, exc: Exception) -> InvalidInputError:
        if self.first is None:
            return _unreadable(exc)
        text, got, expected = self.first
        with path.open("rb") as lines:
            line = next((n for n, raw in enumerate(lines, start=1) if _text(raw) == text), None)
        where = f"line {line}" if line else "a line"
        where_fr = f"La ligne {line}" if line else "Une ligne"
        shown = text if len(text) <= 80 else text[:77] + "..."
        return InvalidInputError(
            f"{where} has {got} cells where the header has {expected}: {shown!r}; fix it, or "
            "put quotes around a text that holds the separator",
            message_fr=f"{where_fr} a {got} cellules au lieu de {expected} (« {shown} ») : "
            "corrigez-la, ou mettez entre guillemets un texte qui contient le séparateur.",
            field="file",
        )


def _require_columns(names: list[str]) -> None:
    missing = [c for c in ("id", "lon", "lat") if c not in names]
    if missing:
        raise InvalidInputError(
            f"the CSV lacks the column(s) {', '.join(missing)}: expected id,lon,lat "
            "[,date,profession]",
            message_fr=f"Colonnes manquantes : {', '.join(missing)} (attendu id,lon,lat).",
            field="file",
        )


def open_sites(path: Path, block_bytes: int = BLOCK_BYTES) -> Iterator[pa.Table]:
    """The sites table (CSV ``,`` or ``;``, or any table ``cesp.tabular`` reads) as text
    columns, by slices; the header is checked before the first slice is yielded."""
    with path.open("rb") as handle:
        head = handle.readline()
    if not head.strip():
        raise InvalidInputError("the CSV is empty", message_fr="Le CSV est vide.", field="file")
    if not plain_utf8(path):
        # Every row is a site: a first cell "Total ..." is an id here, not a total line.
        read = read_table(path, skip_totals=False)
        names = site_columns(read.columns)
        table = pa.table(
            {
                name: pa.array([row.get(column, "") for _, row in read.rows], pa.string())
                for name, column in zip(names, read.columns, strict=True)
            }
        )
        _require_columns(table.column_names)
        return iter([table])
    bad_rows = _BadRows()
    try:
        delimiter, cells = _header(head.decode("utf-8-sig").rstrip("\r\n"))
        names = site_columns(cells)
        reader = pacsv.open_csv(
            # A stream, not the name: pyarrow would pick a decompressor from the file's
            # extension (an upload named ``x.csv.gz`` holding plain text).
            pa.input_stream(str(path), compression=None),
            # The header as read above (quotes respected, names as the check reads them).
            read_options=pacsv.ReadOptions(
                encoding="utf8", block_size=block_bytes, column_names=names, skip_rows=1
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=bad_rows),
            # Every column as text: ids keep their leading zeros, blank cells stay blank.
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                auto_dict_encode=False,
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError, OSError) as exc:
        raise bad_rows.refusal(path, exc) from exc
    _require_columns(reader.schema.names)
    return _slices(reader, lambda exc: bad_rows.refusal(path, exc))


def _slices(
    reader: pacsv.CSVStreamingReader, refusal: Callable[[Exception], InvalidInputError]
) -> Iterator[pa.Table]:
    first = True
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            if first:  # a header and no rows: the answers still get their header
                yield reader.schema.empty_table()
            return
        except (pa.ArrowException, UnicodeDecodeError, ValueError, OSError) as exc:
            raise refusal(exc) from exc
        first = False
        yield pa.Table.from_batches([batch])


def read_sites(path: Path) -> pa.Table:
    """The whole sites table (``open_sites`` in one table)."""
    slices = list(open_sites(path))
    return pa.concat_tables(slices) if len(slices) > 1 else slices[0]


def neutralised(table: pa.Table) -> pa.Table:
    """Text cells that a spreadsheet would run as formulas get a leading quote.

    Output columns built from names (communes, zones, decrees) are neutralised where
    they are made; this checks the caller's own columns, vectorised: only the cells
    starting with a formula character are looked at one by one.
    """
    for name in table.column_names:
        if name in ANSWER_COLUMNS or not pa.types.is_string(table.schema.field(name).type):
            continue
        column = table[name]
        flagged = pc.fill_null(pc.match_substring_regex(column, FORMULA_START), False)
        if not pc.any(flagged).as_py():
            continue
        # Only the flagged cells (a negative longitude: a third of a column) are matched
        # against the number pattern.
        rows = np.flatnonzero(np.asarray(flagged.to_numpy(zero_copy_only=False), dtype=bool))
        number = pc.match_substring_regex(pc.take(column, pa.array(rows)), NUMBER.pattern)
        rows = rows[~np.asarray(number.to_numpy(zero_copy_only=False), dtype=bool)]
        if len(rows) == 0:
            continue
        values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
        values[rows] = [safe_cell(v) for v in values[rows]]
        table = table.set_column(
            table.column_names.index(name), name, pa.array(values, type=pa.string())
        )
    return table


NUMBER_COLUMNS = ("lon", "lat", "distance_m")
BOOLEAN_COLUMNS = ("eligible", "approximate")
BOM = "\ufeff".encode()


def in_dialect(table: pa.Table, dialect: Dialect) -> pa.Table:
    """The answers as ``dialect`` writes them: for ``excel-fr``, numbers with a decimal
    comma and booleans as ``oui``/``non``; unchanged for ``datagouv``."""
    if dialect is not Dialect.EXCEL_FR:
        return table
    for position, field in enumerate(table.schema):
        column = table[field.name]
        if field.name in BOOLEAN_COLUMNS:  # "true"/"false"/"" text, built by evaluate_frame
            words = pc.replace_substring(
                pc.replace_substring(column, "true", "oui"), "false", "non"
            )
            table = table.set_column(position, field.name, words)
        elif pa.types.is_floating(field.type) or field.name in NUMBER_COLUMNS:
            # The caller's coordinates stay as written, with a decimal comma; distances too.
            text = pc.replace_substring(pc.cast(column, pa.string()), ".", ",")
            table = table.set_column(position, field.name, text)
        elif pa.types.is_boolean(field.type):
            table = table.set_column(position, field.name, pc.if_else(column, "oui", "non"))
    return table


def write_options(dialect: Dialect) -> pacsv.WriteOptions:
    """``;`` for ``excel-fr``, ``,`` for the data.gouv.fr convention."""
    return pacsv.WriteOptions(delimiter=";" if dialect is Dialect.EXCEL_FR else ",")


def open_answers(path: Path, dialect: Dialect) -> BinaryIO:
    """The answers file opened for writing, with the BOM French Excel needs."""
    sink = path.open("wb")
    if dialect is Dialect.EXCEL_FR:
        sink.write(BOM)
    return sink


def write_sites(
    table: pa.Table, target: Path | BinaryIO, dialect: Dialect = Dialect.DATAGOUV
) -> None:
    """Write the output CSV (text cells neutralised against spreadsheet formulas) in
    ``dialect`` (``cesp.spreadsheets``: ``excel-fr`` is ``;``, decimal comma, BOM)."""
    table = in_dialect(neutralised(table), dialect)
    if isinstance(target, Path):
        with open_answers(target, dialect) as handle:
            pacsv.write_csv(table, handle, write_options=write_options(dialect))
        return
    if dialect is Dialect.EXCEL_FR:
        target.write(BOM)
    pacsv.write_csv(table, target, write_options=write_options(dialect))


COLUMN_KINDS = {
    "lon": Kind.REAL,
    "lat": Kind.REAL,
    "distance_m": Kind.REAL,
    "eligible": Kind.BOOLEAN,
}


def write_types(target: Path) -> Path:
    """The ``.csvt`` beside a datagouv answers file (``cesp.spreadsheets``: QGIS and GDAL
    type its columns from it): coordinates and distances as reals, ``eligible`` and
    ``approximate`` as booleans, every other column (ids with their leading zeros) as
    text."""
    with target.open(encoding="utf-8", newline="") as answers:
        header = next(csv.reader(answers))
    types = target.with_suffix(".csvt")
    line = ",".join(f'"{CSVT_TYPES[COLUMN_KINDS.get(c, Kind.TEXT)]}"' for c in header)
    types.write_text(line + "\r\n", encoding="utf-8", newline="")
    return types
