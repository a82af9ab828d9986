"""Per-client limits for /sparql: a budget of query evaluation time and a cap on expensive queries at once,
shared by every process of one server.

A count of requests per second punishes the clients a SPARQL endpoint wants (a test suite, a federation engine's
bind join: many cheap queries in a row) and does not stop the one that hurts (a few queries that each run for
seconds). So, as the Wikidata Query Service does, each client (its address) has a budget of *evaluation time*:
``budget_s`` seconds per ``window_s``, refilled continuously. A query is charged the time it evaluates beyond
its first ``free_s`` seconds: a cheap query costs nothing, so cheap queries are never throttled at any rate the
server can answer. A client whose budget is spent gets 429 with ``Retry-After`` until it has refilled past zero.
A query still evaluating after ``free_s`` counts as *expensive*; a client may have at most ``max_expensive`` of
those running at once (server-wide), so a few expensive clients cannot take every request thread.

The accounts live in one table in shared memory. ``evrdf serve --workers N`` creates it in the gunicorn master
before the workers fork (``share_across_workers``), so every worker, and every worker gunicorn starts later,
reads and charges the same accounts. Updates are serialized by a thread lock and a POSIX record lock on the
table's file: the kernel releases a record lock when its process dies, so a worker killed mid-update blocks
nobody. A worker that dies while it runs expensive queries cannot release them; each mark therefore carries the
time by which its query must have ended (its deadline), and marks past it are forgotten.
``time.monotonic`` is system-wide, so times written by one process read right in another.
"""

from __future__ import annotations

import fcntl
import math
import mmap
import os
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from hashlib import blake2b
from time import monotonic
from typing import Callable

SLOTS = 65_536  # accounts in the table: 2.5 MiB of shared memory (40 bytes a slot), touched only where used
PROBES = 16  # slots a client may occupy, from the one its key hashes to (open addressing, linear probing)
OVERFLOW = 1  # the key of the overflow account, in the slot past the last
FIELDS = 4  # per slot: balance (s), time of last refill, expensive queries running, time their marks expire
MARK_TICK = 0.05  # seconds: how late a query past free_s may be marked expensive


class AccountTable:
    """A fixed-size table of accounts (key; balance, last refill, expensive count, marks' expiry) in shared memory.

    Forked processes inherit the mapping and the file under it, so they see one table. Keys are 64-bit hashes
    of the client (0 = empty slot); slots are never emptied, only taken over (``Budget`` decides when), so a
    lookup may stop at the first empty slot. The last slot, one past ``slots``, is the overflow account.
    """

    def __init__(self, slots: int = SLOTS):
        self.slots = slots
        fd = os.memfd_create("evrdf-query-budget") if hasattr(os, "memfd_create") else _temporary_fd()
        weakref.finalize(self, os.close, fd)
        size = 8 * (FIELDS + 1) * (slots + 1)
        os.ftruncate(fd, size)  # zero-filled: every slot empty
        self._fd = fd
        view = memoryview(mmap.mmap(fd, size))  # MAP_SHARED: writes are seen by every process mapping it
        self.keys = view[:8 * (slots + 1)].cast("Q")
        self.values = view[8 * (slots + 1):].cast("d")  # slot i: fields at FIELDS * i ...
        self._thread_lock = threading.Lock()

    def __enter__(self) -> AccountTable:
        self._thread_lock.acquire()
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


def _temporary_fd() -> int:
    """An unlinked temporary file, where memfd_create is missing (not Linux)."""
    handle, path = tempfile.mkstemp(prefix="evrdf-query-budget-")
    os.unlink(path)
    return handle


@dataclass(frozen=True)
class Policy:
    budget_s: float = 60.0  # seconds of evaluation per client and window (0 = no budget)
    window_s: float = 60.0
    free_s: float = 0.25  # the uncharged start of every query; past it, a query is expensive
    max_expensive: int = 2  # expensive queries of one client running at once (0 = no cap)

    @property
    def rate(self) -> float:
        return self.budget_s / self.window_s if self.window_s > 0 else 0.0


@dataclass
class Ticket:
    """One admitted query: ``Budget.end`` charges it."""

    client: str
    key: int
    started: float
    deadline: float
    marked: bool = False  # the marker took it up ...
    recorded: bool = False  # ... and counted it in the table
    done: bool = False


@dataclass
class Refusal:
    """Why a client may not start a query now, and how many seconds to wait."""

    reason: str
    retry_after: int


