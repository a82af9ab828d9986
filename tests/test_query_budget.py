"""The per-client query-time budget (issue 11, item 3): a client may evaluate ``budget_s`` seconds of queries per
window, charged beyond each query's free first ``free_s``; cheap queries cost nothing, so a sequential client or
eight clients at full speed are never throttled, while a client running expensive queries gets 429 with
Retry-After; at most ``max_expensive`` of one client's queries may run past ``free_s`` at once. The accounts are
one shared-memory table created by the gunicorn master, so the budget holds for the whole server."""

from __future__ import annotations

import multiprocessing
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from evrdf.serve import limits
from evrdf.serve.limits import AccountTable, Budget, Policy, Refusal, Ticket
from tests.conftest import live_server

COUNT = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a ?c }"
FORK = multiprocessing.get_context("fork")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(budget: Budget, clock: Clock, client: str, seconds: float) -> Ticket | Refusal:
    """One query of ``seconds`` of evaluation, as /sparql runs it (begin, evaluate, end)."""
    ticket = budget.begin(client, timeout_s=30)
    if isinstance(ticket, Ticket):
        clock.now += seconds
        budget.end(ticket)
    return ticket


def spend(budget: Budget, client: str, seconds: float) -> Ticket | Refusal:
    """One query charged ``seconds`` without moving the clock."""
    ticket = budget.begin(client, timeout_s=30)
    if isinstance(ticket, Ticket):
        ticket.started -= seconds
        budget.end(ticket)
    return ticket


def test_cheap_queries_cost_nothing_at_any_rate() -> None:
    clock = Clock()
    budget = Budget(Policy(budget_s=1.0, window_s=60.0, free_s=0.25), clock=clock)
    answers = [run(budget, clock, "10.0.0.1", 0.2) for _ in range(10_000)]  # 2,000 s of cheap evaluation
    assert all(isinstance(a, Ticket) for a in answers) and budget.balance("10.0.0.1") == 1.0


@pytest.mark.parametrize(("seconds", "retry"), [(2.25, 60), (1.75, 30), (31.25, 1800)])
def test_expensive_queries_spend_the_budget_then_429_until_it_refills(seconds: float, retry: int) -> None:
    clock = Clock()
    budget = Budget(Policy(budget_s=1.0, window_s=60.0, free_s=0.25), clock=clock)
    assert isinstance(run(budget, clock, "a", seconds), Ticket)  # charged seconds - 0.25
    refused = run(budget, clock, "a", 0.0)
    assert isinstance(refused, Refusal) and refused.retry_after == retry and "budget" in refused.reason
    assert isinstance(run(budget, clock, "b", 0.0), Ticket)  # another client: its own account
    clock.now += retry  # refilled past zero: admitted again
    assert isinstance(run(budget, clock, "a", 0.0), Ticket)


def test_the_budget_refills_continuously_up_to_its_size() -> None:
    clock = Clock()
    budget = Budget(Policy(budget_s=60.0, window_s=60.0, free_s=0.0), clock=clock)
    run(budget, clock, "a", 50.0)
    assert budget.balance("a") == pytest.approx(10.0)
    clock.now += 20.0
    assert budget.balance("a") == pytest.approx(30.0)
    clock.now += 3600.0
    assert budget.balance("a") == 60.0


def test_only_so_many_expensive_queries_of_one_client_at_once() -> None:
    clock = Clock()
    budget = Budget(Policy(budget_s=600.0, window_s=60.0, free_s=0.25, max_expensive=2), clock=clock)
    running = [budget.begin("a", timeout_s=30) for _ in range(3)]  # admitted: none is expensive yet
    assert all(isinstance(t, Ticket) for t in running)
    clock.now += 1.0
    budget.mark_due()  # all three are past free_s
    refused = budget.begin("a", timeout_s=30)
    assert isinstance(refused, Refusal) and "expensive" in refused.reason and refused.retry_after == 1
    assert isinstance(budget.begin("b", timeout_s=30), Ticket)
    for ticket in running[:2]:
        budget.end(ticket)  # type: ignore[arg-type]
    assert isinstance(budget.begin("a", timeout_s=30), Ticket)  # one expensive query left: under the cap


def test_marks_of_a_dead_process_expire_after_its_deadline() -> None:
    clock = Clock()
    budget = Budget(Policy(budget_s=600.0, window_s=60.0, free_s=0.25, max_expensive=1), clock=clock)
    budget.begin("a", timeout_s=30)  # its process dies: end() is never called
    clock.now += 1.0
    budget.mark_due()
    assert isinstance(budget.begin("a", timeout_s=30), Refusal)
    clock.now += 45.0  # past the deadline (30 s) and the watchdog's grace (10 s)
    assert isinstance(budget.begin("a", timeout_s=30), Ticket)


