"""Pages for people: the home page, and the map's errors as a French page in a browser."""

from fastapi.testclient import TestClient

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_home_page_links_the_map_the_api_docs_and_ogc(map_client: TestClient) -> None:
    home = map_client.get("/", headers=BROWSER)
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in home.text and "Zones déficitaires du CESP" in home.text
    for link in ('href="/map"', 'href="/docs"', 'href="/ogc"'):
        assert link in home.text
    assert map_client.get("/map/assets/cesp/page.css").status_code == 200
    assert "<script" not in home.text and "style=" not in home.text


def test_map_errors_are_a_french_page_for_a_browser_and_json_for_programs(
    map_client: TestClient,
) -> None:
    page = map_client.get("/map", params={"region": "84"}, headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Région 84 inconnue ou non chargée." in page.text and "<code>region</code>" in page.text
    assert 'href="/map"' in page.text
    bad = map_client.get("/map", params={"region": "1x"}, headers=BROWSER)
    assert bad.status_code == 422 and "Paramètre invalide : region" in bad.text
    program = map_client.get("/map", params={"region": "84"})
    assert program.status_code == 404 and program.json()["field"] == "region"
    data = map_client.get("/map/data/zones", params={"zoom": "x"}, headers=BROWSER)
    assert data.status_code == 422 and data.json()["field"] == "zoom"


def test_the_map_reads_the_status_headings_from_the_page(map_client: TestClient) -> None:
    """The popup's headings come from ``cesp.eligibility.status``: the page carries them
    for every status, and the script holds no list of its own."""
    import json
    from importlib.resources import files

    from cesp.eligibility.status import HEADINGS_FR, STATUSES

    page = map_client.get("/map", params={"region": "11"})
    assert page.status_code == 200
    assert set(STATUSES) <= set(HEADINGS_FR)
    assert '"statusHeadings"' in page.text
    for text in HEADINGS_FR.values():
        assert text in page.text or json.dumps(text) in page.text, text
    script = (files("cesp.maps") / "static" / "map-tools.js").read_text(encoding="utf-8")
    assert all(text not in script for text in HEADINGS_FR.values())
