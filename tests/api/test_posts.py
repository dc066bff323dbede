"""The posts and campaigns API through HTTP: list filters and paging, ARS proposals,
rank-order choices with their refusals, wishes, the decree preview's impact on posts,
and a beneficiary's engagement."""

import io
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.eligibility.index import build_index
from cesp.field_schema import POST_LIST_FIELDS
from cesp.keys import create_key
from cesp.posts.beneficiaries import add_beneficiaries, link_key
from cesp.posts.campaigns import create_campaign, set_candidates, set_status
from cesp.posts.store import add_posts
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from tests.api.live_server import LiveServer
from tests.posts.conftest import CNG, inside, post_row
from tests.zones.helpers import publish_codes

ROLES = {"ars-11": ("ars", "11"), "ars-84": ("ars", "84"), "cng": ("cng", None)}


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> dict[str, Any]:
    """Decree 12-209, keys, two interns linked to intern keys, an open internat campaign."""
    publish_codes(engine, tmp_path / "12-209.csv")
    keys: dict[str, str] = {}
    with write_transaction(engine) as conn:
        for name, (role, region) in ROLES.items():
            _, keys[name] = create_key(conn, name, role, region, CNG)
        people = add_beneficiaries(
            conn,
            [
                (
                    None,
                    {
                        "reference": f"B{i}",
                        "name": f"Interne {i}",
                        "profession": "medecin",
                        "specialty": "médecine générale",
                        "training_region": "11",
                        "requested_on": "2020-09-01",
                        "signed_on": "2020-10-01",
                        "months_paid": "30",
                    },
                )
                for i in (1, 2)
            ],
            CNG,
        )
        for i, b in enumerate(people, start=1):
            _, keys[f"interne-{i}"] = create_key(conn, f"interne-{i}", "intern", None, CNG)
            link_key(conn, b, f"interne-{i}", CNG)
        campaign = create_campaign(conn, 2026, "internat", date.today(), CNG)
        set_candidates(conn, campaign.id, {people[0]: 1, people[1]: 2}, CNG)
        set_status(conn, campaign.id, "open", CNG)
    return {"keys": keys, "people": people, "campaign": campaign.id}


@pytest.fixture
def api(
    engine: sa.Engine, world: dict[str, Any], scratch_url: str, data_dir: Path
) -> Iterator[TestClient]:
    settings = Settings(database_url=scratch_url, data_dir=data_dir, rate_limit_per_minute=0)
    with TestClient(create_app(settings)) as client:
        yield client


def bearer(world: dict[str, Any], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['keys'][name]}"}


def propose(
    api: TestClient, world: dict[str, Any], engine: sa.Engine, code: str, ref: str, **extra: Any
) -> Any:
    body = {**post_row(engine, code, ref), "campaign": 2026, **extra}
    return api.post("/api/v1/posts", json=body, headers=bearer(world, "ars-11"))


