"""Read the files ARS staff bring: zipped shapefile, GeoJSON, GeoPackage, CSV, XLSX, XLS, ODS.

One entry point, ``read_source``: it tells the format from the bytes (not only the
name), extracts archives safely, honours ``.prj`` and ``.cpg``, detects the encoding of
a ``.dbf`` without ``.cpg``, reprojects to WGS84 and returns rows located by their
line or feature number, so that every later error can say where it is.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
from shapely.geometry.base import BaseGeometry

from cesp.errors import InvalidInputError, Problem, ValidationFailedError
from cesp.geo.crs import parse_crs
from cesp.geo.names import name_key
from cesp.geo.qpv import is_qpv_code
from cesp.tabular import (
    TABLE_FORMATS,
    Table,
    read_table,
    restore_code,
)
from cesp.zones.archive import safe_extract
from cesp.zones.formats import detect_dbf_encoding, sniff_format
from cesp.zones.layouts import (
    ColumnChoice,
    Layout,
    column_key,
    has_code_column,
    has_qpv_column,
    has_tvs_column,
    recognise,
)
from cesp.zones.limits import check_features, check_rows, check_table_text, check_vertices
from cesp.zones.offline_reading import configure_gdal, refuse_remote_crs

NAME_FIELDS = ("nom_zone", "zone", "nom", "name", "libelle", "lib_zone", "territoire", "tvs")
CATEGORY_FIELDS = ("categorie", "category", "type_zone", "zonage")


@dataclass(frozen=True)
class ReadOptions:
    """Options of an import that concern reading the file."""

    name_field: str | None = None
    category_field: str | None = None
    assume_crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    code_field: str | None = None
    zone_field: str | None = None
    region_field: str | None = None
    header_row: int | None = None
    category_map: tuple[tuple[str, str], ...] = ()


@dataclass
class SourceRow:
    """One feature or one table row of the input, in WGS84."""

    row: int
    name: str | None
    category: str | None
    geometry: BaseGeometry | None = None
    code: str | None = None
    approximate_reason: str | None = None
    zone_code: str | None = None
    commune_name: str | None = None
    region: str | None = None
    majority_region: str | None = None
    in_my_region: bool | None = None
    qpv_code: str | None = None
    qpv_communes: tuple[str, ...] = ()
    sheet: str | None = None


@dataclass
class SourceTable:
    """What was read, and how (for the preview and the import note)."""

    format: str
    rows: list[SourceRow]
    crs: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    layout: Layout | None = None

    @property
    def by_codes(self) -> bool:
        """True for a table of INSEE codes rather than geometries."""
        return self.format in TABLE_FORMATS


def _refuse(message: str, message_fr: str, field_name: str = "file") -> InvalidInputError:
    return InvalidInputError(message, message_fr=message_fr, field=field_name)


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
        table.notes.append(f"système de coordonnées supposé : {options.assume_crs}")
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


def _split_codes(cell: str | None) -> tuple[str, ...]:
    """The INSEE codes of a QPV decree's cell (``13201, 13202`` or ``13201/13202``)."""
    if not cell:
        return ()
    return tuple(restore_code(c)[0] for c in re.split(r"[\s,;/|]+", cell.upper()) if c)


