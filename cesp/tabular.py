"""The one reader of users' spreadsheets: decree code lists, posts, beneficiaries, sites.

ARS staff bring tables as their office software saved them: CSV separated by ``;``,
``,`` or tab, in UTF-8 (with or without BOM), Windows-1252 (French Excel "CSV") or
UTF-16 ("Unicode text"); XLSX, XLS and ODS workbooks, often with a title block above
the header and a total line below the data. This module turns any of them into text
rows located by their line (or sheet row) number, says what it skipped, and leaves the
meaning of the columns to its callers (``header_hint`` lets a caller say which row is a
header and which sheet holds the data).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cesp.errors import InvalidInputError

TABLE_FORMATS = ("csv", "xlsx", "xls", "ods")
HEADER_SCAN_ROWS = 40
TOTAL_LINE = re.compile(r"^\s*(sous[- ]?)?total\b|^\s*ensemble\b", re.IGNORECASE)
ENGINES = {"xlsx": "openpyxl", "xls": "xlrd", "ods": "odf"}
# A workbook is read whole into a grid of rows × columns: one stray cell far right or
# far down (a 1.6 KB file with a value in XFD3000) would make it billions of cells.
MAX_WORKBOOK_COLUMNS = 1_000
MAX_WORKBOOK_CELLS = 20_000_000

HeaderHint = Callable[[list[str]], bool]


@dataclass
class Table:
    """Rows of text cells keyed by header, with where they came from and what was skipped."""

    format: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    blank_lines: int = 0
    total_lines: list[int] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """What the reader did that the user should know (French, for the report)."""
        notes = []
        if self.sheet and len(self.sheets) > 1:
            notes.append(f"feuille lue : « {self.sheet} » (feuilles : {', '.join(self.sheets)})")
        if self.header_row > 1:
            notes.append(f"en-tête trouvé ligne {self.header_row} (lignes de titre ignorées)")
        if self.blank_lines:
            notes.append(f"{self.blank_lines} ligne(s) vide(s) ignorée(s)")
        if self.total_lines:
            lines = ", ".join(str(n) for n in self.total_lines)
            notes.append(f"ligne(s) de total ignorée(s) : {lines}")
        return notes


def _refuse(message: str, message_fr: str, field_name: str = "file") -> InvalidInputError:
    return InvalidInputError(message, message_fr=message_fr, field=field_name)


def table_format(head: bytes) -> str | None:
    """``xlsx``, ``xls``, ``ods``, ``pdf`` or ``csv`` (text) from the first bytes; None
    for anything else (a zip that is not a workbook, a binary file)."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
            return "ods"
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        return "csv"
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    if b"\x00" in head or control > len(head) // 100:
        return None
    return "csv"


def zip_table_format(path: Path) -> str | None:
    """``xlsx`` or ``ods`` for a zip that is a workbook, None for another archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return "xlsx"
            if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
                return "ods"
    except zipfile.BadZipFile:
        return None
    return None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without BOM: every other byte of ASCII text is zero."""
    sample = head[:200]
    return len(sample) >= 8 and sample[1::2].count(0) > len(sample) // 3


