"""``cesp``: the command-line interface.

Settings are built once in the callback and handed to the commands through the typer
context; commands call the same domain functions as the API.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cesp.cli.bulk_entry import run_if_check_bulk

if __name__ == "__main__" or Path(sys.argv[0]).name == "cesp":
    run_if_check_bulk()  # a bulk check starts without the rest of the command line

import logging
import os
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.engine import make_url

from cesp.cli import data, eligibility, engagement, keys, maps, posts, qpv, zones
from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import (
    INDEX_HELP,
    engine_of,
    index_of,
    parse_date,
    settings_of,
    store_index,
)
from cesp.errors import CespError
from cesp.geo import cog
from cesp.geo.communes import resolve_code, resolve_point
from cesp.geo.search import search_names
from cesp.posts.sample import load_sample
from cesp.storage import schema
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings

if TYPE_CHECKING:
    from cesp.api.server import ServeOptions

app = typer.Typer(help="cesp-zones : zones déficitaires du CESP.", no_args_is_help=True)
db_app = typer.Typer(help="Base de données : schéma.", no_args_is_help=True)
geo_app = typer.Typer(help="Géographie de référence : communes, historique.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(geo_app, name="geo")
app.add_typer(zones.app, name="zones")
app.add_typer(keys.app, name="keys")
app.add_typer(posts.app, name="posts")
app.add_typer(posts.campaign_app, name="campaign")
app.add_typer(posts.beneficiaries_app, name="beneficiaries")
app.add_typer(data.app, name="data")
app.add_typer(engagement.app, name="engagement")
app.add_typer(maps.app, name="map")
app.command("audit")(keys.audit_command)
app.command("check")(eligibility.check_command)
app.command("check-bulk")(eligibility.check_bulk_command)
geo_app.command("load-qpv")(qpv.load_qpv_command)

IDF_REGION = "11"


@app.callback()
def main(
    ctx: typer.Context,
    database_url: Annotated[
        str | None, typer.Option(help="Overrides CESP_DATABASE_URL", envvar=None)
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Overrides CESP_DATA_DIR")] = None,
) -> None:
    """Read the settings once for every command."""
    overrides: dict[str, object] = {}
    if database_url:
        overrides["database_url"] = database_url
    if data_dir:
        overrides["data_dir"] = data_dir
    with domain_errors():
        try:
            settings = Settings(**overrides)  # type: ignore[arg-type]
        except ValueError as exc:
            console.print(f"[red]Configuration invalide :[/red] {exc}")
            raise typer.Exit(2) from exc
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    for noisy in ("alembic", "pyogrio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    ctx.obj = settings


@db_app.command("init")
def db_init(ctx: typer.Context) -> None:
    """Create the schema, or upgrade it to the version of this code."""
    with domain_errors():
        revision = schema.upgrade(engine_of(ctx, schema_required=False))
    console.print(f"Schéma à jour (révision {revision}).")


@db_app.command("info")
def db_info(ctx: typer.Context) -> None:
    """Where the data lives (data folder, database, index cache, reference data) and the
    schema revision: the defaults do not depend on the folder the command runs from."""
    settings = settings_of(ctx)
    revision: str | None = None
    try:
        engine = schema.require_schema(settings.database_url)
    except CespError:
        engine = None
    if engine is not None:
        revision = schema.current_revision(engine)
        engine.dispose()
    head = schema.head_revision()
    state = (
        "absent (lancez « cesp db init »)"
        if revision is None
        else (f"{revision}, à jour" if revision == head else f"{revision}, attendu {head}")
    )
    rows = (
        ("Dossier de données (CESP_HOME)", str(settings.home)),
        ("Base (CESP_DATABASE_URL)", _redacted(settings)),
        ("Schéma", state),
        ("Index des zones (CESP_INDEX_CACHE_DIR)", settings.index_cache_dir or "non conservé"),
        ("Référentiel (CESP_DATA_DIR)", str(settings.data_dir)),
    )
    for label, value in rows:
        typer.echo(f"{label:<40} {value}")
    if revision != head:
        raise typer.Exit(1)


def _load(ctx: typer.Context, departements: str | None, region: str | None, force: bool) -> bool:
    """Load the reference geography; False when it was already loaded and unchanged."""
    from cesp.geo.loader import load_reference  # GDAL readers: only for the loading commands

    settings = settings_of(ctx)
    with domain_errors():
        if region:
            deps = [d.code for d in cog.read_departements(settings.data_dir) if d.region == region]
            if not deps:
                console.print(f"[red]Erreur :[/red] région inconnue : {region}")
                raise typer.Exit(2)
            departements = ",".join(sorted(set(deps) | set((departements or "").split(","))))
        engine = engine_of(ctx)
        with progress_bar() as update:
            report = load_reference(
                engine, settings.data_dir, departements, force=force, progress=update
            )
    scope = ", ".join(report.departements) or "toute la France"
    if report.unchanged:
        console.print(f"Référentiel déjà chargé et inchangé ({scope}) : rien à faire.")
        return False
    console.print(
        f"Chargé ({scope}) : {report.communes} communes, {report.arrondissements} "
        f"arrondissements, {report.former_units} états historiques, "
        f"{report.approximate_units} contours approchés, en {report.seconds:.1f} s."
    )
    return True


@geo_app.command("load")
def geo_load(
    ctx: typer.Context,
    departements: Annotated[
        str | None, typer.Option(help="Départements to load, e.g. 75,92,93 (default: all)")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Load the départements of a region")] = None,
    force: Annotated[bool, typer.Option(help="Reload even if the inputs are unchanged")] = False,
    index: Annotated[bool, typer.Option(help=INDEX_HELP)] = True,
) -> None:
    """Load regions, départements, communes and their history from CESP_DATA_DIR."""
    if _load(ctx, departements, region, force) and index:
        store_index(ctx)


@geo_app.command("commune")
def geo_commune(
    ctx: typer.Context,
    code: str,
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Show what an INSEE code designated at a date, and where it lives now."""
    with domain_errors():
        when = parse_date(on)
        with engine_of(ctx).connect() as conn:
            result = resolve_code(conn, code, when)
    unit = result.unit
    typer.echo(f"{unit.code}\t{unit.name}\t{result.status}\t{unit.valid_from}\t{unit.valid_to}")
    if unit.approximate:
        typer.echo(f"approximate: {unit.approximate_reason}")
    for heir in result.now:
        typer.echo(f"now: {heir.code}\t{heir.name}")


