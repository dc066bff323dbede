"""Readers for the INSEE code officiel géographique (COG) CSV files.

Field names keep INSEE's (COM, DEP, REG, TNCC, LIBELLE...) at the reading edge; the
rest of the code sees typed records with English names.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cesp.errors import ReferenceDataError

COG_FILES = {
    "communes": "cog/communes.csv",
    "movements": "cog/mouvements-communes.csv",
    "departements": "cog/departements.csv",
    "regions": "cog/regions.csv",
    "populations": "cog/donnees_communes.csv",
}

REQUIRED_COLUMNS = {
    "communes": {"TYPECOM", "COM", "REG", "DEP", "TNCC", "LIBELLE", "COMPARENT"},
    "movements": {"MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "LIBELLE_AV", "TYPECOM_AP"},
    "departements": {"DEP", "REG", "CHEFLIEU", "LIBELLE"},
    "regions": {"REG", "CHEFLIEU", "LIBELLE"},
    "populations": {"COM", "PMUN"},
}


@dataclass(frozen=True)
class CogCommune:
    """One row of ``communes.csv``: a commune (COM), delegated/associated commune
    (COMD/COMA) or municipal arrondissement (ARM)."""

    type: str
    code: str
    region: str
    departement: str
    name: str
    parent: str


@dataclass(frozen=True)
class Movement:
    """One row of ``mouvements-communes.csv``: a change effective on ``effective``."""

    mod: int
    effective: date
    type_before: str
    code_before: str
    name_before: str
    type_after: str
    code_after: str
    name_after: str


@dataclass(frozen=True)
class AdminArea:
    """A region or département of the COG."""

    code: str
    name: str
    chef_lieu: str
    region: str | None = None


def _rows(data_dir: Path, kind: str, delimiter: str = ",") -> Iterator[dict[str, str]]:
    path = data_dir / COG_FILES[kind]
    if not path.is_file():
        raise ReferenceDataError(
            f"Missing reference file {path}: set CESP_DATA_DIR to a directory holding "
            f"{COG_FILES[kind]} (see 'cesp data fetch')",
            message_fr=f"Fichier de référence manquant : {path}",
        )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        missing = REQUIRED_COLUMNS[kind] - set(reader.fieldnames or ())
        if missing:
            raise ReferenceDataError(
                f"{path} lacks the columns {sorted(missing)}; is it the INSEE COG file?",
                message_fr=f"Colonnes manquantes dans {path} : {sorted(missing)}",
            )
        yield from reader


def read_communes(data_dir: Path) -> list[CogCommune]:
    """Every row of the COG commune list."""
    return [
        CogCommune(r["TYPECOM"], r["COM"], r["REG"], r["DEP"], r["LIBELLE"], r["COMPARENT"])
        for r in _rows(data_dir, "communes")
    ]


def read_movements(data_dir: Path) -> list[Movement]:
    """Every commune movement, oldest first (stable order within a date)."""
    movements = [
        Movement(
            mod=int(r["MOD"]),
            effective=date.fromisoformat(r["DATE_EFF"]),
            type_before=r["TYPECOM_AV"],
            code_before=r["COM_AV"],
            name_before=r["LIBELLE_AV"],
            type_after=r["TYPECOM_AP"],
            code_after=r["COM_AP"],
            name_after=r["LIBELLE_AP"],
        )
        for r in _rows(data_dir, "movements")
    ]
    movements.sort(key=lambda m: m.effective)
    return movements


def read_regions(data_dir: Path) -> list[AdminArea]:
    """The regions of the COG."""
    return [AdminArea(r["REG"], r["LIBELLE"], r["CHEFLIEU"]) for r in _rows(data_dir, "regions")]


def read_departements(data_dir: Path) -> list[AdminArea]:
    """The départements of the COG, with their region."""
    return [
        AdminArea(r["DEP"], r["LIBELLE"], r["CHEFLIEU"], r["REG"])
        for r in _rows(data_dir, "departements")
    ]


def read_populations(data_dir: Path) -> dict[str, int]:
    """Municipal population (PMUN) by commune code."""
    populations = {}
    for row in _rows(data_dir, "populations", delimiter=";"):
        try:
            populations[row["COM"]] = int(row["PMUN"])
        except ValueError:
            continue
    return populations
