"""``/api/v1/communes`` through the HTTP layer."""

import pytest

from fastapi.testclient import TestClient


def test_point_in_paris_gives_commune_and_arrondissement(client: TestClient) -> None:
    body = client.get("/api/v1/communes", params={"lon": 2.3522, "lat": 48.8566}).json()
    assert body["commune"]["code"] == "75056"
    assert body["arrondissement"]["code"] == "75104"
    assert body["approximate"] is False


def test_point_from_the_issue(client: TestClient) -> None:
    response = client.get("/api/v1/communes?lon=2.44&lat=48.91")
    assert response.status_code == 200
    assert response.json()["commune"]["departement"] == {"code": "93", "name": "Seine-Saint-Denis"}


@pytest.mark.parametrize("q", ["Courneuve", "LA COURNEUVE", "la-courneuve"])
def test_name_search(client: TestClient, q: str) -> None:
    body = client.get("/api/v1/communes", params={"q": q}).json()
    assert body["results"][0]["commune"]["code"] == "93027"


def test_code_at_a_date_and_today(client: TestClient) -> None:
    then = client.get("/api/v1/communes/91222", params={"date": "2012-05-24"}).json()
    assert then["status"] == "in_force" and then["commune"]["name"] == "Estouches"
    today = client.get("/api/v1/communes/91222").json()
    assert today["status"] == "ended"
    assert [c["code"] for c in today["now"]] == ["91390"]
    assert "Le Mérévillois" in today["message_fr"] and "01/01/2019" in today["message_fr"]


def test_geometry_on_request(client: TestClient) -> None:
    body = client.get("/api/v1/communes/93027", params={"geometry": "true"}).json()
    assert body["commune"]["geometry"]["type"] == "MultiPolygon"
    assert client.get("/api/v1/communes/93027").json()["commune"]["geometry"] is None


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/communes/99999", 404, "code"),
        ("/api/v1/communes/ABCDE", 422, "code"),
        ("/api/v1/communes/93027?date=2012-13-45", 422, "date"),
        ("/api/v1/communes?lon=2.4", 422, "lat"),
        ("/api/v1/communes?lat=48.9", 422, "lon"),
        ("/api/v1/communes?lon=abc&lat=48.9", 422, "lon"),
        ("/api/v1/communes?lon=200&lat=48.9", 422, "lon"),
        ("/api/v1/communes?lon=-30&lat=40", 404, "lon"),
        ("/api/v1/communes?q=x", 422, "q"),
        ("/api/v1/communes?q=paris&lon=2&lat=48", 422, "q"),
        ("/api/v1/communes?q=paris&limit=0", 422, "limit"),
        ("/api/v1/communes", 422, "lon"),
    ],
)
def test_bad_input_gets_a_json_error_naming_the_field(
    client: TestClient, url: str, status: int, field: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["field"] == field
    assert body["detail"] and body["detail_fr"]
