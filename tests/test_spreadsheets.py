"""``cesp.spreadsheets``: CSV in two dialects with a .csvt, typed XLSX read back."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cesp.errors import InvalidInputError
from cesp.field_schema import Field, FieldSchema, Kind
from cesp.spreadsheets import Dialect, csv_bytes, parse_dialect, write_file, xlsx_bytes

SCHEMA = FieldSchema(
    "essai",
    (
        Field("insee_com", Kind.TEXT, "Code INSEE"),
        Field("nom", Kind.TEXT, "Nom"),
        Field("population", Kind.INTEGER, "Population"),
        Field("part", Kind.REAL, "Part"),
        Field("debut", Kind.DATE, "Début"),
        Field("approx", Kind.BOOLEAN, "Approché"),
    ),
)
ROWS = [
    {"insee_com": "01001", "nom": "=1+1", "population": 832, "part": 0.25,
     "debut": date(2026, 11, 15), "approx": True},
    {"insee_com": "2A004", "nom": "-4.48", "population": None, "part": -4.5,
     "debut": None, "approx": False},
    {"insee_com": "93008", "nom": "Bobigny\x07", "population": 1, "part": 1,
     "debut": date(2012, 5, 24), "approx": False},
]  # fmt: skip


def test_datagouv_csv_is_utf8_with_commas_and_a_decimal_point():
    text = csv_bytes(SCHEMA, ROWS).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == SCHEMA.names
    assert rows[1] == ["01001", "'=1+1", "832", "0.25", "2026-11-15", "true"]
    assert rows[2] == ["2A004", "-4.48", "", "-4.5", "", "false"]  # a number is no formula
    assert rows[3][1] == "Bobigny"  # control character removed


def test_excel_fr_csv_has_semicolons_decimal_commas_french_dates_and_a_bom():
    data = csv_bytes(SCHEMA, ROWS, Dialect.EXCEL_FR)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["01001", "'=1+1", "832", "0,25", "15/11/2026", "oui"]
    assert rows[2][3:] == ["-4,5", "", "non"]


def test_xlsx_cells_are_typed_and_text_is_never_a_formula(tmp_path: Path):
    path = tmp_path / "essai.xlsx"
    path.write_bytes(xlsx_bytes(SCHEMA, ROWS, "essai"))
    book = load_workbook(path)
    sheet = book["essai"]
    formula = sheet["B2"]
    assert formula.value == "=1+1" and formula.data_type == "s"  # shown as typed
    assert sheet["B3"].value == "-4.48" and sheet["B3"].data_type == "s"
    assert sheet["A2"].value == "01001" and sheet["A2"].data_type == "s"
    assert sheet["C2"].value == 832 and sheet["C2"].data_type == "n"
    assert sheet["C3"].value is None
    assert sheet["E2"].is_date and sheet["E2"].value.date() == date(2026, 11, 15)
    assert sheet["E2"].number_format == "DD/MM/YYYY"
    assert sheet["F2"].value is True and sheet["F3"].value is False
    assert sheet["B4"].value == "Bobigny"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F4"
    assert all(sheet.cell(1, c).font.bold for c in range(1, 7))
    assert sheet.column_dimensions["A"].width >= len("insee_com")
    fields = [[c.value for c in row] for row in book["champs"].iter_rows()]
    assert fields[0] == ["champ", "type", "description"]
    assert fields[5] == ["debut", "date", "Début"]


def test_write_file_puts_the_csvt_beside_a_datagouv_csv_only(tmp_path: Path):
    written = write_file(tmp_path / "out" / "liste.csv", SCHEMA, ROWS, "essai")
    assert [p.name for p in written] == ["liste.csv", "liste.csvt"]
    assert written[1].read_bytes().decode() == SCHEMA.csvt()
    french = write_file(tmp_path / "fr.csv", SCHEMA, ROWS, "essai", Dialect.EXCEL_FR)
    assert [p.name for p in french] == ["fr.csv"]
    assert [p.name for p in write_file(tmp_path / "a.xlsx", SCHEMA, ROWS, "essai")] == ["a.xlsx"]
    with pytest.raises(InvalidInputError) as caught:
        write_file(tmp_path / "a.ods", SCHEMA, ROWS, "essai")
    assert ".csv" in caught.value.message_fr and ".xlsx" in caught.value.message


@pytest.mark.parametrize("name", ["datagouv", "EXCEL-FR", None])
def test_dialect_names(name):
    assert parse_dialect(name) in (Dialect.DATAGOUV, Dialect.EXCEL_FR)


def test_an_unknown_dialect_names_both():
    with pytest.raises(InvalidInputError) as caught:
        parse_dialect("excel")
    assert caught.value.field == "dialect"
    for text in (caught.value.message, caught.value.message_fr):
        assert "datagouv" in text and "excel-fr" in text
