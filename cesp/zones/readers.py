"""Read the files ARS staff bring: zipped shapefile, GeoJSON, GeoPackage, CSV, XLSX.

One entry point, ``read_source``: it tells the format from the bytes (not only the
name), extracts archives safely, honours ``.prj`` and ``.cpg``, detects the encoding of
a ``.dbf`` without ``.cpg``, reprojects to WGS84 and returns rows located by their
line or feature number, so that every later error can say where it is.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from shapely.geometry.base import BaseGeometry

from cesp.errors import InvalidInputError, Problem, ValidationFailedError
from cesp.geo.crs import parse_crs
from cesp.geo.names import name_key
from cesp.zones.archive import safe_extract
from cesp.zones.limits import check_features, check_table_text, check_vertices
from cesp.zones.offline_reading import configure_gdal, refuse_remote_crs

NAME_FIELDS = ("nom_zone", "zone", "nom", "name", "libelle", "lib_zone", "territoire", "tvs")
CATEGORY_FIELDS = ("categorie", "category", "type_zone", "zonage")
APPROXIMATION_FIELDS = ("approximation", "approximate_reason", "approximatif")
CODE_FIELDS = (
    "code_insee",
    "insee",
    "codeinsee",
    "code_commune",
    "codgeo",
    "depcom",
    "com",
    "code",
)


@dataclass(frozen=True)
class ReadOptions:
    """Options of an import that concern reading the file."""

    name_field: str | None = None
    category_field: str | None = None
    assume_crs: str | None = None
    encoding: str | None = None
    layer: str | None = None


@dataclass
class SourceRow:
    """One feature or one table row of the input, in WGS84."""

    row: int
    name: str | None
    category: str | None
    geometry: BaseGeometry | None = None
    code: str | None = None
    approximate_reason: str | None = None


@dataclass
class SourceTable:
    """What was read, and how (for the preview and the import note)."""

    format: str
    rows: list[SourceRow]
    crs: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def by_codes(self) -> bool:
        """True for a table of INSEE codes rather than geometries."""
        return self.format in ("csv", "xlsx")


def _refuse(message: str, message_fr: str, field_name: str = "file") -> InvalidInputError:
    return InvalidInputError(message, message_fr=message_fr, field=field_name)


def sniff_format(path: Path, original_name: str | None = None) -> str:
    """``shapefile-zip``, ``xlsx``, ``gpkg``, ``geojson``, ``shapefile`` or ``csv``."""
    name = (original_name or path.name).lower()
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise _refuse("the file is empty", "Le fichier est vide.")
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise _refuse("the zip archive is damaged", "L'archive zip est endommagée.") from exc
        return "xlsx" if "[Content_Types].xml" in names else "shapefile-zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if name.endswith(".shp"):
        return "shapefile"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "geojson"
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    if b"\x00" in head or control > len(head) // 100:
        raise _refuse(
            "unrecognised file format: expected a zipped shapefile, GeoJSON, GeoPackage, "
            "CSV or XLSX",
            "Format non reconnu : shapefile zippé, GeoJSON, GeoPackage, CSV ou XLSX attendu.",
        )
    return "csv"


def detect_dbf_encoding(dbf: Path) -> str:
    """UTF-8 if the records decode as UTF-8, else Windows-1252 (what Windows GIS write)."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return "UTF-8"
    header_length = int.from_bytes(data[8:10], "little")
    records = data[header_length:]
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        return "CP1252"
    return "UTF-8"


