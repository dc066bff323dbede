"""Exports for ARS staff: zones as GeoPackage / zipped Shapefile / GeoJSON, and the list
of eligible communes as CSV / XLSX (the form the regional PAPS portals publish)."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import sqlalchemy as sa

from cesp.errors import InvalidInputError
from cesp.geo.crs import LAMBERT93, WGS84
from cesp.zones.categories import load_categories
from cesp.zones.cells import safe_cell
from cesp.zones.decrees import Decree, Zone, decree_zones, decrees_in_force, zone_communes

FORMATS = ("gpkg", "shp", "geojson")


ZONE_FIELDS = [
    "zone_id",
    "nom",
    "categorie",
    "insee_com",
    "nb_com",
    "arrete",
    "arrete_id",
    "region",
    "profession",
    "signe",
    "debut",
    "fin",
    "population",
    "approx",
    "raison",
]


def zones_frame(
    decrees: list[Decree], zones: list[Zone], codes: Mapping[int, list[str]] | None = None
) -> gpd.GeoDataFrame:
    """Zones with their decree, as a GeoDataFrame in WGS84.

    Field names fit a .dbf (10 characters) so that the GeoPackage, the shapefile and the
    GeoJSON carry the same names. Dates are dates, ``population`` and ``nb_com``
    integers and ``approx`` a boolean, so that GIS tools filter and sort them as such;
    ``insee_com`` lists the INSEE codes of the zone's communes (``codes``, by zone id,
    from ``zone_communes``), the field a GIS user joins on.
    """
    by_id = {d.id: d for d in decrees}
    codes = codes or {}
    records = []
    for zone in zones:
        decree = by_id[zone.decree_id]
        communes = codes.get(zone.id, [])
        records.append(
            {
                "zone_id": zone.id,
                "nom": zone.name,
                "categorie": zone.category,
                "insee_com": ",".join(communes)[:254] or None,
                "nb_com": len(communes),
                "arrete": decree.reference,
                "arrete_id": decree.id,
                "region": decree.region_code,
                "profession": decree.profession,
                "signe": decree.signed,
                "debut": decree.effective_from,
                "fin": decree.effective_to,
                "population": zone.population,
                "approx": bool(zone.approximate),
                "raison": (zone.approximate_reason or "")[:254] or None,
                "geometry": zone.geometry,
            }
        )
    frame = gpd.GeoDataFrame(
        records, columns=[*ZONE_FIELDS, "geometry"], geometry="geometry", crs=WGS84
    )
    for column in ("population", "nb_com", "zone_id", "arrete_id"):
        frame[column] = frame[column].astype("Int32")
    frame["approx"] = frame["approx"].astype(bool)
    return frame


def zone_codes(conn: sa.Connection, zones: list[Zone]) -> dict[int, list[str]]:
    """INSEE codes of the communes of each zone, by zone id, in code order."""
    codes: dict[int, list[str]] = {z.id: [] for z in zones}
    for link in zone_communes(conn, list(codes)):
        codes[link.zone_id].append(link.code)
    return codes


def zones_in_force(
    conn: sa.Connection, on: date, profession: str, region: str | None = None
) -> tuple[list[Decree], list[Zone]]:
    """Decrees and zones in force on a date for a profession (one region or all)."""
    decrees = decrees_in_force(conn, on, profession, region)
    return decrees, decree_zones(conn, [d.id for d in decrees])


def _shapefile_target(path: Path) -> str:
    """``set`` for ``z.shp`` (the .shp/.shx/.dbf/.prj/.cpg beside it), ``zip`` for
    ``z.zip``; any other name is refused, naming the two that work."""
    suffix = path.suffix.lower()
    if suffix in (".shp", ".zip"):
        return suffix[1:]
    raise InvalidInputError(
        f"{path.name}: a shapefile is written as name.shp (with its .shx, .dbf, .prj and "
        ".cpg beside it) or as name.zip (all of them zipped): use one of these extensions",
        message_fr=(
            f"{path.name} : un shapefile s'écrit nom.shp (avec ses fichiers .shx, .dbf, "
            ".prj et .cpg à côté) ou nom.zip (tous zippés) : utilisez l'une de ces extensions."
        ),
        field="output",
    )


def write_zones(frame: gpd.GeoDataFrame, path: Path, fmt: str, crs: str = WGS84) -> Path:
    """Write zones to ``path`` in ``fmt``.

    GeoPackage version 1.2, which GDAL 3.6 and QGIS 3.22 (Debian 12) open without the
    warning they print for 1.4; written through Arrow so that dates are DATE fields.
    ``shp`` writes the file set beside ``name.shp``, or a zip of it for ``name.zip``.
    """
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"format={fmt!r} must be one of {', '.join(FORMATS)}",
            message_fr=f"Format inconnu « {fmt} » : utilisez {', '.join(FORMATS)}.",
            field="format",
        )
    if fmt == "geojson" and crs != WGS84:
        raise InvalidInputError(
            "GeoJSON is WGS84 only (RFC 7946): use gpkg or shp for Lambert-93",
            message_fr=(
                "Le GeoJSON est toujours en WGS84 (RFC 7946) : choisissez gpkg ou shp pour "
                "le Lambert-93."
            ),
            field="crs",
        )
    target = _shapefile_target(path) if fmt == "shp" else fmt
    out = frame.to_crs(crs) if crs != WGS84 else frame
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        pyogrio.write_dataframe(
            out, path, driver="GPKG", layer="zones", use_arrow=True,
            dataset_options={"VERSION": "1.2"},
        )  # fmt: skip
    elif fmt == "geojson":
        pyogrio.write_dataframe(
            out, path, driver="GeoJSON", use_arrow=True, layer_options={"RFC7946": "YES"}
        )
    elif target == "shp":
        pyogrio.write_dataframe(
            out, path, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=True
        )
    else:
        stem = path.name.removesuffix(path.suffix)
        with tempfile.TemporaryDirectory() as tmp:
            shp = Path(tmp) / f"{stem}.shp"
            pyogrio.write_dataframe(
                out, shp, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=True
            )
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in sorted(Path(tmp).iterdir()):
                    archive.write(part, part.name)
    return path


@dataclass(frozen=True)
class EligibleCommune:
    """A commune of a qualifying zone, as the PAPS portals list them."""

    code: str
    name: str
    zone: str
    category: str
    category_label: str
    population: int | None
    coverage: float
    approximate: bool
    decree: str


def eligible_communes(
    conn: sa.Connection, region: str, on: date, profession: str
) -> list[EligibleCommune]:
    """Communes of the zones in force whose category opens the CESP."""
    decrees, zones = zones_in_force(conn, on, profession, region)
    labels = {(c.zoning_method, c.code): c for c in load_categories(conn, profession)}
    method = {d.id: d.zoning_method for d in decrees}
    reference = {d.id: d.reference for d in decrees}
    zone_by_id = {z.id: z for z in zones}
    result = []
    for link in zone_communes(conn, list(zone_by_id)):
        zone = zone_by_id[link.zone_id]
        category = labels.get((method[zone.decree_id], zone.category))
        if category is None or not category.qualifies_for_cesp:
            continue
        result.append(
            EligibleCommune(
                link.code,
                link.name,
                zone.name,
                zone.category,
                category.label,
                link.population,
                link.coverage,
                link.approximate or zone.approximate,
                reference[zone.decree_id],
            )
        )
    result.sort(key=lambda c: (c.code, c.zone))
    return result


COMMUNE_HEADERS = [
    "code_insee",
    "commune",
    "zone",
    "categorie",
    "libelle_categorie",
    "population",
    "couverture",
    "approximatif",
    "arrete",
]


def _commune_rows(communes: list[EligibleCommune]) -> list[list[Any]]:
    return [
        [
            safe_cell(v)
            for v in (
                c.code,
                c.name,
                c.zone,
                c.category,
                c.category_label,
                c.population,
                c.coverage,
                "oui" if c.approximate else "non",
                c.decree,
            )
        ]
        for c in communes
    ]


def communes_csv(communes: list[EligibleCommune]) -> bytes:
    """``;``-separated UTF-8 CSV with a BOM, as French spreadsheets open it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COMMUNE_HEADERS)
    writer.writerows(_commune_rows(communes))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def communes_xlsx(communes: list[EligibleCommune]) -> bytes:
    """An XLSX workbook with one sheet ``communes``."""
    buffer = io.BytesIO()
    frame = pd.DataFrame(_commune_rows(communes), columns=COMMUNE_HEADERS)
    frame.to_excel(buffer, index=False, sheet_name="communes")
    return buffer.getvalue()


