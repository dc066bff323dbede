"""Reconcile commune geometries of one vintage with the commune list of another.

The boundaries in the reference data are those of COG 2018 (communes as on
2018-01-01); the commune list is COG 2026. INSEE's movement file tells what happened
in between and before. This module is pure: from the movements, the set of codes that
have a polygon, and the current commune codes, it computes

- for every current commune, the set of 2018 polygons that make up its territory
  (a commune nouvelle formed after 2018 is the union of its former communes);
- for every former state of a commune (before a merger, split or code change), a
  historical unit with its validity dates, its successors, and its territory: exact
  when the change happened after the geometry vintage (we hold its polygons), an
  approximation by the polygon of the commune that absorbed it when the change
  happened before (the data has no polygon of its own), always with the reason;
- for the communes re-established after 2018 (split back out of a commune nouvelle
  whose own boundaries the data does not have), the parent's polygon, flagged
  ``approximate`` with the candidate communes, never a silent guess.

Movement kinds (INSEE "MOD"): 20 creation, 21 re-establishment, 30 suppression, 31
simple merger, 32 commune nouvelle, 33 merger-association, 41 code change with a
change of département, 50 code change with a change of chef-lieu. 10 (renaming), 34,
35, 70, 71, 72 change names or statuses of delegated/associated communes but no
commune's territory; they are ignored here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from cesp.errors import ReferenceDataError
from cesp.geo.cog import Movement
from cesp.geo.names import name_key

GEOMETRY_VINTAGE = date(2018, 1, 1)
TERRITORY_MODS = frozenset({20, 21, 30, 31, 32, 33, 41, 50})
SPLIT_MODS = frozenset({20, 21, 30})
MOD_EVENT = {
    20: "creation",
    21: "re-establishment",
    30: "suppression",
    31: "merger",
    32: "commune nouvelle",
    33: "merger-association",
    41: "code change (département)",
    50: "code change",
}


@dataclass(frozen=True)
class Territory:
    """The polygons (by 2018 code) a unit is drawn with, and how sure we are of them."""

    parts: frozenset[str]
    approximate_reason: str | None = None
    candidates: tuple[str, ...] = ()
    geometry_code: str | None = None

    @property
    def approximate(self) -> bool:
        """True when the polygon is not the unit's own boundary."""
        return self.approximate_reason is not None


@dataclass(frozen=True)
class FormerUnit:
    """A state of a commune that ended on ``valid_to`` (exclusive)."""

    code: str
    name: str
    valid_from: date | None
    valid_to: date
    successors: tuple[str, ...]
    event: str
    territory: Territory


@dataclass
class Reconciliation:
    """What ``reconcile`` found: current territories and former units."""

    current: dict[str, Territory]
    current_since: dict[str, date]
    former: list[FormerUnit] = field(default_factory=list)


@dataclass(frozen=True)
class _Group:
    """All territorial movements of one source commune on one date."""

    mod: int
    effective: date
    source: str
    source_name: str
    targets: tuple[str, ...]
    target_names: tuple[str, ...]
    changes_territory: bool = True


def _groups(movements: Iterable[Movement]) -> list[_Group]:
    grouped: dict[tuple[date, str], list[Movement]] = defaultdict(list)
    for m in movements:
        if m.mod in TERRITORY_MODS and m.type_before == "COM" and m.type_after == "COM":
            grouped[(m.effective, m.code_before)].append(m)
    groups = []
    for (effective, source), rows in sorted(grouped.items()):
        targets: dict[str, str] = {}
        for row in rows:
            targets.setdefault(row.code_after, row.name_after)
        groups.append(
            _Group(
                mod=rows[0].mod,
                effective=effective,
                source=source,
                source_name=rows[0].name_before,
                targets=tuple(targets),
                target_names=tuple(targets.values()),
            )
        )
    # A code mapped onto itself alone changes territory only when others join it that day
    # (Méréville 91390 -> Le Mérévillois 91390, joined by Estouches 91222).
    receiving = {(g.effective, t) for g in groups for t in g.targets if t != g.source}
    return [
        replace(
            g,
            changes_territory=(
                g.targets != (g.source,)
                or g.mod in SPLIT_MODS
                or (g.effective, g.source) in receiving
            ),
        )
        for g in groups
    ]


class _Timeline:
    """Dates at which each code took part in a territorial change."""

    def __init__(self, groups: list[_Group]):
        self.dates: dict[str, list[date]] = defaultdict(list)
        self.as_source: dict[str, list[_Group]] = defaultdict(list)
        self.as_target: dict[str, list[date]] = defaultdict(list)
        for g in groups:
            if not g.changes_territory:
                continue
            self.as_source[g.source].append(g)
            for code in {g.source, *g.targets}:
                self.dates[code].append(g.effective)
            for code in g.targets:
                self.as_target[code].append(g.effective)
        for values in self.dates.values():
            values.sort()

    def previous(self, code: str, before: date) -> date | None:
        earlier = [d for d in self.dates.get(code, ()) if d < before]
        return earlier[-1] if earlier else None

    def holder_at_vintage(self, code: str, since: date) -> str:
        """Follow ``code`` forward from ``since`` to the 2018 commune that holds it."""
        current, when = code, since
        for _ in range(100):
            nxt = next(
                (
                    g
                    for g in self.as_source.get(current, ())
                    if when < g.effective <= GEOMETRY_VINTAGE
                ),
                None,
            )
            if nxt is None:
                return current
            if current not in nxt.targets:
                current = nxt.targets[0]
            when = nxt.effective
        raise ReferenceDataError(f"movement cycle while following {code} from {since}")


