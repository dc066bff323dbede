"""The API definition of ``/ogc`` as an OpenAPI 3.0 document rooted at ``/ogc``.

Why a second document: FastAPI writes OpenAPI 3.1 for the whole service, but OGC
clients read an OpenAPI 3.0 document whose paths start at the landing page. QGIS
refuses a service whose landing page has no ``service-desc`` link of type
``application/vnd.oai.openapi+json;version=3.0``, reads the page size from
``components/parameters/limit`` and the filters of each collection from
``/collections/{id}/items``; GDAL looks there too. So this document is derived from
FastAPI's (the routes stay the single source), cut to ``/ogc``, written in 3.0 terms
(``nullable`` for null types, ``enum`` for ``const``, ``items`` for ``prefixItems``,
``example`` for ``examples``), with one items path per collection listing its own
filters (Part 1, 7.15.5 and the OGC "example 2" style).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from cesp.ogc.catalog import all_queryables
from cesp.ogc.model import Collection
from cesp.ogc.query import DEFAULT_LIMIT, MAX_LIMIT

MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
PREFIX = "/ogc"
ITEMS = "/collections/{collectionId}/items"
LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "style": "form",
    "explode": False,
    "description": f"Page size; above {MAX_LIMIT} the maximum is used (Part 1, 7.15.3)",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
}


def _nullable(options: list[Any]) -> dict[str, Any] | None:
    """``anyOf: [X, {type: null}]`` as ``X`` + ``nullable`` (None when nothing is null)."""
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) == len(options):
        return None
    if len(kept) == 1 and "$ref" not in kept[0]:
        return {**kept[0], "nullable": True}
    if len(kept) == 1:
        return {"allOf": kept, "nullable": True}
    return {"anyOf": kept, "nullable": True}


def to_openapi30(node: Any) -> Any:
    """A JSON schema fragment of OpenAPI 3.1 rewritten with OpenAPI 3.0 keywords."""
    if isinstance(node, list):
        return [to_openapi30(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("anyOf", "oneOf") and (merged := _nullable(value)) is not None:
            out.update(to_openapi30(merged))
        elif key == "const":
            out["enum"] = [value]
        elif key == "prefixItems":
            kinds = {v.get("type") for v in value}
            out["items"] = {"type": kinds.pop()} if len(kinds) == 1 else {}
        elif key == "examples" and isinstance(value, list):
            if value:
                out["example"] = to_openapi30(value[0])
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            out["type"] = types[0]
            out["nullable"] = len(types) < len(value) or out.get("nullable", False)
        elif key in ("contentMediaType", "$schema"):
            continue
        else:
            out[key] = to_openapi30(value)
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _schemas_used(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The component schemas ``paths`` reach, directly or through other schemas."""
    names: set[str] = set()
    _refs(paths, names)
    pending = list(names)
    while pending:
        found: set[str] = set()
        _refs(schemas.get(pending.pop(), {}), found)
        pending += sorted(found - names)
        names |= found
    return {name: schemas[name] for name in sorted(names) if name in schemas}


def _form(parameter: dict[str, Any]) -> dict[str, Any]:
    """Query parameters are form-style, not exploded (what QGIS looks for in filters)."""
    if parameter.get("in") == "query" and "$ref" not in parameter:
        return {**parameter, "style": "form", "explode": False}
    return parameter


def _collection_items(generic: dict[str, Any], collection: Collection) -> dict[str, Any]:
    """The items operation of one collection: no path parameter, only its filters."""
    operation = copy.deepcopy(generic)
    own = {n for q in collection.queryables for n in (q.name, *q.aliases)}
    every_filter = {n for q in all_queryables() for n in (q.name, *q.aliases)}
    operation["parameters"] = [
        p
        for p in operation["parameters"]
        if p.get("name") != "collectionId"
        and (p.get("name") not in every_filter or p.get("name") in own)
    ]
    operation["operationId"] = re.sub(r"\W", "_", f"items_{collection.id}")
    operation["summary"] = f"Features of {collection.id}"
    return operation


def ogc_openapi(
    full: dict[str, Any], base: str, version: str, collections: list[Collection]
) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the OGC API served at ``base`` (``http://host/ogc``).

    Parameters
    ----------
    full
        The whole service's OpenAPI 3.1 document, as FastAPI builds it.
    base
        The landing page URL, the document's server.
    version
        The service version.
    collections
        The collections of the moment, each getting its own items path.
    """
    paths: dict[str, Any] = {}
    for path, item in full["paths"].items():
        if not path.startswith(PREFIX):
            continue
        local = path.removeprefix(PREFIX) or "/"
        paths[local] = to_openapi30(item)
        for operation in paths[local].values():
            parameters = [_form(p) for p in operation.get("parameters", [])]
            if local == ITEMS:
                parameters = [
                    {"$ref": "#/components/parameters/limit"} if p.get("name") == "limit" else p
                    for p in parameters
                ]
            if parameters:
                operation["parameters"] = parameters
    generic = paths.get(ITEMS, {}).get("get")
    if generic is not None:
        for collection in collections:
            items_path = f"/collections/{collection.id}/items"
            paths[items_path] = {"get": _collection_items(generic, collection)}
    schemas = to_openapi30(full.get("components", {}).get("schemas", {}))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "cesp-zones — OGC API Features",
            "version": version,
            "description": full.get("info", {}).get("description", ""),
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "parameters": {"limit": LIMIT},
            "schemas": _schemas_used(paths, schemas),
        },
    }
