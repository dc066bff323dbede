from pathlib import Path

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.storage.settings import Settings


def test_health_reports_backend_and_reference(client: TestClient, backend: str) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["backend"] == backend
    assert body["reference"]["communes"] == 34875


def test_health_is_503_on_an_empty_database(tmp_path: Path, data_dir: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite'}", data_dir=data_dir)
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
