"""``cesp check`` and ``cesp check-bulk``: the eligibility engine from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cesp.cli.bulk_entry import bulk_summary
from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import Dialect, engine_of, parse_date, settings_of
from cesp.eligibility.bulk_job import run_bulk_job
from cesp.eligibility.check import check
from cesp.eligibility.index_cache import load_index
from cesp.eligibility.sites import make_site
from cesp.eligibility.wording import explain_fr
from cesp.spreadsheets import parse_dialect
from cesp.zones.professions import parse_profession


def check_command(
    ctx: typer.Context,
    lon: Annotated[float | None, typer.Option(help="WGS84 longitude")] = None,
    lat: Annotated[float | None, typer.Option(help="WGS84 latitude")] = None,
    x: Annotated[float | None, typer.Option(help="Lambert-93 easting (m)")] = None,
    y: Annotated[float | None, typer.Option(help="Lambert-93 northing (m)")] = None,
    insee: Annotated[str | None, typer.Option(help="INSEE commune code")] = None,
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today)")] = None,
    profession: str = "medecin",
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON answer")] = False,
) -> None:
    """Does a site qualify for the CESP on a date?"""
    from cesp.api.eligibility_schemas import EligibilityOut

    settings = settings_of(ctx)
    with domain_errors():
        site = make_site(lon, lat, x, y, insee)
        engine = engine_of(ctx)
        index = load_index(engine, settings.borderline_m, settings.index_cache_dir)
        with engine.connect() as conn:
            result = check(index, conn, site, parse_date(on), profession)
    if as_json:
        typer.echo(
            json.dumps(
                EligibilityOut.of(result).model_dump(mode="json"), indent=2, ensure_ascii=False
            )
        )
        raise typer.Exit(0 if result.eligible else 3)
    typer.echo(explain_fr(result))
    if result.commune:
        typer.echo(f"commune: {result.commune.code} {result.commune.name}")
    for zone in result.zones:
        typer.echo(f"zone: {zone.name} ({zone.category_label}) arrêté {zone.decree.reference}")
    raise typer.Exit(0 if result.eligible else 3)


def check_bulk_command(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="id,lon,lat CSV")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV to write")],
    on: Annotated[str | None, typer.Option("--date", help="Default date of the rows")] = None,
    profession: Annotated[str, typer.Option(help="Default profession of the rows")] = "medecin",
    dialect: Dialect = "datagouv",
) -> None:
    """Check every site of a CSV (columns id,lon,lat[,date,profession]); rows with a
    value it cannot read are marked ``invalid`` and do not stop the run (a row with more
    or fewer cells than the header does, naming its line). The output is in
    ``--dialect``."""
    settings = settings_of(ctx)
    with domain_errors():
        chosen = parse_dialect(dialect)
        default_profession = parse_profession(profession).value
        when = parse_date(on) or date.today()
        with progress_bar() as update:
            counts = run_bulk_job(
                settings.database_url,
                source,
                output,
                when,
                default_profession,
                settings.borderline_m,
                settings.index_cache_dir,
                update,
                chosen,
                echo=settings.sql_echo,
            )
    console.print(bulk_summary(counts, output))
