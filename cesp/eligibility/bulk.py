"""Bulk eligibility of a CSV of sites: ``cesp check-bulk`` and the batch API.

Input columns ``id,lon,lat`` and optionally ``date,profession``; output keeps them and
adds ``eligible,status,commune_code,commune_name,zone_names,decree_references,
distance_m,error``. A bad row gets status ``invalid`` and says why in ``error``; it
never stops the run.

Everything stays in Arrow from reading to writing (pyarrow's CSV module, compute
kernels on text columns, output columns taken from small tables of names): a pandas
object column costs a Python object per cell, which for a million rows is most of the
time a CSV job takes. Work goes by chunks so that memory stays bounded and progress
shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cesp.eligibility.evaluation import STATUSES, PointAnswers, evaluate_points
from cesp.eligibility.index import TERRITORY_CRS, ZoningIndex
from cesp.errors import InvalidInputError
from cesp.spreadsheets import Dialect
from cesp.tabular import read_table, table_format
from cesp.zones.cells import NUMBER, safe_cell
from cesp.zones.professions import Profession

OUTPUT_COLUMNS = [
    "eligible",
    "status",
    "commune_code",
    "commune_name",
    "zone_names",
    "decree_references",
    "distance_m",
    "error",
]
CHUNK = 500_000
DECIMAL = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
FORMULA_START = r"^[=+\-@\t\r]"
UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
LABELS = (*STATUSES, "invalid")
BOM = "\ufeff".encode()
NUMBER_COLUMNS = ("lon", "lat", "distance_m")


def _plain_utf8(path: Path) -> bool:
    """True for UTF-8 text, read by the fast arrow path; anything else (a workbook,
    UTF-16, Windows-1252) goes through ``cesp.tabular``."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if table_format(head) != "csv" or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the 64 KiB boundary
    return True


def read_sites(path: Path) -> pa.Table:
    """Read the sites table (CSV ``,`` or ``;``, or any table ``cesp.tabular`` reads) as
    text columns."""
    with path.open("rb") as handle:
        head = handle.readline()
    if not head.strip():
        raise InvalidInputError("the CSV is empty", message_fr="Le CSV est vide.", field="file")
    if not _plain_utf8(path):
        read = read_table(path)
        table = pa.table(
            {
                c: pa.array([row.get(c, "") for _, row in read.rows], pa.string())
                for c in read.columns
            }
        )
    else:
        table = _read_utf8_csv(path, head)
    missing = [c for c in ("id", "lon", "lat") if c not in table.column_names]
    if missing:
        raise InvalidInputError(
            f"the CSV lacks the column(s) {', '.join(missing)}: expected id,lon,lat "
            "[,date,profession]",
            message_fr=f"Colonnes manquantes : {', '.join(missing)} (attendu id,lon,lat).",
            field="file",
        )
    return table


def _read_utf8_csv(path: Path, head: bytes) -> pa.Table:
    delimiter = ";" if head.count(b";") > head.count(b",") else ","
    try:
        names = head.decode("utf-8-sig").strip().split(delimiter)
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            # Every column as text: ids keep their leading zeros, blank cells stay blank.
            convert_options=pacsv.ConvertOptions(
                column_types={name.strip('"'): pa.string() for name in names},
                strings_can_be_null=False,
                auto_dict_encode=False,
            ),
            read_options=pacsv.ReadOptions(encoding="utf8"),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(
            f"cannot read the CSV (UTF-8 text with columns id,lon,lat expected): {exc}",
            message_fr="CSV illisible : texte UTF-8 avec les colonnes id,lon,lat attendu.",
            field="file",
        ) from exc


def _numbers(column: pa.ChunkedArray) -> np.ndarray:
    """Floats of a text column, NaN where a cell is not a decimal number; a decimal comma
    (``2,44``, as a French ``;`` file writes it) reads as a point (``cesp.conventions``)."""
    text = pc.replace_substring(pc.utf8_trim_whitespace(column), ",", ".")
    valid = pc.match_substring_regex(text, DECIMAL)
    values = pc.cast(pc.if_else(valid, text, pa.scalar("nan")), pa.float64())
    return np.asarray(values.to_numpy(), dtype=float)


