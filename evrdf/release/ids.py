"""Release ids: one id names a release's data and its ontology together.

A release id is the UTC date it was published plus a serial number for that day, ``2026-11-22.1``,
``2026-11-22.2``, ... Both version IRIs derive from it: the release ``<base>releases/<id>/`` (a version of the
dataset) and the ontology's ``owl:versionIRI`` ``<base>releases/<id>/evrdf.owl``, so two releases never share a
version IRI and every IRI names exactly one set of triples. Ids written by earlier versions of evrdf
(``20261122T101530-abc123``) stay valid and sort before the ids of the same day.

>>> next_release_id(["2026-11-22.1", "2026-11-22.2", "2026-11-21.7"], date(2026, 11, 22))
'2026-11-22.3'
>>> next_release_id([], date(2026, 11, 23))
'2026-11-23.1'
>>> sorted(["2026-11-22.10", "2026-11-22.9", "20261122T101530-abc123", "2026-11-21.3"], key=sort_key)
['2026-11-21.3', '20261122T101530-abc123', '2026-11-22.9', '2026-11-22.10']
>>> is_release_id("2026-11-22.3"), is_release_id("20261122T101530-abc123"), is_release_id("../etc")
(True, True, False)
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Iterable

_ID = re.compile(r"(\d{4}-\d{2}-\d{2})\.([1-9]\d*)\Z")
_LEGACY = re.compile(r"(\d{4})(\d{2})(\d{2})(T\d{6}-[0-9a-f]{6})\Z")


def is_release_id(text: str) -> bool:
    """Whether ``text`` has the form of a release id (what a URL path segment may name)."""
    return bool(_ID.match(text) or _LEGACY.match(text))


def sort_key(release_id: str) -> tuple[str, int, str]:
    """Publication order: by day, then serial; legacy ids of a day come before that day's serials."""
    match = _ID.match(release_id)
    if match:
        return (match.group(1), 1, f"{int(match.group(2)):012d}")
    legacy = _LEGACY.match(release_id)
    if legacy:
        return (f"{legacy.group(1)}-{legacy.group(2)}-{legacy.group(3)}", 0, legacy.group(4))
    return ("", 0, release_id)


def next_release_id(existing: Iterable[str], today: date | None = None) -> str:
    """The id for a release published today, after every id in ``existing`` (the store's releases)."""
    existing = list(existing)
    day = (today or datetime.now(timezone.utc).date()).isoformat()
    newest = max((sort_key(r)[0] for r in existing), default="")
    day = max(day, newest)  # a clock that went back still publishes after the newest release
    serials = [int(m.group(2)) for m in map(_ID.match, existing) if m and m.group(1) == day]
    return f"{day}.{max(serials, default=0) + 1}"
