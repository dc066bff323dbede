"""``cesp keys`` and ``cesp audit``: API keys and the audit trail from the shell."""

from __future__ import annotations

from typing import Annotated

import typer

from cesp.audit import list_entries
from cesp.cli.console import console, domain_errors
from cesp.cli.options import cli_actor, engine_of
from cesp.keys import create_key, list_keys, revoke_key
from cesp.storage.engine import write_transaction

app = typer.Typer(help="Clés d'API : création, révocation.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="intern, ars, cng or admin")],
    name: Annotated[str, typer.Option(help="Who holds the key, e.g. 'ARS IDF'")],
    region: Annotated[str | None, typer.Option(help="Region code (required for ars)")] = None,
) -> None:
    """Create a key; it is printed once, on its own line, and never shown again."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        key, token = create_key(conn, name, role, region, cli_actor())
    console.print(
        f"Clé « {key.name} » ({key.role}{' ' + region if region else ''}) créée ; "
        "conservez-la, elle ne sera plus affichée :"
    )
    typer.echo(token)


@app.command("revoke")
def revoke(ctx: typer.Context, name: str) -> None:
    """Revoke a key by name: it stops working at once."""
    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        revoke_key(conn, name, cli_actor())
    console.print(f"Clé « {name} » révoquée.")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List keys (names, roles, prefixes; never the keys)."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        keys = list_keys(conn)
    for key in keys:
        state = f"révoquée {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        typer.echo(
            f"{key.id}\t{key.name}\t{key.role}\t{key.region_code or ''}\t{key.key_prefix}…\t{state}"
        )


def audit_command(
    ctx: typer.Context,
    action: Annotated[str | None, typer.Option(help="e.g. decree.import")] = None,
    actor: Annotated[str | None, typer.Option(help="Key name or cli:user")] = None,
    limit: int = 50,
) -> None:
    """Show the audit trail, newest first."""
    with domain_errors(), engine_of(ctx).connect() as conn:
        entries = list_entries(conn, action=action, actor=actor, limit=limit)
    for e in entries:
        typer.echo(
            f"{e.at:%Y-%m-%d %H:%M:%S}\t{e.actor}\t{e.action}\t{e.object_type} "
            f"{e.object_id or ''}\t{e.summary}\t{e.file_sha256 or ''}"
        )
