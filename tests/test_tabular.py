"""The one reader of users' tables: encodings, separators, workbooks, titles, totals."""

from __future__ import annotations

from pathlib import Path

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
