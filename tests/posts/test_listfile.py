"""Importing and exporting the national list (CSV and XLSX, French headers)."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.field_schema import POST_LIST_FIELDS
from cesp.posts.listfile import IMPORT_HEADERS, list_csv, list_xlsx, read_list
from cesp.posts.store import PostFilter, add_posts, list_posts
from cesp.spreadsheets import Dialect
from cesp.storage.engine import write_transaction
from tests.posts.conftest import ARS_IDF, index_of, inside, post_row
from tests.zones.helpers import publish_codes

LISTED = date(2026, 1, 15)


@pytest.fixture
def zoned(idf_engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    return idf_engine


def write_csv(
    path: Path, rows: list[dict[str, object]], headers: dict[str, str] = IMPORT_HEADERS
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(headers.values())
        for row in rows:
            writer.writerow([row.get(field, "") for field in headers])
    return path


def post_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM posts")).scalar_one())


def test_import_rejects_bad_lines_one_by_one_and_writes_nothing(
    zoned: sa.Engine, tmp_path: Path
) -> None:
    good = post_row(zoned, "93027", "OK-1")
    bad_code = {**post_row(zoned, "93008", "BAD-CODE"), "commune_code": "9300"}
    outside = post_row(zoned, "92012", "OUTSIDE")  # Boulogne: in no zone
    negative = {**post_row(zoned, "93059", "NEG"), "places": -2}
    path = write_csv(tmp_path / "liste.csv", [good, bad_code, outside, negative])
    rows = read_list(path)
    with pytest.raises(ValidationFailedError) as error, write_transaction(zoned) as conn:
        add_posts(conn, index_of(zoned), rows, 2026, ARS_IDF, LISTED)
    problems = {p.row: p for p in error.value.problems}
    assert sorted(problems) == [3, 4, 5]
    assert problems[3].field == "commune_code"
    assert "zone déficitaire" in problems[4].message_fr
    assert problems[5].field == "places" and "négatif" in problems[5].message_fr
    assert post_count(zoned) == 0


def test_import_refuses_a_file_with_a_missing_column(zoned: sa.Engine, tmp_path: Path) -> None:
    headers = {k: v for k, v in IMPORT_HEADERS.items() if k != "places"}
    path = write_csv(tmp_path / "liste.csv", [post_row(zoned, "93027", "X")], headers)
    with pytest.raises(InvalidInputError) as error:
        read_list(path)
    assert "Places" in error.value.message_fr and error.value.field == "file"


def test_coordinates_in_another_commune_than_the_code_are_refused(zoned: sa.Engine) -> None:
    lon, lat = inside(zoned, "93027")
    row = {**post_row(zoned, "93008", "MISMATCH"), "lon": lon, "lat": lat}
    with pytest.raises(ValidationFailedError) as error, write_transaction(zoned) as conn:
        add_posts(conn, index_of(zoned), [(2, row)], 2026, ARS_IDF, LISTED)
    assert "La Courneuve" in error.value.problems[0].message_fr


def test_headers_match_without_case_or_accents_and_csv_round_trips(
    zoned: sa.Engine, tmp_path: Path
) -> None:
    loose = {k: v.upper().replace("É", "E") for k, v in IMPORT_HEADERS.items()}
    rows = [post_row(zoned, "93027", "A-1", places=2), post_row(zoned, "75118", "A-2")]
    index = index_of(zoned)
    with write_transaction(zoned) as conn:
        add_posts(
            conn,
            index,
            read_list(write_csv(tmp_path / "in.csv", rows, loose)),
            2026,
            ARS_IDF,
            LISTED,
        )
    with zoned.connect() as conn:
        items = list_posts(conn, index, PostFilter(campaign=2026), on=LISTED).items
    exported = tmp_path / "out.csv"
    exported.write_bytes(list_csv(items))
    text = exported.read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text), delimiter=","))
    assert list(table[0]) == POST_LIST_FIELDS.names  # the names of the OGC posts layer
    assert [r["reference"] for r in table] == ["A-1", "A-2"]
    assert table[0]["situation"] == "En zone déficitaire" and table[0]["statut"] == "ouvert"
    assert table[0]["mode"] == "libéral" and table[0]["restantes"] == "2"
    assert table[1]["nom_com"] == "Paris 18e Arrondissement"
    assert table[0]["inscrit_le"] == LISTED.isoformat() and table[0]["exemple"] == "false"
    again = read_list(exported)
    assert [r[1]["reference"] for r in again] == ["A-1", "A-2"]
    assert again[0][1]["mode"] == "libéral"


def test_a_french_excel_export_reads_back(zoned: sa.Engine, tmp_path: Path) -> None:
    index = index_of(zoned)
    with write_transaction(zoned) as conn:
        add_posts(conn, index, [(2, post_row(zoned, "93027", "FR-1"))], 2026, ARS_IDF, LISTED)
    with zoned.connect() as conn:
        items = list_posts(conn, index, PostFilter(), on=LISTED).items
    exported = tmp_path / "excel.csv"
    exported.write_bytes(list_csv(items, Dialect.EXCEL_FR))
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(exported.read_text("utf-8-sig")), delimiter=";")
    assert "," in row["lon"] and "." not in row["lon"]  # decimal comma
    assert row["inscrit_le"] == "15/01/2026" and row["exemple"] == "non"
    (again,) = read_list(exported)
    assert again[1]["reference"] == "FR-1"
    assert float(again[1]["lon"].replace(",", ".")) == pytest.approx(items[0][0].lon)


def test_xlsx_export_reads_back_and_neutralises_formulas(zoned: sa.Engine, tmp_path: Path) -> None:
    index = index_of(zoned)
    row = post_row(zoned, "93027", "F-1", structure='=HYPERLINK("http://x")')
    with write_transaction(zoned) as conn:
        add_posts(conn, index, [(2, row)], 2026, ARS_IDF, LISTED)
    with zoned.connect() as conn:
        items = list_posts(conn, index, PostFilter(), on=LISTED).items
    path = tmp_path / "liste.xlsx"
    path.write_bytes(list_xlsx(items))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == POST_LIST_FIELDS.names and book.sheetnames == ["liste nationale", "champs"]
    structure = sheet.cell(2, header.index("structure") + 1)
    # A string cell is never run: the text shows as typed, with no guard apostrophe.
    assert structure.data_type == "s" and structure.value == '=HYPERLINK("http://x")'
    assert sheet.cell(2, header.index("places") + 1).data_type == "n"
    assert sheet.cell(2, header.index("exemple") + 1).value is False
    listed = sheet.cell(2, header.index("inscrit_le") + 1)
    assert listed.is_date and listed.number_format == "DD/MM/YYYY"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:X{sheet.max_row}"
    assert read_list(path)[0][1]["reference"] == "F-1"


def test_a_retired_insee_code_is_refused_naming_todays_commune(zoned: sa.Engine) -> None:
    row = post_row(zoned, "93059", "PIERREFITTE")  # merged into Saint-Denis on 2025-01-01
    with pytest.raises(ValidationFailedError) as error, write_transaction(zoned) as conn:
        add_posts(conn, index_of(zoned), [(2, row)], 2026, ARS_IDF, LISTED)
    [problem] = error.value.problems
    assert "n'est plus en vigueur depuis le 01/01/2025" in problem.message_fr
    assert "Saint-Denis (93066)" in problem.message_fr
    fixed = {**row, "commune_code": "93066"}
    with write_transaction(zoned) as conn:
        add_posts(conn, index_of(zoned), [(2, fixed)], 2026, ARS_IDF, LISTED)
