"""Exports for ARS staff: zones as GeoPackage / Shapefile / GeoJSON, and the list of
eligible communes as CSV / XLSX (the form the regional PAPS portals publish).

Field names, order and types come from ``cesp.field_schema`` (``ZONE_FIELDS``,
``ELIGIBLE_COMMUNE_FIELDS``), shared with the OGC layers; the spreadsheets are written
by ``cesp.spreadsheets``. ``zone_features`` is the versioned JSON API's description of a
zone (``/api/v1/zones``, the map pages), with its English names.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
import sqlalchemy as sa

from cesp.errors import InvalidInputError
from cesp.field_schema import ELIGIBLE_COMMUNE_FIELDS, ZONE_FIELDS, Kind
from cesp.geo.crs import LAMBERT93, WGS84
from cesp.output_paths import output_file
from cesp.spreadsheets import Dialect, csv_bytes, csv_with_types, write_file, xlsx_bytes
from cesp.zones.categories import load_categories
from cesp.zones.decrees import Decree, Zone, decree_zones, decrees_in_force, zone_communes

TABLE_FORMATS = ("csv", "xlsx")  # the zones list without geometry, for a spreadsheet
FORMATS = ("gpkg", "shp", "geojson", *TABLE_FORMATS)
# The names each format is written to (a shapefile: its set beside name.shp, or zipped).
EXTENSIONS = {
    "gpkg": (".gpkg",),
    "shp": (".shp", ".zip"),
    "geojson": (".geojson", ".json"),
    "csv": (".csv",),
    "xlsx": (".xlsx",),
}


SHAPEFILE_TEXT = 254  # a .dbf text field holds 254 characters


def zone_records(
    conn: sa.Connection, decrees: list[Decree], zones: list[Zone]
) -> list[dict[str, Any]]:
    """Zones as ``ZONE_FIELDS`` records (without geometry), in the order of ``zones``.

    Every artefact describes a zone with these records (the files here, the OGC layers),
    so a GIS style or join made on one works on the others. ``insee_com`` lists the INSEE
    codes of the zone's communes, the field a GIS user joins on; ``arrete`` and
    ``arrete_id`` name the decree, ``signe``, ``debut`` and ``fin`` are its dates.
    """
    by_id = {d.id: d for d in decrees}
    categories = {(c.profession, c.zoning_method, c.code): c for c in load_categories(conn)}
    codes = zone_codes(conn, zones)
    records = []
    for zone in zones:
        decree = by_id[zone.decree_id]
        category = categories.get((decree.profession, decree.zoning_method, zone.category))
        communes = codes.get(zone.id, [])
        records.append(
            ZONE_FIELDS.record(
                {
                    "zone_id": zone.id,
                    "nom": zone.name,
                    "categorie": zone.category,
                    "lib_cat": category.label if category else zone.category,
                    "ouvre_cesp": bool(category and category.qualifies_for_cesp),
                    "insee_com": ",".join(communes) or None,
                    "nb_com": len(communes),
                    "arrete": decree.reference,
                    "arrete_id": decree.id,
                    "insee_reg": decree.region_code,
                    "profession": decree.profession,
                    "signe": decree.signed,
                    "debut": decree.effective_from,
                    "fin": decree.effective_to,
                    "population": zone.population,
                    "approx": bool(zone.approximate),
                    "raison": zone.approximate_reason or None,
                }
            )
        )
    return records


def zones_frame(conn: sa.Connection, decrees: list[Decree], zones: list[Zone]) -> gpd.GeoDataFrame:
    """Zones with their decree (``zone_records``), as a GeoDataFrame in WGS84.

    Dates are Arrow dates, integers ``Int32`` (nullable) and booleans ``bool``, so that the
    GeoPackage, shapefile and GeoJSON writers give GDAL the types of ``ZONE_FIELDS``.
    """
    frame = gpd.GeoDataFrame(
        zone_records(conn, decrees, zones),
        columns=ZONE_FIELDS.names,
        geometry=[z.geometry for z in zones],
        crs=WGS84,
    )
    for column in ZONE_FIELDS.of_kind(Kind.INTEGER):
        frame[column] = frame[column].astype("Int32")
    for column in ZONE_FIELDS.of_kind(Kind.BOOLEAN):
        frame[column] = frame[column].astype(bool)
    for column in ZONE_FIELDS.of_kind(Kind.DATE):
        # An Arrow date column stays a DATE field even when empty everywhere (``fin``
        # of decrees in force): an object column of None would be written as text.
        frame[column] = frame[column].astype(pd.ArrowDtype(pa.date32()))
    return frame


def _dbf_text(value: Any) -> Any:
    """Text cut to what a .dbf field holds; a list of codes is cut after a whole code."""
    if not isinstance(value, str) or len(value) <= SHAPEFILE_TEXT:
        return value
    cut = value[:SHAPEFILE_TEXT]
    return cut.rsplit(",", 1)[0] if "," in cut else cut


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


def export_format(path: Path, fmt: str | None) -> str:
    """The format of a zones export to ``path``: ``fmt`` when given, else the one its
    extension names (``zones.geojson`` is GeoJSON, not a GeoPackage under that name).
    A folder, a name without a known extension, or a name that does not end as the
    chosen format's files do is refused, naming the extensions that work."""
    output_file(path, example="zones.gpkg")
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInputError(
            f"format={fmt!r} must be one of {', '.join(FORMATS)}",
            message_fr=f"Format inconnu « {fmt} » : utilisez {', '.join(FORMATS)}.",
            field="format",
        )
    suffix = path.suffix.lower()
    named = [f for f, extensions in EXTENSIONS.items() if suffix in extensions]
    if fmt is None and named:
        return named[0]
    if fmt is not None and fmt in named:
        return fmt
    if fmt == "shp":
        raise InvalidInputError(
            f"{path.name}: a shapefile is written as name.shp (with its .shx, .dbf, .prj and "
            ".cpg beside it) or as name.zip (all of them zipped): use one of these extensions",
            message_fr=(
                f"{path.name} : un shapefile s'écrit nom.shp (avec ses fichiers .shx, .dbf, "
                ".prj et .cpg à côté) ou nom.zip (tous zippés) : utilisez l'une de ces extensions."
            ),
            field="output",
        )
    if fmt is not None:
        raise InvalidInputError(
            f"{path.name}: a {fmt} export is written to a name ending in "
            f"{' or '.join(EXTENSIONS[fmt])}",
            message_fr=f"{path.name} : un export {fmt} s'écrit dans un fichier "
            f"{' ou '.join(EXTENSIONS[fmt])}.",
            field="output",
        )
    every = ", ".join(e for extensions in EXTENSIONS.values() for e in extensions)
    raise InvalidInputError(
        f"{path.name}: the extension does not say which format to write: use one of {every}",
        message_fr=f"{path.name} : l'extension ne dit pas quel format écrire : utilisez {every}.",
        field="output",
    )


