"""Per-client rate limiting for /sparql: a token bucket per client address, safe under concurrent requests.

Each client may send ``burst`` queries at once and ``rate`` more per second after that; a query beyond
both is refused with how long to wait (the endpoint answers 429 with ``Retry-After``, as the Wikidata Query
Service does). Buckets live in the serving process: with gunicorn, each worker keeps its own, so the
operator's effective limit is ``workers × rate`` (stated in the service description).
"""

from __future__ import annotations

import math
import threading
from time import monotonic


class RateLimiter:
    """Token buckets keyed by client; ``acquire`` returns 0 when allowed, else the seconds to wait.

    >>> limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: 0.0)
    >>> [limiter.acquire("a") for _ in range(3)], limiter.acquire("b")
    ([0, 0, 1], 0)
    """

    MAX_CLIENTS = 100_000  # forget idle clients beyond this many, so memory stays bounded

    def __init__(self, rate: float, burst: int, clock=monotonic):  # type: ignore[no-untyped-def]
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, time of last refill)
        self._lock = threading.Lock()

    def acquire(self, client: str) -> int:
        if self.rate <= 0:
            return 0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_CLIENTS:
                    self._forget(now)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _forget(self, now: float) -> None:
        full = [c for c, (t, last) in self._buckets.items() if t + (now - last) * self.rate >= self.burst]
        for client in full:
            del self._buckets[client]
