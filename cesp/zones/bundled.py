"""Decrees the project authored itself, loaded by ``cesp demo``.

The files are package data (``cesp/zones/authored/``), read through
``importlib.resources``: the demo works from an installed wheel as from a checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.abc import Traversable

import sqlalchemy as sa

from cesp.zones.importer import ImportReport, import_decree
from cesp.zones.request import DecreeRequest

AUTHORED = "cesp.zones.authored"


@dataclass(frozen=True)
class BundledDecree:
    """An authored decree file and what the decree says about itself."""

    filename: str
    request: DecreeRequest
    export_name: str

    @property
    def resource(self) -> Traversable:
        """The authored file, inside the installed package."""
        return resources.files(AUTHORED).joinpath(self.filename)


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
    reports = []
    for bundled in BUNDLED:
        with resources.as_file(bundled.resource) as path:
            reports.append(import_decree(engine, path, bundled.request, actor=actor))
    return reports
