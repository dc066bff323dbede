"""Read commune and arrondissement boundaries from the reference data directory."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from shapely.geometry import MultiPolygon

from cesp.errors import ReferenceDataError
from cesp.geo.geometry import as_multipolygon

COMMUNES_DIR = "communes"
PARIS_ARRONDISSEMENTS = "paris-arrondissements.geojson"


def departement_of(code: str) -> str:
    """Département code of an INSEE commune code (``97411`` -> ``974``, ``2A004`` -> ``2A``)."""
    return code[:3] if code.startswith("97") else code[:2]


def boundary_files(data_dir: Path, departements: set[str] | None = None) -> list[Path]:
    """The per-département GeoJSON files, ``NN-name.geojson``, optionally filtered."""
    folder = data_dir / COMMUNES_DIR
    files = sorted(folder.glob("*.geojson"))
    if not files:
        raise ReferenceDataError(
            f"No commune boundary files in {folder}: set CESP_DATA_DIR to the reference data",
            message_fr=f"Aucun fichier de contours communaux dans {folder}",
        )
    if departements:
        files = [f for f in files if f.name.split("-", 1)[0] in departements]
    return files


def read_boundaries(path: Path, code_field: str = "code") -> dict[str, MultiPolygon]:
    """Polygons by INSEE code from one file, repaired when invalid (WGS84 expected)."""
    frame = pyogrio.read_dataframe(path, columns=[code_field])
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    result: dict[str, MultiPolygon] = {}
    for code, geometry in zip(frame[code_field], frame.geometry, strict=True):
        fixed = as_multipolygon(geometry)
        if fixed is None:
            raise ReferenceDataError(f"{path}: commune {code} has an empty geometry")
        result[str(code)] = fixed
    return result


def read_paris_arrondissements(data_dir: Path) -> dict[str, MultiPolygon]:
    """Paris municipal arrondissements (75101-75120) by INSEE code."""
    path = data_dir / PARIS_ARRONDISSEMENTS
    if not path.is_file():
        raise ReferenceDataError(f"Missing {path}", message_fr=f"Fichier manquant : {path}")
    return read_boundaries(path, code_field="c_arinsee")
