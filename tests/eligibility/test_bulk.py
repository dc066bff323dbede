"""``check_bulk``: a CSV of sites in, the same rows with their answers out."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import shapely
import sqlalchemy as sa

from cesp.eligibility import bulk
from cesp.eligibility.bulk import check_bulk, read_sites
from cesp.eligibility.check import check
from cesp.eligibility.evaluation import evaluate_points
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import make_site
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import InvalidInputError
from cesp.geo.communes import resolve_code
from cesp.spreadsheets import Dialect
from tests.zones.helpers import publish_codes

DEFAULT_DATE = date(2018, 6, 1)


@pytest.fixture
def index(idf_engine: sa.Engine, decree_2012, decree_2018) -> ZoningIndex:
    return build_index(idf_engine)


def _shared_vertex(engine: sa.Engine) -> tuple[float, float]:
    """A vertex of both Bobigny and La Courneuve (2012 polygons): in both zones of 12-209."""
    with engine.connect() as conn:
        polygons = [
            resolve_code(conn, code, date(2013, 1, 1), with_geometry=True).unit.geometry
            for code in ("93008", "93027")
        ]
    first, second = ({tuple(c) for c in shapely.get_coordinates(p)} for p in polygons)
    lon, lat = min(first & second)
    return float(lon), float(lat)


def _run(index: ZoningIndex, tmp_path: Path, text: str) -> tuple[dict, list[dict[str, str]]]:
    source, target = tmp_path / "sites.csv", tmp_path / "answers.csv"
    source.write_text(text, encoding="utf-8")
    counts = check_bulk(index, read_sites(source), target, DEFAULT_DATE)
    with target.open(newline="", encoding="utf-8") as handle:
        return counts, list(csv.DictReader(handle))


def test_bad_rows_are_marked_and_the_others_answered_in_order(idf_engine, index, tmp_path):
    lon, lat = _shared_vertex(idf_engine)
    text = (
        "id,lon,lat,date,profession\n"
        "bobigny,2.4397,48.9086,2013-01-01,medecin\n"
        "nan-lon,abc,48.9,2013-01-01,medecin\n"
        "lat-95,2.4,95,2013-01-01,medecin\n"
        "bad-date,2.4397,48.9086,2013-13-45,medecin\n"
        "plumber,2.4397,48.9086,2013-01-01,plombier\n"
        '"=HYPERLINK(""http://evil.example"",""x"")",2.389,48.9236,2018-06-01,\n'
        "nantes,-1.5,47.2,,\n"
        f"vertex,{lon!r},{lat!r},2013-01-01,medecin\n"
        "defaults,2.425,48.925,,\n"
        "@vigilance,2.460,48.928,2018-06-01,Medecin\n"
    )
    counts, rows = _run(index, tmp_path, text)

    assert [r["id"] for r in rows] == [
        "bobigny",
        "nan-lon",
        "lat-95",
        "bad-date",
        "plumber",
        '\'=HYPERLINK("http://evil.example","x")',
        "nantes",
        "vertex",
        "defaults",
        "'@vigilance",
    ]
    by_id = {r["id"].lstrip("'"): r for r in rows}
    assert counts == {
        "invalid": 4,
        "eligible": 3,
        "borderline": 1,
        "outside_territory": 1,
        "not_eligible": 1,
    }
    errors = {i: by_id[i]["error"] for i in ("nan-lon", "lat-95", "bad-date", "plumber")}
    assert errors == {
        "nan-lon": "lon/lat: not a number",
        "lat-95": "lon/lat: out of range (WGS84 degrees expected)",
        "bad-date": "date: expected YYYY-MM-DD or DD/MM/YYYY",
        "plumber": "profession: unknown",
    }
    for key in errors:
        assert by_id[key]["status"] == "invalid"
        assert by_id[key]["eligible"] == by_id[key]["commune_code"] == ""

    first = by_id["bobigny"]
    assert (first["status"], first["eligible"], first["error"]) == ("eligible", "true", "")
    assert (first["commune_code"], first["commune_name"]) == ("93008", "Bobigny")
    assert (first["zone_names"], first["decree_references"]) == ("Bobigny", "12-209")

    formula = by_id['=HYPERLINK("http://evil.example","x")']
    assert (formula["status"], formula["zone_names"]) == ("eligible", "Courneuve")
    assert formula["decree_references"] == "17-1000"

    nantes = by_id["nantes"]
    assert (nantes["lon"], nantes["lat"]) == ("-1.5", "47.2")
    assert (nantes["status"], nantes["eligible"]) == ("outside_territory", "false")

    vertex = by_id["vertex"]
    assert (vertex["status"], vertex["eligible"]) == ("borderline", "true")
    assert sorted(vertex["zone_names"].split("|")) == ["Bobigny", "La Courneuve"]
    assert vertex["decree_references"] == "12-209"

    defaults = by_id["defaults"]  # no date: 2018-06-01, no profession: medecin
    assert (defaults["status"], defaults["zone_names"]) == ("eligible", "Drancy ouest")

    vigilance = by_id["@vigilance"]
    assert (vigilance["status"], vigilance["eligible"]) == ("not_eligible", "false")
    assert vigilance["zone_names"] == "Drancy est"
    assert float(vigilance["distance_m"]) > 0


def test_answers_match_single_checks_across_chunks(idf_engine, index, tmp_path, monkeypatch):
    """Rows are processed by chunks (made tiny here): order and answers are kept."""
    monkeypatch.setattr(bulk, "CHUNK", 3)
    points = [(2.30 + 0.02 * i, 48.82 + 0.015 * i) for i in range(10)]
    text = "id;lon;lat\n" + "".join(f"p{i};{x};{y}\n" for i, (x, y) in enumerate(points))
    counts, rows = _run(index, tmp_path, text)
    assert [r["id"] for r in rows] == [f"p{i}" for i in range(10)]
    assert sum(counts.values()) == 10
    with idf_engine.connect() as conn:
        for row, (x, y) in zip(rows, points, strict=True):
            one = check(index, conn, make_site(lon=x, lat=y), DEFAULT_DATE)
            assert row["status"] == one.status
            assert row["eligible"] == str(one.eligible).lower()
            assert row["commune_code"] == (one.commune.code if one.commune else "")
            expected = "" if one.distance_m is None else one.distance_m
            assert (float(row["distance_m"]) if row["distance_m"] else "") == expected


def test_ids_are_written_back_as_given(index, tmp_path: Path):
    text = "id,lon,lat\n007,2.4397,48.9086\n010000123,2.389,48.9236\n"
    _, rows = _run(index, tmp_path, text)
    assert [r["id"] for r in rows] == ["007", "010000123"]


@pytest.mark.parametrize(
    "text",
    [
        "id,lon,lat,date\nfirst,2.4397,48.9086,2013-01-01\nblank,2.4397,48.9086,\n",
        "id,lon,lat,date\nfirst,2.4397,48.9086,\nblank,2.4397,48.9086,\n",
        "id,lon,lat,profession\nfirst,2.4397,48.9086,\nblank,2.4397,48.9086,\n",
    ],
    ids=["some-dates-blank", "all-dates-blank", "all-professions-blank"],
)
def test_blank_date_or_profession_cells_take_the_defaults(index, tmp_path: Path, text: str):
    counts, rows = _run(index, tmp_path, text)
    assert rows[1]["error"] == ""
    assert "invalid" not in counts


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("id,x,y\n1,650000,6860000\n", "lon, lat"),
        ("lon,lat\n2.4,48.9\n", "id"),
    ],
)
def test_unusable_file_is_refused(index, tmp_path: Path, text: str, message: str):
    with pytest.raises(InvalidInputError) as caught:
        _run(index, tmp_path, text)
    assert caught.value.field == "file"
    assert message in caught.value.message
    assert not (tmp_path / "answers.csv").exists()


def test_an_answered_file_can_be_checked_again(index, tmp_path: Path):
    """The output of one run is a valid input: its answer columns are replaced in place
    (not added twice), and padded numbers are read."""
    text = (
        "id,lon,lat,date\nbobigny, 2.4397 ,48.9086 ,2013-01-01\nparis,2.3522,48.8566,2013-01-01\n"
    )
    _, first = _run(index, tmp_path, text)
    again = tmp_path / "again.csv"
    check_bulk(index, read_sites(tmp_path / "answers.csv"), again, DEFAULT_DATE)
    with again.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        second = list(reader)
    assert reader.fieldnames == list(first[0])
    assert len(reader.fieldnames) == len(set(reader.fieldnames))
    assert [r["status"] for r in second] == [r["status"] for r in first]
    assert first[0]["status"] == "eligible" and first[0]["error"] == ""


def test_a_csv_written_the_french_way_is_read_back(index, tmp_path: Path):
    """``;``, decimal commas, dates in DD/MM/YYYY, accented profession names: what a
    French Excel saves. Each row gets the same answer as its ISO, decimal-point twin."""
    french = (
        "id;lon;lat;date;profession\n"
        "bobigny;2,4397;48,9086;01/01/2013;Médecin\n"
        "courneuve;2,389;48,9236;01/06/2018;MÉDECIN\n"
        "nantes;-1,5;47,2;15/11/2026;médecin\n"
    )
    plain = (
        "id,lon,lat,date,profession\n"
        "bobigny,2.4397,48.9086,2013-01-01,medecin\n"
        "courneuve,2.389,48.9236,2018-06-01,medecin\n"
        "nantes,-1.5,47.2,2026-11-15,medecin\n"
    )
    (tmp_path / "fr").mkdir()
    (tmp_path / "iso").mkdir()
    _, french_rows = _run(index, tmp_path / "fr", french)
    _, plain_rows = _run(index, tmp_path / "iso", plain)
    assert [r["id"] for r in french_rows] == ["bobigny", "courneuve", "nantes"]
    assert all(not r.get("error") for r in french_rows), french_rows
    keep = [k for k in plain_rows[0] if k not in ("lon", "lat", "date", "profession")]
    assert [[r[k] for k in keep] for r in french_rows] == [[r[k] for k in keep] for r in plain_rows]


def test_an_answer_written_for_a_french_excel_is_read_back_by_the_bulk_check(index, tmp_path: Path):
    """``--dialect excel-fr``: ``;``, decimal commas, ``oui``/``non``, a BOM. The file a
    French office gets back is a valid input again, with the same answers."""
    text = (
        "id,lon,lat,date\nbobigny,2.4397,48.9086,2013-01-01\n"
        "courneuve,2.389,48.9236,2018-06-01\nnantes,-1.5,47.2,2018-06-01\n"
    )
    source = tmp_path / "sites.csv"
    source.write_text(text, encoding="utf-8")
    french = tmp_path / "reponses.csv"
    check_bulk(index, read_sites(source), french, DEFAULT_DATE, dialect=Dialect.EXCEL_FR)
    raw = french.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["eligible"] for r in rows] == ["oui", "oui", "non"]
    assert rows[2]["lon"] == "-1,5" and rows[0]["lat"] == "48,9086"
    assert rows[0]["distance_m"] == "" or "." not in rows[0]["distance_m"]
    again = tmp_path / "again.csv"
    check_bulk(index, read_sites(french), again, DEFAULT_DATE)
    with again.open(newline="", encoding="utf-8") as handle:
        second = list(csv.DictReader(handle))
    assert [r["id"] for r in second] == ["bobigny", "courneuve", "nantes"]
    assert [r["status"] for r in second] == [r["status"] for r in rows]
    assert [r["lon"] for r in second] == ["2,4397", "2,389", "-1,5"]  # kept as written
    assert all(not r["error"] for r in second), second


def test_slices_checked_side_by_side_come_back_in_order_and_bounded(monkeypatch):
    """``in_parallel``: answers in the items' order whatever finishes first; at most one
    item per thread is taken from the reader ahead of the caller; an error is raised at
    its place and the items after it are not started."""
    monkeypatch.setattr(bulk, "usable_cpus", lambda: 3)
    taken: list[int] = []
    started: list[int] = []
    lock = threading.Lock()

    def items(n: int):
        for i in range(n):
            taken.append(i)
            yield i

    def work(i: int) -> int:
        with lock:
            started.append(i)
        time.sleep(0.02 * (3 - i % 3))  # later items of a round finish first
        if i == 7:
            raise ValueError("slice 7")
        return i * 10

    results = bulk.in_parallel(work, items(6))
    first = next(results)
    assert first == 0 and len(taken) <= 3  # no more than one item per thread in hand
    assert [first, *results] == [0, 10, 20, 30, 40, 50]

    taken.clear()
    started.clear()
    answered = []
    with pytest.raises(ValueError, match="slice 7"):
        for value in bulk.in_parallel(work, items(40)):
            answered.append(value)
    assert answered == [i * 10 for i in range(7)]
    assert max(started) < 7 + 3 and len(taken) < 40


def test_each_slice_is_shared_out_between_the_threads_in_order():
    big = pa.table({"id": [str(i) for i in range(3 * bulk.MIN_PIECE + 1)]})
    small = pa.table({"id": ["a", "b", "c"]})
    pieces = list(bulk.shared_out([big, small], 3))
    assert [p.num_rows for p in pieces] == [bulk.MIN_PIECE, bulk.MIN_PIECE, bulk.MIN_PIECE + 1, 3]
    assert pa.concat_tables(pieces[:3]).equals(big) and pieces[3].equals(small)
    assert list(bulk.shared_out([big], 1)) == [big]


def _answers(index: ZoningIndex, tmp_path: Path, data: bytes, name: str = "in.csv"):
    source, target = tmp_path / name, tmp_path / "answers.csv"
    source.write_bytes(data)
    check_bulk(index, read_sites(source), target, DEFAULT_DATE)
    with target.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_columns_it_reads_are_found_whatever_their_case_accents_or_spaces(index, tmp_path):
    """``Date`` and ``Profession`` once went unread: every row took the defaults."""
    lower = "id;lon;lat;date;profession\nb;2,4397;48,9086;01/01/2011;medecin\n"
    upper = "ID; Lon ;LAT;Date;Profession\nb;2,4397;48,9086;01/01/2011;Médecin\n"
    expected = _answers(index, tmp_path, lower.encode())
    got = _answers(index, tmp_path, upper.encode())
    assert got[0]["status"] == expected[0]["status"] == "no_zoning", "2011: before 12-209"
    assert list(got[0])[:5] == ["id", "lon", "lat", "date", "profession"]
    spelled = "Id;Longitude;Latitude;Date\nb;2,4397;48,9086;01/06/2013\n"
    (row,) = _answers(index, tmp_path, spelled.encode())
    assert list(row)[:4] == ["id", "lon", "lat", "date"] and row["status"] == "eligible"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"id,lon,lat,lat\nm1,2.4397,48.9086,2.0\n", "in.csv"),
        ("id;lon;lat;Lat;note\nd1;2,44;48,91;48,85;café\n".encode("cp1252"), "in.csv"),
        (b"id,lon,lat,note,note\nm1,2.4397,48.9086,a,b\n", "in.csv"),
    ],
    ids=["utf8-lat-twice", "cp1252-lat-and-Lat", "an-extra-column-twice"],
)
def test_a_header_naming_a_column_twice_is_refused(index, tmp_path, data: bytes, name: str):
    with pytest.raises(InvalidInputError) as caught:
        _answers(index, tmp_path, data, name)
    assert caught.value.field == "file"
    assert "plusieurs fois" in caught.value.message_fr and "more than once" in caught.value.message


def test_every_row_is_a_site_even_one_named_total(index, tmp_path):
    text = "id;lon;lat;commentaire\nTotal cabinet;2,4397;48,9086;é\nEnsemble Sud;2,4397;48,9086;\n"
    rows = _answers(index, tmp_path, text.encode("cp1252"))
    assert [r["id"] for r in rows] == ["Total cabinet", "Ensemble Sud"]


def test_a_windows_1252_file_whose_first_accent_comes_late_is_read(index, tmp_path):
    text = "id;lon;lat;note\n" + "a;2,4397;48,9086;x\n" * 5000 + "z;2,4397;48,9086;Église\n"
    rows = _answers(index, tmp_path, text.encode("cp1252"))
    assert len(rows) == 5001 and rows[-1]["note"] == "Église"


def test_extra_columns_come_back_exactly_as_written(index, tmp_path):
    text = 'id,lon,lat,"code, insee",tel\nx1,2.4397,48.9086,01001,0612345678\n'
    rows = _answers(index, tmp_path, text.encode())
    assert (rows[0]["code, insee"], rows[0]["tel"]) == ("01001", "0612345678")


def test_tab_separated_and_plain_text_named_gz_are_read(index, tmp_path):
    tab = _answers(index, tmp_path, b"id\tlon\tlat\nb\t2.4397\t48.9086\n")
    named_gz = _answers(index, tmp_path, b"id,lon,lat\nb,2.4397,48.9086\n", "sites.csv.gz")
    assert tab[0]["error"] == named_gz[0]["error"] == ""
    assert tab[0]["commune_name"] == named_gz[0]["commune_name"] == "Bobigny"


def test_a_row_with_a_cell_too_many_is_refused_naming_its_line(index, tmp_path):
    text = "id,lon,lat\n" + "a,2.4397,48.9086\n" * 3 + "bad,2.44,48.91,extra\n"
    with pytest.raises(InvalidInputError) as caught:
        _answers(index, tmp_path, text.encode())
    assert "ligne 5 a 4 cellules au lieu de 3" in caught.value.message_fr
    assert "bad,2.44,48.91,extra" in caught.value.message_fr
    assert caught.value.field == "file"


def test_a_point_in_two_zones_lists_them_as_the_single_check_does(idf_engine, tmp_path):
    """Zones listed as found (here La Courneuve first, as the decree's table lists it)
    once differed from the single check's order (qualifying first, then by name)."""
    publish_codes(
        idf_engine,
        tmp_path / "dentistes.csv",
        "Code commune;Zonage\n93027;tres_sous_dotee\n93008;tres_sous_dotee\n",
        profession="chirurgien-dentiste",
        reference="D-2024",
        signed=date(2024, 6, 1),
        effective_from=date(2024, 6, 1),
    )
    index = build_index(idf_engine)
    lon, lat = _shared_vertex(idf_engine)
    text = f"id,lon,lat,date,profession\nv,{lon!r},{lat!r},2025-01-01,chirurgien-dentiste\n"
    _, rows = _run(index, tmp_path, text)
    with idf_engine.connect() as conn:
        one = check(
            index, conn, make_site(lon=lon, lat=lat), date(2025, 1, 1), "chirurgien-dentiste"
        )
    assert len(one.zones) == 2
    listed = "|".join(z.name for z in one.zones)
    assert rows[0]["zone_names"] == listed
    # Whatever order the engine finds them in (here reversed), the same listing.
    answers = evaluate_points(
        index,
        np.array([lon]),
        np.array([lat]),
        np.array([date(2025, 1, 1).toordinal()]),
        np.array(["chirurgien-dentiste"], dtype=object),
    )
    answers.zone_point, answers.zone_row = answers.zone_point[::-1], answers.zone_row[::-1]
    names, _ = bulk._names(index, answers, 1)
    assert names.to_pylist() == [listed]