def _pre_vintage_former(group: _Group, timeline: _Timeline, polygons: set[str]) -> FormerUnit:
    holders = sorted({timeline.holder_at_vintage(t, group.effective) for t in group.targets})
    parts = frozenset(h for h in holders if h in polygons)
    reason = (
        f"{MOD_EVENT[group.mod]} on {group.effective.isoformat()}, before the "
        f"{GEOMETRY_VINTAGE.year} geometry vintage: own boundaries not in the reference data; "
        f"approximated by the polygon of {', '.join(holders)}"
    )
    return FormerUnit(
        code=group.source,
        name=group.source_name,
        valid_from=timeline.previous(group.source, group.effective),
        valid_to=group.effective,
        successors=group.targets,
        event=MOD_EVENT[group.mod],
        territory=Territory(parts, reason, (), holders[0] if holders else None),
    )


def _split(group: _Group, parent: Territory) -> dict[str, Territory]:
    """Territories of the targets of a split (re-establishment, creation, suppression).

    A target that existed as a commune in the geometry vintage and was absorbed by the
    parent gets its own 2018 polygon back, exactly. Any other target's boundary is
    unknown: it and the continuing commune share the parent's polygon, flagged
    approximate with the candidate communes.
    """
    source_key = name_key(group.source_name)
    continuing = next(
        (
            t
            for t, n in zip(group.targets, group.target_names, strict=True)
            if name_key(n) == source_key
        ),
        group.source if group.source in group.targets else None,
    )
    exact = {t: frozenset({t}) for t in group.targets if t != continuing and t in parent.parts}
    unknown = [t for t in group.targets if t != continuing and t not in exact]
    when = group.effective.isoformat()
    result: dict[str, Territory] = {t: Territory(p, geometry_code=t) for t, p in exact.items()}
    remaining = parent.parts - frozenset().union(*exact.values()) if exact else parent.parts
    candidates = tuple(c for c in (continuing, *unknown) if c)
    if continuing:
        reason = parent.approximate_reason
        if unknown:
            reason = (
                f"{', '.join(unknown)} re-established on {when} out of {group.source}; their "
                "boundaries are not in the reference data, so this polygon still covers them"
            )
        result[continuing] = Territory(
            remaining, reason, candidates if unknown else parent.candidates, continuing
        )
    for target in unknown:
        result[target] = Territory(
            remaining,
            f"re-established on {when} out of {group.source} ({group.source_name}); own "
            f"boundaries not in the reference data: polygon of {continuing or group.source}",
            candidates,
            continuing or group.source,
        )
    return result


def reconcile(
    movements: Iterable[Movement], polygons: set[str], current_codes: set[str]
) -> Reconciliation:
    """Compute current territories and former units.

    Parameters
    ----------
    movements
        INSEE commune movements, any order.
    polygons
        Codes that have a polygon in the geometry vintage (COG 2018).
    current_codes
        Codes of the communes (TYPECOM=COM) of the current COG.

    Raises
    ------
    ReferenceDataError
        When a current commune ends up with no territory: the files disagree.
    """
    groups = _groups(movements)
    timeline = _Timeline(groups)
    former: list[FormerUnit] = []
    state: dict[str, Territory] = {
        code: Territory(frozenset({code}), geometry_code=code) for code in polygons
    }
    by_date: dict[date, list[_Group]] = defaultdict(list)
    for g in groups:
        if not g.changes_territory:
            continue
        if g.effective <= GEOMETRY_VINTAGE:
            former.append(_pre_vintage_former(g, timeline, polygons))
        else:
            by_date[g.effective].append(g)

    for effective in sorted(by_date):
        day = by_date[effective]
        incoming: dict[str, list[Territory]] = defaultdict(list)
        split_results: dict[str, Territory] = {}
        for g in day:
            parent = state.get(g.source)
            if parent is None:
                raise ReferenceDataError(
                    f"movement of {effective} names {g.source}, which no longer exists then"
                )
            former.append(
                FormerUnit(
                    code=g.source,
                    name=g.source_name,
                    valid_from=timeline.previous(g.source, effective),
                    valid_to=effective,
                    successors=g.targets,
                    event=MOD_EVENT[g.mod],
                    territory=parent,
                )
            )
            if g.mod in SPLIT_MODS or len(g.targets) > 1:
                split_results.update(_split(g, parent))
            else:
                incoming[g.targets[0]].append(parent)
        sources = {g.source for g in day}
        for g in day:
            state.pop(g.source, None)
        for target, parts in incoming.items():
            if target in state and target not in sources:
                parts = [state[target], *parts]
            reasons = [p.approximate_reason for p in parts if p.approximate_reason]
            candidates = tuple(dict.fromkeys(c for p in parts for c in p.candidates))
            state[target] = Territory(
                frozenset().union(*(p.parts for p in parts)),
                "; ".join(reasons) or None,
                candidates,
                target,
            )
        state.update(split_results)

    missing = sorted(current_codes - state.keys())
    if missing:
        raise ReferenceDataError(
            f"{len(missing)} current communes have no polygon after reconciliation: "
            f"{', '.join(missing[:20])}",
            message_fr="Communes sans contour après rapprochement des millésimes.",
        )
    current_since = {
        code: max(timeline.as_target[code])
        for code in current_codes
        if timeline.as_target.get(code)
    }
    return Reconciliation(
        current={code: state[code] for code in current_codes},
        current_since=current_since,
        former=former,
    )
