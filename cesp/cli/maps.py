"""``cesp map``: write a map page that works offline (everything inlined).

The map modules (folium, jinja2) are imported by the commands that use them, so that
other ``cesp`` commands do not pay for them at start-up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import engine_of, parse_date, settings_of
from cesp.errors import InvalidInputError
from cesp.output_paths import output_file
from cesp.zones.professions import parse_profession

app = typer.Typer(help="Cartes : export hors ligne.", no_args_is_help=True)
PAGE_EXTENSIONS = (".html", ".htm")  # what a browser opens on a double click


def _check_region(region: str | None) -> None:
    if region is not None and not (len(region) == 2 and region.isdigit()):
        raise InvalidInputError(
            f"--region {region!r}: expected a two-digit COG region code such as 11",
            message_fr=f"Code de région invalide « {region} » (ex. : 11).",
            field="region",
        )


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write")],
    region: Annotated[str | None, typer.Option(help="COG region code (default: France)")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Zones in force on (YYYY-MM-DD)")] = None,
    profession: Annotated[str, typer.Option(help="Profession")] = "medecin",
) -> None:
    """Write a self-contained map page (scripts, styles and simplified shapes inlined)."""
    from cesp.maps.export import export_map
    from cesp.maps.page import MapRequest

    settings = settings_of(ctx)
    with domain_errors():
        _check_region(region)
        output_file(output, PAGE_EXTENSIONS, "carte.html")
        request = MapRequest(
            region=region,
            on=parse_date(on) or date.today(),
            profession=parse_profession(profession).value,
        )
        with engine_of(ctx).connect() as conn, progress_bar() as update:
            report = export_map(
                conn,
                request,
                output,
                tiles=settings.map_tiles,
                tiles_attribution=settings.map_tiles_attribution,
                progress=update,
            )
    console.print(
        f"Carte écrite : {report.path} ({report.size_bytes / 1e6:.2f} Mo, {report.zones} zones, "
        f"{report.communes} communes)."
    )


@app.command("preview")
def preview_command(
    ctx: typer.Context,
    decree: Annotated[int, typer.Argument(help="Decree id (a draft, usually)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write")],
    against: Annotated[int | None, typer.Option(help="Compare with this decree id")] = None,
) -> None:
    """Write the preview of a decree (zones entering and leaving) as an offline page."""
    from cesp.maps.page import PageOptions, build_preview_map
    from cesp.maps.preview import preview_decree

    with domain_errors(), engine_of(ctx).connect() as conn:
        output_file(output, PAGE_EXTENSIONS, "carte.html")
        preview = preview_decree(conn, decree, against)
        html = build_preview_map(conn, preview, PageOptions(standalone=True)).render()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    summary = preview.summary()
    console.print(
        f"Aperçu écrit : {output} – {summary['entering']} commune(s) entrent, "
        f"{summary['leaving']} sortent, {summary['kept']} restent."
    )
