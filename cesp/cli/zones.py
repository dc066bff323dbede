"""``cesp zones``: import, publish, list, diff and export zoning decrees."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cesp.cli.categories import categories_app
from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import (
    INDEX_HELP,
    Dialect,
    cli_actor,
    engine_of,
    index_of,
    parse_date,
    store_index,
    store_map_shapes,
)
from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.storage.engine import write_transaction
from cesp.zones.decrees import decree_zones, get_decree, list_decrees
from cesp.zones.diff import diff_decrees
from cesp.zones.publication import publish_decree

if TYPE_CHECKING:
    from cesp.zones.importer import ImportReport

app = typer.Typer(help="Arrêtés de zonage : import, publication, export.", no_args_is_help=True)
app.add_typer(categories_app, name="categories")


def _print_report(report: ImportReport) -> None:
    if report.status == "unchanged":
        console.print(f"Déjà importé : {'; '.join(report.notes)}")
        return
    table = Table(title=f"Zones ({report.source_format}, {report.crs or 'codes INSEE'})")
    for column in ("Zone", "Catégorie", "Communes", "Population", "Approx."):
        table.add_column(column)
    for zone in report.zones:
        table.add_row(
            zone.name,
            zone.category + (" (QPV)" if zone.priority else ""),
            str(zone.communes),
            f"{zone.population or 0:,}".replace(",", " "),
            "oui" if zone.approximate else "",
        )
    console.print(table)
    if any(z.priority for z in report.zones):
        console.print(
            "(QPV) : zone d'un quartier prioritaire ; sa catégorie prime sur celle du "
            "territoire à l'intérieur du quartier."
        )
    if report.source_format in ("csv", "xlsx", "xls", "ods"):
        summary = report.rows_summary_fr()
        console.print(summary[0].upper() + summary[1:])
    for note in report.notes:
        console.print(f"[dim]note : {note}[/dim]")
    console.print(
        f"{len(report.zones)} zones, {report.communes} communes, "
        f"{report.population:,} habitants".replace(",", " ")
    )
    if report.complements is not None:
        console.print(
            f"Arrêté complémentaire : complète l'arrêté {report.complements.reference} "
            f"(id {report.complements.id}, en vigueur depuis le "
            f"{report.complements.effective_from:%d/%m/%Y}) ; les deux restent en vigueur."
        )
    principal = report.compared_with.reference if report.compared_with else ""
    for other in report.in_force_with:
        ends = (
            "reste en vigueur"
            if report.complements
            else "prendra fin avec l'arrêté remplacé, sauf --keep-complementary"
        )
        console.print(
            f"Arrêté complémentaire en vigueur avec l'arrêté {principal} : "
            f"{other.reference} (id {other.id}) ; {ends}."
        )
    if report.diff is not None:
        against = report.compared_with.reference if report.compared_with else "aucun arrêté"
        console.print(
            f"Par rapport à {against} : +{len(report.diff.entering)} communes "
            f"(+{report.diff.population_entering} hab.), -{len(report.diff.leaving)} communes "
            f"(-{report.diff.population_leaving} hab.)"
        )
        for change in report.diff.leaving[:20]:
            console.print(f"  - sort : {change.code} {change.name}")
    if report.decree is not None:
        console.print(
            f"Arrêté {report.decree.reference} enregistré (id {report.decree.id}, "
            f"statut {report.decree.status})."
        )
        for old in report.superseded:
            console.print(f"  remplace {old.reference} (id {old.id}), clos au {old.effective_to}")
    elif report.status == "preview":
        console.print("[yellow]Simulation (--dry-run) : rien n'a été enregistré.[/yellow]")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    region: Annotated[str, typer.Option(help="ARS region code (COG), e.g. 11")],
    reference: Annotated[str, typer.Option(help="Decree number, e.g. 12-209")],
    signed: Annotated[str, typer.Option(help="Signature date YYYY-MM-DD")],
    effective_from: Annotated[str, typer.Option(help="First day in force YYYY-MM-DD")],
    profession: Annotated[str, typer.Option(help="medecin, chirurgien-dentiste, ...")],
    effective_to: Annotated[str | None, typer.Option(help="Last day in force")] = None,
    title: Annotated[str | None, typer.Option(help="Title of the decree")] = None,
    name_field: Annotated[str | None, typer.Option(help="Column holding the zone name")] = None,
    category_field: Annotated[str | None, typer.Option(help="Column of the category")] = None,
    category: Annotated[str | None, typer.Option(help="Category for every zone")] = None,
    assume_crs: Annotated[str | None, typer.Option(help="CRS when the file has none")] = None,
    encoding: Annotated[str | None, typer.Option(help="Attribute encoding override")] = None,
    layer: Annotated[str | None, typer.Option(help="GeoPackage layer / XLSX sheet")] = None,
    sheet: Annotated[str | None, typer.Option(help="Sheet of a workbook (XLSX, XLS, ODS)")] = None,
    code_field: Annotated[str | None, typer.Option(help="Column of commune codes")] = None,
    zone_field: Annotated[str | None, typer.Option(help="Column of zone (TVS) codes")] = None,
    region_field: Annotated[str | None, typer.Option(help="Column of region codes")] = None,
    header_row: Annotated[
        int | None, typer.Option(min=1, help="Line number of the header (1 = the first line)")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help='Category mapping FROM=TO, e.g. "1_ZIP=ZIP" (repeatable)'),
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="File of FROM=TO lines")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Preview only, write nothing")] = False,
    publish: Annotated[bool, typer.Option(help="Publish right after the import")] = False,
    complementary: Annotated[
        bool,
        typer.Option(
            help="The decree amends the region's principal decree in force (e.g. a separate "
            "QPV decree) and stays in force with it instead of replacing it"
        ),
    ] = False,
    keep_complementary: Annotated[
        bool,
        typer.Option(
            help="With --publish: the complementary decrees of the decree replaced stay in "
            "force, now amending this one"
        ),
    ] = False,
    index: Annotated[bool, typer.Option(help=INDEX_HELP)] = True,
) -> None:
    """Import a decree file (zipped shapefile, GeoJSON, GeoPackage, CSV/XLSX of codes)."""
    # File readers (pandas, GDAL) are imported here, not when any cesp command starts.
    from cesp.posts.impact import preview_impact
    from cesp.zones.categories import parse_mapping
    from cesp.zones.importer import import_decree
    from cesp.zones.readers import ReadOptions
    from cesp.zones.request import DecreeRequest

    with domain_errors():
        mapping = parse_mapping(
            map_ or [], map_file.read_text(encoding="utf-8-sig") if map_file else None
        )
        request = DecreeRequest(
            region=region,
            reference=reference,
            signed=_required_date(signed, "signed"),
            effective_from=_required_date(effective_from, "effective_from"),
            effective_to=parse_date(effective_to, "effective_to"),
            profession=profession,
            title=title,
            category=category,
            publish=publish,
            dry_run=dry_run,
            complementary=complementary,
            keep_complementary=keep_complementary,
            read=ReadOptions(
                name_field,
                category_field,
                assume_crs,
                encoding,
                sheet or layer,
                code_field=code_field,
                zone_field=zone_field,
                region_field=region_field,
                header_row=header_row,
                category_map=mapping,
            ),
        )
        try:
            with progress_bar() as update:
                report = import_decree(
                    engine_of(ctx),
                    file,
                    request,
                    actor=cli_actor(),
                    progress=update,
                )
        except ValidationFailedError as error:
            for problem in error.problems:
                where = f"ligne {problem.row}" if problem.row is not None else "fichier"
                console.print(f"[red]{where}[/red] : {problem.message_fr} [dim]({problem})[/dim]")
            raise
        _print_report(report)
        if report.status == "published" and index:
            store_index(ctx)
        if report.status == "published" and report.decree is not None:
            store_map_shapes(ctx, [report.decree.id])
        if report.status == "preview":
            engine = engine_of(ctx)
            with engine.connect() as conn:
                leaving, practising = preview_impact(conn, index_of(ctx), request, report)
            console.print(f"Postes ouverts qui sortiraient de toute zone : {len(leaving)}")
            console.print(
                "Bénéficiaires en exercice dont le lieu sortirait de toute zone : "
                f"{len(practising)}"
            )
            for post in leaving:
                console.print(
                    f"  - {post.reference} {post.structure}, {post.commune_name} "
                    f"({post.specialty}, {post.places_left} place(s))"
                )


def _required_date(value: str, field: str) -> date:
    parsed = parse_date(value, field)
    assert parsed is not None
    return parsed


@app.command("publish")
def publish_command(
    ctx: typer.Context,
    decree_id: int,
    keep_complementary: Annotated[
        bool,
        typer.Option(
            help="The complementary decrees of the decree replaced stay in force, now "
            "amending this one (default: they end with it)"
        ),
    ] = False,
    index: Annotated[bool, typer.Option(help=INDEX_HELP)] = True,
) -> None:
    """Publish a draft decree; the decree it replaces is closed the day before."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        decree, superseded = publish_decree(
            conn, decree_id, cli_actor(), keep_complementary=keep_complementary
        )
    console.print(f"Arrêté {decree.reference} publié (en vigueur au {decree.effective_from}).")
    for old in superseded:
        console.print(f"  {old.reference} clos au {old.effective_to}")
    if index:
        store_index(ctx)
    store_map_shapes(ctx, [decree.id])


