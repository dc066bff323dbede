"""The zone category table: which categories open the CESP is data, not code.

Rows are seeded by migration 0002 with their legal basis; matching a category written
in an ARS file ("ZIP", "Zone d'intervention prioritaire", "très sous-dotée") goes through
the same name keys as commune search.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cesp.geo.names import name_key


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

    def spellings(self) -> set[str]:
        """Every spelling that designates this category."""
        return {name_key(v) for v in (self.code, self.label, *self.aliases) if v}


def load_categories(
    conn: sa.Connection, profession: str | None = None, zoning_method: str | None = None
) -> list[ZoneCategory]:
    """Categories, optionally of one profession and method."""
    clauses, params = [], {}
    if profession:
        clauses.append("profession = :p")
        params["p"] = profession
    if zoning_method:
        clauses.append("zoning_method = :m")
        params["m"] = zoning_method
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        sa.text(
            "SELECT profession, zoning_method, code, label, qualifies_for_cesp, legal_basis, "
            f"aliases FROM zone_categories {where} ORDER BY profession, zoning_method, id"
        ),
        params,
    )
    return [
        ZoneCategory(
            r.profession,
            r.zoning_method,
            r.code,
            r.label,
            bool(r.qualifies_for_cesp),
            r.legal_basis,
            tuple(a for a in (r.aliases or "").split("|") if a),
        )
        for r in rows
    ]


def match_category(value: str, categories: list[ZoneCategory]) -> ZoneCategory | None:
    """The category designated by ``value``, or None."""
    key = name_key(value)
    return next((c for c in categories if key in c.spellings()), None)


def default_category(categories: list[ZoneCategory]) -> ZoneCategory | None:
    """The category to use when a file names none: the only qualifying one, if unique."""
    qualifying = [c for c in categories if c.qualifies_for_cesp]
    return qualifying[0] if len(qualifying) == 1 else None
