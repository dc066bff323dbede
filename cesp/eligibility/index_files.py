"""A zoning index (or its commune layer) as named arrays and JSON metadata, and back.

What ``cesp.eligibility.cache_files`` writes and maps: each table under its own prefix
(``communes/EPSG:2154.code.text``, ``zones/EPSG:2154.geometries.wkb``,
``sets/0.outline.tree.nodes``...), the decrees and the scalars in the metadata. Array
names are the only contract between writer and reader, so adding a field to a table
(a QPV override, say) adds arrays without touching this module.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import numpy as np

from cesp.eligibility.cache_files import release_pages
from cesp.eligibility.index_tables import (
    CommuneTable,
    ZoneSet,
    ZoneTable,
    fields_from_arrays,
    fields_to_arrays,
)
from cesp.eligibility.zoning_index import CommuneLayer, ZoningIndex
from cesp.zones.decree_record import Decree

Arrays = dict[str, np.ndarray]


def _plain(value: Any) -> Any:
    """A decree field as JSON (dates tagged, so that they come back as dates)."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "date" in value:
        return date.fromisoformat(value["date"])
    return value


def _communes_to_arrays(communes: dict[str, CommuneTable]) -> Arrays:
    arrays: Arrays = {}
    for crs, table in communes.items():
        arrays |= fields_to_arrays(table, f"communes/{crs}")
    return arrays


def _communes_from_arrays(crs_list: list[str], arrays: Arrays) -> dict[str, CommuneTable]:
    return {crs: fields_from_arrays(CommuneTable, arrays, f"communes/{crs}") for crs in crs_list}


def index_to_arrays(index: ZoningIndex) -> tuple[dict[str, Any], Arrays]:
    """``(meta, arrays)`` of a whole index, its warm zone sets included."""
    arrays = _communes_to_arrays(index.communes)
    for crs, table in index.zones.items():
        arrays |= fields_to_arrays(table, f"zones/{crs}")
    sets = []
    for number, ((crs, profession, decree_ids), zone_set) in enumerate(
        list(index._zone_sets.items())
    ):
        sets.append([crs, profession, sorted(decree_ids)])
        arrays |= fields_to_arrays(zone_set, f"sets/{number}")
    meta = {
        "version": index.version,
        "borderline_m": index.borderline_m,
        "state": index.state,
        "commune_state": index.commune_state,
        "communes": list(index.communes),
        "zones": list(index.zones),
        "sets": sets,
        "decrees": [
            {k: _plain(v) for k, v in dataclasses.asdict(d).items()} for d in index.decrees.values()
        ],
    }
    return meta, arrays


def index_from_arrays(meta: dict[str, Any], arrays: Arrays) -> ZoningIndex:
    """The index of ``index_to_arrays`` (arrays used in place, geometries decoded when
    first needed)."""
    decrees = {}
    for item in meta["decrees"]:
        decree = Decree(**{k: _unplain(v) for k, v in item.items()})
        decrees[decree.id] = decree
    zones = {crs: fields_from_arrays(ZoneTable, arrays, f"zones/{crs}") for crs in meta["zones"]}
    index = ZoningIndex(
        version=int(meta["version"]),
        borderline_m=float(meta["borderline_m"]),
        decrees=decrees,
        communes=_communes_from_arrays(meta["communes"], arrays),
        zones=zones,
        build_seconds=0.0,
        state=meta["state"],
        commune_state=meta["commune_state"],
    )
    for number, (crs, profession, decree_ids) in enumerate(meta["sets"]):
        key = (crs, profession, frozenset(int(i) for i in decree_ids))
        index._zone_sets[key] = fields_from_arrays(
            ZoneSet,
            arrays,
            f"sets/{number}",
            zone_geometries=zones[crs].geometries,
            regions=frozenset(decrees[i].region_code for i in key[2]),
        )
    # What opening read (the manifest's neighbours, the k-d nodes scipy has copied)
    # is not needed again: only the pages the checks read stay mapped.
    release_pages(*arrays.values())
    return index


def layer_to_arrays(layer: CommuneLayer) -> tuple[dict[str, Any], Arrays]:
    """``(meta, arrays)`` of a commune layer."""
    meta = {"state": layer.state, "communes": list(layer.tables)}
    return meta, _communes_to_arrays(layer.tables)


def layer_from_arrays(meta: dict[str, Any], arrays: Arrays) -> CommuneLayer:
    """The commune layer of ``layer_to_arrays``."""
    return CommuneLayer(meta["state"], _communes_from_arrays(meta["communes"], arrays))
