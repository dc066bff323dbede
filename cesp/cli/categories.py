"""``cesp zones categories``: the zone categories (a data table), listed, and the
spellings (aliases) a zoning file may use for one."""

from __future__ import annotations

from typing import Annotated

import typer

from cesp.cli.console import console, domain_errors
from cesp.cli.options import cli_actor, engine_of
from cesp.storage.engine import write_transaction

categories_app = typer.Typer(
    help="Catégories de zonage (table de données) : liste et alias.", invoke_without_command=True
)


@categories_app.callback()
def categories_list(
    ctx: typer.Context,
    profession: Annotated[str | None, typer.Option(help="Only this profession")] = None,
) -> None:
    """List the zone categories: method, code, label, CESP or not, rows kept, aliases."""
    if ctx.invoked_subcommand is not None:
        return
    from cesp.zones.categories import load_categories

    with domain_errors(), engine_of(ctx).connect() as conn:
        categories = load_categories(conn, profession)
    for c in categories:
        subtype = f", sous-type de {c.parent_code}" if c.parent_code else ""
        console.print(
            f"{c.profession}\t{c.zoning_method}\t{c.code}\t{c.label}{subtype}\t"
            f"CESP : {'oui' if c.qualifies_for_cesp else 'non'}\t"
            f"lignes : {'zone' if c.keep_rows else 'ignorées'}\t"
            f"alias : {', '.join(c.aliases)}",
            soft_wrap=True,
        )


@categories_app.command("alias")
def categories_alias(
    ctx: typer.Context,
    profession: Annotated[str, typer.Option(help="medecin, chirurgien-dentiste, ...")],
    method: Annotated[str, typer.Option(help="Zoning method, e.g. arrete_2017")],
    code: Annotated[str, typer.Option(help="Category code, e.g. ZIP")],
    alias: Annotated[str, typer.Argument(help="The spelling a file uses, e.g. 'Zone prio.'")],
) -> None:
    """Add a spelling to a category (audited)."""
    from cesp.zones.categories import add_alias

    with domain_errors(), write_transaction(engine_of(ctx)) as conn:
        category = add_alias(conn, profession, method, code, alias, cli_actor())
    console.print(
        f"Alias ajouté : {category.code} ({category.label}) : {', '.join(category.aliases)}"
    )