@geo_app.command("locate")
def geo_locate(
    ctx: typer.Context,
    lon: float,
    lat: float,
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Show the commune under a WGS84 point."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        result = resolve_point(conn, lon, lat, parse_date(on))
    typer.echo(f"{result.commune.code}\t{result.commune.name}")
    if result.arrondissement:
        typer.echo(f"arrondissement: {result.arrondissement.code}\t{result.arrondissement.name}")
    for other in result.candidates:
        typer.echo(f"candidate: {other.code}\t{other.name}")


@geo_app.command("search")
def geo_search(
    ctx: typer.Context,
    query: str,
    departement: Annotated[str | None, typer.Option(help="Département code")] = None,
    limit: int = 10,
) -> None:
    """Find communes by name."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        matches = search_names(conn, query, departement=departement, limit=limit)
    for match in matches:
        unit = match.unit
        typer.echo(f"{unit.code}\t{unit.name}\t{unit.departement_name} ({unit.departement_code})")


def _serve(
    settings: Settings,
    options: ServeOptions,
) -> None:
    from cesp.api.server import run_server  # the web stack only for the commands that serve

    # Workers are separate processes: they rebuild the settings from the environment.
    os.environ["CESP_DATABASE_URL"] = settings.database_url
    os.environ["CESP_DATA_DIR"] = str(settings.data_dir)
    run_server(options)


def _redacted(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes (default: one per CPU available)"),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Reverse proxies trusted for X-Forwarded-For (default "
            "CESP_FORWARDED_ALLOW_IPS, 127.0.0.1)"
        ),
    ] = None,
) -> None:
    """Run the HTTP API (uvicorn), with N worker processes behind one port."""
    from cesp.api.server import ServeOptions, default_workers

    settings = settings_of(ctx)
    with domain_errors():
        schema.require_current(create_engine(settings.database_url))
    options = ServeOptions(
        host=host,
        port=port,
        workers=workers or default_workers(),
        log_format=settings.log_format,
        log_level=settings.log_level,
        forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
        database=_redacted(settings),
    )
    _serve(settings, options)


@app.command()
def demo(
    ctx: typer.Context,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Prepare only")] = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Prepare the database from scratch with Île-de-France, then serve it."""
    from cesp.zones.bundled import load_bundled  # decree readers: only for the demo

    settings = settings_of(ctx)
    url = make_url(settings.database_url)
    with domain_errors():
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(url.database + suffix).unlink(missing_ok=True)
            engine = create_engine(settings.database_url)
        else:
            engine = create_engine(settings.database_url)
            schema.downgrade(engine, "base")
        schema.upgrade(engine)
        engine.dispose()
    _load(ctx, None, IDF_REGION, force=True)
    with domain_errors():
        for report in load_bundled(create_engine(settings.database_url)):
            if report.decree is not None:
                console.print(
                    f"Arrêté {report.decree.reference} ({report.decree.region_code}) chargé : "
                    f"{len(report.zones)} zones, statut {report.decree.status}."
                )
        engine = create_engine(settings.database_url)
        sample = load_sample(engine, index_of(ctx))
        console.print(
            f"Données d'EXEMPLE : {sample.posts} postes, {sample.beneficiaries} bénéficiaires, "
            f"campagnes ouvertes {sample.campaigns}."
        )
        console.print(f"Clé d'interne d'exemple (rang 1) : {sample.intern_key}")
    if not no_serve:
        from cesp.api.server import ServeOptions

        # A person watches the demo in a terminal: plain text logs.
        options = ServeOptions(
            host=host, port=port, log_format="text", database=_redacted(settings)
        )
        _serve(settings, options)


if __name__ == "__main__":
    app()
