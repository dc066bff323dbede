"""``cesp posts``, ``cesp campaign`` and ``cesp beneficiaries``: the national lists from
the command line (CNG case officers, ARS staff), over the same functions as the API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import Dialect, cli_actor, engine_of, index_of, parse_date
from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.field_schema import POST_LIST_FIELDS
from cesp.output_paths import output_file
from cesp.posts.beneficiaries import add_beneficiaries, link_key
from cesp.posts.campaigns import create_campaign, history, set_candidates, set_status
from cesp.posts.listfile import list_record, read_list
from cesp.posts.proposals import run_allocation
from cesp.posts.sample import load_sample
from cesp.posts.store import PostFilter, add_posts, list_posts
from cesp.spreadsheets import SPREADSHEET_EXTENSIONS, parse_dialect, write_file
from cesp.storage.engine import write_transaction

app = typer.Typer(help="Liste nationale des lieux d'exercice et des postes.", no_args_is_help=True)
campaign_app = typer.Typer(help="Campagnes de choix et répartition.", no_args_is_help=True)
beneficiaries_app = typer.Typer(help="Bénéficiaires du CESP.", no_args_is_help=True)


def _print_problems(error: ValidationFailedError) -> None:
    for problem in error.problems:
        where = f"ligne {problem.row}" if problem.row is not None else "fichier"
        column = f", colonne {problem.field}" if problem.field else ""
        console.print(f"[red]{where}{column}[/red] : {problem.message_fr}")
    console.print("[red]Rien n'a été importé.[/red]")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX")],
    campaign: Annotated[int, typer.Option(help="Campaign year, e.g. 2026")],
    published: Annotated[str | None, typer.Option(help="Publication date (default today)")] = None,
) -> None:
    """Import a list (French headers); every line is checked, nothing is written on error."""
    with domain_errors():
        listed_on = parse_date(published, "published") or date.today()
        try:
            with progress_bar() as update:
                update("read", 0, 1)
                rows = read_list(file)
                update("read", 1, 1)
                update("index", 0, 1)
                index = index_of(ctx)
                update("index", 1, 1)
                update("write", 0, len(rows))
                with write_transaction(engine_of(ctx)) as conn:
                    ids = add_posts(
                        conn, index, rows, campaign, cli_actor(), listed_on, source=file.name
                    )
                update("write", len(rows), len(rows))
        except ValidationFailedError as error:
            _print_problems(error)
            raise
    console.print(f"{len(ids)} postes importés dans la campagne {campaign}.")


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help=".csv or .xlsx")],
    campaign: Annotated[int | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str | None, typer.Option(help="exercice or internat")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Qualification date")] = None,
    dialect: Dialect = "datagouv",
) -> None:
    """Export the list with where each site stands on ``--date``."""
    with domain_errors():
        chosen = parse_dialect(dialect)
        output_file(output, SPREADSHEET_EXTENSIONS)  # before the list is read
        index = index_of(ctx)
        with engine_of(ctx).connect() as conn:
            where = PostFilter(campaign=campaign, region=region, kind=kind)
            day = parse_date(on) or date.today()
            total = list_posts(conn, index, where, on=day, limit=1).total
            items = list_posts(conn, index, where, on=day, limit=max(total, 1)).items
        records = [list_record(p, q) for p, q in items]
        files = write_file(output, POST_LIST_FIELDS, records, "liste nationale", chosen)
    console.print(f"{len(items)} postes écrits dans {', '.join(str(f) for f in files)}.")


@app.command("sample")
def sample_command(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Fixed seed: same list every time")] = 2026,
    count: Annotated[int, typer.Option(help="Practice sites to generate")] = 300,
    beneficiaries: Annotated[int, typer.Option()] = 40,
    year: Annotated[int, typer.Option()] = 2026,
) -> None:
    """Generate the SAMPLE list of the demo (Île-de-France, labelled as sample data)."""
    with domain_errors():
        report = load_sample(
            engine_of(ctx),
            index_of(ctx),
            year=year,
            seed=seed,
            count=count,
            beneficiaries=beneficiaries,
        )
    console.print(
        f"Données d'EXEMPLE : {report.posts} postes, {report.beneficiaries} bénéficiaires, "
        f"campagnes {report.campaigns}."
    )
    console.print("Clé d'interne d'exemple (rang 1) :")
    typer.echo(report.intern_key)


def _read_csv(path: Path) -> list[tuple[int | None, dict[str, str]]]:
    """Rows of a beneficiaries or candidates table (any table ``cesp.tabular`` reads)."""
    from cesp.tabular import read_table

    return [(line, row) for line, row in read_table(path).rows]


@beneficiaries_app.command("import")
def beneficiaries_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Import beneficiaries (CSV: reference,name,profession,specialty,training_region,
    requested_on,signed_on,months_paid,suspended_months,deferral_months)."""
    with domain_errors():
        try:
            with write_transaction(engine_of(ctx)) as conn:
                ids = add_beneficiaries(conn, _read_csv(file), cli_actor())
        except ValidationFailedError as error:
            _print_problems(error)
            raise
    console.print(f"{len(ids)} bénéficiaires importés.")


