"""``cesp geo load-qpv``: load the ANCT's contours of one QPV generation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import engine_of
from cesp.errors import ValidationFailedError


def load_qpv_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    generation: Annotated[
        str, typer.Option(help="2015 (codes QP..., décret 2014-1750) or 2024 (codes QN...)")
    ],
) -> None:
    """Load the QPV contours of a generation (GeoJSON, GeoPackage or shapefile), replacing
    those loaded before, in one transaction."""
    from cesp.geo.qpv import load_qpv  # GDAL readers: only for the loading commands

    with domain_errors():
        try:
            with progress_bar() as update:
                report = load_qpv(engine_of(ctx), file, generation, progress=update)
        except ValidationFailedError as error:
            for problem in error.problems[:50]:
                console.print(f"[red]entité {problem.row}[/red] : {problem.message_fr}")
            raise
    console.print(
        f"Contours des QPV {report.generation} chargés : {report.loaded} quartiers "
        f"({report.replaced} remplacés)."
    )
