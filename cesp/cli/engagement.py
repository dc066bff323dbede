"""``cesp engagement``: the CESP contract rules for the national manager's case officers
(the CNG, then the ASP).

``penalty`` needs no database: every figure comes from the options, so it works on a
laptop without ``cesp db init``. ``ledger`` (``cesp.cli.ledger``) reads and writes the
follow-up ledger in the database.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cesp.cli import ledger
from cesp.cli.console import domain_errors
from cesp.cli.options import parse_date
from cesp.engagement.rules import (
    EngagementTerms,
    RuptureAssessment,
    assess_rupture,
    eur,
    parse_cause,
)
from cesp.engagement.wording import CAUSE_LABELS_FR
from cesp.errors import InvalidInputError
from cesp.zones.professions import parse_profession

app = typer.Typer(
    help="Contrat d'engagement : durée et sommes dues en cas de rupture.", no_args_is_help=True
)
app.add_typer(ledger.app, name="ledger")
report = Console()

CAUSES = "demission|radiation|changement-non-autorise|deces|incapacite"


def _euros(value: str | None, field: str) -> Decimal | None:
    """Parse an amount in euros (``1234.56`` or ``1234,56``)."""
    if value is None:
        return None
    try:
        amount = Decimal(value.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInputError(
            f"--{field.replace('_', '-')} {value!r} is not an amount in euros",
            message_fr=f"Montant invalide « {value} » : indiquez des euros, par ex. 1034,50.",
            field=field,
        ) from exc
    if not amount.is_finite():
        raise InvalidInputError(
            f"--{field.replace('_', '-')} {value!r} is not a finite amount",
            message_fr=f"Montant invalide « {value} ».",
            field=field,
        )
    return amount


def _required_date(value: str, field: str) -> date:
    parsed = parse_date(value, field)
    assert parsed is not None, "parse_date returns a date for a string"
    return parsed


def _print_assessment(result: RuptureAssessment, terms: EngagementTerms) -> None:
    table = Table(title="Rupture du contrat d'engagement de service public", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("Gestionnaire national", result.national_manager)
    table.add_row("Texte appliqué", result.rule_fr)
    table.add_row("Date de rupture", f"{result.rupture_on:%d/%m/%Y}")
    table.add_row("Cause", CAUSE_LABELS_FR[result.cause.value])
    table.add_row(f"Par rapport au {result.diploma_fr}", "après" if result.after_des else "avant")
    table.add_row("Mois écoulés depuis la signature", str(result.months_since_signature))
    table.add_row("Mois d'allocation perçus", str(result.months_paid))
    table.add_row("Durée d'engagement", f"{result.engagement_months} mois")
    served = terms.months_served_on(result.rupture_on)
    if served is not None:
        table.add_row("Service accompli", f"{served} mois")
        table.add_row(
            "Report, suspension", f"{terms.deferral_months}, {terms.suspended_months} mois"
        )
    if result.penalty_months is not None:
        table.add_row("Mois retenus pour la pénalité", str(result.penalty_months))
    table.add_row("Pénalité", eur(result.penalty_eur))
    if result.allowances_due_eur is not None:
        table.add_row("Allocations nettes à rembourser", eur(result.allowances_due_eur))
    if result.total_due_eur is not None:
        label = "Total dû (maximum)" if result.maximum else "Total dû"
        table.add_row(label, eur(result.total_due_eur))
    report.print(table)
    report.print(result.explanation_fr)
    for note in result.notes_fr:
        report.print(f"[yellow]Remarque :[/yellow] {note}")


@app.command("penalty")
def penalty(
    signed: Annotated[str, typer.Option(help="Signature du contrat, AAAA-MM-JJ")],
    rupture: Annotated[str, typer.Option(help="Date de la rupture, AAAA-MM-JJ")],
    months_paid: Annotated[int, typer.Option(help="Mois d'allocation perçus")],
    after_des: Annotated[
        bool | None,
        typer.Option(
            "--after-des/--before-des",
            help="Rupture après (ou avant) le diplôme ; défaut : déduit du début d'exercice",
        ),
    ] = None,
    cause: Annotated[str, typer.Option(help=CAUSES)] = "demission",
    suspended_months: Annotated[
        int, typer.Option(help="Mois de suspension accordés depuis le début de l'engagement")
    ] = 0,
    deferral_months: Annotated[
        int, typer.Option(help="Mois de report accordés depuis le début de l'engagement")
    ] = 0,
    practice_start: Annotated[
        str | None, typer.Option(help="Début de l'engagement (exercice), AAAA-MM-JJ")
    ] = None,
    net_monthly: Annotated[
        str | None, typer.Option(help="Allocation nette mensuelle en euros, pour chiffrer le total")
    ] = None,
    profession: Annotated[
        str, typer.Option(help="medecin, chirurgien-dentiste, sage-femme, pharmacien")
    ] = "medecin",
    requested: Annotated[
        str | None, typer.Option(help="Demande du contrat, AAAA-MM-JJ (défaut : signature)")
    ] = None,
    des: Annotated[str | None, typer.Option(help="Date du diplôme, AAAA-MM-JJ")] = None,
    zone_since: Annotated[
        str | None,
        typer.Option(
            help="Zone du projet professionnel éligible sans changement depuis, AAAA-MM-JJ"
        ),
    ] = None,
    zone_lost: Annotated[
        str | None, typer.Option(help="Date où cette zone a cessé d'être éligible, AAAA-MM-JJ")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """What a rupture of the CESP costs: the penalty in force on the rupture date, and the
    net allowances to repay when --net-monthly is given."""
    with domain_errors():
        terms = EngagementTerms(
            signed_on=_required_date(signed, "signed"),
            months_paid=months_paid,
            profession=parse_profession(profession),
            requested_on=parse_date(requested, "requested"),
            suspended_months=suspended_months,
            deferral_months=deferral_months,
            des_obtained_on=parse_date(des, "des"),
            practice_started_on=parse_date(practice_start, "practice_start"),
            net_monthly_eur=_euros(net_monthly, "net_monthly"),
        )
        result = assess_rupture(
            terms,
            _required_date(rupture, "rupture"),
            cause=parse_cause(cause),
            after_des=after_des,
            zone_since=parse_date(zone_since, "zone_since"),
            zone_lost_on=parse_date(zone_lost, "zone_lost"),
        )
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    _print_assessment(result, terms)
