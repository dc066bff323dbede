"""QPV contours as reference data: loaded by generation in one transaction, read back by
code; the manifest lists them as optional layers a default fetch leaves alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.geo.qpv import (
    generation_of,
    is_qpv_code,
    load_qpv,
    loaded_generations,
    qpv_by_codes,
    qpv_departement,
)
from cesp.geo.sources import load_manifest
from cesp.storage.versioning import read_index_version
from tests.geo.qpv_contours import write_contours


def test_codes_of_both_generations_name_their_departement():
    assert is_qpv_code("QP093010") and is_qpv_code("qn09301m") and not is_qpv_code("93027")
    assert qpv_departement("QP093010") == "93" and qpv_departement("QP971002") == "971"
    assert generation_of("QP013013") == "2015" and generation_of("QN09301M") == "2024"


def test_a_generation_loads_and_replaces_itself_only(idf_engine: sa.Engine, tmp_path: Path):
    with idf_engine.connect() as conn:
        version = read_index_version(conn)
    first = load_qpv(idf_engine, write_contours(idf_engine, tmp_path / "a.geojson"), "2015")
    assert (first.loaded, first.replaced) == (4, 0)
    load_qpv(idf_engine, write_contours(idf_engine, tmp_path / "b.geojson", "2024"), "2024")
    again = load_qpv(idf_engine, write_contours(idf_engine, tmp_path / "c.geojson"), "2015")
    assert (again.loaded, again.replaced) == (4, 4)
    with idf_engine.connect() as conn:
        assert loaded_generations(conn) == {"2015": 4, "2024": 2}
        assert read_index_version(conn) == version + 3
        found = qpv_by_codes(conn, ["qp093030", "QN09201M", "QP000000"])
    assert sorted(found) == ["QN09201M", "QP093030"]
    assert found["QP093030"].communes == ("93001", "93027")
    assert found["QP093030"].name == "Quatre-Chemins" and found["QP093030"].departement == "93"


def test_a_bad_file_is_refused_whole(idf_engine: sa.Engine, tmp_path: Path):
    path = write_contours(idf_engine, tmp_path / "qpv.geojson")
    collection = json.loads(path.read_text())
    collection["features"][1]["properties"]["code_qp"] = "QP93"
    path.write_text(json.dumps(collection))
    with pytest.raises(ValidationFailedError) as caught:
        load_qpv(idf_engine, path, "2015")
    assert [p.row for p in caught.value.problems] == [2]
    assert "n'est pas un code de QPV de la génération 2015" in caught.value.problems[0].message_fr
    with idf_engine.connect() as conn:
        assert loaded_generations(conn) == {}
    with pytest.raises(InvalidInputError) as wrong:
        load_qpv(idf_engine, path, "2020")
    assert wrong.value.field == "generation"


def test_the_manifest_lists_qpv_contours_as_optional_layers():
    manifest = load_manifest()
    layers = [s.name for s in manifest.layers]
    assert layers == ["qpv/qpv-2015.geojson", "qpv/qpv-2024.geojson"]
    assert not any(s.name.startswith("qpv/") for s in manifest.select(None))
    assert [s.name for s in manifest.select(["qpv"])] == layers
    assert all(manifest.publishers[s.publisher].licence for s in manifest.layers)
