"""What a user reads when the API refuses a request: the field at fault, an English
``detail`` in English, a French ``detail_fr`` carrying the same facts (the tester's
report: a French fallback leaking English, a date message asking for what was sent, an
English detail in French, French messages short of the roles, the categories, the
units or the rule)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.storage.settings import Settings
from tests.api.test_decrees import FORM
from tests.api.test_posts import api, bearer, propose, world
from tests.posts.conftest import inside, post_row

__all__ = ["api", "world"]


def _refusal(answer: Any, status: int = 422) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _open_applications(api: TestClient, world: dict[str, Any]) -> str:
    """The applications URL of an open practice-site campaign."""
    cng = bearer(world, "cng")
    made = api.post("/api/v1/campaigns", json={"year": 2027, "kind": "exercice"}, headers=cng)
    campaign = made.json()["id"]
    api.post(f"/api/v1/campaigns/{campaign}/status", json={"status": "open"}, headers=cng)
    return f"/api/v1/campaigns/{campaign}/applications"


def test_body_errors_read_in_french_without_english(api: TestClient, world: dict[str, Any]) -> None:
    url, intern = _open_applications(api, world), bearer(world, "interne-1")
    cases = [
        (
            {"wishes": [1, 2, 3, 4, 5, 6]},
            "wishes",
            "Champ invalide : wishes (trop long : au plus 5 éléments attendus, 6 reçus).",
        ),
        (
            {"wishes": []},
            "wishes",
            "Champ invalide : wishes (trop court : au moins 1 élément attendu, 0 reçu).",
        ),
        (
            {"wishes": 17},
            "wishes",
            "Champ invalide : wishes (une liste JSON ([…]) est attendue, reçu « 17 »).",
        ),
        (
            {"wishes": [17], "colour": "red"},
            "colour",
            "Champ invalide : colour (champ inconnu : retirez-le ; les champs acceptés sont "
            "décrits dans /docs).",
        ),
    ]
    for body, field, french in cases:
        refused = _refusal(api.post(url, json=body, headers=intern))
        assert (refused["field"], refused["detail_fr"]) == (field, french)
        assert refused["problems"][0]["message_fr"] == french
    extra = _refusal(api.post(url, json={"wishes": [17], "colour": "red"}, headers=intern))
    assert (
        extra["detail"]
        == "colour: unknown field: remove it (the accepted fields are described in /docs)"
    )


def test_malformed_json_names_the_body_and_where(api: TestClient, world: dict[str, Any]) -> None:
    url = _open_applications(api, world)
    headers = {**bearer(world, "interne-1"), "Content-Type": "application/json"}
    refused = _refusal(api.post(url, content=b'{"wishes":[1,', headers=headers))
    assert refused["field"] == "body"
    assert refused["detail"] == (
        "body: malformed JSON at line 1, column 14 (Expecting value); correct it there"
    )
    assert refused["detail_fr"] == (
        "Corps de requête : JSON mal formé à la ligne 1, colonne 14 (une valeur est "
        "attendue) ; corrigez-le à cet endroit."
    )
    batch = _refusal(api.post("/api/v1/eligibility/batch", content=b'{"sites": [\n{"lon": }]}'))
    assert batch["field"] == "body" and "ligne 2, colonne 9" in batch["detail_fr"]


def test_a_json_body_date_is_read_either_way_the_message_says(
    api: TestClient, world: dict[str, Any]
) -> None:
    cng = bearer(world, "cng")
    body = {"year": 2027, "kind": "exercice", "published_on": "31/12/2026"}
    made = api.post("/api/v1/campaigns", json=body, headers=cng)
    assert made.status_code == 201, made.text
    assert made.json()["published_on"] == "2026-12-31"
    bad = _refusal(
        api.post("/api/v1/campaigns", json={**body, "published_on": "31/13/2026"}, headers=cng)
    )
    assert bad["field"] == "published_on"
    assert bad["detail_fr"] == (
        "Champ invalide : published_on (« 31/13/2026 » n'est pas une date ; écrivez-la "
        "JJ/MM/AAAA ou AAAA-MM-JJ, comme 15/11/2026 ou 2026-11-15)."
    )
    assert "DD/MM/YYYY" in bad["detail"]


def test_every_date_a_request_carries_accepts_both_spellings() -> None:
    """A request's date (body, form, query) is a ``Day``: no field left reading ISO only,
    where the French message promises JJ/MM/AAAA too."""
    document = create_app(Settings(index_warmup=False)).openapi()
    schemas = dict(document["components"]["schemas"])

    def definitions(node: Any) -> None:  # nested "$defs" (the batch body's own schema)
        if isinstance(node, dict):
            schemas.update(node.get("$defs", {}))
            for value in node.values():
                definitions(value)
        elif isinstance(node, list):
            for value in node:
                definitions(value)

    definitions(document)
    request_schemas: list[Any] = [
        p.get("schema", {})
        for ops in document["paths"].values()
        for o in ops.values()
        for p in o.get("parameters", [])
    ]
    for ops in document["paths"].values():
        for operation in ops.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                request_schemas.append(media.get("schema", {}))
    seen: set[str] = set()
    dates: list[tuple[str, Any]] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                name = ref.rsplit("/", 1)[-1]
                walk(schemas[name], name)
            if node.get("format") == "date":
                dates.append((where, node))
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for schema in request_schemas:
        walk(schema, "request")
    assert any("CampaignIn" in where for where, _ in dates)
    for where, node in dates:  # Day's description, or a field's naming both forms
        assert re.search(r"DD/MM/YYYY|\d\d/\d\d/\d{4}", node.get("description", "")), where


def test_a_site_in_another_commune_is_refused_in_english_and_in_french(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    lon, lat = inside(engine, "75056")
    refused = _refusal(propose(api, world, engine, "93027", "ELSEWHERE", lon=lon, lat=lat))
    assert refused["field"] == "lon"
    assert refused["detail"] == (
        "site: the coordinates fall in Paris (75056), not in commune 93027: check "
        "commune_code or lon/lat"
    )
    assert refused["detail_fr"] == (
        "Site : les coordonnées tombent dans Paris (75056), pas dans la commune 93027 : "
        "vérifiez le code INSEE ou lon/lat."
    )


def test_french_messages_carry_the_roles_the_categories_and_the_units(
    api: TestClient, world: dict[str, Any]
) -> None:
    forbidden = _refusal(
        api.post(
            "/api/v1/campaigns",
            json={"year": 2027, "kind": "exercice"},
            headers=bearer(world, "interne-1"),
        ),
        403,
    )
    assert forbidden["detail_fr"] == (
        "Le rôle intern ne permet pas cette opération (campaign.manage) ; rôle nécessaire : "
        "admin ou cng."
    )
    ars = bearer(world, "ars-11")
    form = {**FORM, "reference": "99-1", "dry_run": "true"}
    rows = b"code_insee;nom_zone;categorie\n93027;La Courneuve;ZUS\n"
    listed = _refusal(
        api.post("/api/v1/decrees", files={"file": ("z.csv", rows)}, data=form, headers=ars)
    )
    problem = listed["problems"][0]
    assert problem["field"] == "category" and "catégorie inconnue « ZUS »" in problem["detail_fr"]
    assert "catégories possibles : zone_deficitaire (Zone déficitaire)" in problem["detail_fr"]
    codes = b"code_insee;nom_zone\n93027;La Courneuve\n"
    named = _refusal(
        api.post(
            "/api/v1/decrees",
            files={"file": ("z.csv", codes)},
            data={**form, "category": "ZUS"},
            headers=ars,
        )
    )
    assert named["field"] == "category"
    assert named["detail_fr"].startswith(
        "Catégorie inconnue « ZUS » ; catégories possibles : zone_deficitaire"
    )
    no_lat = _refusal(api.get("/api/v1/eligibility", params={"lon": 2.44}))
    assert no_lat["field"] == "lat"
    assert no_lat["detail_fr"] == "lat manquant : indiquez lon et lat ensemble (degrés WGS84)."


def test_a_wish_for_a_missing_post_names_the_wish(api: TestClient, world: dict[str, Any]) -> None:
    url = _open_applications(api, world)
    refused = _refusal(
        api.post(url, json={"wishes": [2_000_000]}, headers=bearer(world, "interne-1")), 404
    )
    assert refused["field"] == "wishes[0]" and refused["detail_fr"] == "Aucun poste n°2000000."


def test_places_below_those_taken_say_the_rule(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    post = propose(api, world, engine, "93027", "T-1", kind="internat", mode="salarie").json()
    url = f"/api/v1/campaigns/{world['campaign']}/choices"
    chosen = api.post(url, json={"post_id": post["id"]}, headers=bearer(world, "interne-1"))
    assert chosen.status_code == 201, chosen.text
    refused = _refusal(
        api.patch(
            f"/api/v1/posts/{post['id']}", json={"places": 0}, headers=bearer(world, "ars-11")
        )
    )
    assert refused["field"] == "places"
    assert refused["detail"] == "places cannot drop below the 1 place already taken (asked: 0)"
    assert refused["detail_fr"] == (
        "Places : le nombre de places ne peut pas descendre sous la place déjà pourvue "
        "(demandé : 0)."
    )


def test_a_mode_is_read_with_or_without_accents(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    body = {**post_row(engine, "93027", "ACCENTS", mode="Libéral"), "campaign": 2026}
    made = api.post("/api/v1/posts", json=body, headers=bearer(world, "ars-11"))
    assert made.status_code == 201, made.text
    assert made.json()["mode"] == "liberal"
    listed = api.get("/api/v1/posts", params={"mode": "libéral", "campaign": 2026})
    assert [p["reference"] for p in listed.json()["items"]] == ["ACCENTS"]
    patched = api.patch(
        f"/api/v1/posts/{made.json()['id']}",
        json={"mode": "Salarié"},
        headers=bearer(world, "ars-11"),
    )
    assert patched.status_code == 200 and patched.json()["mode"] == "salarie"
