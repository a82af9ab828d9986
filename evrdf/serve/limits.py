"""Per-client rate limiting for /sparql: a token bucket per client address, shared by every process of one server.

Each client may send ``burst`` queries at once and ``rate`` more per second after that; a query beyond
both is refused with how long to wait (the endpoint answers 429 with ``Retry-After``, as the Wikidata Query
Service does). The buckets live in one table in shared memory. ``evrdf serve --workers N`` creates it in the
gunicorn master before the workers fork (``share_across_workers``), so every worker, and every worker gunicorn
starts later, draws from the same buckets: the limit holds for the whole server, whatever the number of workers.
The development server uses the same table in its one process. ``time.monotonic`` is system-wide, so a bucket
refilled by one process reads right in another.
"""

from __future__ import annotations

import fcntl
import math
import mmap
import os
import tempfile
import threading
import weakref
from hashlib import blake2b
from time import monotonic
from typing import Callable

SLOTS = 65_536  # buckets in the table: 1.5 MiB of shared memory (24 bytes a slot), touched only where used
PROBES = 16  # slots a client may occupy, from the one its key hashes to (open addressing, linear probing)
OVERFLOW = 1  # the key of the overflow bucket, in the slot past the last


class BucketTable:
    """A fixed-size table of token buckets (key, tokens, time of last refill) in shared memory.

    Forked processes inherit the mapping and the file under it, so they see one table. Updates are serialized
    by a thread lock (within a process) and a POSIX record lock on that file (across processes): the kernel
    releases a record lock when its process dies, so a worker killed in the middle of an update cannot leave
    the others waiting. Keys are 64-bit hashes of the client (0 = empty slot); slots are never emptied, only
    taken over (``RateLimiter`` decides when), so a lookup may stop at the first empty slot.
    The last slot, one past ``slots``, is the overflow bucket (see ``RateLimiter``).
    """

    def __init__(self, slots: int = SLOTS):
        self.slots = slots
        fd = os.memfd_create("evrdf-rate-limits") if hasattr(os, "memfd_create") else _temporary_fd()
        weakref.finalize(self, os.close, fd)
        size = 24 * (slots + 1)
        os.ftruncate(fd, size)  # zero-filled: every slot empty
        self._fd = fd
        view = memoryview(mmap.mmap(fd, size))  # MAP_SHARED: writes are seen by every process mapping it
        self.keys = view[:8 * (slots + 1)].cast("Q")
        self.values = view[8 * (slots + 1):].cast("d")  # slot i: tokens at 2i, time of last refill at 2i + 1
        self._thread_lock = threading.Lock()

    def __enter__(self) -> BucketTable:
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
    handle, path = tempfile.mkstemp(prefix="evrdf-rate-limits-")
    os.unlink(path)
    return handle


class RateLimiter:
    """Token buckets keyed by client; ``acquire`` returns 0 when allowed, else the seconds to wait.

    >>> limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: 0.0)
    >>> [limiter.acquire("a") for _ in range(3)], limiter.acquire("b")
    ([0, 0, 1], 0)

    A client takes the first of its ``PROBES`` slots that holds its bucket, is empty, or holds a bucket that
    has refilled to full (that client is indistinguishable from a new one, so forgetting it changes nothing).
    When every one of them holds a bucket still in use (tens of thousands of clients active at once), the
    client draws from one overflow bucket shared by all such clients: together they get one client's rate and
    burst, so the table never grows, never fails, and filling it lets nobody through for free.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = monotonic,
                 table: BucketTable | None = None):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.table = table or BucketTable()

    @classmethod
    def for_server(cls, rate: float, burst: int) -> RateLimiter:
        """The limiter the gunicorn master shared before forking this worker, else (one process) a new one."""
        if _shared is not None and (_shared.rate, _shared.burst) == (rate, burst):
            return _shared
        return cls(rate, burst)

    def acquire(self, client: str) -> int:
        if self.rate <= 0:
            return 0
        key = int.from_bytes(blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        burst, table = float(self.burst), self.table
        keys, values = table.keys, table.values
        with table:
            now = self.clock()  # under the lock: the buckets' times only move forward
            slot = self._slot(key, now)
            if slot == table.slots:
                key = OVERFLOW
            if keys[slot] != key:  # a new client (or the overflow bucket's first use): a full bucket
                keys[slot], tokens = key, burst
            else:
                tokens = min(burst, values[2 * slot] + (now - values[2 * slot + 1]) * self.rate)
            values[2 * slot + 1] = now
            if tokens >= 1.0:
                values[2 * slot] = tokens - 1.0
                return 0
            values[2 * slot] = tokens
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _slot(self, key: int, now: float) -> int:
        """The slot of ``key``'s bucket: its own, a free one (empty or refilled to full), else the overflow one."""
        keys, values, slots = self.table.keys, self.table.values, self.table.slots
        free = -1
        for probe in range(PROBES):
            slot = (key + probe) % slots
            found = keys[slot]
            if found == key:
                return slot
            if found == 0:
                return slot if free < 0 else free
            if free < 0 and values[2 * slot] + (now - values[2 * slot + 1]) * self.rate >= self.burst:
                free = slot
        return slots if free < 0 else free


_shared: RateLimiter | None = None  # set in the gunicorn master, inherited by every worker it forks


def share_across_workers(rate: float, burst: int) -> None:
    """Create the server's limiter now, in the master, so the workers forked after this call all use it."""
    global _shared
    _shared = RateLimiter(rate, burst)
