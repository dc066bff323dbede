"""Territories of vie-santé (TVS): the DREES correspondence with communes, as versioned
reference data.

The TVS is the mesh of the doctors' zoning (arrêté du 13 novembre 2017, art. 2; arrêté
du 9 mai 2025, art. 2: each arrondissement of Paris, Lyon and Marseille is its own
territory). DREES publishes which commune belongs to which TVS (data.gouv.fr dataset
« Territoires de vie-santé (TVS) – correspondance communale »), in two column sets:

- ``depcom, libcom, tv, libtv, code_reg``, the TVS code right-padded with ``_`` to 5
  characters (``0101_``);
- ``INSEE_COM, Code_TVS, Nom_TVS`` (optionally a region column).

``cesp data load-tvs FILE --valid-from DATE`` stores one vintage (all rows of the file,
valid from DATE) in one transaction; loading the same date again replaces that vintage.
A decree file by TVS expands with the vintage in force on the decree's effective date
(``cesp.zones.by_tvs``). TVS codes are compared without their ``_`` padding, so that a
decree writing ``0101`` and a table writing ``0101_`` agree.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from cesp.errors import InvalidInputError, Problem, ValidationFailedError
from cesp.geo.names import name_key
from cesp.geo.tables import tvs_communes
from cesp.storage.engine import write_transaction
from cesp.storage.schema import require_current
from cesp.tabular import read_table, restore_code

DATASET_FR = "« Territoires de vie-santé (TVS) – correspondance communale » (DREES, data.gouv.fr)"
LOAD_COMMAND = "cesp data load-tvs FICHIER --valid-from AAAA-MM-JJ"
COMMUNE_COLUMNS = ("depcom", "insee com", "code commune", "code de la commune", "codgeo")
COMMUNE_NAMES = ("libcom", "nom com", "nom commune", "libelle de la commune")
TVS_COLUMNS = ("tv", "code tvs", "tvs", "code du territoire de vie sante")
TVS_NAMES = ("libtv", "nom tvs", "libelle tvs", "libelle du territoire de vie sante")
REGION_COLUMNS = ("code reg", "reg", "code region", "region")
INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

Progress = Callable[[str, int, int], None]


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def tvs_key(code: str) -> str:
    """A TVS code as compared: trimmed, upper case, without its ``_`` padding."""
    return code.strip().upper().rstrip("_")


def _key(name: str) -> str:
    return name_key(name.replace("_", " "))


def _column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    keys = {_key(c): c for c in columns}
    return next((keys[c] for c in candidates if c in keys), None)


def _is_header(cells: list[str]) -> bool:
    found = [c for c in cells if c]
    return bool(_column(found, COMMUNE_COLUMNS) and _column(found, TVS_COLUMNS))


@dataclass(frozen=True)
class TvsCommune:
    """One commune of a territory of vie-santé, in one vintage."""

    tvs_code: str
    tvs_name: str
    commune_code: str
    commune_name: str | None
    region_code: str | None


@dataclass(frozen=True)
class TvsLoadReport:
    """What ``load_tvs`` stored."""

    valid_from: date
    communes: int
    territories: int
    regions: int
    replaced: int
    padded_codes: int
    notes: tuple[str, ...]


def read_tvs_file(path: Path) -> tuple[list[TvsCommune], list[str], int]:
    """Rows of a correspondence file (either published column set), the reader's notes
    (French), and how many TVS codes carried ``_`` padding.

    Raises
    ------
    InvalidInputError
        No commune-code or TVS-code column.
    ValidationFailedError
        Rows without a valid commune code or TVS code, or a commune listed twice.
    """
    table = read_table(path, header_hint=_is_header)
    columns = table.columns
    commune, tvs = _column(columns, COMMUNE_COLUMNS), _column(columns, TVS_COLUMNS)
    if commune is None or tvs is None:
        raise InvalidInputError(
            "not a TVS correspondence: expected columns depcom, libcom, tv, libtv, code_reg "
            f"or INSEE_COM, Code_TVS, Nom_TVS; columns are: {', '.join(columns)}",
            message_fr="Ce n'est pas une correspondance TVS-communes : colonnes attendues "
            "depcom, libcom, tv, libtv, code_reg ou INSEE_COM, Code_TVS, Nom_TVS ; colonnes "
            f"trouvées : {', '.join(columns)}",
            field="file",
        )
    names, tvs_names = _column(columns, COMMUNE_NAMES), _column(columns, TVS_NAMES)
    region = _column(columns, REGION_COLUMNS)
    rows: list[TvsCommune] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    padded = 0
    for line, cells in table.rows:
        code = restore_code(cells.get(commune, "").strip().upper())[0]
        raw_tvs = cells.get(tvs, "").strip()
        if not INSEE.match(code):
            problems.append(
                Problem(
                    line,
                    f"{code!r} is not an INSEE commune code (5 characters, e.g. 63109)",
                    f"« {code} » n'est pas un code commune INSEE (5 caractères, ex. 63109)",
                    commune,
                )
            )
            continue
        if not tvs_key(raw_tvs):
            problems.append(
                Problem(line, "no TVS code", "code du territoire de vie-santé absent", tvs)
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    line,
                    f"commune {code} is listed twice (line {seen[code]} too)",
                    f"la commune {code} figure deux fois (aussi ligne {seen[code]})",
                    commune,
                )
            )
            continue
        seen[code] = line
        padded += raw_tvs.endswith("_")
        reg = cells.get(region, "").strip() if region else ""
        rows.append(
            TvsCommune(
                tvs_code=tvs_key(raw_tvs),
                tvs_name=(cells.get(tvs_names, "").strip() if tvs_names else "") or raw_tvs,
                commune_code=code,
                commune_name=(cells.get(names, "").strip() or None) if names else None,
                region_code=restore_code(reg, 2)[0] if reg else None,
            )
        )
    if problems:
        raise ValidationFailedError(problems)
    if not rows:
        raise ValidationFailedError(
            [Problem(None, "the file holds no commune", "le fichier ne contient aucune commune")]
        )
    return rows, table.notes, padded


def vintage_of(path: Path, valid_from: date | None) -> date:
    """The date a correspondence is valid from: the one given, else 1 January of the year
    in the file name (``tvs_2024.csv``); otherwise an error asking for it."""
    if valid_from is not None:
        return valid_from
    years = YEAR.findall(path.name)
    if len(years) == 1:
        return date(int(years[0]), 1, 1)
    raise InvalidInputError(
        f"cannot tell which date {path.name} is valid from: give --valid-from YYYY-MM-DD",
        message_fr=f"Date de validité de {path.name} inconnue : précisez --valid-from "
        "AAAA-MM-JJ (date à partir de laquelle la correspondance s'applique).",
        field="valid_from",
    )


def load_tvs(
    engine: sa.Engine,
    path: Path,
    valid_from: date | None = None,
    *,
    original_name: str | None = None,
    progress: Progress = _noop,
) -> TvsLoadReport:
    """Store a TVS correspondence file as the vintage valid from ``valid_from``, in one
    transaction (a vintage of the same date is replaced, all or nothing).

    The zoning index is not bumped: it holds decrees' zones, already expanded to
    communes when each decree was imported, and never reads this table.

    Examples
    --------
    >>> load_tvs(engine, Path("tvs_2024.csv"))  # doctest: +SKIP
    TvsLoadReport(valid_from=datetime.date(2024, 1, 1), communes=34935, ...)
    """
    require_current(engine)
    name = original_name or path.name
    vintage = vintage_of(Path(name), valid_from)
    progress("read", 0, 1)
    rows, notes, padded = read_tvs_file(path)
    progress("read", 1, 1)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    now = datetime.now(UTC)
    values = [
        {
            "valid_from": vintage,
            "tvs_code": r.tvs_code,
            "tvs_name": r.tvs_name[:120],
            "commune_code": r.commune_code,
            "commune_name": (r.commune_name or "")[:120] or None,
            "region_code": r.region_code,
            "source_filename": name[:255],
            "source_sha256": digest,
            "loaded_at": now,
        }
        for r in rows
    ]
    with write_transaction(engine) as conn:
        replaced = conn.execute(
            sa.delete(tvs_communes).where(tvs_communes.c.valid_from == vintage)
        ).rowcount
        batch = 5000
        for start in range(0, len(values), batch):
            conn.execute(sa.insert(tvs_communes), values[start : start + batch])
            progress("database", min(start + batch, len(values)), len(values))
    return TvsLoadReport(
        valid_from=vintage,
        communes=len(rows),
        territories=len({r.tvs_code for r in rows}),
        regions=len({r.region_code for r in rows if r.region_code}),
        replaced=max(replaced or 0, 0),
        padded_codes=padded,
        notes=tuple(notes),
    )


class TvsNotLoadedError(InvalidInputError):
    """A decree by TVS while no TVS correspondence is loaded."""

    code = "tvs_not_loaded"


@dataclass(frozen=True)
class TvsLookup:
    """The communes of some TVS in the vintage in force on a date."""

    vintage: date
    on: date
    communes: dict[str, list[TvsCommune]]

    @property
    def earlier_than_any(self) -> bool:
        """True when no vintage was valid on the date (the earliest one is used)."""
        return self.vintage > self.on

    def of(self, code: str) -> list[TvsCommune]:
        """The communes of TVS ``code`` (any padding), empty when the vintage lacks it."""
        return self.communes.get(tvs_key(code), [])


def tvs_lookup(conn: sa.Connection, codes: Iterable[str], on: date) -> TvsLookup:
    """The communes of the TVS ``codes`` in the vintage valid on ``on`` (the latest
    vintage starting on or before it; the earliest one when all start later).

    Raises
    ------
    TvsNotLoadedError
        No correspondence is loaded; the message says how to load one.
    """
    vintages = sorted(v for (v,) in conn.execute(sa.select(tvs_communes.c.valid_from).distinct()))
    if not vintages:
        raise TvsNotLoadedError(
            "the file gives territories of vie-santé (TVS) without communes, and no TVS "
            "correspondence is loaded: load the DREES 'Territoires de vie-santé (TVS) – "
            f"correspondance communale' file with '{LOAD_COMMAND}' (or fetch it with "
            "'cesp data fetch --only tvs'), then import again",
            message_fr="Le fichier donne des territoires de vie-santé (TVS) sans leurs "
            "communes, et aucune correspondance TVS-communes n'est chargée : chargez le "
            f"fichier {DATASET_FR} avec « {LOAD_COMMAND} » (ou téléchargez-le avec « cesp "
            "data fetch --only tvs »), puis relancez l'import.",
            field="zone_code",
        )
    valid = [v for v in vintages if v <= on]
    vintage = valid[-1] if valid else vintages[0]
    keys = sorted({tvs_key(c) for c in codes if tvs_key(c)})
    members: dict[str, list[TvsCommune]] = defaultdict(list)
    for start in range(0, len(keys), 500):
        query = (
            sa.select(tvs_communes)
            .where(tvs_communes.c.valid_from == vintage)
            .where(tvs_communes.c.tvs_code.in_(keys[start : start + 500]))
            .order_by(tvs_communes.c.tvs_code, tvs_communes.c.commune_code)
        )
        for row in conn.execute(query):
            members[row.tvs_code].append(
                TvsCommune(
                    row.tvs_code,
                    row.tvs_name,
                    row.commune_code,
                    row.commune_name,
                    row.region_code,
                )
            )
    return TvsLookup(vintage, on, dict(members))
