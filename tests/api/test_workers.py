"""``cesp serve --workers 2``: every worker follows a publication, in order; metrics add
up.

Which worker answered is read from the server's JSON log (each request line carries
the worker's pid and the request id the test sent). Requests go over fresh
connections, several at a time, so that the kernel hands them to both workers.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from cesp.storage.versioning import read_index_version
from cesp.zones.importer import import_decree
from cesp.zones.request import DecreeRequest
from tests.api.live_server import LiveServer

SAINT_OUEN = {"lon": 2.3340, "lat": 48.9118, "date": "2018-01-01"}
NEW_DECREE = b"code_insee;nom_zone;categorie\n93070;Saint-Ouen;ZIP\n"
FOLLOW_SECONDS = 5.0  # the promise: every worker answers with a new decree in 5 s
START_SECONDS = 60.0  # both workers up (each imports the app and builds its index)


@pytest.fixture
def token(engine: sa.Engine, tmp_path: Path) -> str:
    """An ARS key; the database holds decree OLD (Bobigny) from 2012."""
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
    with write_transaction(engine) as conn:
        _, secret = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    return secret


@pytest.fixture
def server(token: str, scratch_url: str, data_dir: Path) -> Iterator[LiveServer]:
    running = LiveServer(scratch_url, data_dir, workers=2).start(timeout=START_SECONDS)
    yield running
    running.stop()


def worker_of(server: LiveServer) -> dict[str, int]:
    """Request id -> pid of the worker that logged it."""
    found = {}
    for line in server.logs().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "cesp.access":
                found[entry["request_id"]] = entry["pid"]
    return found


def fan_out(ask: Callable[[str], httpx.Response], count: int) -> dict[str, httpx.Response]:
    """``count`` requests, 4 at a time, each on its own connection, by request id."""
    ids = [uuid.uuid4().hex for _ in range(count)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(ids, pool.map(ask, ids), strict=True))


def check_saint_ouen(server: LiveServer) -> Callable[[str], httpx.Response]:
    def ask(request_id: str) -> httpx.Response:
        return httpx.get(
            f"{server.base}/api/v1/eligibility",
            params=SAINT_OUEN,
            headers={"X-Request-ID": request_id, "Connection": "close"},
        )

    return ask


def answered_by(server: LiveServer, request_ids: Iterable[str]) -> dict[str, int]:
    """Pids of the workers that answered (their log lines may land just after the
    answer, so wait a little for them)."""
    wanted = list(request_ids)
    for _ in range(50):
        pids = worker_of(server)
        if all(rid in pids for rid in wanted):
            return {rid: pids[rid] for rid in wanted}
        time.sleep(0.1)
    raise AssertionError("request lines missing from the log")


def both_workers_answer_the_old_zoning(server: LiveServer) -> set[int]:
    """The pids of the two workers, once each has answered "Saint-Ouen: not eligible"."""
    ask = check_saint_ouen(server)
    workers: set[int] = set()
    deadline = time.monotonic() + START_SECONDS
    while len(workers) < 2 and time.monotonic() < deadline:
        answers = fan_out(ask, 8)
        assert all(a.status_code == 200 for a in answers.values())
        assert not any(a.json()["eligible"] for a in answers.values()), "Saint-Ouen: not yet"
        workers |= set(answered_by(server, answers).values())
    assert len(workers) == 2, f"only {workers} answered"
    return workers


def publish_new(server: LiveServer, token: str) -> httpx.Response:
    """Import and publish decree NEW (Saint-Ouen eligible from 2018) through one worker."""
    published = httpx.post(
        f"{server.base}/api/v1/decrees",
        files={"file": ("new.csv", NEW_DECREE)},
        data={
            "region": "11",
            "reference": "NEW",
            "signed": "2017-12-01",
            "effective_from": "2018-01-01",
            "profession": "medecin",
            "publish": "true",
        },
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "publish"},
        timeout=60,
    )
    assert published.status_code == 201, published.text
    return published


def is_new(answer: httpx.Response) -> bool:
    """Whether the answer comes from the zoning with decree NEW."""
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return bool(body["eligible"]) and {d["reference"] for d in body["decrees"]} == {"NEW"}


def test_both_workers_answer_with_a_decree_published_through_one(
    server: LiveServer, token: str
) -> None:
    ask = check_saint_ouen(server)
    workers = both_workers_answer_the_old_zoning(server)
    publish_new(server, token)
    deadline = time.monotonic() + FOLLOW_SECONDS
    publisher = answered_by(server, ["publish"])["publish"]
    following: set[int] = set()
    while following != workers and time.monotonic() < deadline:
        answers = fan_out(ask, 8)
        new = {rid: a for rid, a in answers.items() if is_new(a)}
        following |= set(answered_by(server, new).values())
    assert publisher in workers
    assert following == workers, (
        f"within {FOLLOW_SECONDS} s only {following} of {workers} answered with the new decree"
    )


def test_no_client_sees_the_old_zoning_once_a_worker_answered_the_new(
    server: LiveServer, token: str
) -> None:
    """Clients without keep-alive poll during a publication: once any worker has answered
    from the new decree, no request sent afterwards is answered from the old one, by any
    worker (issue 20: a client saw new, old, new for about 2 s)."""
    ask = check_saint_ouen(server)
    workers = both_workers_answer_the_old_zoning(server)
    seen: list[tuple[float, float, bool, str]] = []  # sent, received, new, request id
    stop = threading.Event()

    def poll(name: str) -> None:
        count = 0
        while not stop.is_set():
            count += 1
            request_id = f"{name}-{count}"
            sent = time.monotonic()
            answer = ask(request_id)
            seen.append((sent, time.monotonic(), is_new(answer), request_id))

    pollers = [threading.Thread(target=poll, args=(f"poller{i}",)) for i in range(4)]
    for poller in pollers:
        poller.start()
    try:
        time.sleep(0.5)
        publish_new(server, token)
        returned = time.monotonic()
        time.sleep(FOLLOW_SECONDS)
    finally:
        stop.set()
        for poller in pollers:
            poller.join()
    first_new = min(received for _, received, new, _ in seen if new)
    late_old = [rid for sent, _, new, rid in seen if not new and sent > first_new]
    assert not late_old, f"old zoning answered after the new one: {late_old}"
    after = [(received, rid) for sent, received, new, rid in seen if new and sent >= returned]
    pids = answered_by(server, [rid for _, rid in after])
    assert set(pids.values()) == workers, "both workers answer the new zoning"
    by_worker = {
        pid: min(received for received, rid in after if pids[rid] == pid) - returned
        for pid in workers
    }
    publisher = answered_by(server, ["publish"])["publish"]
    other = next(pid for pid in workers if pid != publisher)
    print(
        f"\n{len(seen)} answers; first new answer from the publishing worker "
        f"{by_worker[publisher]:.3f} s and from the other {by_worker[other]:.3f} s after "
        f"the publish returned (first new anywhere: {first_new - returned:+.3f} s)"
    )


def scrape(server: LiveServer, request_id: str) -> dict[tuple[str, tuple], float]:
    """``/metrics`` parsed: (sample name, sorted labels) -> value."""
    text = httpx.get(
        f"{server.base}/metrics", headers={"X-Request-ID": request_id, "Connection": "close"}
    ).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_add_up_across_workers(server: LiveServer, engine: sa.Engine) -> None:
    def ask(request_id: str) -> httpx.Response:
        return httpx.get(
            f"{server.base}/api/v1/communes/93027",
            headers={"X-Request-ID": request_id, "Connection": "close"},
        )

    served: dict[str, int] = {}
    for _ in range(10):  # until both workers have served some of them
        served |= answered_by(server, fan_out(ask, 10))
        if len(set(served.values())) == 2:
            break
    workers = set(served.values())
    assert len(workers) == 2
    count = len(served)
    with engine.connect() as conn:
        version = read_index_version(conn)
    route = (("method", "GET"), ("route", "/api/v1/communes/{code}"), ("status", "200"))
    scrapers: set[int] = set()
    for attempt in range(20):
        samples = scrape(server, f"scrape-{attempt}")
        assert samples[("cesp_http_requests_total", route)] == count
        assert samples[("cesp_http_request_duration_seconds_count", route[:2])] == count
        versions = {
            dict(labels)["pid"]: value
            for (name, labels), value in samples.items()
            if name == "cesp_index_version"
        }
        assert versions == {str(pid): version for pid in workers}, "one per live worker"
        assert samples[("cesp_index_build_seconds_count", ())] >= 2
        scrapers |= set(answered_by(server, [f"scrape-{attempt}"]).values())
        if workers <= scrapers:
            break
    assert workers <= scrapers, "each worker's answer adds up every worker's counts"


def _workers_started(server: LiveServer) -> int:
    line = next(
        json.loads(x)["message"]
        for x in server.logs().splitlines()
        if x.startswith("{") and "worker(s)" in x
    )
    return int(line.split(" worker(s)")[0].rsplit(" ", 1)[-1])


@pytest.mark.parametrize("cpus", [1, 2])
def test_serve_starts_one_worker_per_cpu_it_may_use_by_default(
    token: str, scratch_url: str, data_dir: Path, cpus: int
) -> None:
    """``cesp serve`` without ``--workers`` on a machine (or a cgroup, a ``taskset``) of
    N CPUs runs N workers, and each answers."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < cpus:
        pytest.skip(f"this machine lets the tests use {len(available)} CPU(s)")
    running = LiveServer(scratch_url, data_dir, workers=None, cpus=set(available[:cpus]))
    running.start(timeout=START_SECONDS)
    try:
        assert _workers_started(running) == cpus
        deadline = time.monotonic() + 20
        while len(set(worker_of(running).values())) < cpus and time.monotonic() < deadline:
            answers = fan_out(check_saint_ouen(running), 8)
            assert {a.status_code for a in answers.values()} == {200}
        assert len(set(worker_of(running).values())) == cpus
    finally:
        running.stop()
