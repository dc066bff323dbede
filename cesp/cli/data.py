"""``cesp data``: reference data for real deployments (download from the publishers)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cesp.cli.console import console, domain_errors, progress_bar
from cesp.cli.options import engine_of, parse_date, settings_of
from cesp.errors import ValidationFailedError
from cesp.geo.sources import Source, load_manifest
from cesp.storage.settings import download_dir

if TYPE_CHECKING:  # httpx and GDAL only when fetching, not for every cesp command
    from cesp.geo.fetch import FetchResult

app = typer.Typer(
    help="Données de référence : téléchargement, territoires de vie-santé.", no_args_is_help=True
)


class _Bars:
    """One progress bar per file being downloaded, and one for the whole run."""

    def __init__(self, progress: Progress, count: int):
        self.progress = progress
        self.count = count
        self.done = 0
        self.overall = progress.add_task(
            "Fichiers de référence", total=count, amount=f"0/{count} fichiers"
        )
        self.tasks: dict[str, TaskID] = {}

    def started(self, source: Source, total: int | None) -> None:
        self.tasks[source.name] = self.progress.add_task(source.name, total=total, amount="")

    def advanced(self, source: Source, done: int, total: int | None) -> None:
        task = self.tasks.get(source.name)
        if task is not None:
            amount = f"{_megabytes(done)} / {_megabytes(total)}" if total else _megabytes(done)
            self.progress.update(task, completed=done, total=total, amount=amount)

    def finished(self, result: FetchResult) -> None:
        task = self.tasks.pop(result.source.name, None)
        if task is not None:
            self.progress.remove_task(task)
        self.done += 1
        self.progress.update(
            self.overall, completed=self.done, amount=f"{self.done}/{self.count} fichiers"
        )
        if result.error is not None:
            self.progress.console.print(f"[red]✗[/red] {result.error.message_fr}")
        for warning in result.warnings:
            self.progress.console.print(f"[yellow]![/yellow] {warning}")


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} Mo"  # decimal megabytes, as the publishers' pages give sizes


@app.command("fetch")
def fetch_command(
    ctx: typer.Context,
    dest: Annotated[
        Path | None,
        typer.Option(
            help="Directory to fill (default: CESP_DATA_DIR if set, else data/reference of the "
            "checkout, or reference/ in the data folder of an installed package)"
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            help="Only these files: a name (cog/communes.csv), a folder (cog, communes) or a "
            "glob (communes/75-*); repeat or separate with commas"
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="A mirror laid out as <URL>/<publisher>/<path>, instead of publishers"),
    ] = None,
    attempts: Annotated[int, typer.Option(min=1, max=20, help="Attempts per file")] = 5,
) -> None:
    """Download the official reference files, verify them and write them to DEST."""
    from cesp.geo.download import RetryPolicy
    from cesp.geo.fetch import fetch_reference

    settings = settings_of(ctx)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    target = dest or (settings.data_dir if "data_dir" in settings.model_fields_set else None)
    target = target or download_dir()
    patterns = [p for item in only or () for p in item.split(",")]
    with domain_errors():
        sources = load_manifest().select(patterns)
        with Progress(
            TextColumn("{task.description:<36}"),
            BarColumn(),
            TextColumn("{task.fields[amount]}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            bars = _Bars(progress, len(sources))
            report = fetch_reference(
                target,
                sources,
                base_url=base_url,
                retry=RetryPolicy(attempts=attempts),
                listener=bars,
            )
    downloaded = report.with_status("downloaded")
    present = report.with_status("present")
    failed = report.required_failures
    for result in report.optional_failures:
        console.print(
            f"[yellow]![/yellow] {result.source.name} (facultatif) non obtenu : le reste est "
            f"utilisable ; chargez ce fichier plus tard avec « {result.source.loaded_by} »."
        )
    console.print(
        f"{target} : {len(downloaded)} fichier(s) téléchargé(s) "
        f"({_megabytes(report.received)}), {len(present)} déjà présent(s) et vérifié(s), "
        f"{len(failed)} en échec."
    )
    if failed:
        for result in failed:
            if result.error is not None:
                console.print(f"[red]Erreur :[/red] {result.error.message_fr}")
        console.print(
            "Aucun fichier refusé n'a été conservé sous son nom ; relancez la commande pour "
            "reprendre les téléchargements interrompus."
        )
        raise typer.Exit(1)
    console.print(f"Prêt : CESP_DATA_DIR={target} cesp geo load")
    for result in (*downloaded, *present):
        if result.source.loaded_by:
            console.print(f"Puis : {result.source.loaded_by} {target / result.source.name}")


@app.command("load-tvs")
def load_tvs_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="DREES TVS <-> commune correspondence (CSV, XLSX, XLS or ODS): columns "
            "depcom, libcom, tv, libtv, code_reg or INSEE_COM, Code_TVS, Nom_TVS",
        ),
    ],
    valid_from: Annotated[
        str | None,
        typer.Option(
            help="Date the correspondence applies from, YYYY-MM-DD (default: 1 January of "
            "the year in the file name)"
        ),
    ] = None,
) -> None:
    """Load the territories of vie-santé (TVS) <-> communes correspondence, one vintage."""
    from cesp.geo.tvs import load_tvs

    with domain_errors():
        when = parse_date(valid_from, "valid_from")
        engine = engine_of(ctx)
        try:
            with progress_bar() as update:
                report = load_tvs(engine, file, when, progress=update)
        except ValidationFailedError as error:
            for problem in error.problems[:50]:
                where = f"ligne {problem.row}" if problem.row is not None else "fichier"
                console.print(f"[red]{where}[/red] : {problem.message_fr}")
            raise
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")
    replaced = f" (remplace {report.replaced} lignes du même millésime)" if report.replaced else ""
    console.print(
        f"Correspondance TVS valable à partir du {report.valid_from.isoformat()} : "
        f"{report.communes} communes, {report.territories} territoires de vie-santé, "
        f"{report.regions} régions{replaced}."
    )
    if report.padded_codes:
        console.print(
            f"{report.padded_codes} code(s) TVS complétés par « _ » : comparés sans ce "
            "complément (0101_ = 0101)."
        )