def refuse_pdf() -> InvalidInputError:
    """The message for a decree sent as a PDF."""
    return _refuse(
        "a PDF cannot be read as a table: open the decree's annex (the list of communes or "
        "territories) and save it as a spreadsheet (XLSX, ODS or CSV), then import that file",
        "Un PDF ne peut pas être lu comme un tableau : utilisez l'annexe de l'arrêté (liste "
        "des communes ou territoires) enregistrée comme tableur (XLSX, ODS ou CSV).",
    )


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding name: UTF-16 (BOM or zero bytes), UTF-8 (±BOM), Windows-1252."""
    if encoding:
        candidates = [encoding]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif _looks_utf16(data[:4096]):
        candidates = ["utf-16-le"]
    else:
        candidates = ["utf-8-sig", "cp1252"]
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        label = {"utf-8-sig": "UTF-8"}.get(name, name.upper())
        return text.lstrip("\ufeff"), label
    raise _refuse(
        f"cannot decode the text as {', '.join(candidates)}: save it as UTF-8 CSV",
        "Encodage du fichier illisible : enregistrez-le en CSV UTF-8.",
        "encoding",
    )


def _delimiter(lines: list[str]) -> str:
    """The separator most lines share the same non-zero count of (title lines differ)."""
    best, best_score = ",", (0, 0)
    for candidate in (";", "\t", ","):
        counts = Counter(line.count(candidate) for line in lines if line.strip())
        counts.pop(0, None)
        if counts:
            count, lines_with = counts.most_common(1)[0]
            score = (lines_with, count)
            if score > best_score:
                best, best_score = candidate, score
    return best


def _cell(value: object) -> str:
    """A cell as text: integers without ``.0``, dates as ISO, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _default_hint(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 2 and not any(re.fullmatch(r"[\d.,\s-]+", c) for c in filled)


def _header_index(grid: list[list[str]], hint: HeaderHint | None) -> int | None:
    """Index of the header row: the first row the hint accepts, else the first row with
    as many filled cells as the widest of the first rows and no numeric cell."""
    scan = grid[:HEADER_SCAN_ROWS]
    if hint is not None:
        for index, cells in enumerate(scan):
            if hint(cells):
                return index
        return None
    widest = max((sum(1 for c in cells if c) for cells in scan), default=0)
    for index, cells in enumerate(scan):
        if sum(1 for c in cells if c) == widest and _default_hint(cells):
            return index
    return 0 if scan else None


def _table_of_grid(
    fmt: str,
    grid: list[list[str]],
    header_row: int | None,
    hint: HeaderHint | None,
    skip_totals: bool = True,
) -> Table | None:
    if header_row is not None:
        index = header_row - 1
        if index >= len(grid):
            raise _refuse(
                f"header_row={header_row} is past the end of the table ({len(grid)} rows)",
                f"Ligne d'en-tête {header_row} au-delà de la fin du tableau ({len(grid)} lignes).",
                "header_row",
            )
    else:
        found = _header_index(grid, hint)
        if found is None:
            return None
        index = found
    header = grid[index]
    columns = [c or f"colonne_{n}" for n, c in enumerate(header, start=1)]
    table = Table(fmt, columns, [], header_row=index + 1)
    for line, cells in enumerate(grid[index + 1 :], start=index + 2):
        if not any(cells):
            table.blank_lines += 1
            continue
        first = next(c for c in cells if c)
        if skip_totals and TOTAL_LINE.match(first):
            table.total_lines.append(line)
            continue
        table.rows.append((line, dict(zip(columns, cells, strict=False))))
    return table


def _csv_grid(
    data: bytes, encoding: str | None, check_text: Callable[[str], None] | None = None
) -> tuple[list[list[str]], str]:
    text, label = decode_text(data, encoding)
    if check_text is not None:
        check_text(text)
    lines = text.splitlines()
    delimiter = _delimiter(lines[:200])
    grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid], label


def _too_wide(rows: int, columns: int, sheet: str) -> InvalidInputError | None:
    if columns <= MAX_WORKBOOK_COLUMNS and rows * columns <= MAX_WORKBOOK_CELLS:
        return None
    return _refuse(
        f"sheet {sheet!r} spans {rows} rows × {columns} columns, more than this reader takes "
        f"({MAX_WORKBOOK_COLUMNS} columns, {MAX_WORKBOOK_CELLS:,} cells): delete the stray "
        "cells far right or far down, or save the table as CSV",
        f"La feuille « {sheet} » s'étend sur {rows} lignes × {columns} colonnes, au-delà de "
        f"ce que ce lecteur accepte ({MAX_WORKBOOK_COLUMNS} colonnes) : supprimez les cellules "
        "égarées loin à droite ou en bas, ou enregistrez le tableau en CSV.",
    )


