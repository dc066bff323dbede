"""Bulk eligibility of a CSV of sites: ``cesp check-bulk`` and the batch API.

Input columns ``id,lon,lat`` and optionally ``date,profession``; output keeps them and
adds ``eligible,status,commune_code,commune_name,zone_names,decree_references,
distance_m,error``. A bad row gets status ``invalid`` and says why in ``error``; it
never stops the run. Reading and writing use pyarrow's CSV module (several times faster
than pandas'); work goes by chunks so that memory stays bounded and progress shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from cesp.errors import InvalidInputError
from cesp.zones.eligibility import PointAnswers, evaluate_points
from cesp.zones.export import NUMBER, safe_cell
from cesp.zones.index import ZoningIndex
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


def read_sites(path: Path) -> pd.DataFrame:
    """Read the sites CSV (``,`` or ``;``) as text columns."""
    with path.open("rb") as handle:
        head = handle.readline()
    if not head.strip():
        raise InvalidInputError("the CSV is empty", message_fr="Le CSV est vide.", field="file")
    delimiter = ";" if head.count(b";") > head.count(b",") else ","
    try:
        names = head.decode("utf-8-sig").strip().split(delimiter)
        table = pacsv.read_csv(
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
        frame = table.to_pandas()
    except (pa.ArrowException, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(
            f"cannot read the CSV (UTF-8 text with columns id,lon,lat expected): {exc}",
            message_fr="CSV illisible : texte UTF-8 avec les colonnes id,lon,lat attendu.",
            field="file",
        ) from exc
    missing = [c for c in ("id", "lon", "lat") if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"the CSV lacks the column(s) {', '.join(missing)}: expected id,lon,lat "
            "[,date,profession]",
            message_fr=f"Colonnes manquantes : {', '.join(missing)} (attendu id,lon,lat).",
            field="file",
        )
    return frame


def _parse(
    frame: pd.DataFrame, default_date: date, default_profession: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates, date ordinals, professions and per-row errors ('' when fine)."""
    n = len(frame)
    error = np.full(n, "", dtype=object)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(lon) | np.isnan(lat)
    error[bad] = "lon/lat: not a number"
    out_of_range = ~bad & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    error[out_of_range] = "lon/lat: out of range (WGS84 degrees expected)"
    on = np.full(n, default_date.toordinal(), dtype=np.int64)
    if "date" in frame.columns:
        text = frame["date"].astype(str).str.strip()
        given = text != ""
        parsed = pd.to_datetime(text.where(given), format="%Y-%m-%d", errors="coerce")
        invalid = given.to_numpy() & parsed.isna().to_numpy()
        error[invalid & (error == "")] = "date: expected YYYY-MM-DD"
        ok = given.to_numpy() & ~invalid
        on[ok] = (parsed[ok].dt.normalize() - pd.Timestamp("0001-01-01")).dt.days.to_numpy() + 1
    profession = np.full(n, default_profession, dtype=object)
    if "profession" in frame.columns:
        text = frame["profession"].astype(str).str.strip().str.lower()
        given = (text != "").to_numpy()
        profession[given] = text[given].to_numpy()
        known = np.isin(profession, [p.value for p in Profession])
        error[~known & (error == "")] = "profession: unknown"
    return lon, lat, on, profession, error


def _joined(index: ZoningIndex, answers: PointAnswers, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``|``-joined zone names and decree references per point."""
    names = np.full(n, "", dtype=object)
    refs = np.full(n, "", dtype=object)
    if len(answers.zone_point):
        crs = answers.crs[answers.zone_point]
        zone_name = np.empty(len(crs), dtype=object)
        decree_ref = np.empty(len(crs), dtype=object)
        for territory in np.unique(crs):
            mask = crs == territory
            table = index.zones[territory]
            rows = answers.zone_row[mask]
            zone_name[mask] = table.name[rows]
            decree_ref[mask] = [index.decrees[int(d)].reference for d in table.decree_id[rows]]
        order = np.argsort(answers.zone_point, kind="stable")
        point = answers.zone_point[order]
        zone_name, decree_ref = zone_name[order], decree_ref[order]
        unique, start, count = np.unique(point, return_index=True, return_counts=True)
        single = count == 1
        names[unique[single]] = zone_name[start[single]]
        refs[unique[single]] = decree_ref[start[single]]
        # Several zones for one point (overlapping decrees of different categories): rare.
        for p, first, n in zip(unique[~single], start[~single], count[~single], strict=True):
            names[p] = "|".join(zone_name[first : first + n])
            refs[p] = "|".join(dict.fromkeys(decree_ref[first : first + n]))
    return names, refs


def evaluate_frame(
    index: ZoningIndex, frame: pd.DataFrame, default_date: date, default_profession: str
) -> pd.DataFrame:
    """The input rows with the output columns added, same order."""
    n = len(frame)
    lon, lat, on, profession, error = _parse(frame, default_date, default_profession)
    valid = error == ""
    out = {c: np.full(n, "", dtype=object) for c in OUTPUT_COLUMNS}
    out["status"][~valid] = "invalid"
    out["error"] = error
    sel = np.flatnonzero(valid)
    answers = evaluate_points(index, lon[sel], lat[sel], on[sel], profession[sel])
    codes = np.full(len(sel), "", dtype=object)
    names = np.full(len(sel), "", dtype=object)
    for territory in np.unique(answers.crs) if len(sel) else []:
        mask = (answers.crs == territory) & (answers.commune_row >= 0)
        table = index.communes[territory]
        codes[mask] = table.code[answers.commune_row[mask]]
        names[mask] = table.name[answers.commune_row[mask]]
    zone_names, decree_refs = _joined(index, answers, len(sel))
    distance = np.where(np.isnan(answers.distance_m), "", np.round(answers.distance_m, 1))
    out["eligible"][sel] = np.where(answers.eligible, "true", "false")
    out["status"][sel] = answers.status
    out["commune_code"][sel] = codes
    out["commune_name"][sel] = names
    out["zone_names"][sel] = zone_names
    out["decree_references"][sel] = decree_refs
    out["distance_m"][sel] = distance.astype(str)
    result = frame.copy()
    for column in OUTPUT_COLUMNS:
        result[column] = out[column]
    return result


def write_sites(frame: pd.DataFrame, path: Path) -> None:
    """Write the output CSV (text cells neutralised against spreadsheet formulas)."""
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].astype(str)
        flagged = values.str[:1].isin(list("=+-@\t\r")).to_numpy()
        if flagged.any():
            risky = np.zeros(len(values), dtype=bool)
            risky[flagged] = ~values[flagged].str.match(NUMBER.pattern).to_numpy()
            if risky.any():
                frame[column] = frame[column].astype(object)
                frame.loc[risky, column] = [safe_cell(v) for v in values[risky]]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pacsv.write_csv(table, path)


def check_bulk(
    index: ZoningIndex,
    source: Path,
    target: Path,
    default_date: date,
    default_profession: str = "medecin",
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Check every row of ``source`` into ``target``; returns counts by status."""
    frame = read_sites(source)
    parts = []
    for start in range(0, max(len(frame), 1), CHUNK):
        chunk = frame.iloc[start : start + CHUNK]
        parts.append(evaluate_frame(index, chunk, default_date, default_profession))
        if progress:
            progress("check", min(start + CHUNK, len(frame)), len(frame))
    result = pd.concat(parts, ignore_index=True) if parts else frame
    write_sites(result, target)
    return {str(k): int(v) for k, v in result["status"].value_counts().items()}