def _parse(
    table: pa.Table, default_date: date, default_profession: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates, date ordinals, professions and per-row errors ('' when fine)."""
    n = table.num_rows
    error = np.full(n, "", dtype=object)
    lon, lat = _numbers(table["lon"]), _numbers(table["lat"])
    bad = np.isnan(lon) | np.isnan(lat)
    error[bad] = "lon/lat: not a number"
    out_of_range = ~bad & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    error[out_of_range] = "lon/lat: out of range (WGS84 degrees expected)"
    on = np.full(n, default_date.toordinal(), dtype=np.int64)
    if "date" in table.column_names:
        text = pc.utf8_trim_whitespace(table["date"])
        given = np.asarray(pc.not_equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
        # YYYY-MM-DD or DD/MM/YYYY, the two spellings of cesp.conventions.parse_day.
        parsed = pc.cast(
            pc.coalesce(
                pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True),
                pc.strptime(text, format="%d/%m/%Y", unit="s", error_is_null=True),
            ),
            pa.date32(),
        )
        ok = np.asarray(parsed.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        error[given & ~ok & (error == "")] = "date: expected YYYY-MM-DD or DD/MM/YYYY"
        days = pc.fill_null(pc.cast(parsed, pa.int32()), 0).to_numpy()
        on[given & ok] = days[given & ok] + UNIX_EPOCH_ORDINAL
    profession = np.full(n, default_profession, dtype=object)
    if "profession" in table.column_names:
        # Case, accents and spaces do not matter (cesp.conventions.plain_name): Médecin.
        folded = pc.utf8_normalize(
            pc.utf8_lower(pc.utf8_trim_whitespace(table["profession"])), "NFKD"
        )
        text = pc.replace_substring_regex(
            pc.replace_substring_regex(folded, r"\p{Mn}", ""), r"[\s_-]+", "-"
        )
        given = np.asarray(pc.not_equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
        known = pc.is_in(text, value_set=pa.array([p.value for p in Profession]))
        known_np = np.asarray(known.to_numpy(zero_copy_only=False), dtype=bool)
        profession[given] = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)[given]
        error[given & ~known_np & (error == "")] = "profession: unknown"
    return lon, lat, on, profession, error


def _names(index: ZoningIndex, answers: PointAnswers, n: int) -> tuple[pa.Array, pa.Array]:
    """``|``-joined zone names and decree references per point, as text arrays.

    Most points lie in one zone or none: their text is taken from the zone tables by
    row; the few in several zones (overlapping decrees) are joined one by one.
    """
    names: list[str] = [""]
    refs: list[str] = [""]
    pick = np.zeros(n, dtype=np.int64)  # position in names/refs, 0: no zone
    if len(answers.zone_point):
        offset = np.zeros(len(TERRITORY_CRS) + 1, dtype=np.int64)
        for code, crs in enumerate(TERRITORY_CRS):
            table = index.zones[crs]
            names += [safe_cell(str(v)) for v in table.name]
            refs += [safe_cell(index.decrees[int(d)].reference) for d in table.decree_id]
            offset[code + 1] = offset[code] + len(table.name)
        row = 1 + offset[answers.territory[answers.zone_point]] + answers.zone_row
        order = np.argsort(answers.zone_point, kind="stable")
        point, row = answers.zone_point[order], row[order]
        first = np.ones(len(point), dtype=bool)
        first[1:] = point[1:] != point[:-1]
        starts = np.flatnonzero(first)
        count = np.diff(np.append(starts, len(point)))
        single = count == 1
        pick[point[starts[single]]] = row[starts[single]]
        several = starts[~single]
        for p, start, k in zip(point[several], several, count[~single], strict=True):
            pick[p] = len(names)
            rows = row[start : start + k]
            names.append("|".join(names[r] for r in rows))
            refs.append("|".join(dict.fromkeys(refs[r] for r in rows)))
    indices = pa.array(pick)
    return pc.take(pa.array(names), indices), pc.take(pa.array(refs), indices)


def _communes(index: ZoningIndex, answers: PointAnswers) -> tuple[pa.Array, pa.Array]:
    """Code and name of each point's commune ('' when none)."""
    codes: list[str] = [""]
    names: list[str] = [""]
    offset = np.zeros(len(TERRITORY_CRS) + 1, dtype=np.int64)
    for code, crs in enumerate(TERRITORY_CRS):
        table = index.communes[crs]
        codes += [str(v) for v in table.code]
        names += [safe_cell(str(v)) for v in table.name]
        offset[code + 1] = offset[code] + len(table.code)
    row = answers.commune_row
    pick = pa.array(np.where(row >= 0, 1 + offset[answers.territory] + row, 0))
    return pc.take(pa.array(codes), pick), pc.take(pa.array(names), pick)


def _spread(values: pa.Array, sel: np.ndarray, n: int) -> pa.Array:
    """Values of the valid rows ``sel`` put back among all ``n`` rows ('' elsewhere)."""
    if len(sel) == n:
        return values
    position = np.full(n, len(values), dtype=np.int64)
    position[sel] = np.arange(len(sel))
    return pc.take(pa.concat_arrays([values, pa.array([""])]), pa.array(position))


def evaluate_frame(
    index: ZoningIndex, table: pa.Table, default_date: date, default_profession: str
) -> pa.Table:
    """The input rows with the output columns added, same order."""
    n = table.num_rows
    lon, lat, on, profession, error = _parse(table, default_date, default_profession)
    sel = np.flatnonzero(error == "")
    answers = evaluate_points(index, lon[sel], lat[sel], on[sel], profession[sel])
    label = np.full(n, LABELS.index("invalid"), dtype=np.int64)
    label[sel] = answers.status_code
    eligible = np.full(n, 2, dtype=np.int64)
    eligible[sel] = answers.eligible.astype(np.int64)
    distance = pc.cast(pc.round(pa.array(answers.distance_m, from_pandas=True), 1), pa.string())
    codes, names = _communes(index, answers)
    zone_names, decree_refs = _names(index, answers, len(sel))
    columns = {
        "eligible": pc.take(pa.array(["false", "true", ""]), pa.array(eligible)),
        "status": pc.take(pa.array(LABELS), pa.array(label)),
        "commune_code": _spread(codes, sel, n),
        "commune_name": _spread(names, sel, n),
        "zone_names": _spread(zone_names, sel, n),
        "decree_references": _spread(decree_refs, sel, n),
        "distance_m": _spread(pc.fill_null(distance, ""), sel, n),
        "error": pa.array(error, type=pa.string()),
    }
    result = table
    for column in OUTPUT_COLUMNS:
        if column in result.column_names:  # a file that was checked before: answer again
            result = result.set_column(result.column_names.index(column), column, columns[column])
        else:
            result = result.append_column(column, columns[column])
    return result


def _neutralised(table: pa.Table) -> pa.Table:
    """Text cells that a spreadsheet would run as formulas get a leading quote.

    Output columns built from names (communes, zones, decrees) are neutralised where
    they are made; this checks the caller's own columns, vectorised: only the cells
    starting with a formula character are looked at one by one.
    """
    for name in table.column_names:
        if name in OUTPUT_COLUMNS or not pa.types.is_string(table.schema.field(name).type):
            continue
        column = table[name]
        flagged = pc.match_substring_regex(column, FORMULA_START)
        if not pc.any(flagged).as_py():
            continue
        risky = pc.and_(flagged, pc.invert(pc.match_substring_regex(column, NUMBER.pattern)))
        if not pc.any(risky).as_py():
            continue
        rows = np.flatnonzero(np.asarray(risky.to_numpy(zero_copy_only=False), dtype=bool))
        values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
        values[rows] = [safe_cell(v) for v in values[rows]]
        table = table.set_column(
            table.column_names.index(name), name, pa.array(values, type=pa.string())
        )
    return table


def _french_excel(table: pa.Table) -> pa.Table:
    """Numbers with a decimal comma and booleans as ``oui``/``non`` (``excel-fr``)."""
    for position, field in enumerate(table.schema):
        column = table[field.name]
        if field.name == "eligible":  # "true"/"false"/"" text, built by evaluate_frame
            words = pc.replace_substring(
                pc.replace_substring(column, "true", "oui"), "false", "non"
            )
            table = table.set_column(position, field.name, words)
        elif pa.types.is_floating(field.type) or field.name in NUMBER_COLUMNS:
            # The caller's coordinates stay as written, with a decimal comma; distances too.
            text = pc.replace_substring(pc.cast(column, pa.string()), ".", ",")
            table = table.set_column(position, field.name, text)
        elif pa.types.is_boolean(field.type):
            table = table.set_column(position, field.name, pc.if_else(column, "oui", "non"))
    return table


def _options(dialect: Dialect) -> pacsv.WriteOptions:
    return pacsv.WriteOptions(delimiter=";" if dialect is Dialect.EXCEL_FR else ",")


def write_sites(
    table: pa.Table, target: Path | BinaryIO, dialect: Dialect = Dialect.DATAGOUV
) -> None:
    """Write the output CSV (text cells neutralised against spreadsheet formulas) in
    ``dialect`` (``cesp.spreadsheets``: ``excel-fr`` is ``;``, decimal comma, BOM)."""
    table = _neutralised(table)
    if dialect is Dialect.EXCEL_FR:
        table = _french_excel(table)
        if isinstance(target, Path):
            with target.open("wb") as handle:
                handle.write(BOM)
                pacsv.write_csv(table, handle, write_options=_options(dialect))
            return
        target.write(BOM)
    pacsv.write_csv(table, target, write_options=_options(dialect))


def check_bulk(
    index: ZoningIndex,
    table: pa.Table,
    target: Path,
    default_date: date,
    default_profession: str = "medecin",
    progress: Callable[[str, int, int], None] | None = None,
    dialect: Dialect = Dialect.DATAGOUV,
) -> dict[str, int]:
    """Check every row of ``table`` (from ``read_sites``) into ``target`` written in
    ``dialect``; returns counts by status."""
    counts = np.zeros(len(LABELS), dtype=np.int64)
    writer: pacsv.CSVWriter | None = None
    french = dialect is Dialect.EXCEL_FR
    sink = target.open("wb")
    if french:
        sink.write(BOM)
    try:
        for start in range(0, max(table.num_rows, 1), CHUNK):
            chunk = evaluate_frame(
                index, table.slice(start, CHUNK), default_date, default_profession
            )
            chunk = _neutralised(chunk)
            counted = chunk["status"]
            if french:
                chunk = _french_excel(chunk)
            if writer is None:
                writer = pacsv.CSVWriter(sink, chunk.schema, write_options=_options(dialect))
            writer.write_table(chunk)
            for item in pc.value_counts(counted).to_pylist():
                counts[LABELS.index(item["values"])] += item["counts"]
            if progress:
                progress("check", min(start + CHUNK, table.num_rows), table.num_rows)
    finally:
        if writer is not None:
            writer.close()
        sink.close()
    return {label: int(c) for label, c in zip(LABELS, counts, strict=True) if c}