def _check_xlsx_extent(path: Path) -> None:
    """Refuse an XLSX whose sheets span more than the reader takes, before reading it:
    first by the columns each sheet declares, then by the cells that hold a value, one
    row at a time (read-only rows end at their last cell: a stray cell costs one long
    row, and the first row past the limits ends the scan)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # unreadable: the full read below says so in its own words
        return
    try:
        for sheet in book.worksheets:
            # Declared columns only: a sheet whose columns were formatted down to the last
            # row declares a million rows, and read-only rows are padded to the declared
            # width (16,384 columns would be the stray cell's cost on every row).
            declared = _too_wide(sheet.max_row or 0, sheet.max_column or 0, sheet.title)
            if declared is not None and (sheet.max_column or 0) > MAX_WORKBOOK_COLUMNS:
                raise declared
            rows = columns = 0
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                filled = [i for i, v in enumerate(row, start=1) if v not in (None, "")]
                if filled:
                    rows, columns = number, max(columns, filled[-1])
                    refused = _too_wide(rows, columns, sheet.title)
                    if refused is not None:  # at the first row past the limits
                        raise refused
    finally:
        book.close()


def _workbook(path: Path, fmt: str) -> dict[str, list[list[str]]]:
    import pandas as pd

    if fmt == "xlsx":
        _check_xlsx_extent(path)

    try:
        frames = pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, engine=ENGINES[fmt]
        )
    except Exception as exc:  # engines raise many types on damaged workbooks
        raise _refuse(
            f"not a readable {fmt.upper()} workbook: {exc}",
            f"Classeur {fmt.upper()} illisible : {exc}",
        ) from exc
    return {
        str(name): [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
        for name, frame in frames.items()
    }


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    header_hint: HeaderHint | tuple[HeaderHint, ...] | None = None,
    check_text: Callable[[str], None] | None = None,
    skip_totals: bool = True,
) -> Table:
    """Read a CSV/XLSX/XLS/ODS table.

    ``skip_totals`` leaves out the lines whose first cell reads like a total (``Total``,
    ``Sous-total``, ``Ensemble``), as a decree's table ends; a table where every row is
    data (sites to check, whose ids can be anything) keeps them.

    ``check_text`` sees a text file's decoded text before it is parsed (a caller's bounds
    on columns and lines: a decree is refused early, a bulk check is not bounded).

    ``header_hint`` says whether a row of cells is the header the caller needs (e.g. it
    has a commune-code column); the sheet read is then the first where such a row
    exists. Several hints are tried in turn over all sheets (the first hint's sheet wins
    over a later hint's). ``sheet`` and ``header_row`` (1-based) override the search.

    Raises
    ------
    InvalidInputError
        Empty, PDF, unreadable or unknown format; unknown sheet; no header found.
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise _refuse("the file is empty", "Le fichier est vide.")
    fmt = table_format(head)
    if fmt is None and head.startswith(b"PK\x03\x04"):
        fmt = zip_table_format(path)
    if fmt == "pdf":
        raise refuse_pdf()
    if fmt is None:
        raise _refuse(
            "unrecognised table format: expected CSV, XLSX, XLS or ODS",
            "Format de tableau non reconnu : CSV, XLSX, XLS ou ODS attendu.",
        )
    if fmt == "csv":
        grid, label = _csv_grid(path.read_bytes(), encoding, check_text)
        sheets: dict[str, list[list[str]]] = {"": grid}
    else:
        sheets, label = _workbook(path, fmt), None
    names = [n for n in sheets if n]
    if sheet is not None and names:
        if sheet not in sheets:
            raise _refuse(
                f"sheet={sheet!r} is not in the workbook; sheets are: {', '.join(names)}",
                f"La feuille « {sheet} » n'existe pas ; feuilles : {', '.join(names)}",
                "sheet",
            )
        order = [sheet]
    else:
        order = list(sheets)
    hints = header_hint if isinstance(header_hint, tuple) else (header_hint,)
    for hint in hints:
        for name in order:
            table = _table_of_grid(fmt, sheets[name], header_row, hint, skip_totals)
            if table is not None:
                table.encoding, table.sheet, table.sheets = label, name or None, names
                return table
    # No sheet has the header the caller wants: the first sheet as it is, so that the
    # caller's message can list the columns it does have.
    table = _table_of_grid(fmt, sheets[order[0]], header_row, None, skip_totals)
    if table is None:
        raise _refuse(
            "no header row was found: give header_row (the line number of the header)",
            "Aucune ligne d'en-tête trouvée : précisez la ligne d'en-tête.",
            "header_row",
        )
    table.encoding, table.sheet, table.sheets = label, order[0] or None, names
    return table


def restore_code(value: str, width: int = 5) -> tuple[str, bool]:
    """A numeric code that lost its leading zeros in a spreadsheet (``1001`` for
    ``01001``, region ``1`` for ``01``), padded back; True when it was restored."""
    if value.isdigit() and len(value) == width - 1:
        return value.zfill(width), True
    return value, False
