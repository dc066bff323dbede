"""``POST /api/v1/decrees`` with ``complementary``: a separate QPV decree previewed with
the principal decree it amends, then published beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from tests.geo.qpv_contours import load_contours
from tests.zones.published_layouts import paps_csv_cp1252, qpv_decree

FORM = {"region": "11", "profession": "medecin"}


@pytest.fixture
def api(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    """A client holding the API key of the ARS of Île-de-France."""
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    settings = Settings(database_url=scratch_url, data_dir=data_dir)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _post(api: TestClient, path: Path, **form: str):
    return api.post("/api/v1/decrees", files={"file": (path.name, path.read_bytes())}, data=form)


def test_a_complementary_qpv_decree_is_previewed_with_its_principal(
    api: TestClient, engine: sa.Engine, tmp_path: Path
):
    load_contours(engine, tmp_path)
    qpv, _ = qpv_decree(tmp_path)
    day = {"signed": "2018-09-01", "effective_from": "2018-09-01"}
    refused = _post(api, qpv, **FORM, **day, reference="18-QPV", complementary="true")
    assert refused.status_code == 422 and refused.json()["field"] == "complementary"
    assert "Aucun arrêté principal" in refused.json()["detail_fr"]

    principal, _ = paps_csv_cp1252(tmp_path)
    first = {"signed": "2018-03-01", "effective_from": "2018-03-01"}
    stored = _post(api, principal, **FORM, **first, reference="18-100", publish="true")
    assert stored.status_code == 201, stored.text

    preview = _post(
        api, qpv, **FORM, **day, reference="18-QPV", complementary="true", dry_run="true"
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["complements"]["reference"] == "18-100" and body["qpv_zones"] == 3
    assert all(z["overrides"] for z in body["zones"]) and body["diff"]["leaving"] == []

    published = _post(
        api, qpv, **FORM, **day, reference="18-QPV", complementary="true", publish="true"
    )
    assert published.status_code == 201, published.text
    assert published.json()["decree"]["complements"] == stored.json()["decree"]["id"]
    assert published.json()["superseded"] == []
    # The decree as stored marks its QPV zones as the preview did; the principal has none.
    detail = api.get(f"/api/v1/decrees/{published.json()['decree']['id']}").json()
    assert len(detail["zones"]) == 3 and all(z["overrides"] for z in detail["zones"])
    principal_zones = api.get(f"/api/v1/decrees/{stored.json()['decree']['id']}").json()["zones"]
    assert principal_zones and not any(z["overrides"] for z in principal_zones)
    listed = api.get("/api/v1/decrees", params={"region": "11", "date": "2019-01-01"}).json()
    assert sorted(d["reference"] for d in listed) == ["18-100", "18-QPV"]

    later = tmp_path / "later"
    later.mkdir()
    principal, _ = paps_csv_cp1252(later)
    draft = _post(
        api, principal, **FORM, reference="20-1", signed="2020-01-01", effective_from="2020-01-01"
    )
    assert draft.status_code == 201, draft.text
    new_id = draft.json()["decree"]["id"]
    done = api.post(f"/api/v1/decrees/{new_id}/publish", params={"keep_complementary": "true"})
    assert done.status_code == 200, done.text
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT reference, status, complements FROM decrees")).all()
    assert sorted(tuple(r) for r in rows) == [
        ("18-100", "superseded", None),
        ("18-QPV", "published", new_id),
        ("20-1", "published", None),
    ]