def test_an_ars_proposes_a_post_in_a_zone_and_anyone_reads_it(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    answer = propose(api, world, engine, "93027", "E-1", places=2)
    assert answer.status_code == 201, answer.text
    post = answer.json()
    assert post["commune_name"] == "La Courneuve" and post["region"] == "11"
    assert post["qualification"] == "in_zone" and post["places_left"] == 2
    assert api.get(f"/api/v1/posts/{post['id']}").json()["reference"] == "E-1"


def test_a_site_outside_every_zone_is_refused_with_the_reason_in_french(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    answer = propose(api, world, engine, "92012", "BOULOGNE")
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == "lon" and "zone déficitaire" in body["detail_fr"]


def test_an_ars_cannot_propose_in_another_region_and_anonymous_needs_a_key(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    body = {**post_row(engine, "93027", "X"), "campaign": 2026}
    assert api.post("/api/v1/posts", json=body, headers=bearer(world, "ars-84")).status_code == 403
    assert api.post("/api/v1/posts", json=body).status_code == 401


def test_list_filters_and_pages_in_a_stable_order(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    for n, code in enumerate(["93027", "93008", "92036", "75118", "93059"]):
        # Pierrefitte (93059) merged into Saint-Denis (93066) on 2025-01-01: today's code.
        extra = {"commune_code": "93066"} if code == "93059" else {}
        assert (
            propose(
                api, world, engine, code, f"P-{n}", mode="salarie" if n % 2 else "liberal", **extra
            ).status_code
            == 201
        )
    first = api.get("/api/v1/posts", params={"limit": 2}).json()
    second = api.get("/api/v1/posts", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == 5 and [p["reference"] for p in first["items"]] == ["P-0", "P-1"]
    assert [p["reference"] for p in second["items"]] == ["P-2", "P-3"]
    assert {
        p["reference"]
        for p in api.get("/api/v1/posts", params={"departement": "93"}).json()["items"]
    } == {"P-0", "P-1", "P-4"}
    assert api.get("/api/v1/posts", params={"mode": "salarie"}).json()["total"] == 2
    lon, lat = inside(engine, "75118")
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    assert [
        p["reference"] for p in api.get("/api/v1/posts", params={"bbox": box}).json()["items"]
    ] == ["P-3"]
    assert api.get("/api/v1/posts", params={"qualifies": "false"}).json()["total"] == 0
    before = api.get("/api/v1/posts", params={"qualifies": "false", "date": "2011-01-01"}).json()
    assert before["total"] == 5 and before["items"][0]["qualification_fr"].startswith("Hors zone")
    bad = api.get("/api/v1/posts", params={"bbox": "2,48"})
    assert bad.status_code == 422 and bad.json()["field"] == "bbox"
    assert api.get("/api/v1/posts", params={"limit": 1001}).status_code == 422


def test_the_list_downloads_with_the_ogc_layer_field_names(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    assert propose(api, world, engine, "93027", "X-1").status_code == 201
    as_csv = api.get("/api/v1/posts/export", params={"date": "15/11/2026"})
    assert as_csv.status_code == 200, as_csv.text
    header = as_csv.content.decode("utf-8").splitlines()[0].split(",")
    assert header == POST_LIST_FIELDS.names
    ogc = api.get("/ogc/collections/posts/items").json()["features"][0]["properties"]
    assert list(ogc) == header[: len(ogc)], "one QGIS style for both"
    bundle = api.get("/api/v1/posts/export", params={"format": "zip"})
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert sorted(archive.namelist()) == ["liste-nationale.csv", "liste-nationale.csvt"]
    sheet = load_workbook(io.BytesIO(api.get("/api/v1/posts/export?format=xlsx").content))
    listed = sheet["liste nationale"]
    assert [c.value for c in listed[1]] == POST_LIST_FIELDS.names
    assert listed.auto_filter.ref == "A1:X2" and listed.freeze_panes == "A2"


def test_patch_withdraws_and_cannot_drop_places_below_taken(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    post = propose(api, world, engine, "93027", "W-1", places=2).json()
    headers = bearer(world, "ars-11")
    low = api.patch(f"/api/v1/posts/{post['id']}", json={"places": -1}, headers=headers)
    assert low.status_code == 422
    withdrawn = api.patch(
        f"/api/v1/posts/{post['id']}", json={"status": "withdrawn"}, headers=headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["places_left"] == 0
    other = api.patch(
        f"/api/v1/posts/{post['id']}", json={"places": 3}, headers=bearer(world, "ars-84")
    )
    assert other.status_code == 403


def test_interns_choose_in_rank_order_through_the_api(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    post = propose(api, world, engine, "93027", "I-1", kind="internat", mode="salarie").json()
    url = f"/api/v1/campaigns/{world['campaign']}/choices"
    me = api.get(
        "/api/v1/me", params={"campaign": world["campaign"]}, headers=bearer(world, "interne-2")
    ).json()
    assert me["rank"] == 2 and me["training_region"] == "11"
    early = api.post(url, json={"post_id": post["id"]}, headers=bearer(world, "interne-2"))
    assert early.status_code == 409 and early.json()["error"] == "not_your_turn"
    assert "rang 1 doit choisir avant vous" in early.json()["detail_fr"]
    taken = api.post(url, json={"post_id": post["id"]}, headers=bearer(world, "interne-1"))
    assert taken.status_code == 201 and taken.json()["post"]["places_left"] == 0
    late = api.post(url, json={"post_id": post["id"]}, headers=bearer(world, "interne-2"))
    assert late.status_code == 409 and late.json()["error"] == "no_place_left"
    both = api.post(
        url, json={"post_id": post["id"], "pass": True}, headers=bearer(world, "interne-2")
    )
    assert both.status_code == 422
    assert api.post(url, json={"pass": True}, headers=bearer(world, "interne-2")).status_code == 201
    assert api.get(f"/api/v1/campaigns/{world['campaign']}").json()["next_rank"] is None
    history = api.get(
        f"/api/v1/campaigns/{world['campaign']}/history", headers=bearer(world, "cng")
    ).json()
    assert [h["event"] for h in history][-2:] == ["choice", "pass"]


def test_a_decree_preview_lists_the_open_posts_it_would_take_out_of_every_zone(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    assert propose(api, world, engine, "93008", "BOBIGNY").status_code == 201
    assert propose(api, world, engine, "93027", "COURNEUVE").status_code == 201
    preview = api.post(
        "/api/v1/decrees",
        files={"file": ("z.csv", b"code_insee;nom_zone\n93027;La Courneuve\n")},
        data={
            "region": "11",
            "reference": "26-1",
            "signed": "2026-01-10",
            "effective_from": "2026-02-01",
            "profession": "medecin",
            "category": "ZIP",
            "dry_run": "true",
        },
        headers=bearer(world, "ars-11"),
    )
    assert preview.status_code == 200, preview.text
    assert [p["reference"] for p in preview.json()["posts_leaving"]] == ["BOBIGNY"]


def test_a_beneficiary_engagement_is_read_by_the_cng_and_by_the_intern_only(
    api: TestClient, world: dict[str, Any]
) -> None:
    first = world["people"][0]
    url = f"/api/v1/beneficiaries/{first}/engagement"
    answer = api.get(url, params={"date": "2026-01-01"}, headers=bearer(world, "cng"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["engagement_months"] == 30 and body["beneficiary_id"] == first
    assert api.get(url, headers=bearer(world, "interne-1")).status_code == 200
    assert api.get(url, headers=bearer(world, "interne-2")).status_code == 403
    assert api.get(url).status_code == 401


def test_concurrent_http_requests_for_the_last_place_give_one_201_and_one_409(
    engine: sa.Engine, world: dict[str, Any], scratch_url: str, data_dir: Path
) -> None:
    """Two devices of the same intern post the last place at the same time to a real
    server: one 201, one 409 whose body says why, and the place is taken once."""
    with write_transaction(engine) as conn:
        [post_id] = add_posts(
            conn,
            build_index(engine),
            [(None, post_row(engine, "93027", "LAST", kind="internat", mode="salarie"))],
            2026,
            CNG,
            date.today(),
        )
    server = LiveServer(scratch_url, data_dir, CESP_LOG_LEVEL="WARNING").start()
    try:
        url = f"{server.base}/api/v1/campaigns/{world['campaign']}/choices"
        barrier = threading.Barrier(2)

        def post() -> httpx.Response:
            with httpx.Client(timeout=30) as client:
                barrier.wait()
                return client.post(
                    url, json={"post_id": post_id}, headers=bearer(world, "interne-1")
                )

        with ThreadPoolExecutor(2) as pool:
            answers = [f.result() for f in [pool.submit(post), pool.submit(post)]]
    finally:
        server.stop()
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["error"] in ("already_chosen", "no_place_left") and refused["detail_fr"]
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT places_taken FROM posts WHERE id = :i"), {"i": post_id}
            ).scalar_one()
            == 1
        )


def test_the_cng_runs_a_practice_site_campaign_through_the_api(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    site = propose(api, world, engine, "93027", "SITE", mode="mixte").json()
    cng, ars = bearer(world, "cng"), bearer(world, "ars-11")
    assert (
        api.post(
            "/api/v1/campaigns", json={"year": 2027, "kind": "exercice"}, headers=ars
        ).status_code
        == 403
    )
    made = api.post("/api/v1/campaigns", json={"year": 2027, "kind": "exercice"}, headers=cng)
    assert made.status_code == 201 and made.json()["procedure"] == "applications"
    campaign = made.json()["id"]
    first, second = world["people"]
    ranks = {
        "candidates": [{"beneficiary_id": first, "rank": 1}, {"beneficiary_id": second, "rank": 2}]
    }
    assert (
        api.put(f"/api/v1/campaigns/{campaign}/candidates", json=ranks, headers=cng).status_code
        == 204
    )
    assert (
        api.post(
            f"/api/v1/campaigns/{campaign}/status", json={"status": "open"}, headers=cng
        ).json()["status"]
        == "open"
    )
    site_of_2027 = {**post_row(engine, "93027", "SITE-27", mode="mixte"), "campaign": 2027}
    post_id = api.post("/api/v1/posts", json=site_of_2027, headers=ars).json()["id"]
    assert site["campaign"] == 2026
    for who in ("interne-1", "interne-2"):
        wished = api.post(
            f"/api/v1/campaigns/{campaign}/applications",
            json={"wishes": [post_id]},
            headers=bearer(world, who),
        )
        assert wished.status_code == 201 and wished.json()["wishes"] == [
            {"rank": 1, "post_id": post_id}
        ]
    mine = api.get(
        f"/api/v1/campaigns/{campaign}/applications/mine", headers=bearer(world, "interne-2")
    )
    assert mine.json()["beneficiary_id"] == second
    proposals = api.post(f"/api/v1/campaigns/{campaign}/allocations", headers=cng).json()
    assert [(p["beneficiary_id"], p["outcome"]) for p in proposals] == [
        (first, "proposed"),
        (second, "none"),
    ]
    assert "mieux classé" in proposals[1]["explanation_fr"]
    decision = f"/api/v1/proposals/{proposals[0]['id']}/decision"
    assert (
        api.post(decision, json={"party": "ars", "decision": "confirm"}, headers=ars).json()[
            "status"
        ]
        == "proposed"
    )
    done = api.post(decision, json={"party": "employer", "decision": "confirm"}, headers=ars).json()
    assert done["status"] == "confirmed"
    assert api.get(f"/api/v1/posts/{post_id}").json()["places_left"] == 0
    again = api.post(decision, json={"party": "ars", "decision": "refuse"}, headers=ars)
    assert again.status_code == 409 and again.json()["error"] == "not_pending"


def test_posts_on_the_first_and_last_representable_days_answer(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    """The three-year grace window once overflowed the calendar: a 500 for 9999-12-31."""
    assert propose(api, world, engine, "93008", "P-edge").status_code == 201
    for day in ("9999-12-31", "0001-01-01", "0002-06-01"):
        listed = api.get("/api/v1/posts", params={"date": day, "limit": 1})
        assert listed.status_code == 200, (day, listed.text)
        exported = api.get("/api/v1/posts/export", params={"date": day, "format": "csv"})
        assert exported.status_code == 200, (day, exported.text)


def test_withdrawing_a_chosen_post_is_a_409_and_a_withdrawn_post_is_refused_as_withdrawn(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    ars = bearer(world, "ars-11")
    chosen = propose(api, world, engine, "93008", "I-1", kind="internat", mode="salarie").json()
    other = propose(api, world, engine, "75118", "I-2", kind="internat", mode="salarie").json()
    url = f"/api/v1/campaigns/{world['campaign']}/choices"
    made = api.post(url, json={"post_id": chosen["id"]}, headers=bearer(world, "interne-1"))
    assert made.status_code == 201, made.text
    refused = api.patch(f"/api/v1/posts/{chosen['id']}", json={"status": "withdrawn"}, headers=ars)
    assert refused.status_code == 409
    body = refused.json()
    assert (body["error"], body["field"]) == ("post_taken", "status")
    assert (
        "ne peut pas être retiré" in body["detail_fr"] and "cannot be withdrawn" in body["detail"]
    )
    gone = api.patch(f"/api/v1/posts/{other['id']}", json={"status": "withdrawn"}, headers=ars)
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    late = api.post(url, json={"post_id": other["id"]}, headers=bearer(world, "interne-2"))
    assert late.status_code == 409
    assert late.json()["error"] == "post_withdrawn" and "retiré" in late.json()["detail_fr"]