@beneficiaries_app.command("link-key")
def beneficiaries_link(ctx: typer.Context, beneficiary_id: int, key_name: str) -> None:
    """Let an intern key (``cesp keys create --role intern``) act for a beneficiary."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        link_key(conn, beneficiary_id, key_name, cli_actor())
    console.print(f"La clé {key_name} agit pour le bénéficiaire {beneficiary_id}.")


@campaign_app.command("create")
def campaign_create(
    ctx: typer.Context,
    year: Annotated[int, typer.Option()],
    kind: Annotated[str, typer.Option(help="internat (rank order) or exercice (wishes)")],
    published: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a campaign in draft."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        made = create_campaign(
            conn, year, kind, parse_date(published, "published") or date.today(), cli_actor()
        )
    console.print(f"Campagne n°{made.id} ({made.kind} {made.year}) créée, en brouillon.")


@campaign_app.command("candidates")
def campaign_candidates(
    ctx: typer.Context,
    campaign_id: int,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="beneficiary_id,rank")],
) -> None:
    """Set the candidates of a campaign and their rank."""
    with domain_errors():
        ranks: dict[int, int] = {}
        for line, row in _read_csv(file):
            try:
                ranks[int(row["beneficiary_id"])] = int(row["rank"])
            except (KeyError, TypeError, ValueError) as error:
                raise InvalidInputError(
                    f"line {line}: beneficiary_id and rank must be whole numbers",
                    message_fr=f"Ligne {line} : beneficiary_id et rank doivent être des entiers.",
                    field="file",
                ) from error
        with write_transaction(engine_of(ctx)) as conn:
            set_candidates(conn, campaign_id, ranks, cli_actor())
    console.print(f"{len(ranks)} candidats classés.")


@campaign_app.command("open")
def campaign_open(ctx: typer.Context, campaign_id: int) -> None:
    """Open a campaign."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        set_status(conn, campaign_id, "open", cli_actor())
    console.print(f"Campagne n°{campaign_id} ouverte.")


@campaign_app.command("close")
def campaign_close(ctx: typer.Context, campaign_id: int) -> None:
    """Close a campaign."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        set_status(conn, campaign_id, "closed", cli_actor())
    console.print(f"Campagne n°{campaign_id} close.")


@campaign_app.command("allocate")
def campaign_allocate(ctx: typer.Context, campaign_id: int) -> None:
    """Propose an allocation from the wishes, and explain each outcome."""
    with domain_errors():
        run, outcomes = run_allocation(engine_of(ctx), campaign_id, cli_actor())
    table = Table(title=f"Répartition n°{run}")
    for column in ("Bénéficiaire", "Issue", "Poste", "Vœu", "Explication"):
        table.add_column(column, overflow="fold")
    labels = {"proposed": "proposé", "tie": "égalité", "none": "aucun"}
    for o in outcomes:
        table.add_row(
            str(o.applicant_id),
            labels[o.outcome],
            str(o.post_id or "—"),
            str(o.wish_rank or "—"),
            o.explanation_fr,
        )
    console.print(table)


@campaign_app.command("history")
def campaign_history(ctx: typer.Context, campaign_id: int) -> None:
    """Every step of a campaign."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        steps = history(conn, campaign_id)
    for step in steps:
        console.print(f"{step['at']}  {step['actor']:<20} {step['event']:<18} {step['detail_fr']}")
