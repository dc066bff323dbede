"""Schema management on the backend under test."""

import sqlalchemy as sa

from cesp.storage import schema
from cesp.storage.spatial import spatial_index_exists

GEOMETRY_COLUMNS = [("regions", "geom"), ("departements", "geom"), ("commune_units", "geom")]


def test_every_geometry_column_has_a_spatial_index(reference_engine: sa.Engine) -> None:
    with reference_engine.connect() as conn:
        for table, column in GEOMETRY_COLUMNS:
            assert spatial_index_exists(conn, table, column), f"{table}.{column}"


def test_upgrade_is_idempotent_and_downgrade_empties(scratch_engine: sa.Engine) -> None:
    assert schema.upgrade(scratch_engine) == schema.head_revision()
    assert schema.upgrade(scratch_engine) == schema.head_revision()
    schema.downgrade(scratch_engine, "base")
    assert schema.current_revision(scratch_engine) is None
    tables = set(sa.inspect(scratch_engine).get_table_names())
    assert not tables & {"regions", "departements", "commune_units"}
    schema.upgrade(scratch_engine)
    assert schema.current_revision(scratch_engine) == schema.head_revision()


def test_spatialite_point_query_uses_the_rtree(reference_engine: sa.Engine, backend: str) -> None:
    from cesp.storage.spatial import point_intersects

    predicate = point_intersects(reference_engine.dialect.name, "commune_units")
    sql = f"SELECT t.code FROM commune_units t WHERE {predicate}"
    with reference_engine.connect() as conn:
        if backend == "spatialite":
            plan = " ".join(
                str(r[-1])
                for r in conn.execute(
                    sa.text("EXPLAIN QUERY PLAN " + sql), {"lon": 2.35, "lat": 48.85}
                )
            )
            assert "idx_commune_units_geom" in plan
        else:
            plan = " ".join(
                r[0] for r in conn.execute(sa.text("EXPLAIN " + sql), {"lon": 2.35, "lat": 48.85})
            )
            assert "idx_commune_units_geom" in plan
