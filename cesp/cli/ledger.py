"""``cesp engagement ledger``: the follow-up ledger of a beneficiary from the shell
(practice periods, suspensions, deferrals; the follow-up; CSV/XLSX export)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cesp.cli.console import console, domain_errors
from cesp.cli.options import Dialect, cli_actor, engine_of, index_of, parse_date
from cesp.eligibility.sites import make_site
from cesp.engagement.ledger_store import (
    add_event,
    add_period,
    follow_up_of,
    ledger_records,
)
from cesp.field_schema import LEDGER_FIELDS
from cesp.posts.beneficiaries import get_beneficiary
from cesp.spreadsheets import parse_dialect, write_file
from cesp.storage.engine import write_transaction

app = typer.Typer(help="Suivi de l'engagement jusqu'à son terme.", no_args_is_help=True)

STATUS_FR = {
    "studying": "en études",
    "practising": "en exercice",
    "fulfilled": "engagement accompli",
    "released": "libéré",
    "in_default": "en défaut",
}


def _day(value: str, field: str) -> date:
    parsed = parse_date(value, field)
    assert parsed is not None, "parse_date returns a date for a string"
    return parsed


@app.command("show")
def show(
    ctx: typer.Context,
    beneficiary_id: int,
    on: Annotated[str | None, typer.Option("--date", help="AAAA-MM-JJ (défaut : ce jour)")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Exporter le registre (.csv ou .xlsx)")
    ] = None,
    dialect: Dialect = "datagouv",
) -> None:
    """The follow-up of a beneficiary on a date, or the ledger exported to a file."""
    with domain_errors():
        day = parse_date(on, "date") or date.today()
        with engine_of(ctx).connect() as conn:
            b = get_beneficiary(conn, beneficiary_id)
            result, periods, events = follow_up_of(conn, index_of(ctx), b, day)
    if output is not None:
        with domain_errors():
            records = ledger_records(periods, events)
            files = write_file(output, LEDGER_FIELDS, records, "suivi", parse_dialect(dialect))
        console.print(
            f"Registre écrit dans {', '.join(str(f) for f in files)} ({len(periods)} "
            f"périodes, {len(events)} "
            "suspensions ou reports)."
        )
        return
    table = Table(title=f"Suivi de {b.name} ({b.reference}) au {day:%d/%m/%Y}", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("Statut", STATUS_FR[result.status])
    table.add_row("Durée d'engagement", f"{result.engagement_months} mois")
    table.add_row("Mois accomplis en zone", f"{result.months_served:g}")
    table.add_row("Mois restants", f"{result.months_left:g}")
    if result.expected_end:
        table.add_row("Fin prévue", f"{result.expected_end:%d/%m/%Y}")
    if result.zone_lost_on:
        table.add_row("Zone perdue le", f"{result.zone_lost_on:%d/%m/%Y}")
    table.add_row("Règles appliquées", ", ".join(result.rules) or "—")
    console.print(table)
    for note in result.notes_fr:
        console.print(f"[yellow]Remarque :[/yellow] {note}")


@app.command("add-period")
def add_period_command(
    ctx: typer.Context,
    beneficiary_id: int,
    starts: Annotated[str, typer.Option("--from", help="Début, AAAA-MM-JJ")],
    mode: Annotated[str, typer.Option(help="liberal, salarie ou mixte")] = "liberal",
    ends: Annotated[str | None, typer.Option("--to", help="Fin, AAAA-MM-JJ")] = None,
    fraction: Annotated[float, typer.Option(help="Quotité du temps plein (0 à 1)")] = 1.0,
    lon: Annotated[float | None, typer.Option(help="WGS84")] = None,
    lat: Annotated[float | None, typer.Option(help="WGS84")] = None,
    x: Annotated[float | None, typer.Option(help="Lambert-93")] = None,
    y: Annotated[float | None, typer.Option(help="Lambert-93")] = None,
    insee: Annotated[str | None, typer.Option(help="Code INSEE de la commune")] = None,
) -> None:
    """Append a practice period to the ledger (audited)."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        b = get_beneficiary(conn, beneficiary_id)
        period_id = add_period(
            conn, b, make_site(lon, lat, x, y, insee), _day(starts, "from"),
            parse_date(ends, "to"), mode, fraction, cli_actor(),
        )  # fmt: skip
    console.print(f"Période d'exercice n°{period_id} enregistrée.")


@app.command("add-event")
def add_event_command(
    ctx: typer.Context,
    beneficiary_id: int,
    kind: Annotated[str, typer.Option(help="suspension ou deferral (report)")],
    starts: Annotated[str, typer.Option("--from", help="Début, AAAA-MM-JJ")],
    months: Annotated[int, typer.Option(help="Durée en mois")],
    note: Annotated[str | None, typer.Option(help="Motif")] = None,
) -> None:
    """Append a suspension or a deferral to the ledger (audited)."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        b = get_beneficiary(conn, beneficiary_id)
        event_id = add_event(conn, b, kind, _day(starts, "from"), months, note, cli_actor())
    console.print(f"{'Suspension' if kind == 'suspension' else 'Report'} n°{event_id} enregistré.")