def _pick(
    columns: list[str], wanted: str | None, candidates: tuple[str, ...], option: str
) -> str | None:
    """The column the user named (``option``), else the first known candidate, else None."""
    keys = {name_key(c).replace(" ", "_"): c for c in columns}
    if wanted:
        if wanted in columns:
            return wanted
        match = keys.get(name_key(wanted).replace(" ", "_"))
        if match:
            return match
        raise _refuse(
            f"{option}={wanted!r} is not a column of the file; columns are: {', '.join(columns)}",
            f"La colonne « {wanted} » n'existe pas ; colonnes : {', '.join(columns)}",
            option,
        )
    for candidate in candidates:
        if candidate in keys:
            return keys[candidate]
    return None


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _read_geometries(path: Path, fmt: str, options: ReadOptions, table: SourceTable) -> None:
    layer = options.layer
    configure_gdal()
    if fmt == "geojson":
        refuse_remote_crs(path)
    if fmt == "gpkg":
        try:
            layers = [str(info[0]) for info in pyogrio.list_layers(path)]
        except Exception as exc:  # a file that only starts like SQLite
            raise _refuse(
                "the file is not a readable GeoPackage (SQLite) database",
                "Le fichier n'est pas un GeoPackage (base SQLite) lisible.",
            ) from exc
        if layer is None:
            if len(layers) != 1:
                raise _refuse(
                    f"the GeoPackage has {len(layers)} layers ({', '.join(layers)}): choose one "
                    "with layer",
                    f"Le GeoPackage contient plusieurs couches ({', '.join(layers)}) : "
                    "choisissez-en une.",
                    "layer",
                )
            layer = layers[0]
        elif layer not in layers:
            raise _refuse(
                f"layer {layer!r} is not in the GeoPackage; layers: {', '.join(layers)}",
                f"Couche « {layer} » absente ; couches : {', '.join(layers)}",
                "layer",
            )
    try:
        check_features(int(pyogrio.read_info(path, layer=layer)["features"]))
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=table.encoding)
    except InvalidInputError:
        raise
    except Exception as exc:
        reason = str(exc).replace(f"{path.parent}/", "")
        raise _refuse(
            f"cannot read the {fmt} file: {reason}", f"Fichier {fmt} illisible : {reason}"
        ) from exc
    if "geometry" not in frame.columns:  # e.g. a CSV whose first line looks like JSON
        raise _refuse(
            f"the file was read as {fmt} but holds no geometry: send a GeoJSON feature "
            "collection, or a CSV of INSEE codes whose first line is its header",
            f"Fichier lu comme {fmt} mais sans géométrie : envoyez une collection GeoJSON, "
            "ou un CSV de codes INSEE dont la première ligne est l'en-tête.",
        )
    check_vertices(frame.geometry.values)
    if frame.crs is None:
        if not options.assume_crs:
            hint = " (the .prj file is missing)" if fmt == "shapefile" else ""
            raise _refuse(
                f"the file declares no coordinate reference system{hint}: give assume_crs, "
                "e.g. EPSG:2154 for Lambert-93",
                "Le fichier ne déclare pas de système de coordonnées (fichier .prj absent ?) : "
                "précisez assume_crs, par exemple EPSG:2154 (Lambert-93).",
                "assume_crs",
            )
        frame = frame.set_crs(parse_crs(options.assume_crs))
        table.notes.append(f"CRS assumed: {options.assume_crs}")
    table.crs = frame.crs.to_string()
    columns = [str(c) for c in frame.columns if c != "geometry"]
    name_col = _pick(columns, options.name_field, NAME_FIELDS, "name_field")
    category_col = _pick(columns, options.category_field, CATEGORY_FIELDS, "category_field")
    if not frame.crs.equals(4326):
        frame = frame.to_crs(4326)
    for index, record in enumerate(frame.itertuples(index=False), start=1):
        values = record._asdict()
        table.rows.append(
            SourceRow(
                row=index,
                name=_text(values.get(name_col)) if name_col else None,
                category=_text(values.get(category_col)) if category_col else None,
                geometry=values.get("geometry"),
            )
        )


def _read_csv_frame(path: Path, options: ReadOptions, table: SourceTable) -> pd.DataFrame:
    raw = path.read_bytes()
    encodings = [options.encoding] if options.encoding else ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    else:
        raise _refuse(
            f"cannot decode the CSV as {', '.join(encodings)}",
            "Encodage du CSV illisible.",
            "encoding",
        )
    table.encoding = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
    check_table_text(text)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    # Keep blank lines as empty rows so that row numbers stay the file's line numbers.
    return pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    )


