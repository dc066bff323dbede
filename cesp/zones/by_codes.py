"""Zones from a table of commune codes, as the file says them.

- Codes are read as they are on the decree's *effective* date (a dentists' decree signed
  2024-12-20 and in force 2025-01-01 names 63109 Les Deux-Rives, not Chidrac); a code
  merged before that date follows its successor with a warning naming both, and the
  zone is partial when the successor is larger.
- Zones are grouped by the zone column (territory of vie-santé code, else zone name)
  when the table has one, otherwise one zone per commune code: never by commune name.
- Rows of another region are skipped and counted: by the majority-region column, the
  region column, ``dansMaRegion``, or the commune's own region; a territory crossing a
  regional border follows the majority-region rule (art. 2 of the arrêté du 13 novembre
  2017 and of the arrêté du 9 mai 2025: a territory of vie-santé is zoned by the region
  holding most of its population), and the notes name its communes outside.
- Rows of a category that is no zone at all (« Hors vivier », « HZ ») are skipped and
  counted by category, never a refusal.
- Rows of QPV are left to ``cesp.zones.qpv_zones`` (their zone is the QPV's contour).
- A row of a territory of vie-santé without a commune code (a file by TVS) stands for
  the territory's communes at the effective date (``cesp.zones.by_tvs``); it is counted
  once, kept or skipped, whatever its number of communes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.errors import Problem
from cesp.geo.arrondissements import needs_stand_in, with_commune_polygon
from cesp.geo.communes import INSEE_CODE, CommuneUnit, unit_at, units_by_codes
from cesp.geo.crs import metric_crs_for_region, reproject
from cesp.geo.loaded import missing_code_messages
from cesp.geo.names import name_key
from cesp.zones.by_tvs import tvs_expansion
from cesp.zones.categories import ZoneCategory, match_category, unknown_category
from cesp.zones.readers import SourceRow, SourceTable


@dataclass
class Skipped:
    """Rows left out of the decree, counted for the report."""

    by_category: Counter[str] = field(default_factory=Counter)
    by_region: int = 0

    def notes(self) -> list[str]:
        """French lines of the report."""
        notes = [
            f"{count} ligne(s) « {label} » ignorée(s) (catégorie sans zone)"
            for label, count in sorted(self.by_category.items())
        ]
        if self.by_region:
            notes.append(f"{self.by_region} ligne(s) d'autres régions ignorée(s)")
        return notes


@dataclass
class Member:
    """A row resolved to the commune it designates on the effective date."""

    row: SourceRow
    unit: CommuneUnit
    coverage: float = 1.0
    category: ZoneCategory | None = None
    geometry: BaseGeometry | None = None
    stand_in_reason_fr: str | None = None
    """Why the polygon is not the unit's own (an arrondissement of Lyon or Marseille)."""
    also_rows: tuple[int, ...] = ()
    """Other rows naming the same commune: former communes merged into it (a file
    listing both Saint-Jean-d'Hermine and Sainte-Hermine, which merged into it)."""

    @property
    def source_rows(self) -> list[int]:
        """Every row of the file this member stands for."""
        return [self.row.row, *self.also_rows]

    @property
    def shape(self) -> BaseGeometry | None:
        """The polygon the member adds to its zone (the former commune's own when the
        zone covers only part of the successor)."""
        return self.geometry if self.geometry is not None else self.unit.geometry


def _mapped(value: str | None, mapping: dict[str, str]) -> str | None:
    if value is None:
        return None
    return mapping.get(name_key(value), value)


def _follow_merger(
    conn: sa.Connection, row: SourceRow, units: list[CommuneUnit], on: date, notes: list[str]
) -> tuple[CommuneUnit, float, BaseGeometry | None] | None:
    """The successor of a code merged before ``on`` and the share of it the old commune
    covers (1.0 when it is the whole successor), or None."""
    ended = [u for u in units if u.valid_to is not None and u.valid_to <= on]
    if not ended:
        return None
    last = max(ended, key=lambda u: u.valid_to or date.min)
    if len(last.successor_codes) != 1:
        return None
    heirs = units_by_codes(conn, list(last.successor_codes))
    heir = unit_at(heirs.get(last.successor_codes[0], []), on)
    if heir is None or heir.geometry is None:
        return None
    coverage = 1.0
    if last.geometry is not None:
        metric = metric_crs_for_region(heir.region_code)
        old = reproject(last.geometry, "EPSG:4326", metric).area
        new = reproject(heir.geometry, "EPSG:4326", metric).area
        coverage = min(1.0, round(old / new, 4)) if new else 1.0
    became = "est devenu" if (last.end_event or "").startswith("code change") else "a fusionné dans"
    notes.append(
        f"ligne {row.row} : {last.code} ({last.name}) {became} {heir.code} "
        f"({heir.name}) le {last.valid_to:%d/%m/%Y} : la zone suit {heir.code}"
        + (f", en partie ({coverage:.0%} de la commune)" if coverage < 1 else "")
    )
    return heir, coverage, last.geometry if coverage < 1 else None


