"""Run by Debian's system ``python3`` (the one ``python3-qgis`` installs for), not by the
project's virtual environment: open each layer the JSON on stdin names, with the QGIS
data provider it names, as a person adding it in QGIS would, and print what QGIS sees.

Input: ``[{"name": ..., "uri": ..., "provider": "ogr" | "OAPIF" | "delimitedtext"}]``.
Output: one JSON object per layer: validity, feature count (features actually read),
fields (name and QGIS type name), geometry type, CRS and extent, and the first
feature's attributes as text, or the provider's error.
"""

import json
import os
import sys
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsVectorLayer, QgsWkbTypes


def _text(value: Any) -> str | None:
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toString"):
        return value.toString("yyyy-MM-dd") if type(value).__name__ == "QDate" else str(value)
    return str(value)


def probe(spec: dict[str, str]) -> dict[str, Any]:
    layer = QgsVectorLayer(spec["uri"], spec["name"], spec["provider"])
    if not layer.isValid():
        error = layer.dataProvider().error().message() if layer.dataProvider() else ""
        return {"name": spec["name"], "valid": False, "error": error}
    features = list(layer.getFeatures())
    first = features[0] if features else None
    fields = layer.fields()
    extent = layer.extent()
    return {
        "name": spec["name"],
        "valid": True,
        "count": len(features),
        "fields": [[f.name(), f.typeName()] for f in fields],
        "geometry": QgsWkbTypes.displayString(layer.wkbType()),
        "crs": layer.crs().authid(),
        "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
        "first": None
        if first is None
        else {fields[i].name(): _text(v) for i, v in enumerate(first.attributes())},
        "valid_geometries": all(f.geometry().isGeosValid() for f in features if f.hasGeometry()),
    }


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(json.dumps([probe(spec) for spec in json.load(sys.stdin)]))
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