@app.command("index")
def index_command(ctx: typer.Context) -> None:
    """Build and keep the zoning index of the database now (after loads with --no-index;
    otherwise the first check after them builds it)."""
    store_index(ctx)


@app.command("list")
def list_command(
    ctx: typer.Context,
    region: str | None = None,
    profession: str | None = None,
    status: str | None = None,
    on: Annotated[str | None, typer.Option("--date", help="In force on YYYY-MM-DD")] = None,
) -> None:
    """List decrees."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        decrees = list_decrees(
            conn,
            region=region,
            profession=profession,
            status=status,
            on=parse_date(on, "date"),
        )
    for d in decrees:
        end = d.effective_to.isoformat() if d.effective_to else "…"
        typer.echo(
            f"{d.id}\t{d.region_code}\t{d.reference}\t{d.profession}\t{d.status}\t"
            f"{d.effective_from.isoformat()} → {end}\t{d.source_filename}"
            + (f"\tcomplète l'arrêté {d.complements}" if d.complementary else "")
        )


@app.command("diff")
def diff_command(ctx: typer.Context, before: int, after: int) -> None:
    """Communes entering and leaving from decree BEFORE to decree AFTER."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        a, b = get_decree(conn, before), get_decree(conn, after)
        diff = diff_decrees(conn, a.id, b.id)
    typer.echo(f"{a.reference} -> {b.reference}: {diff.kept} kept")
    for c in diff.entering:
        typer.echo(f"+\t{c.code}\t{c.name}\t{c.population or ''}")
    for c in diff.leaving:
        typer.echo(f"-\t{c.code}\t{c.name}\t{c.population or ''}")
    typer.echo(f"population +{diff.population_entering} -{diff.population_leaving}")


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="gpkg, shp (z.shp: the file set; z.zip: zipped), geojson, or the zones "
            "list without geometry: csv (with its .csvt), xlsx; by default the one the "
            "output's extension names",
        ),
    ] = None,
    region: str | None = None,
    profession: str = "medecin",
    on: Annotated[str | None, typer.Option("--date", help="Zones in force on that date")] = None,
    decree: Annotated[int | None, typer.Option(help="Export one decree instead")] = None,
    crs: Annotated[str, typer.Option(help="wgs84 or lambert93")] = "wgs84",
    dialect: Dialect = "datagouv",
) -> None:
    """Export zones for QGIS (or as a list for a spreadsheet): in force on a date, or of
    one decree."""
    from cesp.spreadsheets import parse_dialect
    from cesp.zones.export import (
        default_export_crs,
        write_zones,
        zones_frame,
        zones_in_force,
    )

    with domain_errors():
        chosen = parse_dialect(dialect)
        with engine_of(ctx).connect() as conn:
            if decree is not None:
                decrees = [get_decree(conn, decree)]
                zones = decree_zones(conn, [decree])
            else:
                when = parse_date(on, "date") or date.today()
                decrees, zones = zones_in_force(conn, when, profession, region)
            frame = zones_frame(conn, decrees, zones)
        if not zones:
            raise InvalidInputError(
                "no zone to export for this selection",
                message_fr="Aucune zone à exporter pour cette sélection.",
                field="region",
            )
        path = write_zones(frame, output, fmt, default_export_crs(crs), chosen)
    console.print(f"{len(zones)} zones écrites dans {path}.")


@app.command("communes")
def communes_command(
    ctx: typer.Context,
    region: Annotated[str, typer.Option(help="Region code")],
    output: Annotated[Path, typer.Option("-o", "--output", help=".csv or .xlsx")],
    profession: str = "medecin",
    on: Annotated[
        str | None, typer.Option("--date", help="JJ/MM/AAAA or YYYY-MM-DD (default today)")
    ] = None,
    dialect: Dialect = "datagouv",
) -> None:
    """Eligible communes of a region on a date, as CSV (with its .csvt) or XLSX."""
    from cesp.field_schema import ELIGIBLE_COMMUNE_FIELDS
    from cesp.spreadsheets import parse_dialect, write_file
    from cesp.zones.export import commune_records, eligible_communes

    with domain_errors():
        chosen = parse_dialect(dialect)
        with engine_of(ctx).connect() as conn:
            rows = eligible_communes(
                conn, region, parse_date(on, "date") or date.today(), profession
            )
        records = commune_records(rows)
        files = write_file(output, ELIGIBLE_COMMUNE_FIELDS, records, "communes", chosen)
    console.print(f"{len(rows)} communes écrites dans {', '.join(str(f) for f in files)}.")
