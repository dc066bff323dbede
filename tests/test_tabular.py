"""The one reader of users' tables: encodings, separators, workbooks, titles, totals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cesp.errors import InvalidInputError
from cesp.tabular import read_table, restore_code

ROWS = "Code commune;Commune;Zonage\n93027;La Courneuve;ZIP\n93008;Bobigny;ZAC\n"


@pytest.mark.parametrize(
    ("encoding", "separator", "label"),
    [
        ("utf-8", ";", "UTF-8"),
        ("utf-8-sig", ",", "UTF-8"),
        ("cp1252", ";", "CP1252"),
        ("utf-16", "\t", "UTF-16"),
    ],
)
def test_text_tables_in_every_encoding_and_separator(
    tmp_path: Path, encoding: str, separator: str, label: str
):
    path = tmp_path / "t.csv"
    text = "Zonage des médecins\n" + ROWS.replace(";", separator) + "\nTotal;2;\n"
    path.write_bytes(text.replace("Total;", f"Total{separator}").encode(encoding))
    table = read_table(path)
    assert table.encoding == label
    assert table.columns == ["Code commune", "Commune", "Zonage"]
    assert [(line, row["Commune"]) for line, row in table.rows] == [
        (3, "La Courneuve"),
        (4, "Bobigny"),
    ]
    assert table.header_row == 2 and table.blank_lines == 1 and table.total_lines == [6]
    assert any("ligne(s) de total" in n for n in table.notes)


@pytest.mark.parametrize(("suffix", "engine"), [("xlsx", "openpyxl"), ("ods", "odf")])
def test_workbook_sheet_is_the_first_with_the_wanted_header(
    tmp_path: Path, suffix: str, engine: str
):
    path = tmp_path / f"t.{suffix}"
    with pd.ExcelWriter(path, engine=engine) as writer:
        pd.DataFrame({"Lisez-moi": ["notice"]}).to_excel(writer, sheet_name="Notice", index=False)
        pd.DataFrame({"Code commune": [1001], "Zonage": ["ZIP"]}).to_excel(
            writer, sheet_name="Data", index=False
        )
    table = read_table(path, header_hint=lambda cells: "Code commune" in cells)
    assert table.sheet == "Data" and table.format == suffix
    assert table.rows[0][1]["Code commune"] == "1001"  # a number cell, without ".0"
    with pytest.raises(InvalidInputError) as caught:
        read_table(path, sheet="Feuil1")
    assert "Notice, Data" in caught.value.message and caught.value.field == "sheet"


def test_codes_that_lost_their_leading_zero_are_restored():
    assert restore_code("1001") == ("01001", True)
    assert restore_code("93027") == ("93027", False)
    assert restore_code("1", 2) == ("01", True)


def test_pdf_is_told_to_use_the_annex(tmp_path: Path):
    path = tmp_path / "arrete.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InvalidInputError) as caught:
        read_table(path)
    assert "annexe" in caught.value.message_fr and "spreadsheet" in caught.value.message


def _sheet_xml(last_row: int, stray: str, dimension: str | None) -> bytes:
    """A one-sheet XLSX body: a header, one row, and one stray cell ``stray`` (``XFD50``)
    on ``last_row``, with or without the <dimension> a writer usually puts."""
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'.format
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main">{declared}<sheetData>'
        f'<row r="1">{cell("A1", "id")}{cell("B1", "lon")}{cell("C1", "lat")}</row>'
        f'<row r="2">{cell("A2", "a")}{cell("B2", "2.44")}{cell("C2", "48.91")}</row>'
        f'<row r="{last_row}">{cell(stray, "x")}</row></sheetData></worksheet>'
    ).encode()


def _workbook_with(path: Path, sheet: bytes) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "s"
    book.save(path)
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def test_a_sheet_formatted_down_to_the_last_row_is_still_read(tmp_path: Path):
    """Whole columns formatted: a million rows declared, three filled."""
    path = _workbook_with(tmp_path / "long.xlsx", _sheet_xml(3, "A3", "A1:Z1048576"))
    table = read_table(path)
    assert [cells["id"] for _, cells in table.rows] == ["a", "x"]


@pytest.mark.parametrize("dimension", [None, "A1:XFD3000"], ids=["undeclared", "declared"])
def test_a_workbook_with_a_stray_cell_far_right_is_refused_before_it_is_read(
    tmp_path: Path, dimension: str | None
):
    """A 2 KB file with a value in XFD3000 once took 11 s and 900 MB (a dense grid of
    3,000 × 16,384 cells) in the batch upload."""
    path = _workbook_with(tmp_path / "wide.xlsx", _sheet_xml(3000, "XFD3000", dimension))
    assert path.stat().st_size < 10_000
    with pytest.raises(InvalidInputError) as caught:
        read_table(path)
    assert "16384 colonnes" in caught.value.message_fr and "stray cells" in caught.value.message
    assert caught.value.field == "file"