def _table_records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """The frame's rows as plain Python values (``None`` for missing), geometry left out."""
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    records: list[dict[str, Any]] = plain.where(plain.notna(), None).to_dict("records")
    return records


def write_zones(
    frame: gpd.GeoDataFrame,
    path: Path,
    fmt: str | None,
    crs: str = WGS84,
    dialect: Dialect = Dialect.DATAGOUV,
) -> Path:
    """Write zones to ``path`` in ``fmt`` (None: the format its extension names, see
    ``export_format``).

    ``csv`` and ``xlsx`` write the zones list without geometry (``cesp.spreadsheets``:
    the CSV in ``dialect``, with its ``.csvt`` in the datagouv dialect).

    GeoPackage version 1.2, which GDAL 3.6 and QGIS 3.22 (Debian 12) open without the
    warning they print for 1.4; written through Arrow so that dates are DATE fields.
    ``shp`` writes the file set beside ``name.shp``, or a zip of it for ``name.zip``.
    """
    fmt = export_format(path, fmt)
    if fmt == "geojson" and crs != WGS84:
        raise InvalidInputError(
            "GeoJSON is WGS84 only (RFC 7946): use gpkg or shp for Lambert-93",
            message_fr=(
                "Le GeoJSON est toujours en WGS84 (RFC 7946) : choisissez gpkg ou shp pour "
                "le Lambert-93."
            ),
            field="crs",
        )
    if fmt in TABLE_FORMATS:
        write_file(path, ZONE_FIELDS, _table_records(frame), "zones", dialect)
        return path
    target = path.suffix.lower()[1:] if fmt == "shp" else fmt  # a shapefile: shp or zip
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
        _write_shapefile(out, path)
    else:
        stem = path.name.removesuffix(path.suffix)
        with tempfile.TemporaryDirectory() as tmp:
            _write_shapefile(out, Path(tmp) / f"{stem}.shp")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in sorted(Path(tmp).iterdir()):
                    archive.write(part, part.name)
    return path