def _outside_message(
    conn: sa.Connection, code: str, units: list[CommuneUnit], on: date
) -> tuple[str, str]:
    if not units:
        message, message_fr, _ = missing_code_messages(conn, code)
        return message, message_fr
    first = min(units, key=lambda u: u.valid_from or date.min)
    if first.valid_from and first.valid_from > on:
        return (
            f"{code} ({first.name}) did not designate a commune yet on {on.isoformat()} "
            f"(from {first.valid_from})",
            f"{code} ({first.name}) ne désignait pas encore de commune au {on.isoformat()}",
        )
    last = max(units, key=lambda u: u.valid_to or date.max)
    return (
        f"{code} ({last.name}) was no longer a commune on {on.isoformat()}: "
        f"{last.end_event or 'ended'} on {last.valid_to}, into {', '.join(last.successor_codes)}",
        f"{code} ({last.name}) n'était plus une commune au {on.isoformat()} "
        f"(fin le {last.valid_to}, devenue {', '.join(last.successor_codes)})",
    )


def other_region(row: SourceRow, region: str) -> bool | None:
    """True/False when the file says the row's region; None when it does not."""
    if row.in_my_region is not None:
        return not row.in_my_region
    if row.majority_region:
        return row.majority_region != region
    if row.region:
        return row.region != region
    return None


def resolve_rows(
    conn: sa.Connection,
    table: SourceTable,
    region: str,
    on: date,
    categories: list[ZoneCategory],
    fallback: ZoneCategory | None,
    mapping: dict[str, str],
) -> tuple[dict[str, list[Member]], list[Problem], list[str], Skipped]:
    """Rows resolved and grouped by zone key, with problems, notes and skipped counts."""
    problems: list[Problem] = []
    notes: list[str] = []
    skipped = Skipped()
    by_zone = table.layout is not None and bool(table.layout.zone_code or table.layout.zone_name)
    expansion = tvs_expansion(conn, table, on)
    codes = [r.code for r in table.rows if r.code]
    known = units_by_codes(conn, codes + (expansion.commune_codes() if expansion else []))
    state = _Grouping(conn, known, on, by_zone, problems, notes)
    for row in table.rows:
        if row.qpv_code:
            continue
        value = _mapped(row.category, mapping)
        category = match_category(value, categories) if value else fallback
        if value is not None and category is None:
            message, message_fr = unknown_category(row.category, categories)
            problems.append(
                Problem(
                    row.row,
                    message + "; add an alias with 'cesp zones categories alias' or give --map",
                    message_fr + " ; ou ajoutez un alias (cesp zones categories alias) ou une "
                    "correspondance (--map)",
                    "category",
                )
            )
            continue
        if category is not None and not category.keep_rows:
            skipped.by_category[category.label] += 1
            continue
        if other_region(row, region):
            skipped.by_region += 1
            continue
        expanded = [row]
        if expansion is not None and row.code is None:
            told = other_region(row, region) is not None
            found = expansion.rows_of(row, region, told, known, problems)
            if found is None:
                skipped.by_region += 1
                continue
            expanded = found
        for commune_row in expanded:
            state.add(commune_row, category)
    if expansion is not None:
        notes[:0] = expansion.notes
    _majority_rule(state.groups, region, skipped, notes, table)
    return state.groups, problems, notes, skipped


