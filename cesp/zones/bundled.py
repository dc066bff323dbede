"""Decrees the project authored itself (``data/decrees/``), loaded by ``cesp demo``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from cesp.storage.settings import REPO_ROOT
from cesp.zones.importer import DecreeRequest, ImportReport, import_decree

DECREES_DIR = REPO_ROOT / "data" / "decrees"


@dataclass(frozen=True)
class BundledDecree:
    """An authored decree file and what the decree says about itself."""

    filename: str
    request: DecreeRequest
    export_name: str

    @property
    def path(self) -> Path:
        """Where the authored file is."""
        return DECREES_DIR / self.filename


BUNDLED = (
    BundledDecree(
        "idf-12-209-medecin.csv",
        DecreeRequest(
            region="11",
            reference="12-209",
            signed=date(2012, 5, 24),
            effective_from=date(2012, 5, 24),
            profession="medecin",
            title=(
                "Arrêté n°12-209 du 24 mai 2012 relatif à la définition des zones de mise en "
                "œuvre des mesures destinées à favoriser une meilleure répartition "
                "géographique des professionnels de santé (Île-de-France)"
            ),
            publish=True,
        ),
        "idf-12-209-medecin",
    ),
)


def load_bundled(engine: sa.Engine, actor: str = "cli:demo") -> list[ImportReport]:
    """Import and publish every bundled decree (a no-op for those already there)."""
    return [
        import_decree(engine, bundled.path, bundled.request, actor=actor) for bundled in BUNDLED
    ]