def _rows_of(read: Table, layout: Layout, sheet: str | None, table: SourceTable) -> None:
    """Rows of one table (the decree's, or a QPV sheet beside it) into ``table``."""
    restored = 0
    for line, record in read.rows:

        def get(column: str | None, values: dict[str, str] = record) -> str | None:
            return _text(values.get(column)) if column else None

        code = get(layout.code)
        qpv = get(layout.qpv_code)
        communes: tuple[str, ...] = ()
        if qpv:
            communes, code = _split_codes(code), None
        elif code and is_qpv_code(code):  # C@rtoSanté: a QPV in the code column
            qpv, code = code, None
        if code:
            code, fixed = restore_code(code.upper())
            restored += fixed
        region = get(layout.region)
        majority = get(layout.majority_region)
        in_mine = get(layout.in_my_region)
        table.rows.append(
            SourceRow(
                row=line,
                name=get(layout.qpv_name) if qpv else get(layout.zone_name),
                category=get(layout.category),
                code=code,
                approximate_reason=get(layout.approximation),
                zone_code=get(layout.zone_code),
                commune_name=get(layout.commune_name),
                region=restore_code(region, 2)[0] if region else None,
                majority_region=restore_code(majority, 2)[0] if majority else None,
                in_my_region=None if in_mine is None else name_key(in_mine) in ("oui", "vrai", "1"),
                qpv_code=qpv.upper() if qpv else None,
                qpv_communes=communes,
                sheet=sheet,
            )
        )
    if restored:
        table.notes.append(f"{restored} code(s) avaient perdu leur zéro initial : restaurés")


def _qpv_sheets(path: Path, read: Table, options: ReadOptions, table: SourceTable) -> None:
    """The QPV sheets beside the sheet read (DREES ``Zonage_QPV``, Zonage_ARS ``QPV``):
    their rows become QPV zones. Skipped when the user chose the sheet."""
    if options.layer is not None or len(read.sheets) < 2:
        return
    for name in read.sheets:
        if name == read.sheet:
            continue
        sheet = read_table(
            path, sheet=name, header_hint=has_qpv_column, check_text=check_table_text
        )
        layout = recognise(sheet.columns, ColumnChoice(), None)
        if layout is None or layout.qpv_code is None:
            continue
        check_rows(len(read.rows) + len(sheet.rows))
        _rows_of(sheet, layout, name, table)
        table.notes.append(f"feuille « {name} » : {len(sheet.rows)} ligne(s) de QPV lue(s)")


def _read_codes(path: Path, options: ReadOptions, table: SourceTable) -> None:
    """Rows of a table of codes, whatever its layout (see ``cesp.zones.layouts``)."""
    choice = ColumnChoice(
        options.code_field, options.zone_field, options.category_field, options.region_field
    )

    def is_header(cells: list[str]) -> bool:
        if options.code_field:
            return column_key(options.code_field) in {column_key(c) for c in cells if c}
        return has_code_column(cells)

    # The sheet read: the first with commune codes, else one by TVS, else one of QPV
    # (a national workbook's Zonage_QPV sheet is read beside its main sheet).
    read = read_table(
        path,
        sheet=options.layer,
        header_row=options.header_row,
        encoding=options.encoding,
        header_hint=(is_header, has_tvs_column, has_qpv_column),
        check_text=check_table_text,
    )
    check_rows(len(read.rows))
    table.format, table.encoding = read.format, read.encoding
    table.notes.extend(read.notes)
    layout = recognise(read.columns, choice, options.name_field)
    if layout is None:
        raise _refuse(
            "no commune code column (e.g. 'Code de la commune', 'code_insee', 'depcom') nor "
            "territory of vie-santé code column ('Code du territoire de vie-santé', "
            "'Code_TVS'): name it with code_field; columns are: " + ", ".join(read.columns),
            "Aucune colonne de code commune (ex. « Code de la commune », code_insee) ni de "
            "code de territoire de vie-santé (« Code du territoire de vie-santé », Code_TVS) : "
            "précisez-la (--code-field) ; colonnes : " + ", ".join(read.columns),
            "code_field",
        )
    table.layout = layout
    _rows_of(read, layout, None, table)
    if layout.qpv_code is None:
        _qpv_sheets(path, read, options, table)


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
    if fmt in TABLE_FORMATS:
        _read_codes(path, options, table)
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
                table.notes.append(
                    f"pas de fichier .cpg : encodage des attributs détecté, {table.encoding}"
                )
            _read_geometries(shp, "shapefile", options, table)
    else:
        _read_geometries(path, fmt, options, table)
    if not table.rows:
        raise ValidationFailedError(
            [Problem(None, "the file holds no zone", "Le fichier ne contient aucune zone.")]
        )
    return table
