"""Bulk eligibility of a CSV of sites: ``cesp check-bulk`` and the batch API.

Input columns ``id,lon,lat`` and optionally ``date,profession``; output keeps them and
adds ``eligible,status,commune_code,commune_name,zone_names,decree_references,
distance_m,approximate,error`` (``approximate``: contours to have checked, as the single
check says). A row with a value it cannot read gets status ``invalid`` and says why in
``error``; it never stops the run.

Everything stays in Arrow from reading to writing (pyarrow's CSV module, compute
kernels on text columns, output columns taken from small tables of names): a pandas
object column costs a Python object per cell, which for a million rows is most of the
time a CSV job takes. Work goes by slices (``cesp.eligibility.bulk_files`` streams
them from the file, the next one read while this one is checked) so that memory stays
bounded and progress shows; the answers go to a temporary file renamed into place at
the end, so that a job stopped by a bad row leaves no half-written output.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cesp.cpus import usable_cpus
from cesp.eligibility.bulk_files import (
    ANSWER_COLUMNS,
    in_dialect,
    neutralised,
    open_answers,
    read_sites,
    write_options,
    write_sites,
)
from cesp.eligibility.bulk_rows import ROW_ERRORS, parse_rows
from cesp.eligibility.evaluation import STATUSES, PointAnswers, evaluate_points, zone_order
from cesp.eligibility.zoning_index import TERRITORY_CRS, ZoningIndex
from cesp.errors import InvalidInputError
from cesp.output_paths import new_file_mode
from cesp.spreadsheets import Dialect
from cesp.text import CONTROL_CHARACTERS
from cesp.zones.cells import FORMULA_PREFIXES, safe_cell

__all__ = ["check_bulk", "evaluate_frame", "read_sites", "write_sites"]

OUTPUT_COLUMNS = list(ANSWER_COLUMNS)
CHUNK = 500_000
MIN_PIECE = 4096
LABELS = (*STATUSES, "invalid")
T = TypeVar("T")
R = TypeVar("R")


def _safe_names(values: Iterable[object]) -> list[str]:
    """``safe_cell`` of many names at once: the rule is applied to the few that start
    like a formula (or to all, when some name holds a control character)."""
    texts = [str(v) for v in values]
    if CONTROL_CHARACTERS.search("\n".join(texts)):
        return [str(safe_cell(t)) for t in texts]
    return [str(safe_cell(t)) if t.startswith(FORMULA_PREFIXES) else t for t in texts]


@dataclass(frozen=True)
class _NameTables:
    """The texts the output takes by row: position 0 is '' (no commune, no zone), then
    the rows of each CRS's table one after the other (``offset`` by territory)."""

    commune_codes: pa.Array
    commune_names: pa.Array
    commune_offset: np.ndarray
    zone_names: list[str]
    zone_refs: list[str]
    zone_qualifies: list[bool]
    zone_offset: np.ndarray


def _name_tables(index: ZoningIndex) -> _NameTables:
    """Built once per index (kept in ``index.derived``): every job and chunk reuses it."""
    cached = index.derived.get("bulk-names")
    if isinstance(cached, _NameTables):
        return cached
    codes, names, zone_names, zone_refs = [""], [""], [""], [""]
    zone_qualifies = [False]
    commune_offset = np.zeros(len(TERRITORY_CRS) + 1, dtype=np.int64)
    zone_offset = np.zeros(len(TERRITORY_CRS) + 1, dtype=np.int64)
    for code, crs in enumerate(TERRITORY_CRS):
        communes, zones = index.communes[crs], index.zones[crs]
        codes += [str(v) for v in communes.code]
        names += _safe_names(communes.name)
        commune_offset[code + 1] = commune_offset[code] + len(communes.code)
        zone_names += _safe_names(zones.name)
        zone_refs += _safe_names(index.decrees[int(d)].reference for d in zones.decree_id)
        zone_qualifies += [bool(q) for q in zones.qualifies]
        zone_offset[code + 1] = zone_offset[code] + len(zones.name)
    tables = _NameTables(
        pa.array(codes, pa.string()),
        pa.array(names, pa.string()),
        commune_offset,
        zone_names,
        zone_refs,
        zone_qualifies,
        zone_offset,
    )
    index.derived["bulk-names"] = tables
    return tables


