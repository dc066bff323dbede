"""GeoJSON bodies of pages of features, written fast enough for 10,000 communes.

Geometries are reprojected as one array and written by GEOS (``shapely.to_geojson``,
full double precision, nothing simplified), then spliced into the JSON of the rest of
the document: building a Python dict of every coordinate and dumping it costs several
times more for a page of communes.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely

from cesp.ogc.crs import OgcCrs, to_output
from cesp.ogc.model import Feature


def _geometries(features: list[Feature], crs: OgcCrs) -> list[str | None]:
    geometries = np.empty(len(features), dtype=object)
    geometries[:] = [f.geometry for f in features]
    present = np.array([g is not None for g in geometries], dtype=bool)
    texts: list[str | None] = [None] * len(features)
    if present.any():
        written = shapely.to_geojson(to_output(geometries[present], crs))
        for index, text in zip(np.flatnonzero(present), written, strict=True):
            texts[int(index)] = str(text)
    return texts


def _feature(feature: Feature, geometry: str | None, extra: dict[str, Any] | None) -> str:
    head = json.dumps({"type": "Feature", "id": feature.id}, ensure_ascii=False)[:-1]
    tail = json.dumps({"properties": feature.properties, **(extra or {})}, ensure_ascii=False)[1:]
    return f'{head}, "geometry": {geometry or "null"}, {tail}'


def feature_collection(head: dict[str, Any], features: list[Feature], crs: OgcCrs) -> bytes:
    """A FeatureCollection: the members of ``head`` then ``features`` in ``crs``."""
    written = _geometries(features, crs)
    body = ", ".join(_feature(f, g, None) for f, g in zip(features, written, strict=True))
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    return f'{opening}, "features": [{body}]}}'.encode()


def single_feature(feature: Feature, crs: OgcCrs, links: list[dict[str, str]]) -> bytes:
    """One Feature document, with its links."""
    return _feature(feature, _geometries([feature], crs)[0], {"links": links}).encode()
