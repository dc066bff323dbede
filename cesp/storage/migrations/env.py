"""Alembic environment: runs on the connection handed over by ``cesp.storage.schema``.

Its metadata is every package's tables (``cesp.storage.base.schema_metadata``):
``alembic check`` and ``tests/storage/test_tables.py`` compare them with the migrations.
"""

from alembic import context

from cesp.storage.base import is_schema_object, schema_metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=schema_metadata(),
    render_as_batch=True,
    include_object=is_schema_object,
)
with context.begin_transaction():
    context.run_migrations()
