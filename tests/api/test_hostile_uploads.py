"""Malformed and malicious uploads: refused with a clear 4xx, nothing written to the
database, nothing left on disk (no extracted file, no temporary directory)."""

from __future__ import annotations

import io
import os
import stat
import tempfile
import zipfile
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
from tests.zones.helpers import EMPTY, counts

FORM = {
    "region": "11",
    "reference": "X-1",
    "signed": "2012-05-24",
    "effective_from": "2012-05-24",
    "profession": "medecin",
}


def _zip(members: dict[str, bytes], *, symlink: str | None = None, level: int = 8) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


SHP = {"zones.shp": b"\0" * 100, "zones.shx": b"\0" * 100, "zones.dbf": b"\0" * 100}
HOSTILE = {
    "path traversal": (_zip({**SHP, "../../evil.shp": b"x"}), "'..'"),
    "absolute path": (_zip({**SHP, "/tmp/cesp-evil.shp": b"x"}), "absolute path"),
    "symbolic link": (_zip(SHP, symlink="zones.prj"), "symbolic link"),
    "zip bomb": (_zip({**SHP, "zones.dbf": b"\0" * 50_000_000}, level=9), "compression ratio"),
    "executable inside": (_zip({**SHP, "run.exe": b"MZ"}), "unexpected type"),
    "too many members": (_zip({f"f{i}.shp": b"x" for i in range(250)}), "members"),
    "no shapefile": (_zip({"readme.txt": b"hello"}), "exactly one shapefile"),
    "damaged zip": (b"PK\x03\x04" + os.urandom(200), "zip"),
    "random bytes": (os.urandom(4096), "unrecognised"),
    "binary without NUL": (bytes(range(1, 32)) * 100, "unrecognised"),
    "empty file": (b"", "empty"),
}


@pytest.fixture
def api(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "cng", "cng", None, Actor("test", "admin"))
    settings = Settings(database_url=scratch_url, data_dir=data_dir, max_upload_mb=1)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads of this test spool in a folder of its own: a live server of another test
    (same TMPDIR) that spools or cleans up meanwhile cannot change what is counted."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    return spool


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("cesp-upload-*")}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_upload_is_refused_and_leaves_nothing(api: TestClient, engine, case: str):
    content, expected = HOSTILE[case]
    before = _leftovers()
    answer = api.post("/api/v1/decrees", files={"file": ("zones.zip", content)}, data=FORM)
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert expected in body["detail"], body
    assert body["detail_fr"] and body["field"] == "file"
    assert counts(engine) == EMPTY
    assert _leftovers() == before
    assert not Path("/tmp/cesp-evil.shp").exists()
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM audit_log WHERE action LIKE 'decree%'")
            ).scalar_one()
            == 0
        )


def test_upload_over_the_size_limit_is_413(api: TestClient, engine):
    before = _leftovers()
    answer = api.post(
        "/api/v1/decrees",
        files={"file": ("big.csv", b"code_insee\n" + b"93027\n" * 400_000)},
        data=FORM,
    )
    assert answer.status_code == 413
    # Refused by the application's body limit before the upload is spooled (issue 20).
    assert answer.json()["error"] == "body_too_large" and "1 MB" in answer.json()["detail"]
    assert counts(engine) == EMPTY and _leftovers() == before


def test_csv_formula_cells_are_neutralised_in_the_bulk_answer(api: TestClient):
    csv = (
        b'id,lon,lat\n=HYPERLINK("http://x"),2.44,48.91\n'
        b"+cmd|' /C calc'!A0,2.44,48.91\n-7,-1.5,47.2\n"
    )
    answer = api.post(
        "/api/v1/eligibility/batch", files={"file": ("p.csv", csv)}, data={"date": "2013-01-01"}
    )
    assert answer.status_code == 200
    lines = answer.text.splitlines()
    assert lines[1].startswith("\"'=HYPERLINK")
    assert lines[2].startswith("\"'+cmd")
    # Plain numbers, negative longitudes included, are data, not formulas.
    assert lines[3].startswith(('"-7"', "-7")) and ",-1.5," in lines[3].replace('"', "")