@pytest.mark.parametrize("slots", [16, 64, 1024])
def test_clients_beyond_the_capacity_share_one_account(slots: int) -> None:
    clock = Clock()
    budget = Budget(Policy(budget_s=1.0, window_s=100.0, free_s=0.0), clock=clock, table=AccountTable(slots))
    answers = [spend(budget, f"2001:db8::{i:x}", 2.0) for i in range(20 * slots)]  # the clock stands still
    allowed = sum(isinstance(a, Ticket) for a in answers)
    assert slots // 2 <= allowed <= slots + 1  # at most one budget per slot, plus the overflow account's
    clock.now += 100.0  # refilled: the table serves new clients again
    assert isinstance(run(budget, clock, "2001:db8:1::1", 0.0), Ticket)


def _spend(policy: Policy, client: str, passed) -> None:  # type: ignore[no-untyped-def]
    """In a forked process: the budget inherited from the parent; run 10 one-second queries if admitted."""
    budget = limits.for_server(policy)
    for _ in range(10):
        ticket = budget.begin(client, timeout_s=30)
        if isinstance(ticket, Ticket):
            passed.value += 1
            ticket.started -= 1.0  # as if it had evaluated for a second
            budget.end(ticket)


def test_forked_processes_share_the_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "_shared", None)
    policy = Policy(budget_s=5.0, window_s=100_000.0, free_s=0.0)
    limits.share_across_workers(policy)  # as the gunicorn master does, before the workers fork
    counts = [FORK.RawValue("i", 0) for _ in range(4)]
    workers = [FORK.Process(target=_spend, args=(policy, "10.9.9.9", count)) for count in counts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert [w.exitcode for w in workers] == [0] * 4 and 5 <= sum(c.value for c in counts) <= 8
    assert isinstance(limits.for_server(policy).begin("10.9.9.9", 30), Refusal)  # the parent sees the same
    assert isinstance(limits.for_server(policy).begin("10.9.9.8", 30), Ticket)
    assert limits.for_server(Policy(budget_s=1.0)) is not limits._shared  # other settings: accounts of their own


def _die_holding_the_lock(table: AccountTable) -> None:
    table.__enter__()
    os._exit(3)


def test_a_process_dying_mid_update_does_not_block_the_others() -> None:
    budget = Budget(Policy(budget_s=1.0, window_s=60.0, free_s=0.0))
    dead = FORK.Process(target=_die_holding_the_lock, args=(budget.table,))
    dead.start()
    dead.join(timeout=30)
    assert dead.exitcode == 3
    survivor = FORK.Process(target=budget.begin, args=("10.0.0.1", 30))
    survivor.start()
    survivor.join(timeout=10)  # the kernel released the dead process's lock
    assert survivor.exitcode == 0


def _get(url: str) -> tuple[int, str | None]:
    try:  # urllib opens a new connection per request, so the requests spread over the workers
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Retry-After"]


@pytest.mark.live
def test_the_defaults_let_sequential_and_eight_concurrent_clients_run_at_full_speed(settings) -> None:  # type: ignore[no-untyped-def]
    with live_server(settings.store, "--workers", "2", "--threads", "4", env={"EVRDF_CACHE_BYTES": "0"}) as live:
        url = live.root + "/sparql?query=" + urllib.request.quote(COUNT)
        sequential = [_get(f"{url}%20%23{i}")[0] for i in range(300)]
        with ThreadPoolExecutor(8) as pool:
            concurrent = list(pool.map(lambda i: _get(f"{url}%20%23c{i}")[0], range(800)))
    assert set(sequential) == {200} and set(concurrent) == {200}


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d <http://www.w3.org/2000/01/rdf-schema#label> ?f }"


@pytest.mark.live
def test_gunicorn_workers_share_one_budget(settings) -> None:  # type: ignore[no-untyped-def]
    """Expensive queries on both workers draw from one account: after it is spent, 429 from every worker."""
    env = {"EVRDF_BUDGET_S": "1", "EVRDF_BUDGET_WINDOW_S": "3600", "EVRDF_BUDGET_FREE_S": "0", "EVRDF_CACHE_BYTES": "0"}
    with live_server(settings.store, "--workers", "2", "--threads", "4", env=env, ready="/sparql") as live:
        deadline = time.monotonic() + 30
        while len(_children(live.process.pid)) < 2:  # both workers forked
            assert time.monotonic() < deadline
            time.sleep(0.1)
        slow = live.root + "/sparql?query=" + urllib.request.quote(SLOW)
        spent = [_get(f"{slow}%20%23{i}") for i in range(4)]  # each evaluates for about half a second or more
        after = [_get(f"{slow}%20%23after{i}") for i in range(10)]
    assert spent[0][0] == 200 and all(status == 429 for status, _ in after), (spent, after)
    assert all(int(retry) >= 1 for _, retry in after)  # type: ignore[arg-type]


def _children(pid: int) -> set[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return {int(child) for child in handle.read().split()}
