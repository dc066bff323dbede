"""The shared rate-limit store: bounded, expiring, shared by processes, /64 grouping,
and the budgets a request pays through HTTP (failed keys, OGC continuation pages)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.api.rate_limit import Budget, RateStore, client_key
from cesp.storage.settings import Settings

TIGHT = Budget("anonymous", 60, 3)


def test_ipv6_clients_are_grouped_by_their_64_and_mapped_ipv4_is_ipv4():
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("192.0.2.7") == "192.0.2.7" and client_key(None) == "unknown"


def _spend(path: str, client: str, times: int, queue: multiprocessing.Queue) -> None:
    store = RateStore(path)
    queue.put([store.take(client, TIGHT) for _ in range(times)])


def test_two_processes_share_one_budget(tmp_path: Path):
    path = str(tmp_path / "buckets.sqlite")
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_spend, args=(path, "192.0.2.1", 3, queue)) for _ in (1, 2)]
    for worker in workers:
        worker.start()
    waits = [w for _ in workers for w in queue.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(waits)[:3] == [0, 0, 0], "the burst of 3 is served once"
    assert sum(1 for w in waits if w == 0) <= 4, "not 3 per process"
    assert all(w >= 1 for w in sorted(waits)[4:])


def test_a_refused_request_spends_nothing_and_says_how_long_to_wait():
    store = RateStore(None)
    assert [store.take("a", TIGHT) for _ in range(3)] == [0, 0, 0]
    assert store.take("a", TIGHT) == 1
    assert store.take("b", TIGHT) == 0, "another client has its own bucket"


def test_newcomers_beyond_the_bound_share_one_bucket_and_old_clients_keep_theirs():
    store = RateStore(None, max_keys=2)
    for client in ("a", "b"):
        assert [store.take(client, TIGHT) for _ in range(3)] == [0, 0, 0]
    store._next_sweep = 0.0  # the next take sweeps and sees the store full
    rotating = [store.take(f"rotating-{n}", TIGHT) for n in range(6)]
    assert rotating[:3] == [0, 0, 0] and all(w >= 1 for w in rotating[3:])
    assert store.take("a", TIGHT) >= 1, "a tracked client is not reset by the rotation"
    assert store.tracked() <= 3


def _settings(scratch_url: str, data_dir: Path, **limits: int) -> Settings:
    return Settings(database_url=scratch_url, data_dir=data_dir, index_warmup=False, **limits)


def test_bogus_keys_are_counted_against_the_address(
    engine: sa.Engine, scratch_url: str, data_dir: Path
):
    settings = _settings(
        scratch_url, data_dir, rate_limit_failed_keys_per_minute=1, rate_limit_failed_keys_burst=2
    )
    with TestClient(create_app(settings)) as client:
        answers = [
            client.get("/api/v1/communes/93027", headers={"Authorization": "Bearer nope"})
            for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [401, 401, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        basic = client.get("/api/v1/communes/93027", headers={"Authorization": "Basic eA=="})
        assert basic.status_code == 429, "a malformed header is no way around the limit"


def test_ogc_continuation_pages_pay_the_pages_budget(
    engine: sa.Engine, scratch_url: str, data_dir: Path
):
    settings = _settings(scratch_url, data_dir, rate_limit_per_minute=1, rate_limit_burst=2)
    with TestClient(create_app(settings)) as client:
        first = client.get("/ogc/collections/communes/items?limit=10")
        assert first.status_code == 200
        pages = [
            client.get(f"/ogc/collections/communes/items?limit=10&offset={10 * n}").status_code
            for n in range(1, 20)
        ]
        assert pages == [200] * 19, "a paged download is one download"
        assert client.get("/ogc/collections").status_code == 200
        assert client.get("/ogc/collections").status_code == 429
