"""Alembic environment: runs on the connection handed over by ``cesp.storage.schema``.

Its metadata is every package's tables (``cesp.storage.tables``): ``alembic check`` and
``tests/storage/test_tables.py`` compare them with the migrations.
"""

from alembic import context

from cesp.storage.tables import is_schema_object, metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    include_object=is_schema_object,
)
with context.begin_transaction():
    context.run_migrations()
