"""Recognise the columns of the zoning tables ARS and the ministry publish.

The layouts known here (column names as published; see the Zonage_ARS tool of the
ministry, phileas-condemine/Zonage_ARS, its FAQ of 25 May 2018, and C@rtoSanté):

- DREES/DGOS national file ``Zonage_medecin_AAAAMMJJ.xlsx`` (sheets ``Zonage_communes``,
  ``Zonage_TVS``, ``Zonage_QPV``): ``Code de la commune``, ``Code du territoire de
  vie-santé``, ``Libellé du territoire de vie-santé``, ``Code de la région``,
  ``Qualification attribuée par l'arrêté régional``;
- Zonage_ARS regional export (sheet ``TVS``): ``Code de la commune``, ``Code du
  territoire de vie-santé``, ``Nom du territoire de vie-santé``, ``dansMaRegion``,
  ``Zonage``; national export ``Zonage_en_vigueur_mg.xlsx`` (sheet ``COM``): ``depcom``,
  ``libcom``, ``region``, ``TVS``, ``TVS_libelle``, ``region_majoritaire``,
  ``zonage_regional``;
- C@rtoSanté extractions: ``Code``, ``Libellé``, ``Zonage_MG`` (a QPV's code in
  ``Code``, its category ``3_QPV_ZIP``);
- QPV tables: the DREES ``Zonage_QPV`` sheet (``Code du quartier prioritaire``,
  ``Qualification attribuée au QPV par l'arrêté régional``), the Zonage_ARS ``QPV`` sheet
  (``Nom du QPV``, ``Code du QPV``, ``Zonage QPV``), a separate QPV decree (one row per
  QPV; its commune-code cell may hold several codes);
- plain lists: ``code_insee`` (+ ``nom_zone``, ``categorie``);
- files by territory of vie-santé with no commune column (the DREES ``Zonage_TVS``
  sheet, a Zonage_ARS TVS sheet without communes): ``Code du territoire de vie-santé``
  (or ``Code_TVS``, ``TVS``) and a category; expanded by ``cesp.zones.by_tvs``.

Callers may name any column themselves (``ColumnChoice``); the names they give win.
"""

from __future__ import annotations

from dataclasses import dataclass

from cesp.errors import InvalidInputError
from cesp.geo.names import name_key

COMMUNE_CODE = (
    "code de la commune",
    "code commune",
    "code insee",
    "code insee commune",
    "code_insee",
    "insee",
    "codeinsee",
    "code_commune",
    "insee_com",
    "codgeo",
    "depcom",
    "com",
    "code",
)
ZONE_CODE = (
    "code du territoire de vie sante",
    "code tvs",
    "code_tvs",
    "tvs",
    "tv",
    "code zone",
    "code_zone",
)
ZONE_NAME = (
    "libelle du territoire de vie sante",
    "nom du territoire de vie sante",
    "tvs_libelle",
    "libtv",
    "nom_tvs",
    "nom tvs",
    "nom_zone",
    "zone",
    "lib_zone",
    "territoire",
)
COMMUNE_NAME = (
    "libelle de la commune",
    "nom de la commune",
    "nom commune",
    "libcom",
    "libelle",
    "commune",
    "nom",
    "name",
)
CATEGORY = (
    "qualification attribuee par l arrete regional",
    "qualification attribuee au qpv par l arrete regional",
    "zonage qpv",
    "zonage_regional",
    "zonage_mg",
    "zonage_cd",
    "zonage",
    "categorie",
    "category",
    "type_zone",
    "qualification",
)
QPV_CODE = (
    "code du quartier prioritaire",
    "code du qpv",
    "code qpv",
    "code_qpv",
    "code_qp",
    "code quartier",
    "qpv",
)
QPV_NAME = (
    "nom du qpv",
    "nom du quartier prioritaire",
    "libelle du quartier prioritaire",
    "nom_qp",
    "lib_qp",
    "nom qpv",
    "libelle qpv",
    "quartier",
)
REGION = ("code de la region", "code region", "code_reg", "region", "reg")
MAJORITY_REGION = ("region_majoritaire", "region majoritaire")
IN_MY_REGION = ("dansmaregion", "dans ma region")
APPROXIMATION = ("approximation", "approximate_reason", "approximatif")


