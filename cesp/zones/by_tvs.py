"""A decree file by territory of vie-santé: each TVS row becomes the rows of its communes.

The DREES national file's ``Zonage_TVS`` sheet and the Zonage_ARS tool's TVS sheets
without communes give one row per territory (its code, name, qualification, sometimes
its region). The mesh of the doctors' zoning is the TVS (arrêté du 13 novembre 2017 and
arrêté du 9 mai 2025, art. 2), so a TVS row zones every commune of the territory: the
communes are those of the TVS correspondence (``cesp.geo.tvs``) in force on the
decree's effective date, then read like any commune code (``cesp.zones.by_codes``:
codes at the effective date, mergers followed, arrondissements).

Regions: a TVS row whose file says its region is kept or skipped as the file says; a
TVS none of whose communes lies in the region (per the correspondence) is skipped and
counted once; otherwise the majority-region rule decides and the notes name the
communes outside the region.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa

from cesp.errors import Problem
from cesp.geo.communes import CommuneUnit
from cesp.geo.tvs import LOAD_COMMAND, TvsLookup, tvs_key, tvs_lookup
from cesp.zones.readers import SourceRow, SourceTable


def by_tvs(table: SourceTable) -> bool:
    """True for a table of territories without a commune-code column."""
    layout = table.layout
    return layout is not None and layout.code is None and layout.zone_code is not None


@dataclass
class TvsExpansion:
    """The TVS correspondence in force for a decree, and what expanding said."""

    lookup: TvsLookup
    notes: list[str]

    def commune_codes(self) -> list[str]:
        """Every commune code of the file's territories (to fetch their units at once)."""
        return [c.commune_code for members in self.lookup.communes.values() for c in members]

    def rows_of(
        self,
        row: SourceRow,
        region: str,
        told: bool,
        known: dict[str, list[CommuneUnit]],
        problems: list[Problem],
    ) -> list[SourceRow] | None:
        """The rows of the communes of ``row``'s TVS; None when the TVS lies wholly in
        other regions (the caller counts the row as skipped by region)."""
        code = row.zone_code or ""
        members = self.lookup.of(code)
        vintage = self.lookup.vintage.isoformat()
        if not members:
            problems.append(
                Problem(
                    row.row,
                    f"TVS {code} is not in the TVS correspondence valid from {vintage}: check "
                    f"the code, or load the correspondence in force with '{LOAD_COMMAND}'",
                    f"TVS {code} absent de la correspondance TVS-communes du {vintage} : "
                    f"vérifiez le code ou chargez la correspondance en vigueur ({LOAD_COMMAND})",
                    "zone_code",
                )
            )
            return []
        regions = {m.region_code for m in members}
        if not told and None not in regions and region not in regions:
            return None
        unloaded = [
            m
            for m in members
            if m.commune_code not in known and m.region_code not in (None, region)
        ]
        if unloaded:
            self.notes.append(
                f"ligne {row.row} : TVS {tvs_key(code)}, communes d'autres régions non chargées "
                "(hors de la règle de la région majoritaire) : "
                + ", ".join(f"{m.commune_code} {m.commune_name or ''}".strip() for m in unloaded)
            )
        return [
            replace(
                row,
                code=m.commune_code,
                zone_code=tvs_key(code),
                name=row.name or m.tvs_name,
                commune_name=None,
                majority_region=region if told else None,
                region=None,
                in_my_region=None,
            )
            for m in members
            if m not in unloaded
        ]


def tvs_expansion(conn: sa.Connection, table: SourceTable, on: date) -> TvsExpansion | None:
    """The expansion of a table by TVS (None for a table of communes).

    Raises
    ------
    cesp.geo.tvs.TvsNotLoadedError
        No TVS correspondence is loaded: the message says how to load it.
    """
    if not by_tvs(table):
        return None
    lookup = tvs_lookup(conn, [r.zone_code for r in table.rows if r.zone_code], on)
    notes = [
        f"territoires de vie-santé développés en communes avec la correspondance TVS du "
        f"{lookup.vintage.isoformat()}"
    ]
    if lookup.earlier_than_any:
        notes.append(
            f"aucune correspondance TVS ne s'applique au {on.isoformat()} : la plus ancienne "
            f"chargée ({lookup.vintage.isoformat()}) est utilisée"
        )
    return TvsExpansion(lookup, notes)
