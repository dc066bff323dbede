"""Create or upgrade the schema with Alembic, programmatically.

Alembic (and Mako under it) is imported by the functions that use it: many modules
import this one for ``require_current``, and every ``cesp`` command would otherwise pay
for loading the migration machinery at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cesp.errors import StorageError
from cesp.storage.engine import write_transaction

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the schema to ``revision``; return the revision now in place."""
    from alembic import command

    with write_transaction(engine) as connection:
        command.upgrade(_config(connection), revision)
    return current_revision(engine) or "base"


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to ``revision`` (used by migration tests)."""
    from alembic import command

    with write_transaction(engine) as connection:
        command.downgrade(_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this code."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def require_schema(url: str, *, gdal: bool = True) -> Engine:
    """An engine on ``url`` if it holds a schema, else a one-line error naming the command
    to run. An absent SQLite file is reported without being created.

    Cheaper than ``require_current`` (no Alembic import): every command checks it.
    """
    from sqlalchemy.engine import make_url

    from cesp.storage.engine import create_engine

    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    missing = StorageError(
        f"Database {shown} has no schema: run 'cesp db init' first",
        message_fr=f"La base {shown} n'a pas de schéma : lancez d'abord « cesp db init ».",
        field="CESP_DATABASE_URL",
    )
    is_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    )
    if is_file and not Path(str(parsed.database)).expanduser().is_file():
        raise missing
    engine = create_engine(url, gdal=gdal)
    try:
        found = sa.inspect(engine).has_table("alembic_version")
    except sa.exc.OperationalError as exc:
        raise StorageError(
            f"Cannot open database {shown}: {exc.orig}",
            message_fr=f"Impossible d'ouvrir la base {shown} : {exc.orig}",
            field="CESP_DATABASE_URL",
        ) from exc
    if not found:
        engine.dispose()
        raise missing
    return engine


def require_current(engine: Engine) -> None:
    """Raise a clear error when the schema is missing or older than this code."""
    found = current_revision(engine)
    if found != head_revision():
        raise StorageError(
            f"Database schema is at {found or 'nothing'}, code expects {head_revision()}: "
            "run 'cesp db init'",
            message_fr="Schéma de base absent ou ancien : lancez « cesp db init ».",
        )
