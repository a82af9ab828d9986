"""Per-client rate limiting holds across processes: the token buckets live in one shared-memory table that the
gunicorn master creates before its workers fork, so a client gets the configured rate and burst from the whole
server, not from each worker."""

from __future__ import annotations

import multiprocessing
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from evrdf.serve import limits
from evrdf.serve.limits import BucketTable, RateLimiter
from tests.conftest import live_server

COUNT = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a ?c }"
FORK = multiprocessing.get_context("fork")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("rate", "burst", "waits"), [
    (1.0, 2, [0, 0, 1]),
    (0.5, 3, [0, 0, 0, 2]),
    (0.01, 1, [0, 100]),
    (4.0, 1, [0, 1]),  # a quarter of a second, rounded up to Retry-After's whole seconds
    (0.0, 1, [0, 0, 0]),  # rate 0: no limit
])
def test_a_burst_then_refusal_with_the_time_to_wait(rate: float, burst: int, waits: list[int]) -> None:
    limiter = RateLimiter(rate, burst, clock=Clock())
    assert [limiter.acquire("10.0.0.1") for _ in waits] == waits


@pytest.mark.parametrize(("elapsed", "allowed"), [(0.0, 0), (0.4, 0), (0.5, 1), (1.0, 2), (3600.0, 2)])
def test_buckets_refill_at_the_rate_up_to_the_burst(elapsed: float, allowed: int) -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=2, clock=clock)
    assert [limiter.acquire("a"), limiter.acquire("a")] == [0, 0] and limiter.acquire("a") == 1
    clock.now += elapsed
    answers = [limiter.acquire("a") for _ in range(3)]
    assert answers.count(0) == allowed and answers[allowed:] == [1] * (3 - allowed)


def test_clients_have_buckets_of_their_own() -> None:
    limiter = RateLimiter(rate=0.1, burst=2, clock=Clock())
    assert [limiter.acquire("a") for _ in range(3)] == [0, 0, 10]
    assert [limiter.acquire("b") for _ in range(3)] == [0, 0, 10]
    assert [limiter.acquire("::1"), limiter.acquire("a")] == [0, 10]


def test_a_full_table_takes_over_only_buckets_that_have_refilled() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=2, clock=clock, table=BucketTable(slots=limits.PROBES))
    active = [f"10.0.0.{i}" for i in range(limits.PROBES)]
    assert [limiter.acquire(c) for c in active] == [0] * len(active)  # the table is full, every bucket in use
    assert [limiter.acquire(c) for c in active] == [0] * len(active) and limiter.acquire(active[0]) == 1
    newcomers = [limiter.acquire(f"10.1.0.{i}") for i in range(10)]
    assert newcomers == [0, 0] + [1] * 8  # all of them share the overflow bucket: one client's burst
    assert limiter.acquire(active[0]) == 1  # ... and took nobody's slot: the active clients stay limited
    clock.now += 2.0  # every bucket has refilled: its client is indistinguishable from a new one
    assert [limiter.acquire(f"10.2.0.{i}") for i in range(3)] == [0, 0, 0]  # slots taken over ...
    assert [limiter.acquire("10.2.0.0") for _ in range(2)] == [0, 1]  # ... with a bucket of their own


@pytest.mark.parametrize("slots", [16, 64, 1024])
def test_clients_beyond_the_capacity_get_no_free_queries(slots: int) -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.01, burst=1, clock=clock, table=BucketTable(slots=slots))
    answers = [limiter.acquire(f"2001:db8::{i:x}") for i in range(20 * slots)]
    allowed = answers.count(0)
    assert slots // 2 <= allowed <= slots + 1  # at most one query per slot, plus the overflow bucket's burst
    assert all(wait == 100 for wait in answers if wait)
    clock.now += 100.0  # refilled: the table serves new clients again
    assert limiter.acquire("2001:db8:1::1") == 0


def _drain(rate: float, burst: int, client: str, passed) -> None:  # type: ignore[no-untyped-def]
    """In a forked process: the limiter inherited from the parent, asked 10 times; count the queries allowed."""
    limiter = RateLimiter.for_server(rate, burst)
    passed.value = sum(limiter.acquire(client) == 0 for _ in range(10))


def test_forked_processes_share_the_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "_shared", None)
    limits.share_across_workers(0.001, 5)  # as the gunicorn master does, before the workers fork
    counts = [FORK.RawValue("i", 0) for _ in range(4)]
    workers = [FORK.Process(target=_drain, args=(0.001, 5, "10.9.9.9", count)) for count in counts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert [w.exitcode for w in workers] == [0] * 4 and sum(c.value for c in counts) == 5
    assert RateLimiter.for_server(0.001, 5).acquire("10.9.9.9") >= 1  # the parent sees the same buckets
    assert RateLimiter.for_server(0.001, 5).acquire("10.9.9.8") == 0
    assert RateLimiter.for_server(1.0, 5) is not limits._shared  # other settings: a limiter of its own


def _die_holding_the_lock(table: BucketTable) -> None:
    table.__enter__()
    os._exit(3)


def test_a_process_dying_mid_update_does_not_block_the_others() -> None:
    limiter = RateLimiter(rate=1.0, burst=1)
    dead = FORK.Process(target=_die_holding_the_lock, args=(limiter.table,))
    dead.start()
    dead.join(timeout=30)
    assert dead.exitcode == 3
    survivor = FORK.Process(target=limiter.acquire, args=("10.0.0.1",))
    survivor.start()
    survivor.join(timeout=10)  # the kernel released the dead process's lock
    assert survivor.exitcode == 0 and limiter.acquire("10.0.0.1") == 1


@pytest.mark.live
def test_gunicorn_workers_share_one_rate_limit(settings) -> None:  # type: ignore[no-untyped-def]
    env = {"EVRDF_RATE_BURST": "3", "EVRDF_RATE_PER_S": "0.01", "EVRDF_CACHE_BYTES": "0"}

    def get(url: str) -> tuple[int, str | None]:
        try:  # urllib opens a new connection per request, so the requests spread over the workers
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Retry-After"]

    # ready = the bare endpoint (service description): it takes no token
    with live_server(settings.store, "--workers", "2", "--threads", "4", env=env, ready="/sparql") as live:
        with ThreadPoolExecutor(8) as pool:
            deadline = time.monotonic() + 30
            while len(_children(live.process.pid)) < 2:  # both workers forked ...
                assert time.monotonic() < deadline
                time.sleep(0.1)
            list(pool.map(get, [live.root + "/sparql"] * 16))  # ... and serving
            queries = [live.root + "/sparql?query=" + urllib.request.quote(f"{COUNT} # {i}") for i in range(20)]
            answers = list(pool.map(get, queries))
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 3 and statuses.count(429) == 17, statuses
    assert all(int(retry) >= 1 for status, retry in answers if status == 429)  # type: ignore[arg-type]


def _children(pid: int) -> set[int]:
    """The pids of a process's children (Linux /proc): gunicorn's workers when ``pid`` is its master."""
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return {int(child) for child in handle.read().split()}