def _read_codes(path: Path, fmt: str, options: ReadOptions, table: SourceTable) -> None:
    try:
        if fmt == "xlsx":
            frame = pd.read_excel(path, dtype=str, sheet_name=options.layer or 0)
            frame = frame.fillna("")
        else:
            frame = _read_csv_frame(path, options, table)
    except InvalidInputError:
        raise
    except Exception as exc:
        raise _refuse(f"cannot read the table: {exc}", f"Tableau illisible : {exc}") from exc
    columns = [str(c) for c in frame.columns]
    code_col = _pick(columns, None, CODE_FIELDS, "code")
    if code_col is None:
        raise _refuse(
            "no INSEE code column: name one of " + ", ".join(CODE_FIELDS),
            "Aucune colonne de code INSEE (ex. code_insee).",
            "file",
        )
    name_col = _pick(columns, options.name_field, NAME_FIELDS, "name_field")
    category_col = _pick(columns, options.category_field, CATEGORY_FIELDS, "category_field")
    approx_col = _pick(columns, None, APPROXIMATION_FIELDS, "approximation")
    restored = 0
    for index, record in enumerate(frame.to_dict("records"), start=2):
        code = _text(record.get(code_col))
        if code is None and not any(_text(v) for v in record.values()):
            continue
        if code and re.fullmatch(r"\d{4}", code):
            code, restored = "0" + code, restored + 1
        table.rows.append(
            SourceRow(
                row=index,
                name=_text(record.get(name_col)) if name_col else None,
                category=_text(record.get(category_col)) if category_col else None,
                code=code.upper() if code else None,
                approximate_reason=_text(record.get(approx_col)) if approx_col else None,
            )
        )
    if restored:
        table.notes.append(f"{restored} code(s) had lost their leading zero; restored")


def read_source(path: Path, options: ReadOptions, original_name: str | None = None) -> SourceTable:
    """Read a decree file into rows located by line or feature number.

    Raises
    ------
    InvalidInputError
        Unreadable or unrecognised file, missing CRS, unknown column.
    ValidationFailedError
        The file holds no rows.
    """
    fmt = sniff_format(path, original_name)
    table = SourceTable(format=fmt, rows=[])
    if fmt in ("csv", "xlsx"):
        _read_codes(path, fmt, options, table)
    elif fmt == "shapefile-zip":
        with tempfile.TemporaryDirectory(prefix="cesp-upload-") as tmp:
            extracted = safe_extract(path, Path(tmp))
            shapefiles = [p for p in extracted if p.suffix.lower() == ".shp"]
            if options.layer:
                shapefiles = [p for p in shapefiles if p.stem == options.layer]
            if len(shapefiles) != 1:
                found = ", ".join(p.name for p in shapefiles) or "none"
                raise _refuse(
                    f"the zip must hold exactly one shapefile (.shp), found: {found}",
                    f"L'archive doit contenir exactement un shapefile (.shp) ; trouvé : {found}",
                )
            shp = shapefiles[0]
            missing = [s for s in (".shx", ".dbf") if not shp.with_suffix(s).exists()]
            if missing:
                raise _refuse(
                    f"the shapefile {shp.name} lacks its {', '.join(missing)} part(s)",
                    f"Le shapefile {shp.name} est incomplet : {', '.join(missing)} manquant(s).",
                )
            table.format = "shapefile"
            if options.encoding:
                table.encoding = options.encoding.upper()
            elif shp.with_suffix(".cpg").exists():
                table.encoding = shp.with_suffix(".cpg").read_text().strip().upper() or None
            else:
                table.encoding = detect_dbf_encoding(shp.with_suffix(".dbf"))
                table.notes.append(f"no .cpg file: attribute encoding detected as {table.encoding}")
            _read_geometries(shp, "shapefile", options, table)
    else:
        _read_geometries(path, fmt, options, table)
    if not table.rows:
        raise ValidationFailedError(
            [Problem(None, "the file holds no zone", "Le fichier ne contient aucune zone.")]
        )
    return table
