"""The tables the code declares (``cesp.storage.base.schema_metadata``) are the schema the
migrations build, on the backend under test: a migration and a table that disagree fail
here."""

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cesp.storage.base import is_schema_object, schema_metadata

metadata = schema_metadata()


def differences(engine: sa.Engine, declared: sa.MetaData) -> set[tuple[str, str, str | None]]:
    """What Alembic would change to make the database match ``declared`` (tables, columns
    with their types and nullability, indexes, unique constraints, foreign keys), as
    ``(change, table, column or object name)``."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": is_schema_object, "compare_type": True}
        )
        diffs: list[Any] = compare_metadata(context, declared)
    found: set[tuple[str, str, str | None]] = set()
    for diff in diffs:
        for change in diff if isinstance(diff, list) else [diff]:
            kind = change[0]
            if kind in ("add_table", "remove_table"):
                found.add((kind, change[1].name, None))
            elif kind in ("add_column", "remove_column"):
                found.add((kind, change[2], change[3].name))
            elif kind.startswith("modify_"):
                found.add((kind, change[2], change[3]))
            else:  # indexes, constraints, foreign keys
                found.add((kind, change[1].table.name, change[1].name))
    return found


def test_the_migrations_build_the_declared_tables(scratch_engine: sa.Engine) -> None:
    """``scratch_engine`` is at head: every migration, 0001 to the last, has run."""
    assert differences(scratch_engine, metadata) == set()


def test_a_table_that_disagrees_with_the_migrations_is_reported(
    scratch_engine: sa.Engine,
) -> None:
    drifted = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        if table.name != "tvs_communes":
            table.to_metadata(drifted)
    zones = drifted.tables["zones"]
    zones.append_column(sa.Column("colour", sa.String(7)))
    zones.c.category.type = sa.Integer()
    drifted.tables["posts"].c.specialty.nullable = True
    sa.Index("ix_posts_structure", drifted.tables["posts"].c.structure)
    assert differences(scratch_engine, drifted) >= {
        ("add_column", "zones", "colour"),
        ("modify_type", "zones", "category"),
        ("modify_nullable", "posts", "specialty"),
        ("add_index", "posts", "ix_posts_structure"),
        ("remove_table", "tvs_communes", None),
    }
