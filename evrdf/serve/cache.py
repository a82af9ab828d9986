"""The answers an immutable release allows caching: serialized results keyed by release id.

A release never changes once published, so an answer computed from release R stays right for as long as R is
the published one. Every key starts with the release id the answer was computed from (reported by the query
worker, read before and after the query); a lookup uses the release published *now*, so after a publish no
earlier answer can match, and the first answer from a new release drops everything older. Bounded by bytes,
least recently used out first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable


class ReleaseCache:
    """LRU of bytes keyed by (release, request key).

    >>> cache = ReleaseCache(max_bytes=100)
    >>> cache.put("r1", "q", ("text/csv", b"12345")); cache.get("r1", "q")
    ('text/csv', b'12345')
    >>> cache.get("r2", "q") is None   # another release: never served
    True
    >>> cache.put("r2", "q", ("text/csv", b"x")); cache.get("r1", "q") is None  # r1 dropped on publish
    True
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, Hashable], tuple[str, bytes]] = OrderedDict()
        self._release: str | None = None
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, release: str | None, key: Hashable) -> tuple[str, bytes] | None:
        if release is None or self.max_bytes <= 0:
            return None
        with self._lock:
            value = self._items.get((release, key))
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end((release, key))
            self.hits += 1
            return value

    def put(self, release: str | None, key: Hashable, value: tuple[str, bytes]) -> None:
        size = len(value[1])
        if release is None or size > self.max_bytes // 4:
            return
        with self._lock:
            if release != self._release:  # a new release: nothing older may be served again
                self._items.clear()
                self._size = 0
                self._release = release
            old = self._items.pop((release, key), None)
            self._size -= len(old[1]) if old else 0
            self._items[(release, key)] = value
            self._size += size
            while self._size > self.max_bytes:
                _, (_, body) = self._items.popitem(last=False)
                self._size -= len(body)