def _names(index: ZoningIndex, answers: PointAnswers, n: int) -> tuple[pa.Array, pa.Array]:
    """``|``-joined zone names and decree references per point, as text arrays.

    Most points lie in one zone or none: their text is taken from the zone tables by
    row; the few in several zones (overlapping decrees) are joined one by one.
    """
    tables = _name_tables(index)
    names, refs = tables.zone_names, tables.zone_refs
    extra_names: list[str] = []
    extra_refs: list[str] = []
    pick = np.zeros(n, dtype=np.int64)  # position in names/refs, 0: no zone
    if len(answers.zone_point):
        offset = tables.zone_offset
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
            pick[p] = len(names) + len(extra_names)
            # Listed as the single check lists them (``zone_order``), not as found.
            rows = sorted(
                row[start : start + k].tolist(),
                key=lambda r: zone_order(tables.zone_qualifies[r], names[r]),
            )
            extra_names.append("|".join(names[r] for r in rows))
            extra_refs.append("|".join(dict.fromkeys(refs[r] for r in rows)))
    used = np.unique(pick)  # only the texts this chunk shows become Arrow strings
    position = np.searchsorted(used, pick)
    everything_names, everything_refs = names + extra_names, refs + extra_refs
    indices = pa.array(position)
    return (
        pc.take(pa.array([everything_names[i] for i in used], pa.string()), indices),
        pc.take(pa.array([everything_refs[i] for i in used], pa.string()), indices),
    )


def _communes(index: ZoningIndex, answers: PointAnswers) -> tuple[pa.Array, pa.Array]:
    """Code and name of each point's commune ('' when none)."""
    tables = _name_tables(index)
    row = answers.commune_row
    pick = pa.array(np.where(row >= 0, 1 + tables.commune_offset[answers.territory] + row, 0))
    return pc.take(tables.commune_codes, pick), pc.take(tables.commune_names, pick)


def _approximate(index: ZoningIndex, answers: PointAnswers) -> np.ndarray:
    """Per point, ``EligibilityResult.approximate`` (``cesp.eligibility.check``) for
    arrays: its commune's contours are approximate, another commune holds it too, or one
    of its zones is approximate. The single check tells it as « contours approchés,
    vérification conseillée »; the bulk officer needs it as much."""
    flags = np.zeros(len(answers.commune_row), dtype=bool)
    for code, crs in enumerate(TERRITORY_CRS):
        of_crs = answers.territory == code
        located = np.flatnonzero(of_crs & (answers.commune_row >= 0))
        flags[located] = index.communes[crs].approximate[answers.commune_row[located]]
        in_zone = of_crs[answers.zone_point]
        points, rows = answers.zone_point[in_zone], answers.zone_row[in_zone]
        flags[points[index.zones[crs].approximate[rows]]] = True
    flags[answers.candidate_point] = True
    return flags


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
    lon, lat, on, profession, error = parse_rows(table, default_date, default_profession)
    sel = np.flatnonzero(error == 0)
    answers = evaluate_points(index, lon[sel], lat[sel], on[sel], profession[sel])
    label = np.full(n, LABELS.index("invalid"), dtype=np.int64)
    label[sel] = answers.status_code
    eligible = np.full(n, 2, dtype=np.int64)
    eligible[sel] = answers.eligible.astype(np.int64)
    distance = pc.cast(pc.round(pa.array(answers.distance_m, from_pandas=True), 1), pa.string())
    codes, names = _communes(index, answers)
    zone_names, decree_refs = _names(index, answers, len(sel))
    approximate = np.full(n, 2, dtype=np.int64)
    approximate[sel] = _approximate(index, answers).astype(np.int64)
    columns = {
        "eligible": pc.take(pa.array(["false", "true", ""]), pa.array(eligible)),
        "status": pc.take(pa.array(LABELS), pa.array(label)),
        "commune_code": _spread(codes, sel, n),
        "commune_name": _spread(names, sel, n),
        "zone_names": _spread(zone_names, sel, n),
        "decree_references": _spread(decree_refs, sel, n),
        "distance_m": _spread(pc.fill_null(distance, ""), sel, n),
        "approximate": pc.take(pa.array(["false", "true", ""]), pa.array(approximate)),
        "error": pc.take(pa.array(ROW_ERRORS, pa.string()), pa.array(error)),
    }
    result = table
    for column in OUTPUT_COLUMNS:
        if column in result.column_names:  # a file that was checked before: answer again
            result = result.set_column(result.column_names.index(column), column, columns[column])
        else:
            result = result.append_column(column, columns[column])
    return result


