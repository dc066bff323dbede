"""The zone category table: which categories open the CESP is data, not code.

Rows are seeded by migration 0002 with their legal basis; matching a category written
in an ARS file ("ZIP", "Zone d'intervention prioritaire", "très sous-dotée") goes through
the same name keys as commune search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.errors import InvalidInputError
from cesp.geo.names import name_key
from cesp.zones.tables import zone_categories


@dataclass(frozen=True)
class ZoneCategory:
    """One category of one zoning method of one profession."""

    profession: str
    zoning_method: str
    code: str
    label: str
    qualifies_for_cesp: bool
    legal_basis: str
    aliases: tuple[str, ...]
    keep_rows: bool = True
    parent_code: str | None = None

    def spellings(self) -> set[str]:
        """Every spelling that designates this category."""
        return {
            name_key(v) + ("+" if v.endswith("+") else "")
            for v in (self.code, self.label, *self.aliases)
            if v
        }


def load_categories(
    conn: sa.Connection, profession: str | None = None, zoning_method: str | None = None
) -> list[ZoneCategory]:
    """Categories, optionally of one profession and method."""
    t = zone_categories
    query = sa.select(
        t.c.profession,
        t.c.zoning_method,
        t.c.code,
        t.c.label,
        t.c.qualifies_for_cesp,
        t.c.legal_basis,
        t.c.aliases,
        t.c.keep_rows,
        t.c.parent_code,
    ).order_by(t.c.profession, t.c.zoning_method, t.c.id)
    if profession:
        query = query.where(t.c.profession == profession)
    if zoning_method:
        query = query.where(t.c.zoning_method == zoning_method)
    rows = conn.execute(query)
    return [
        ZoneCategory(
            r.profession,
            r.zoning_method,
            r.code,
            r.label,
            r.qualifies_for_cesp,
            r.legal_basis,
            tuple(a for a in (r.aliases or "").split("|") if a),
            r.keep_rows,
            r.parent_code,
        )
        for r in rows
    ]


NUMBERED = re.compile(r"^\d+ ")


def match_category(value: str, categories: list[ZoneCategory]) -> ZoneCategory | None:
    """The category designated by ``value``, or None.

    Published files number their categories (C@rtoSanté ``1_ZIP``, ``6_HZ``; the
    Zonage_ARS national export ``1 -Zone d'intervention prioritaire``): the number is
    dropped when the value itself is not a spelling. ``ZIP+`` keeps its ``+``.
    """
    plus = value.strip().endswith("+")
    key = name_key(value) + ("+" if plus else "")
    for candidate in (key, NUMBERED.sub("", key)):
        found = next((c for c in categories if candidate in c.spellings()), None)
        if found is not None:
            return found
    return None


def unknown_category(value: str | None, categories: list[ZoneCategory]) -> tuple[str, str]:
    """English and French messages for a ``value`` no category designates, listing the
    categories that may be named (code and label)."""
    listed = ", ".join(f"{c.code} ({c.label})" for c in categories)
    return (
        f"category {value!r} is not one of: {listed or 'none'}",
        f"catégorie inconnue « {value} » ; catégories possibles : {listed or 'aucune'}",
    )


def default_category(categories: list[ZoneCategory]) -> ZoneCategory | None:
    """The category to use when a file names none: the only qualifying one, if unique."""
    qualifying = [c for c in categories if c.qualifies_for_cesp]
    return qualifying[0] if len(qualifying) == 1 else None


def category_mapping(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """A user's ``--map "1_ZIP=ZIP"`` pairs keyed by the name key of the file's value."""
    return {name_key(source): target for source, target in pairs}


def parse_mapping(values: list[str], text: str | None = None) -> tuple[tuple[str, str], ...]:
    """``FROM=TO`` pairs from options and from a mapping file's lines (``#`` comments).

    Raises
    ------
    InvalidInputError
        A pair without ``=``.
    """
    lines = [*values, *(text or "").splitlines()]
    pairs = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        source, sep, target = line.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise InvalidInputError(
                f"category mapping {line!r} is not FROM=TO (e.g. 1_ZIP=ZIP)",
                message_fr=f"Correspondance de catégorie « {line} » mal formée (ex. 1_ZIP=ZIP).",
                field="map",
            )
        pairs.append((source.strip(), target.strip()))
    return tuple(pairs)


def add_alias(
    conn: sa.Connection, profession: str, zoning_method: str, code: str, alias: str, actor: Actor
) -> ZoneCategory:
    """Add a spelling to a category (a row update, audited; no migration).

    Raises
    ------
    InvalidInputError
        Unknown category, empty alias, or an alias that already designates another
        category of the same method (it would make the files ambiguous).
    """
    spelling = alias.strip()
    if not spelling or len(spelling) > 100:
        raise InvalidInputError(
            "alias must be 1 to 100 characters",
            message_fr="L'alias doit compter de 1 à 100 caractères.",
            field="alias",
        )
    categories = load_categories(conn, profession, zoning_method)
    target = next((c for c in categories if c.code == code), None)
    if target is None:
        known = ", ".join(c.code for c in categories) or "none"
        raise InvalidInputError(
            f"no category {code!r} for {profession} ({zoning_method}); categories: {known}",
            message_fr=f"Catégorie « {code} » inconnue pour {profession} ({zoning_method}) ; "
            f"catégories : {known}",
            field="code",
        )
    other = match_category(spelling, categories)
    if other is not None and other.code != code:
        raise InvalidInputError(
            f"{spelling!r} already designates category {other.code}",
            message_fr=f"« {spelling} » désigne déjà la catégorie {other.code}.",
            field="alias",
        )
    if other is None:
        aliases = "|".join([*target.aliases, spelling])
        t = zone_categories
        conn.execute(
            sa.update(t)
            .where(
                t.c.profession == profession, t.c.zoning_method == zoning_method, t.c.code == code
            )
            .values(aliases=aliases)
        )
        record(
            conn,
            actor,
            "category.alias",
            "zone_category",
            f"{profession}/{zoning_method}/{code}",
            f"alias {spelling!r} added to {code} ({profession}, {zoning_method})",
        )
    return next(c for c in load_categories(conn, profession, zoning_method) if c.code == code)
