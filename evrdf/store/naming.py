"""How a release's graphs are named inside a remote store: the published (logical) name plus the release id, so
several releases can sit side by side and a pointer graph says which one readers see (remote.py)."""

from __future__ import annotations

import re

SUFFIX = "evrdf-release="


def physical(graph: str, release: str) -> str:
    """The name a release's graph has inside the remote store.

    >>> physical("https://w3id.org/evrdf/graph/hgnc", "20250101T000000-abc123")
    'https://w3id.org/evrdf/graph/hgnc?evrdf-release=20250101T000000-abc123'
    """
    return f"{graph}{'&' if '?' in graph else '?'}{SUFFIX}{release}"


def logical(graph: str) -> str:
    """Undo ``physical``.

    >>> logical("https://w3id.org/evrdf/graph/hgnc?evrdf-release=20250101T000000-abc123")
    'https://w3id.org/evrdf/graph/hgnc'
    """
    return re.sub(r"[?&]" + re.escape(SUFFIX) + r"[^&#]*$", "", graph)