def column_key(name: str) -> str:
    """Comparable form of a header: accents, case, punctuation and ``_`` ignored."""
    return name_key(name.replace("_", " "))


@dataclass(frozen=True)
class ColumnChoice:
    """Columns a user named (CLI ``--code-field`` etc., API form fields)."""

    code: str | None = None
    zone: str | None = None
    category: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Layout:
    """The columns found in a table (None when the table has no such column); a table
    of QPV or by territory of vie-santé may have no commune-code column."""

    code: str | None
    zone_code: str | None
    zone_name: str | None
    commune_name: str | None
    category: str | None
    region: str | None
    majority_region: str | None
    in_my_region: str | None
    approximation: str | None
    qpv_code: str | None = None
    qpv_name: str | None = None


def _find(columns: list[str], candidates: tuple[str, ...], taken: set[str]) -> str | None:
    keys = {column_key(c): c for c in reversed(columns) if c not in taken}
    for candidate in candidates:
        match = keys.get(column_key(candidate))
        if match is not None:
            return match
    if candidates is CATEGORY:
        # Published headers carry a year or a profession: "Zonage 2025", "Zonage MG 2024".
        for column in columns:
            if column not in taken and column_key(column).split(" ")[0] == "zonage":
                return column
    return None


def _named(columns: list[str], wanted: str, option: str) -> str:
    if wanted in columns:
        return wanted
    match = next((c for c in columns if column_key(c) == column_key(wanted)), None)
    if match is None:
        raise InvalidInputError(
            f"{option}={wanted!r} is not a column of the table; columns are: {', '.join(columns)}",
            message_fr=f"La colonne « {wanted} » n'existe pas ; colonnes : {', '.join(columns)}",
            field=option,
        )
    return match


def has_code_column(cells: list[str]) -> bool:
    """True for a header row with a commune-code column (picks the sheet and header)."""
    keys = {column_key(c) for c in cells if c}
    return any(column_key(c) in keys for c in COMMUNE_CODE)


def has_qpv_column(cells: list[str]) -> bool:
    """True for a header row with a QPV-code column (a QPV sheet or a QPV decree)."""
    keys = {column_key(c) for c in cells if c}
    return any(column_key(c) in keys for c in QPV_CODE)


def has_tvs_column(cells: list[str]) -> bool:
    """True for a header row with a territory-of-vie-santé code column: the sheet of a
    file by TVS (``Zonage_TVS``), read when no sheet has a commune-code column."""
    keys = {column_key(c) for c in cells if c}
    return any(column_key(c) in keys for c in ZONE_CODE[:4])


def recognise(columns: list[str], choice: ColumnChoice, name_field: str | None) -> Layout | None:
    """The layout of a table, or None when it has neither a commune-code column, nor a
    QPV-code column, nor a territory (zone) code column."""
    taken: set[str] = set()

    def pick(wanted: str | None, option: str, candidates: tuple[str, ...]) -> str | None:
        found = _named(columns, wanted, option) if wanted else _find(columns, candidates, taken)
        if found:
            taken.add(found)
        return found

    qpv_code = pick(None, "code_field", QPV_CODE)
    code = pick(choice.code, "code_field", COMMUNE_CODE)
    qpv_name = pick(None, "name_field", QPV_NAME) if qpv_code else None
    zone_code = pick(choice.zone, "zone_field", ZONE_CODE)
    by_tvs = zone_code is not None and bool(choice.zone or has_tvs_column([zone_code]))
    if code is None and qpv_code is None and not by_tvs:
        return None
    zone_name = pick(name_field, "name_field", ZONE_NAME)
    return Layout(
        code=code,
        zone_code=zone_code,
        zone_name=zone_name,
        category=pick(choice.category, "category_field", CATEGORY),
        majority_region=pick(None, "region_field", MAJORITY_REGION),
        region=pick(choice.region, "region_field", REGION),
        in_my_region=pick(None, "region_field", IN_MY_REGION),
        commune_name=pick(None, "name_field", COMMUNE_NAME),
        approximation=pick(None, "approximation", APPROXIMATION),
        qpv_code=qpv_code,
        qpv_name=qpv_name,
    )
