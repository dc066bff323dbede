"""Helpers shared by the CLI commands: settings and engine from the context, dates."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.engine import Engine

from cesp.audit import Actor
from cesp.cli.console import console, domain_errors
from cesp.cli.dates import parse_date as parse_date  # re-exported: the commands import it here
from cesp.storage import schema
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings

if TYPE_CHECKING:
    from cesp.eligibility.zoning_index import ZoningIndex


def settings_of(ctx: typer.Context) -> Settings:
    """The settings built once by the root callback."""
    root = ctx.find_root()
    settings: Settings = root.obj
    return settings


def engine_of(ctx: typer.Context, *, schema_required: bool = True) -> Engine:
    """An engine on the configured database; unless ``schema_required`` is False (the
    commands that create the schema), a database without a schema ends the command with
    one line saying to run ``cesp db init``."""
    settings = settings_of(ctx)
    if schema_required:
        with domain_errors():
            schema.require_schema(settings.database_url).dispose()
    return create_engine(settings.database_url, echo=settings.sql_echo)


def index_of(ctx: typer.Context) -> ZoningIndex:
    """The zoning index of the configured database, from the on-disk cache when it holds
    the current state (and stored there when built, for the next command or worker)."""
    from cesp.eligibility.index_cache import load_index

    settings = settings_of(ctx)
    return load_index(engine_of(ctx), settings.borderline_m, settings.index_cache_dir)


INDEX_HELP = (
    "Prepare the zoning index for checks now; --no-index when loading several decrees in "
    "a row (then run `cesp zones index` once at the end)"
)


def store_index(ctx: typer.Context) -> None:
    """After a change to what the index holds (a publication, a reference load): build
    and keep the new zoning index now, so that the next check, bulk check or server
    worker loads it instead of building it."""
    if not settings_of(ctx).index_cache_dir:
        console.print(
            "Index des zones non conservé (CESP_INDEX_CACHE_DIR est vide) : chaque "
            "vérification le construira."
        )
        return
    with domain_errors(), console.status("Préparation de l'index des zones…"):
        index_of(ctx)
    console.print("Index des zones prêt pour les vérifications.")


def store_map_shapes(ctx: typer.Context, decree_ids: list[int]) -> None:
    """After a publication: the map's simplified shapes of the new decrees, at every
    zoom level, kept in the map cache (``CESP_MAP_CACHE_DIR``) for the server to read."""
    from cesp.maps.shape_store import ShapeStore, warm_published

    directory = settings_of(ctx).map_cache_dir
    if not directory:
        return
    with domain_errors(), console.status("Préparation des formes de la carte…"):
        warm_published(engine_of(ctx), ShapeStore(Path(directory)), decree_ids)
    console.print("Carte prête : formes des zones simplifiées et conservées.")


def cli_actor() -> Actor:
    """The author of writes made from the command line (shell access is admin access)."""
    return Actor(f"cli:{getpass.getuser()}", "admin")


DIALECT_HELP = (
    "CSV dialect: datagouv (',' and a decimal point, with a .csvt for QGIS) or excel-fr "
    "(';', decimal comma and jj/mm/aaaa, for a French spreadsheet)"
)
Dialect = Annotated[str, typer.Option("--dialect", help=DIALECT_HELP)]
