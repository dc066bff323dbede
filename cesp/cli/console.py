"""Console output shared by the CLI commands: progress bars and error exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cesp.errors import CespError, InvalidInputError

# soft_wrap: a message stays on one line, whatever the width of the terminal or pipe.
console = Console(stderr=True, soft_wrap=True)

STAGE_LABELS = {
    "boundaries": "Lecture des contours",
    "communes": "Communes actuelles",
    "history": "Historique des communes",
    "database": "Écriture en base",
    "read": "Lecture du fichier",
    "validate": "Contrôle des zones",
    "write": "Enregistrement des zones",
    "index": "Index des zones",
    "check": "Vérification des lieux",
}


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar fed by ``(stage, done, total)`` callbacks, one task per stage."""
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn domain errors into a message and a non-zero exit (2 for bad input)."""
    try:
        yield
    except CespError as error:
        console.print(f"[red]Erreur :[/red] {error.message_fr}")
        if error.message != error.message_fr:
            console.print(f"[dim]{error.message}[/dim]")
        raise typer.Exit(2 if isinstance(error, InvalidInputError) else 1) from error
