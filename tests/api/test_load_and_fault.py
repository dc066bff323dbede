"""Load and fault test on a real server over loopback (bounded in count and time).

1. While two clients check eligibility and an ARS publishes a new decree, no request
   fails, and each batch answer is wholly under the old decree or wholly under the new
   one, never a mixture (the index is swapped whole).
2. The server is killed (SIGKILL) in the middle of an import; after a restart the
   decree is there with all its zones, or not at all.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from cesp.zones.importer import import_decree
from cesp.zones.request import DecreeRequest
from tests.api.live_server import LiveServer

BOBIGNY = {"lon": 2.4400, "lat": 48.9100}
SAINT_OUEN = {"lon": 2.3340, "lat": 48.9118}
CHECK_DATE = "2018-01-01"
REQUESTS_PER_CLIENT = 3000
TIME_LIMIT_S = 60


def _token(engine: sa.Engine) -> str:
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    return token


def _old_decree(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text("code_insee;nom_zone\n93008;Bobigny\n")
    request = DecreeRequest(
        region="11",
        reference="OLD",
        signed=date(2012, 5, 24),
        effective_from=date(2012, 5, 24),
        profession="medecin",
        publish=True,
    )
    import_decree(engine, path, request, actor="test")


def _classify(results: list[dict]) -> str:
    """'old' (Bobigny eligible under OLD), 'new' (Saint-Ouen under NEW) or 'mixed'."""
    bobigny, saint_ouen = results
    refs = {d["reference"] for r in results for d in r["decrees"]}
    if bobigny["eligible"] and not saint_ouen["eligible"] and refs == {"OLD"}:
        return "old"
    if saint_ouen["eligible"] and not bobigny["eligible"] and refs == {"NEW"}:
        return "new"
    return "mixed"


def test_checks_during_a_publication_see_old_or_new_never_a_mixture(
    engine: sa.Engine, tmp_path: Path, data_dir: Path, scratch_url: str
) -> None:
    _old_decree(engine, tmp_path)
    token = _token(engine)
    server = LiveServer(
        scratch_url, data_dir, CESP_INDEX_POLL_SECONDS="0.3", CESP_LOG_LEVEL="WARNING"
    )
    server.start()
    seen: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            for _ in range(REQUESTS_PER_CLIENT):
                if stop.is_set():
                    return
                answer = http.post(
                    "/api/v1/eligibility/batch",
                    json={"date": CHECK_DATE, "sites": [BOBIGNY, SAINT_OUEN]},
                )
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                    continue
                seen.append(_classify(answer.json()["results"]))

    try:
        threads = [threading.Thread(target=client) for _ in range(2)]
        for thread in threads:
            thread.start()
        first_answer_by = time.monotonic() + 60  # the first batch starts a child process
        while not seen and not failures and time.monotonic() < first_answer_by:
            time.sleep(0.05)
        published = httpx.post(
            f"{server.base}/api/v1/decrees",
            files={"file": ("new.csv", b"code_insee;nom_zone;categorie\n93070;Saint-Ouen;ZIP\n")},
            data={
                "region": "11",
                "reference": "NEW",
                "signed": "2017-12-01",
                "effective_from": CHECK_DATE,
                "profession": "medecin",
                "publish": "true",
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert published.status_code == 201, published.text
        deadline = time.monotonic() + TIME_LIMIT_S
        while seen.count("new") < 50 and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(timeout=max(1, deadline - time.monotonic()))
    finally:
        server.stop()
    assert failures == []
    assert "mixed" not in seen
    assert seen[0] == "old" and seen[-1] == "new", seen
    switch = seen.index("new")
    assert set(seen[switch:]) == {"new"} or seen.count("old") > 0


@pytest.mark.parametrize("attempt", range(3))
def test_killed_mid_import_the_decree_is_whole_or_absent(
    engine: sa.Engine, tmp_path: Path, data_dir: Path, scratch_url: str, attempt: int
) -> None:
    token = _token(engine)
    with engine.connect() as conn:
        codes = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT code FROM commune_units WHERE kind = 'commune' "
                    "AND valid_to IS NULL ORDER BY code"
                )
            )
        ]
    content = ("code_insee;nom_zone\n" + "".join(f"{c};Zone {c}\n" for c in codes)).encode()
    form = {
        "region": "11",
        "reference": f"KILL-{attempt}",
        "signed": "2026-01-01",
        "effective_from": "2026-01-01",
        "category": "ZIP",
        "profession": "medecin",
    }
    server = LiveServer(
        scratch_url, data_dir, CESP_INDEX_POLL_SECONDS="0.3", CESP_LOG_LEVEL="WARNING"
    )
    server.start()
    started = time.monotonic()
    preview = httpx.post(
        f"{server.base}/api/v1/decrees",
        files={"file": ("z.csv", content)},
        data={**form, "dry_run": "true"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert preview.status_code == 200
    duration = time.monotonic() - started
    killer = threading.Timer(duration * random.Random(attempt).uniform(0.6, 1.6), server.kill)
    killer.start()
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(
            f"{server.base}/api/v1/decrees",
            files={"file": ("z.csv", content)},
            data=form,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
    killer.join()
    if server.process and server.process.poll() is None:
        server.kill()
    server.start()
    try:
        assert httpx.get(f"{server.base}/healthz").status_code == 200
    finally:
        server.stop()
    with engine.connect() as conn:
        decrees = conn.execute(
            sa.text("SELECT id FROM decrees WHERE reference = :r"), {"r": form["reference"]}
        ).all()
        assert len(decrees) <= 1
        print(f"kill attempt {attempt}: decree {'whole' if decrees else 'absent'} after restart")
        if decrees:
            zones = conn.execute(
                sa.text("SELECT count(*) FROM zones WHERE decree_id = :d"), {"d": decrees[0][0]}
            ).scalar_one()
            audit = conn.execute(
                sa.text(
                    "SELECT count(*) FROM audit_log WHERE action = 'decree.import' "
                    "AND object_id = :d"
                ),
                {"d": str(decrees[0][0])},
            ).scalar_one()
            assert zones == len(codes) and audit == 1
        else:
            orphans = conn.execute(
                sa.text(
                    "SELECT count(*) FROM zones WHERE decree_id NOT IN (SELECT id FROM decrees)"
                )
            ).scalar_one()
            assert orphans == 0
