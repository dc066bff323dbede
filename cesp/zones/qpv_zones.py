"""Zones of the QPV rows of a decree file: the QPV's contour, overriding its territory.

The 2017 and 2025 methods (arrêtés du 13 novembre 2017 and du 9 mai 2025, art. 2) let
the ARS zone a quartier prioritaire de la politique de la ville apart from its territory
of vie-santé; the Zonage_ARS tool and the DREES file carry that qualification on their
QPV sheet, C@rtoSanté as ``3_QPV_ZIP``/``4_QPV_ZAC``, ARS PACA as a separate decree (one
row per QPV). Inside the QPV the QPV's category applies instead of the territory's:
each QPV zone has ``priority`` 1 (see ``cesp.eligibility.overrides``).

- The zone is the QPV's contour loaded as reference data (``cesp.geo.qpv``); a code
  without a loaded contour is an error that says how to load them.
- A QPV row of a category that is no zone (« Hors vivier », « HZ ») gives the QPV no
  zoning of its own: skipped and counted like any such row, the QPV follows its
  territory. A kept category that does not qualify (« Zone de vigilance ») is a zone,
  and a site inside that QPV of a ZIP territory does not qualify.
- Rows of other regions (by the file's region columns, else the QPV's département) are
  skipped and counted. The INSEE codes a QPV decree gives a QPV are checked against the
  communes its contour covers (a mismatch is reported: the contour decides).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from cesp.errors import Problem
from cesp.geo import tables
from cesp.geo.crs import metric_crs_for_region
from cesp.geo.names import name_key
from cesp.geo.qpv import LOAD_HINT, LOAD_HINT_FR, generation_of, qpv_by_codes, qpv_departement
from cesp.zones.building import DraftZone, covered_communes
from cesp.zones.by_codes import other_region
from cesp.zones.categories import ZoneCategory, match_category, unknown_category
from cesp.zones.readers import SourceRow, SourceTable

QPV_PRIORITY = 1
# The first day each generation applies in métropole (décret n°2014-1750; n°2023-1314).
GENERATION_STARTS = {"2015": date(2015, 1, 1), "2024": date(2024, 1, 1)}


@dataclass
class QpvBuild:
    """QPV zones of a file, with what was skipped and why."""

    zones: list[DraftZone] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped_by_category: Counter[str] = field(default_factory=Counter)
    skipped_by_region: int = 0


def _qpv_category(value: str, categories: list[ZoneCategory]) -> ZoneCategory | None:
    """``3_QPV_ZIP`` reads as ``ZIP``: the word QPV only says the row is a QPV's."""
    words = [w for w in name_key(value).split() if w != "qpv"]
    return match_category(value, categories) or match_category(" ".join(words), categories)


def _where(row: SourceRow) -> str:
    return f" (feuille « {row.sheet} »)" if row.sheet else ""


def _regions_of(conn: sa.Connection, departements: set[str]) -> dict[str, str]:
    if not departements:
        return {}
    rows = conn.execute(
        sa.select(tables.departements.c.code, tables.departements.c.region_code).where(
            tables.departements.c.code.in_(sorted(departements))
        )
    )
    return {str(code): str(region) for code, region in rows}


def build_qpv_zones(
    conn: sa.Connection,
    table: SourceTable,
    region: str,
    on: date,
    categories: list[ZoneCategory],
    mapping: dict[str, str],
) -> QpvBuild:
    """One overriding zone per QPV row of ``table`` in ``region``, read on ``on``."""
    result = QpvBuild()
    rows = [r for r in table.rows if r.qpv_code]
    if not rows:
        return result
    region_of_dep = _regions_of(conn, {qpv_departement(r.qpv_code or "") for r in rows})
    wanted: list[tuple[SourceRow, ZoneCategory]] = []
    for row in rows:
        code = row.qpv_code or ""
        value = mapping.get(name_key(row.category), row.category) if row.category else None
        category = _qpv_category(value, categories) if value else None
        if category is None:
            message, message_fr = unknown_category(row.category, categories)
            result.problems.append(
                Problem(
                    row.row,
                    f"QPV {code}{_where(row)}: {message}",
                    f"QPV {code}{_where(row)} : {message_fr}",
                    "category",
                )
            )
            continue
        told = other_region(row, region)
        outside = told if told is not None else region_of_dep.get(qpv_departement(code)) != region
        if outside:
            result.skipped_by_region += 1
            continue
        if not category.keep_rows:
            result.skipped_by_category[category.label] += 1
            continue
        wanted.append((row, category))
    contours = qpv_by_codes(conn, [r.qpv_code or "" for r, _ in wanted])
    metric = metric_crs_for_region(region)
    seen: dict[str, int] = {}
    for row, category in wanted:
        code = row.qpv_code or ""
        if code in seen:
            result.problems.append(
                Problem(
                    row.row,
                    f"QPV {code} is listed twice (rows {seen[code]} and {row.row})",
                    f"le QPV {code} figure deux fois",
                    "code",
                )
            )
            continue
        seen[code] = row.row
        contour = contours.get(code)
        if contour is None:
            result.problems.append(
                Problem(
                    row.row,
                    f"QPV {code}{_where(row)} is not in the loaded QPV contours "
                    f"(generation {generation_of(code)}): {LOAD_HINT}",
                    f"le QPV {code}{_where(row)} est absent des contours de QPV chargés "
                    f"(génération {generation_of(code)}) : {LOAD_HINT_FR}",
                    "code",
                )
            )
            continue
        starts = GENERATION_STARTS[contour.generation]
        if contour.generation == "2015" and on >= GENERATION_STARTS["2024"]:
            result.notes.append(
                f"QPV {code} : quartier de la génération 2015, remplacée en métropole le "
                f"{GENERATION_STARTS['2024']:%d/%m/%Y} (décret n°2023-1314) : vérifiez le code"
            )
        elif on < starts:
            result.notes.append(
                f"QPV {code} : quartier de la génération {contour.generation}, en vigueur à "
                f"partir du {starts:%d/%m/%Y}, après la date d'effet de l'arrêté"
            )
        communes, _foreign = covered_communes(conn, contour.geometry, on, metric, region)
        listed = set(row.qpv_communes) - {c.code for c in communes}
        if listed:
            result.notes.append(
                f"ligne {row.row} : le QPV {code} ne couvre pas la ou les commune(s) "
                f"{', '.join(sorted(listed))} que le fichier lui donne (contour de l'ANCT : "
                f"{', '.join(c.code for c in communes) or 'aucune commune de la région'})"
            )
        result.zones.append(
            DraftZone(
                name=f"QPV {row.name or contour.name} ({code})",
                category=category.code,
                geometry=contour.geometry,
                built_from="qpv",
                communes=communes,
                source_rows=[row.row],
                priority=QPV_PRIORITY,
            )
        )
    if result.skipped_by_region:
        # Counted with the commune rows of other regions in the report's total: say so.
        result.notes.append(
            f"{result.skipped_by_region} ligne(s) de QPV d'autres régions ignorée(s)"
        )
    if result.zones:
        result.notes.append(
            f"{len(result.zones)} zone(s) de QPV (contours de l'ANCT) : leur catégorie "
            "remplace celle du territoire à l'intérieur du quartier"
        )
    return result