def _table_slices(table: pa.Table) -> Iterator[pa.Table]:
    for start in range(0, max(table.num_rows, 1), CHUNK):
        yield table.slice(start, CHUNK)


def shared_out(slices: Iterable[pa.Table], parts: int) -> Iterator[pa.Table]:
    """Each slice cut into ``parts`` pieces of equal rows (views, no copy), one for each
    thread of ``in_parallel``: the threads then finish together, where whole slices
    leave one idle at the end of a file (a 100,000-row file is read as slices of
    84,000 and 16,000 rows). Slices under ``parts * MIN_PIECE`` rows stay whole."""
    for piece in slices:
        rows = piece.num_rows
        if parts < 2 or rows < parts * MIN_PIECE:
            yield piece
            continue
        bounds = [rows * k // parts for k in range(parts + 1)]
        for start, end in pairwise(bounds):
            yield piece.slice(start, end - start)


def read_ahead(items: Iterable[T]) -> Iterator[T]:
    """The items of ``items``, each produced by a thread while the caller works on the
    previous one (pyarrow parses CSV without the GIL); the first is started at once."""
    iterator = iter(items)
    done = object()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-read")
    coming = pool.submit(next, iterator, done)

    def drain() -> Iterator[T]:
        nonlocal coming
        try:
            while (item := coming.result()) is not done:
                coming = pool.submit(next, iterator, done)
                yield item  # type: ignore[misc]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return drain()


def in_parallel(work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """``work`` of each item, in the items' order, computed by one thread per usable CPU.

    The checks are NumPy, GEOS and Arrow kernels that release the GIL: two slices
    checked side by side take little more than one on a 2-core machine, while the
    caller writes the answers of the slice before. One slice per thread is in hand at
    most (and the one being read), so memory stays that of a few slices. An error in a
    slice is raised here, in order, and the slices not started are dropped."""
    threads = usable_cpus()
    iterator = iter(items)
    if threads == 1:
        yield from map(work, iterator)
        return
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bulk-check")
    pending: deque[Future[R]] = deque()
    try:
        for item in iterator:
            pending.append(pool.submit(work, item))
            if len(pending) >= threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def check_bulk(
    index: ZoningIndex,
    sites: pa.Table | Iterable[pa.Table],
    target: Path,
    default_date: date,
    default_profession: str = "medecin",
    progress: Callable[[str, int, int], None] | None = None,
    expected_rows: Callable[[int], int] | None = None,
    dialect: Dialect = Dialect.DATAGOUV,
) -> dict[str, int]:
    """Check every row of ``sites`` (a table from ``read_sites``, or its slices from
    ``open_sites``) into ``target`` written in ``dialect`` (``cesp.spreadsheets``);
    returns counts by status. ``expected_rows`` guesses the total from the rows read so
    far, for the progress of a streamed file."""
    if isinstance(sites, pa.Table):
        total = sites.num_rows
        slices: Iterable[pa.Table] = _table_slices(sites)
    else:
        total, slices = 0, sites
    counts = np.zeros(len(LABELS), dtype=np.int64)
    done = 0
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:  # a folder that takes no new file (read-only, /proc...)
        raise InvalidInputError(
            f"output: cannot create a file in {target.parent} ({exc.strerror}): write elsewhere",
            message_fr=f"Sortie : impossible de créer un fichier dans {target.parent} : "
            "écrivez ailleurs.",
            field="output",
        ) from exc
    os.close(descriptor)
    writer: pacsv.CSVWriter | None = None
    sink = open_answers(Path(temporary), dialect)

    def answer(piece: pa.Table) -> tuple[pa.Table, pa.Array]:
        chunk = neutralised(evaluate_frame(index, piece, default_date, default_profession))
        return in_dialect(chunk, dialect), chunk["status"]

    try:
        for chunk, counted in in_parallel(answer, shared_out(slices, usable_cpus())):
            if writer is None:
                writer = pacsv.CSVWriter(sink, chunk.schema, write_options=write_options(dialect))
            writer.write_table(chunk)
            for item in pc.value_counts(counted).to_pylist():
                counts[LABELS.index(item["values"])] += item["counts"]
            done += chunk.num_rows
            if progress:
                guess = expected_rows(done) if expected_rows else total
                progress("check", done, max(guess, done))
        if writer is not None:
            writer.close()
            writer = None
        sink.close()
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, target)
    finally:
        if writer is not None:
            writer.close()
        sink.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    if progress:
        progress("check", done, done)
    return {label: int(c) for label, c in zip(LABELS, counts, strict=True) if c}
