"""Loading the reference geography of all of France into a real database."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely import wkb

from cesp.errors import InvalidInputError, StorageError
from cesp.geo import loader
from cesp.geo.loader import load_reference
from cesp.storage.engine import create_engine

REESTABLISHED = {"14666", "15031", "15035", "15047", "15171", "85165", "85212"}


def _scalar(conn: sa.Connection, sql: str, **params: object) -> object:
    return conn.execute(sa.text(sql), params).scalar_one()


def test_every_current_commune_has_a_geometry(conn: sa.Connection) -> None:
    total = _scalar(
        conn, "SELECT count(*) FROM commune_units WHERE kind='commune' AND valid_to IS NULL"
    )
    assert total == 34875
    missing = conn.execute(
        sa.text(
            "SELECT code FROM commune_units WHERE kind = 'commune' AND valid_to IS NULL "
            "AND geom IS NULL"
        )
    ).all()
    assert missing == []


def test_only_the_reestablished_communes_and_their_parents_are_approximate(
    conn: sa.Connection,
) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT code, approximate_reason, candidate_codes FROM commune_units "
            "WHERE kind = 'commune' AND valid_to IS NULL AND approximate"
        )
    ).all()
    codes = {r.code for r in rows}
    assert codes == REESTABLISHED | {"14712", "15141", "85084"}
    for row in rows:
        assert row.approximate_reason
        assert row.code in row.candidate_codes.split(",")


def test_merged_commune_is_the_union_of_its_former_polygons(conn: sa.Connection) -> None:
    def area(sql: str) -> float:
        return sum(wkb.loads(bytes(r[0])).area for r in conn.execute(sa.text(sql)).all())

    merged = area(
        "SELECT ST_AsBinary(geom) FROM commune_units WHERE code='91390' AND valid_to IS NULL"
    )
    former = area(
        "SELECT ST_AsBinary(geom) FROM commune_units WHERE code IN ('91390', '91222') "
        "AND valid_to = '2019-01-01'"
    )
    assert merged == pytest.approx(former, rel=1e-6)
    assert (
        _scalar(
            conn,
            "SELECT count(*) FROM commune_units WHERE code IN ('91390', '91222') "
            "AND valid_to = '2019-01-01' AND NOT approximate",
        )
        == 2
    )


def test_code_change_keeps_its_polygon_under_the_new_code(conn: sa.Connection) -> None:
    for code in ("12218", "14581", "49126", "69114"):
        row = conn.execute(
            sa.text(
                "SELECT approximate, geom IS NOT NULL AS has_geom FROM commune_units "
                "WHERE code = :c AND valid_to IS NULL"
            ),
            {"c": code},
        ).one()
        assert row.has_geom and not row.approximate


def test_departement_and_region_outlines(conn: sa.Connection) -> None:
    assert _scalar(conn, "SELECT count(*) FROM departements WHERE geom IS NOT NULL") == 101
    assert _scalar(conn, "SELECT count(*) FROM regions WHERE geom IS NOT NULL") == 18
    assert _scalar(conn, "SELECT region_code FROM departements WHERE code = '93'") == "11"


def test_partial_load_is_idempotent_and_keeps_other_departements(
    scratch_engine: sa.Engine, data_dir: Path
) -> None:
    first = load_reference(scratch_engine, data_dir, "75,92")
    assert not first.unchanged and first.communes == 37 and first.arrondissements == 20

    def snapshot() -> list[tuple]:
        with scratch_engine.connect() as c:
            return c.execute(
                sa.text(
                    "SELECT code, name, valid_from, valid_to, approximate, ST_AsBinary(geom) "
                    "FROM commune_units ORDER BY code, valid_to"
                )
            ).all()

    before = snapshot()
    again = load_reference(scratch_engine, data_dir, "92,75")
    assert again.unchanged
    assert snapshot() == before
    forced = load_reference(scratch_engine, data_dir, "75,92", force=True)
    assert not forced.unchanged
    assert [r[:5] for r in snapshot()] == [r[:5] for r in before]

    load_reference(scratch_engine, data_dir, "93")
    with scratch_engine.connect() as c:
        deps = {
            r[0]
            for r in c.execute(
                sa.text(
                    "SELECT DISTINCT departement_code FROM commune_units WHERE valid_to IS NULL"
                )
            )
        }
    assert deps == {"75", "92", "93"}


def test_a_failed_load_leaves_the_database_as_it_was(
    scratch_engine: sa.Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_reference(scratch_engine, data_dir, "75")

    def boom(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "write_admin_areas", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        load_reference(scratch_engine, data_dir, "75,92", force=True)
    with scratch_engine.connect() as c:
        deps = {
            r[0] for r in c.execute(sa.text("SELECT DISTINCT departement_code FROM commune_units"))
        }
        loads = c.execute(sa.text("SELECT count(*) FROM reference_loads")).scalar_one()
    assert deps == {"75"}
    assert loads == 1


def test_unknown_departement_is_refused_before_any_write(
    scratch_engine: sa.Engine, data_dir: Path
) -> None:
    with pytest.raises(InvalidInputError) as info:
        load_reference(scratch_engine, data_dir, "75,99")
    assert info.value.field == "departements"
    assert "99" in info.value.message


def test_load_into_a_database_without_schema_says_what_to_do(
    tmp_path: Path, data_dir: Path
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(StorageError, match="cesp db init"):
        load_reference(engine, data_dir, "75")
