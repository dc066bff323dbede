"""Quartiers prioritaires de la politique de la ville (QPV): contours as reference data.

The ANCT publishes the contours (data.gouv.fr, « Quartiers prioritaires de la politique
de la ville (QPV) »; SIG Ville) in two generations:

- 2015: décrets n°2014-1750 (métropole) and n°2014-1751 (outre-mer) du 30 décembre
  2014, in force from 1 January 2015 (until 31 December 2023 in métropole, 2024
  overseas); codes ``QP`` + département on three characters + number (``QP093010``);
- 2024: décret n°2023-1314 du 28 décembre 2023 (métropole, from 1 January 2024;
  corrected by décret n°2024-806 du 13 juillet 2024), overseas from 1 January 2025;
  codes ``QN`` + département on three characters + number + a letter (``QN09301M``).

Zoning decrees name QPV by code (the ``Zonage_QPV`` sheet of the DREES file, the QPV
sheets of the Zonage_ARS tool, C@rtoSanté's ``3_QPV_ZIP``): the zone is the contour
loaded here. A load replaces one generation as a whole, in one transaction, and bumps
the index version (the contours a decree can be built from have changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyogrio
import sqlalchemy as sa
from shapely import wkb
from shapely.geometry import MultiPolygon

from cesp.errors import InvalidInputError, Problem, ValidationFailedError
from cesp.geo.geometry import as_multipolygon
from cesp.geo.names import name_key
from cesp.geo.tables import qpv_contours
from cesp.storage.engine import write_transaction
from cesp.storage.schema import require_current
from cesp.storage.versioning import bump_index_version

QPV_CODE = re.compile(r"^Q[PN](\d{2}[0-9AB])\d{2,3}[A-Z]?$", re.IGNORECASE)
GENERATIONS = {"QP": "2015", "QN": "2024"}
CODE_FIELDS = ("code_qp", "code_qpv", "codeqp", "code_quartier", "qp", "code")
NAME_FIELDS = ("nom_qp", "lib_qp", "nom_qpv", "libelle", "nom", "name")
COMMUNE_FIELDS = ("insee_com", "code_insee", "codes_insee", "insee", "depcom", "com_code")
LOAD_HINT = (
    "load the ANCT contours with 'cesp geo load-qpv FILE --generation 2015' (or 2024); "
    "'cesp data fetch --only qpv' downloads them"
)
LOAD_HINT_FR = (
    "chargez les contours de l'ANCT : cesp geo load-qpv FICHIER --generation 2015 (ou 2024) ; "
    "cesp data fetch --only qpv les télécharge"
)


@dataclass(frozen=True)
class QpvContour:
    """One QPV of a generation, with the INSEE codes of its communes (when published)."""

    code: str
    generation: str
    name: str
    departement: str
    communes: tuple[str, ...]
    geometry: MultiPolygon


@dataclass(frozen=True)
class QpvLoadReport:
    """What ``load_qpv`` did."""

    generation: str
    loaded: int
    replaced: int


def is_qpv_code(value: str | None) -> bool:
    """True for a QPV code of either generation (``QP093010``, ``QN09301M``)."""
    return bool(value and QPV_CODE.match(value.strip()))


def qpv_departement(code: str) -> str:
    """The département of a QPV code: ``QP093010`` -> ``93``, ``QP971002`` -> ``971``."""
    match = QPV_CODE.match(code.strip())
    if match is None:
        raise ValueError(f"not a QPV code: {code}")
    digits = match.group(1).upper()
    return digits if digits.startswith("97") else digits[1:]


def generation_of(code: str) -> str:
    """``2015`` for ``QP`` codes, ``2024`` for ``QN`` codes."""
    return GENERATIONS[code.strip()[:2].upper()]


def _column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    keys = {name_key(c).replace(" ", "_"): c for c in columns}
    return next((keys[c] for c in candidates if c in keys), None)


def _codes(cell: object) -> tuple[str, ...]:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ()
    return tuple(c for c in re.split(r"[\s,;/|]+", str(cell).strip()) if c)


def read_qpv_file(path: Path, generation: str) -> list[QpvContour]:
    """QPV contours from a GeoJSON, GeoPackage or (zipped) shapefile, in WGS84.

    Raises
    ------
    InvalidInputError
        Unreadable file, no CRS, no QPV code column, or codes of the other generation.
    ValidationFailedError
        Rows with a bad code or a geometry that is no polygon.
    """
    if generation not in GENERATIONS.values():
        raise InvalidInputError(
            f"generation={generation!r} must be 2015 or 2024",
            message_fr="Génération de QPV inconnue : 2015 ou 2024.",
            field="generation",
        )
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:
        raise InvalidInputError(
            f"cannot read the QPV contours {path.name}: {exc}",
            message_fr=f"Contours de QPV illisibles ({path.name}) : GeoJSON, GeoPackage ou "
            "shapefile attendu.",
            field="file",
        ) from exc
    columns = [str(c) for c in frame.columns if c != "geometry"]
    code_col = _column(columns, CODE_FIELDS)
    if code_col is None or frame.crs is None:
        what = "no QPV code column (code_qp)" if code_col is None else "no CRS"
        raise InvalidInputError(
            f"{path.name}: {what}; columns are: {', '.join(columns)}",
            message_fr=f"{path.name} : "
            + ("aucune colonne de code QPV (code_qp)" if code_col is None else "aucun SCR")
            + f" ; colonnes : {', '.join(columns)}",
            field="file",
        )
    if not frame.crs.equals(4326):
        frame = frame.to_crs(4326)
    name_col = _column(columns, NAME_FIELDS)
    commune_col = _column(columns, COMMUNE_FIELDS)
    contours, problems = [], []
    for row, record in enumerate(frame.itertuples(index=False), start=1):
        values = record._asdict()
        code = str(values.get(code_col) or "").strip().upper()
        if not is_qpv_code(code) or generation_of(code) != generation:
            problems.append(
                Problem(
                    row,
                    f"{code!r} is not a QPV code of generation {generation} "
                    f"({'QP093010' if generation == '2015' else 'QN09301M'})",
                    f"« {code} » n'est pas un code de QPV de la génération {generation}",
                    "code",
                )
            )
            continue
        geometry = as_multipolygon(values.get("geometry"))
        if geometry is None:
            problems.append(
                Problem(row, f"{code}: no polygon", f"{code} : contour absent ou invalide", "geom")
            )
            continue
        contours.append(
            QpvContour(
                code,
                generation,
                str(values.get(name_col) or code).strip() if name_col else code,
                qpv_departement(code),
                _codes(values.get(commune_col)) if commune_col else (),
                geometry,
            )
        )
    if problems:
        raise ValidationFailedError(problems)
    return contours


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def load_qpv(
    engine: sa.Engine,
    path: Path,
    generation: str,
    *,
    progress: Callable[[str, int, int], None] = _noop,
) -> QpvLoadReport:
    """Replace the contours of one generation with those of ``path``, all or nothing."""
    require_current(engine)
    progress("read", 0, 1)
    contours = read_qpv_file(path, generation)
    progress("read", 1, 1)
    insert = sa.insert(qpv_contours).values(
        geom=sa.func.ST_GeomFromWKB(sa.bindparam("wkb", type_=sa.LargeBinary), 4326)
    )
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        replaced = conn.execute(
            sa.delete(qpv_contours).where(qpv_contours.c.generation == generation)
        ).rowcount
        for done, c in enumerate(contours, start=1):
            conn.execute(
                insert,
                {
                    "code": c.code,
                    "generation": c.generation,
                    "name": c.name[:200],
                    "departement_code": c.departement,
                    "commune_codes": ",".join(c.communes)[:400] or None,
                    "source_filename": path.name,
                    "loaded_at": now,
                    "wkb": c.geometry.wkb,
                },
            )
            if done % 100 == 0 or done == len(contours):
                progress("database", done, len(contours))
        bump_index_version(conn)
    return QpvLoadReport(generation, len(contours), int(replaced or 0))


def qpv_by_codes(conn: sa.Connection, codes: list[str]) -> dict[str, QpvContour]:
    """The loaded contours of the given QPV codes (codes not loaded are absent)."""
    wanted = sorted({c.strip().upper() for c in codes if c})
    found: dict[str, QpvContour] = {}
    for start in range(0, len(wanted), 900):
        t = qpv_contours
        rows = conn.execute(
            sa.select(
                t.c.code,
                t.c.generation,
                t.c.name,
                t.c.departement_code,
                t.c.commune_codes,
                sa.func.ST_AsBinary(t.c.geom, type_=sa.LargeBinary).label("wkb"),
            ).where(t.c.code.in_(wanted[start : start + 900]))
        )
        for r in rows:
            found[r.code] = QpvContour(
                r.code,
                r.generation,
                r.name,
                r.departement_code,
                tuple((r.commune_codes or "").split(",")) if r.commune_codes else (),
                wkb.loads(bytes(r.wkb)),
            )
    return found


def loaded_generations(conn: sa.Connection) -> dict[str, int]:
    """How many contours of each generation are loaded."""
    rows = conn.execute(
        sa.select(qpv_contours.c.generation, sa.func.count()).group_by(qpv_contours.c.generation)
    ).all()
    return {str(g): int(n) for g, n in rows}