@dataclass
class _Grouping:
    """Commune rows resolved on the effective date, grouped by zone key."""

    conn: sa.Connection
    known: dict[str, list[CommuneUnit]]
    on: date
    by_zone: bool
    problems: list[Problem]
    notes: list[str]
    groups: dict[str, list[Member]] = field(default_factory=lambda: defaultdict(list))
    zone_of_code: dict[str, str] = field(default_factory=dict)

    def add(self, row: SourceRow, category: ZoneCategory | None) -> None:
        """Resolve one commune row and add it to its zone, or record a problem."""
        if row.code is None or not INSEE_CODE.match(row.code):
            self.problems.append(
                Problem(
                    row.row,
                    f"{row.code!r} is not an INSEE commune code (5 characters, e.g. 93027)"
                    if row.code
                    else "missing INSEE code",
                    f"« {row.code} » n'est pas un code INSEE de commune (5 caractères, ex. 93027)"
                    if row.code
                    else "code INSEE absent",
                    "code",
                )
            )
            return
        units = self.known.get(row.code, [])
        unit, coverage, shape = unit_at(units, self.on), 1.0, None
        if unit is None:
            followed = _follow_merger(self.conn, row, units, self.on, self.notes)
            if followed is None:
                message, message_fr = _outside_message(self.conn, row.code, units, self.on)
                self.problems.append(Problem(row.row, message, message_fr, "code"))
                return
            unit, coverage, shape = followed
        elif row.commune_name and name_key(row.commune_name) != name_key(unit.name):
            self.notes.append(
                f"ligne {row.row} : le nom « {row.commune_name} » ne correspond pas au code "
                f"{unit.code} au {self.on.isoformat()} (« {unit.name} »)"
            )
        reason_fr = None
        if needs_stand_in(unit):
            stand_in, reason_fr = with_commune_polygon(self.conn, unit, self.on)
            shape = stand_in.geometry
        if unit.geometry is None and shape is None:
            self.problems.append(
                Problem(
                    row.row,
                    f"{unit.code} ({unit.name}) has no boundary in the reference data",
                    f"{unit.code} ({unit.name}) n'a pas de contour dans le référentiel",
                    "code",
                )
            )
            return
        key = (row.zone_code or row.name or unit.code) if self.by_zone else unit.code
        member = Member(row, unit, coverage, category, shape, reason_fr)
        previous = self.zone_of_code.get(unit.code)
        if previous is None:
            self.zone_of_code[unit.code] = key
            self.groups[key].append(member)
        elif not self._merged(previous, key, member):
            first = next(m for m in self.groups[previous] if m.unit.code == unit.code)
            through = (
                f" (line {first.row.row} names {first.row.code}, merged into it)"
                if first.row.code != unit.code
                else ""
            )
            through_fr = (
                f" (la ligne {first.row.row} nomme {first.row.code}, qui y a fusionné)"
                if first.row.code != unit.code
                else ""
            )
            self.problems.append(
                Problem(
                    row.row,
                    f"{unit.code} ({unit.name}) is listed twice (zones {previous!r} and "
                    f"{key!r}){through}: list it in one zone only",
                    f"{unit.code} ({unit.name}) figure deux fois (zones « {previous} » et "
                    f"« {key} »){through_fr} : ne l'inscrivez que dans une zone",
                    "code",
                )
            )

    def _merged(self, previous: str, key: str, member: Member) -> bool:
        """Join a second row naming the same commune to the first when they are one
        commune and its former parts, in the same zone and category: a file of the
        communes of a territory lists every commune it had, merged since or not."""
        members = self.groups[previous]
        at = next(i for i, m in enumerate(members) if m.unit.code == member.unit.code)
        first = members[at]
        same_category = (first.category is None) == (member.category is None) and (
            first.category is None
            or member.category is None
            or first.category.code == member.category.code
        )
        if previous != key or first.row.code == member.row.code or not same_category:
            return False
        coverage = min(1.0, first.coverage + member.coverage)
        own = first.geometry, member.geometry  # the former communes' own, when partial
        geometry = None
        if own[0] is not None and own[1] is not None and coverage < 1.0:
            geometry = own[0].union(own[1])
        members[at] = replace(
            first,
            coverage=1.0 if geometry is None else coverage,
            geometry=geometry,
            also_rows=(*first.also_rows, member.row.row),
        )
        self.notes.append(
            f"lignes {first.row.row} et {member.row.row} : {first.row.code} et "
            f"{member.row.code} désignent une seule commune au {self.on:%d/%m/%Y}, "
            f"{member.unit.code} ({member.unit.name}) : réunies"
        )
        return True


def _majority_rule(
    groups: dict[str, list[Member]],
    region: str,
    skipped: Skipped,
    notes: list[str],
    table: SourceTable,
) -> None:
    """Communes of another region: a zone whose population lies mostly in ``region`` keeps
    them (named in the notes), a zone mostly outside is left to the other region."""
    told = {r.row for r in table.rows if other_region(r, region) is not None}
    for key in list(groups):
        members = groups[key]
        outside = [m for m in members if m.unit.region_code != region]
        if outside and all(m.row.row in told for m in outside):
            # The file says the territory is zoned by this region: kept, its outside
            # communes named.
            names = ", ".join(f"{m.unit.code} {m.unit.name}" for m in outside)
            notes.append(
                f"zone {key} : territoire à cheval sur plusieurs régions, zoné par la région "
                f"{region} selon le fichier ; communes hors région : {names}"
            )
            continue
        outside = [m for m in outside if m.row.row not in told]
        if not outside:
            continue
        weight = Counter[str]()
        for m in members:
            weight[m.unit.region_code] += m.unit.population or 1
        majority = weight.most_common(1)[0][0]
        names = ", ".join(f"{m.unit.code} {m.unit.name}" for m in outside)
        if majority == region:
            notes.append(
                f"zone {key} : territoire à cheval sur plusieurs régions, zoné par la région "
                f"{region} (majoritaire) ; communes hors région : {names}"
            )
        elif len(outside) == len(members):
            skipped.by_region += len({m.row.row for m in members})
            del groups[key]
        else:
            skipped.by_region += len({m.row.row for m in members})
            notes.append(
                f"zone {key} : territoire majoritairement dans la région {majority}, ignoré ; "
                f"communes : {names}"
            )
            del groups[key]
