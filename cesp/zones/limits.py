"""What one decree file may hold, checked before the expensive work.

Without bounds, a CSV of 1M columns (8.9 MB) took 108 s and 4.9 GB before its 422, and
230,000 tiny polygons (50 MB) took 182 s and 3.1 GB in a dry run. A real decree is far
below every bound: a region lists at most a few thousand communes (France has about
35,000), in a table of a dozen columns, drawn as at most a few hundred zones. Each
check raises ``InvalidInputError`` saying what was found, the limit, and what to do.

Called by the readers (table shape before parsing, feature count before reading,
vertices after) and by the importer (zones covering no commune).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from cesp.errors import InvalidInputError

MAX_COLUMNS = 200
MAX_ROWS = 100_000
MAX_FEATURES = 20_000
MAX_VERTICES = 5_000_000


def _refuse(message: str, message_fr: str) -> InvalidInputError:
    return InvalidInputError(message, message_fr=message_fr, field="file")


def check_table_text(text: str) -> None:
    """Bound the columns of the header line and the lines of a CSV, before parsing."""
    header = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    columns = max(header.count(sep) for sep in (";", ",", "\t")) + 1
    if columns > MAX_COLUMNS:
        raise _refuse(
            f"the table has {columns:,} columns on its first line, more than {MAX_COLUMNS}: "
            "keep only the columns of the zoning (code, name, category)",
            f"Le tableau a {columns:,} colonnes, plus que la limite de {MAX_COLUMNS} : "
            "gardez les colonnes du zonage (code, nom, catégorie).".replace(",", " "),
        )
    check_rows(text.count("\n"))


def check_rows(rows: int) -> None:
    """Bound the rows of a table."""
    if rows > MAX_ROWS:
        raise _refuse(
            f"the table has {rows:,} rows, more than {MAX_ROWS:,}: a decree lists at most a "
            "region's communes",
            f"Le tableau a {rows} lignes, plus que la limite de {MAX_ROWS} : un arrêté liste "
            "au plus les communes d'une région.",
        )


def check_features(features: int) -> None:
    """Bound the features of a layer (known from its header, before reading it)."""
    if features > MAX_FEATURES:
        raise _refuse(
            f"the layer has {features:,} features, more than {MAX_FEATURES:,}: merge the "
            "polygons of each zone (one feature per zone)",
            f"La couche a {features} entités, plus que la limite de {MAX_FEATURES} : "
            "fusionnez les polygones de chaque zone (une entité par zone).",
        )


def check_vertices(geometries: Sequence[object] | np.ndarray) -> None:
    """Bound the vertices of all geometries read."""
    vertices = int(np.sum(shapely.get_num_coordinates(np.asarray(geometries, dtype=object))))
    if vertices > MAX_VERTICES:
        raise _refuse(
            f"the geometries have {vertices:,} vertices, more than {MAX_VERTICES:,}: "
            "simplify them (a tolerance of 1 to 5 m keeps the zoning exact at commune scale)",
            f"Les géométries ont {vertices} sommets, plus que la limite de {MAX_VERTICES} : "
            "simplifiez-les (une tolérance de 1 à 5 m suffit).",
        )