def _write_shapefile(frame: gpd.GeoDataFrame, path: Path) -> None:
    """A shapefile set, text fields cut to 254 characters (``nb_com`` keeps the count
    of a zone whose ``insee_com`` list was cut)."""
    out = frame.copy()
    for column in ZONE_FIELDS.of_kind(Kind.TEXT):
        if column in out:
            out[column] = out[column].map(_dbf_text)
    pyogrio.write_dataframe(out, path, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=True)


@dataclass(frozen=True)
class EligibleCommune:
    """A commune of a qualifying zone, as the PAPS portals list them."""

    code: str
    name: str
    zone_id: int
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
                zone.id,
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


def commune_records(communes: list[EligibleCommune]) -> list[dict[str, Any]]:
    """Eligible communes as ``ELIGIBLE_COMMUNE_FIELDS`` records."""
    return [
        ELIGIBLE_COMMUNE_FIELDS.record(
            {
                "insee_com": c.code,
                "nom": c.name,
                "zone_id": c.zone_id,
                "nom_zone": c.zone,
                "categorie": c.category,
                "lib_cat": c.category_label,
                "population": c.population,
                "couverture": c.coverage,
                "approx": c.approximate,
                "arrete": c.decree,
            }
        )
        for c in communes
    ]


def communes_csv(communes: list[EligibleCommune], dialect: Dialect = Dialect.DATAGOUV) -> bytes:
    """The eligible communes as CSV in ``dialect`` (``cesp.spreadsheets``)."""
    return csv_bytes(ELIGIBLE_COMMUNE_FIELDS, commune_records(communes), dialect)


def communes_zip(communes: list[EligibleCommune], stem: str) -> bytes:
    """``stem.csv`` and ``stem.csvt`` in one zip."""
    return csv_with_types(ELIGIBLE_COMMUNE_FIELDS, commune_records(communes), stem)


def communes_xlsx(communes: list[EligibleCommune]) -> bytes:
    """An XLSX workbook: sheet ``communes`` (typed cells) and sheet ``champs``."""
    return xlsx_bytes(ELIGIBLE_COMMUNE_FIELDS, commune_records(communes), "communes")


def default_export_crs(name: str | None) -> str:
    """``lambert93``/``2154`` -> EPSG:2154, ``wgs84``/``4326``/None -> EPSG:4326."""
    key = (name or "wgs84").lower().replace("-", "")
    if key in ("lambert93", "2154", "epsg:2154", "l93"):
        return LAMBERT93
    if key in ("wgs84", "4326", "epsg:4326"):
        return WGS84
    raise InvalidInputError(
        f"crs={name!r}: use wgs84 or lambert93",
        message_fr=f"Projection inconnue « {name} » : utilisez wgs84 ou lambert93.",
        field="crs",
    )


def zone_features(
    conn: sa.Connection, decrees: list[Decree], zones: list[Zone]
) -> list[dict[str, Any]]:
    """GeoJSON features (RFC 7946, WGS84) of zones, with decree and category facts, as
    the JSON API (``/api/v1/zones``) and the map pages describe them (English names)."""
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
