"""A small real database for the map tests: Paris and the petite couronne with the test
decree 12-209 (four communes and the 18th arrondissement) published."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.settings import Settings
from cesp.zones.decrees import Decree
from tests.api.live_server import LiveServer
from tests.zones.helpers import publish_codes


@pytest.fixture
def map_engine(idf_engine: sa.Engine) -> sa.Engine:
    """The scratch database holding 75, 92 and 93, no decree."""
    return idf_engine


@pytest.fixture
def decree(map_engine: sa.Engine, tmp_path: Path) -> Decree:
    """Decree 12-209 of the tests, published, in force since 2012-05-24 with no end."""
    published: Decree = publish_codes(map_engine, tmp_path / "12-209.csv")
    return published


@pytest.fixture
def map_client(
    map_engine: sa.Engine, decree: Decree, scratch_url: str, data_dir: Path
) -> Iterator[TestClient]:
    settings = Settings(
        database_url=scratch_url, data_dir=data_dir, index_warmup=False, rate_limit_per_minute=0
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def keys(map_engine: sa.Engine) -> dict[str, str]:
    """Tokens of a CNG key and of the ARS Île-de-France key."""
    tokens = {}
    with map_engine.begin() as conn:
        for name, role, region in (("CNG", "cng", None), ("ARS IDF", "ars", "11")):
            _key, tokens[role] = create_key(conn, name, role, region, Actor("test", "admin"))
    return tokens


@pytest.fixture
def server(
    map_engine: sa.Engine, decree: Decree, scratch_url: str, data_dir: Path
) -> Iterator[LiveServer]:
    """``cesp serve`` on 127.0.0.1 over the scratch database."""
    running = LiveServer(scratch_url, data_dir).start()
    yield running
    running.stop()


def seed_posts(
    server: LiveServer, keys: dict[str, str], kind: str = "exercice"
) -> tuple[dict, list[dict]]:
    """A campaign of 2026 and two posts through the API: one in Bobigny (two places) and
    one in La Courneuve (one place), both in zones of decree 12-209."""
    cng = {"Authorization": f"Bearer {keys['cng']}"}
    ars = {"Authorization": f"Bearer {keys['ars']}"}
    campaign = httpx.post(
        f"{server.base}/api/v1/campaigns", json={"year": 2026, "kind": kind}, headers=cng
    )
    assert campaign.status_code == 201, campaign.text
    posts = []
    for ref, specialty, mode, code, lon, lat, places in (
        ("IDF-1", "médecine générale", "liberal", "93008", 2.4397, 48.9077, 2),
        ("IDF-2", "médecine générale", "salarie", "93027", 2.3890, 48.9236, 1),
    ):
        body = {
            "reference": ref,
            "campaign": 2026,
            "kind": kind,
            "specialty": specialty,
            "mode": mode,
            "structure": f"Centre de santé {ref}",
            "address": "1 rue de la République",
            "commune_code": code,
            "lon": lon,
            "lat": lat,
            "places": places,
        }
        answer = httpx.post(f"{server.base}/api/v1/posts", json=body, headers=ars)
        assert answer.status_code == 201, answer.text
        posts.append(answer.json())
    return campaign.json(), posts


def open_campaign(server: LiveServer, keys: dict[str, str], campaign_id: int) -> None:
    """Open a campaign (CNG)."""
    answer = httpx.post(
        f"{server.base}/api/v1/campaigns/{campaign_id}/status",
        json={"status": "open"},
        headers={"Authorization": f"Bearer {keys['cng']}"},
    )
    assert answer.status_code == 200, answer.text