@dataclass
class Budget:
    """The accounts and the policy; ``begin`` admits a query (a Ticket) or refuses it (a Refusal).

    >>> now = [0.0]
    >>> budget = Budget(Policy(budget_s=2.0, window_s=2.0, free_s=0.5, max_expensive=1), clock=lambda: now[0])
    >>> t = budget.begin("a", timeout_s=30); now[0] += 3.0; budget.end(t)  # 0.5 s free, 2.5 s charged
    2.5
    >>> r = budget.begin("a", timeout_s=30); (r.retry_after, budget.balance("a"))
    (1, -0.5)
    >>> isinstance(budget.begin("b", timeout_s=30), Ticket)  # other clients have their own account
    True
    """

    policy: Policy
    clock: Callable[[], float] = monotonic
    table: AccountTable = field(default_factory=AccountTable)

    def __post_init__(self) -> None:
        self._running: list[Ticket] = []
        self._lock = threading.Lock()
        self._marker: threading.Thread | None = None

    # -- admission ---------------------------------------------------------------------------------------
    def begin(self, client: str, timeout_s: float) -> Ticket | Refusal:
        policy = self.policy
        key = int.from_bytes(blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        with self.table:
            now = self.clock()
            slot = self._slot(key, now)
            balance, expensive, expiry = self._read(slot, key, now)
            if policy.budget_s > 0 and balance < -1e-9:
                wait = max(1, math.ceil(-balance / policy.rate - 1e-6) if policy.rate else 1)
                return Refusal(f"the query-time budget of {policy.budget_s:g} s of evaluation per "
                               f"{policy.window_s:g} s is spent for {client}", wait)
            if policy.max_expensive and expensive >= policy.max_expensive:
                return Refusal(f"{client} already runs {expensive:g} expensive queries (longer than "
                               f"{policy.free_s:g} s) at once, the most this endpoint allows", 1)
        ticket = Ticket(client, key, now, now + timeout_s)
        if policy.max_expensive:
            with self._lock:
                self._running.append(ticket)
                if self._marker is None:
                    self._marker = threading.Thread(target=self._mark_loop, daemon=True, name="evrdf-budget")
                    self._marker.start()
        return ticket

    def end(self, ticket: Ticket) -> float:
        """Charge the query's evaluation time beyond ``free_s``; returns the seconds charged."""
        with self._lock:
            ticket.done = True
            marked = ticket.recorded  # else the marker, seeing done, takes its own mark back
        elapsed = self.clock() - ticket.started
        cost = max(0.0, elapsed - self.policy.free_s)
        if not cost and not marked:
            return 0.0
        with self.table:
            now = self.clock()
            slot = self._slot(ticket.key, now)
            balance, expensive, expiry = self._read(slot, ticket.key, now)
            values, base = self.table.values, FIELDS * slot
            if self.policy.budget_s > 0:
                values[base] = balance - cost
            if marked:
                values[base + 2] = max(0.0, expensive - 1)
        return cost

    def balance(self, client: str) -> float:
        key = int.from_bytes(blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        with self.table:
            now = self.clock()
            return self._read(self._slot(key, now), key, now)[0]

    # -- expensive queries ---------------------------------------------------------------------------------
    def mark_due(self) -> None:
        """Mark every running query past ``free_s`` as expensive (the marker thread calls this every tick)."""
        now = self.clock()
        with self._lock:
            due = [t for t in self._running if not t.done and not t.marked and t.started + self.policy.free_s <= now]
            self._running = [t for t in self._running if not t.done and not t.marked]
            for ticket in due:
                ticket.marked = True
        for ticket in due:
            with self.table:
                slot = self._slot(ticket.key, now)
                balance, expensive, expiry = self._read(slot, ticket.key, now)
                values, base = self.table.values, FIELDS * slot
                values[base + 2] = expensive + 1
                values[base + 3] = max(expiry, ticket.deadline + 10.0)  # a watchdog answers by then
            with self._lock:
                ticket.recorded = True
                undo = ticket.done  # it ended while being marked: end() did not count the mark
            if undo:
                self._unmark(ticket)

    def _unmark(self, ticket: Ticket) -> None:
        with self.table:
            now = self.clock()
            slot = self._slot(ticket.key, now)
            _, expensive, _ = self._read(slot, ticket.key, now)
            self.table.values[FIELDS * slot + 2] = max(0.0, expensive - 1)

    def _mark_loop(self) -> None:
        import time

        while True:
            time.sleep(MARK_TICK)
            try:
                self.mark_due()
            except Exception:  # noqa: BLE001 - the marker must outlive a bad tick
                pass

    # -- the table -------------------------------------------------------------------------------------------
    def _read(self, slot: int, key: int, now: float) -> tuple[float, float, float]:
        """The account in ``slot`` (taken over for ``key`` if it held another client), refilled to ``now``."""
        keys, values, base = self.table.keys, self.table.values, FIELDS * slot
        if slot == self.table.slots:
            key = OVERFLOW
        if keys[slot] != key:  # a new client (or the overflow account's first use): a full budget
            keys[slot] = key
            values[base], values[base + 1], values[base + 2], values[base + 3] = self.policy.budget_s, now, 0.0, 0.0
        balance = min(self.policy.budget_s, values[base] + (now - values[base + 1]) * self.policy.rate)
        values[base], values[base + 1] = balance, now
        expensive, expiry = values[base + 2], values[base + 3]
        if expensive and now > expiry:  # marks of queries that cannot still run (their process died)
            values[base + 2] = expensive = 0.0
        return balance, expensive, expiry

    def _idle(self, slot: int, now: float) -> bool:
        values, base = self.table.values, FIELDS * slot
        full = values[base] + (now - values[base + 1]) * self.policy.rate >= self.policy.budget_s
        return full and (values[base + 2] == 0 or now > values[base + 3])

    def _slot(self, key: int, now: float) -> int:
        """The slot of ``key``'s account: its own, a free one (empty, or a full account with nothing running),
        else the overflow account shared by every client that finds no slot (tens of thousands active at once):
        together they get one client's budget, so filling the table lets nobody through for free."""
        keys, slots = self.table.keys, self.table.slots
        free = -1
        for probe in range(PROBES):
            slot = (key + probe) % slots
            found = keys[slot]
            if found == key:
                return slot
            if found == 0:
                return slot if free < 0 else free
            if free < 0 and self._idle(slot, now):
                free = slot
        return slots if free < 0 else free


_shared: Budget | None = None  # set in the gunicorn master, inherited by every worker it forks


def for_server(policy: Policy) -> Budget:
    """The budget the gunicorn master shared before forking this worker, else (one process) a new one."""
    if _shared is not None and _shared.policy == policy:
        return _shared
    return Budget(policy)


def share_across_workers(policy: Policy) -> None:
    """Create the server's accounts now, in the master, so the workers forked after this call all use them."""
    global _shared
    _shared = Budget(policy)
