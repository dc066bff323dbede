"""The map's simplified shapes kept on disk: reused by another process, rebuilt when a
file is damaged or belongs to another decree, made ahead at publication."""

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from shapely.geometry import shape

from fastapi.testclient import TestClient

from cesp.maps.layers import zone_collection
from cesp.maps.shape_store import ZOOMS, ShapeStore, warm_published
from cesp.zones.decrees import Decree

TODAY = date.today()


def _national(conn: sa.Connection, store: ShapeStore) -> dict:
    return zone_collection(conn, store, TODAY, "medecin", zoom=6)


def test_a_new_process_reads_the_shapes_another_one_simplified(
    map_engine: sa.Engine, decree: Decree, tmp_path: Path
) -> None:
    first, second = ShapeStore(tmp_path), ShapeStore(tmp_path)
    with map_engine.connect() as conn:
        made = _national(conn, first)
        read = _national(conn, second)
        departements = second.departements(conn, 6, None)
        again = ShapeStore(tmp_path).departements(conn, 6, None)
    assert first.built == 1 and second.built == 1, "zones read back; only départements made"
    assert read == made
    assert [d.key for d in again] == [d.key for d in departements] == ["75", "92", "93"]
    for feature in read["features"]:
        assert shape(feature["geometry"]).is_valid


def test_a_damaged_or_foreign_file_is_rebuilt_not_served(
    map_engine: sa.Engine, decree: Decree, tmp_path: Path
) -> None:
    with map_engine.connect() as conn:
        good = _national(conn, ShapeStore(tmp_path))
        (path,) = tmp_path.glob(f"decree-{decree.id}-*-z6.json")
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        torn = ShapeStore(tmp_path)
        assert _national(conn, torn) == good and torn.built == 1
        head, _, payload = path.read_bytes().partition(b"\n")
        path.write_bytes(head.replace(b"decree-", b"decree-9") + b"\n" + payload)
        foreign = ShapeStore(tmp_path)
        assert _national(conn, foreign) == good and foreign.built == 1


def test_publication_makes_every_zoom_level_ahead(
    map_engine: sa.Engine, decree: Decree, tmp_path: Path
) -> None:
    store = ShapeStore(tmp_path)
    built = warm_published(map_engine, store, [decree.id])
    assert built == len(ZOOMS)
    assert len(list(tmp_path.glob(f"decree-{decree.id}-*-z*.json"))) == len(ZOOMS)
    later = ShapeStore(tmp_path)
    with map_engine.connect() as conn:
        for zoom in ZOOMS:
            zone_collection(conn, later, TODAY, "medecin", zoom=zoom)
    assert later.built == 0, "a visitor after the publication waits for no simplification"
    assert warm_published(map_engine, store, [decree.id]) == 0


def test_without_a_directory_shapes_stay_in_memory(
    map_engine: sa.Engine, decree: Decree, tmp_path: Path
) -> None:
    store = ShapeStore(None)
    with map_engine.connect() as conn:
        assert _national(conn, store) == _national(conn, store)
    assert store.built == 1
    assert not list(tmp_path.rglob("*.json"))


def test_a_decree_published_through_the_api_has_its_map_ready(
    map_client: TestClient, map_engine: sa.Engine, keys: dict[str, str], map_cache_dir: Path
) -> None:
    """After ``POST /api/v1/decrees`` with ``publish``, every zoom level of the new
    decree is on disk before anyone opens the map (made after the answer is sent)."""
    before = set(map_cache_dir.glob("*.json"))  # the folder is shared by the session
    published = map_client.post(
        "/api/v1/decrees",
        files={"file": ("z.csv", b"code_insee;nom_zone\n93070;Saint-Ouen\n")},
        data={
            "region": "11",
            "reference": "26-1",
            "signed": "2026-01-02",
            "effective_from": "2026-01-02",
            "profession": "medecin",
            "category": "ZIP",
            "publish": "true",
        },
        headers={"Authorization": f"Bearer {keys['ars']}"},
    )
    assert published.status_code == 201, published.text
    decree_id = published.json()["decree"]["id"]
    made = set(map_cache_dir.glob(f"decree-{decree_id}-*-z*.json")) - before
    assert len(made) == len(ZOOMS)
    later = ShapeStore(map_cache_dir)
    with map_engine.connect() as conn:
        zones = zone_collection(conn, later, TODAY, "medecin", "11", zoom=6)
    assert later.built == 0
    assert [f["properties"]["name"] for f in zones["features"]] == ["Saint-Ouen"]