def default_export_crs(name: str | None) -> str:
    """``lambert93``/``2154`` -> EPSG:2154, ``wgs84``/``4326``/None -> EPSG:4326."""
    key = (name or "wgs84").lower().replace("-", "")
    if key in ("lambert93", "2154", "epsg:2154", "l93"):
        return LAMBERT93
    if key in ("wgs84", "4326", "epsg:4326"):
        return WGS84
    raise InvalidInputError(
        f"crs={name!r}: use wgs84 or lambert93",
        message_fr="Projection inconnue : wgs84 ou lambert93.",
        field="crs",
    )


def zone_features(
    conn: sa.Connection, decrees: list[Decree], zones: list[Zone]
) -> list[dict[str, Any]]:
    """GeoJSON features (RFC 7946, WGS84) of zones, with decree and category facts."""
    from shapely.geometry import mapping

    by_id = {d.id: d for d in decrees}
    categories = {(c.profession, c.zoning_method, c.code): c for c in load_categories(conn)}
    features = []
    for zone in zones:
        decree = by_id[zone.decree_id]
        category = categories.get((decree.profession, decree.zoning_method, zone.category))
        features.append(
            {
                "type": "Feature",
                "id": zone.id,
                "geometry": mapping(zone.geometry) if zone.geometry is not None else None,
                "properties": {
                    "name": zone.name,
                    "category": zone.category,
                    "category_label": category.label if category else zone.category,
                    "qualifies_for_cesp": bool(category and category.qualifies_for_cesp),
                    "population": zone.population,
                    "approximate": zone.approximate,
                    "approximate_reason": zone.approximate_reason,
                    "decree_id": decree.id,
                    "decree_reference": decree.reference,
                    "region": decree.region_code,
                    "profession": decree.profession,
                    "signed": decree.signed.isoformat(),
                    "effective_from": decree.effective_from.isoformat(),
                    "effective_to": decree.effective_to.isoformat()
                    if decree.effective_to
                    else None,
                },
            }
        )
    return features
