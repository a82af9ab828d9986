"""One frozen settings object, read once from the environment (and CLI options)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_BASE_IRI = "https://w3id.org/evrdf/"


def default_memory_budget() -> int:
    """Bytes a release may take in memory to be served from there: a quarter of physical memory, at most 4 GiB
    (an in-memory store answers joins and aggregates 4-9x faster than the on-disk one; gunicorn's workers share
    the copy made before they fork). 0 when the size of physical memory cannot be read."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0
    return int(min(physical // 4, 4 << 30))


def _default_sources() -> Path:
    """The curated sources: the checkout's ontology/ folder, else the copy packaged in the wheel."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "ontology"
    if (checkout / "evrdf-core.ttl").is_file():
        return checkout
    return here / "_data" / "ontology"


@dataclass(frozen=True)
class Settings:
    base_iri: str = DEFAULT_BASE_IRI
    store: Path = Path("var/store")
    sources: Path = field(default_factory=_default_sources)
    host: str = "127.0.0.1"
    port: int = 5000
    query_timeout_s: float = 30.0
    backend: str = "oxigraph"  # or "remote": a SPARQL 1.1 / Graph Store Protocol server (store/remote.py)
    remote_url: str | None = None  # its base URL; credentials come from EVRDF_REMOTE_USER/_PASSWORD only
    # /sparql limits: all shown in the service description (serve/service_description.py)
    max_result_bytes: int = 32 << 20  # a larger answer is refused (422) before its first byte is sent
    max_body_bytes: int = 1 << 20  # request bodies (POSTed queries) larger than this get 413
    budget_s: float = 60.0  # per client (address): seconds of query evaluation per window ... (0 = no budget)
    budget_window_s: float = 60.0  # ... refilled continuously; a client past it gets 429 with Retry-After
    budget_free_s: float = 0.25  # the first seconds of every query are free: cheap queries are never throttled
    max_expensive: int = 2  # queries of one client running past budget_free_s at once (0 = no cap)
    request_timeout_s: float = 10.0  # a connection must deliver its whole request within this, or is closed
    query_workers: int = 4  # development server: query processes (each opens the release read-only)
    cache_bytes: int = 64 << 20  # per-release result cache (0 = off)
    # serve a release from an in-memory copy when its estimate fits (0 = always from disk)
    memory_budget_bytes: int = field(default_factory=default_memory_budget)
    federation_allow: tuple[str, ...] = ()  # SERVICE endpoints a query may call; empty = federation off
    update_token: str | None = field(default=None, repr=False)  # only from $EVRDF_UPDATE_TOKEN

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/' or '#': {self.base_iri!r}")
        if self.backend not in ("oxigraph", "remote"):
            raise ValueError(f"backend must be 'oxigraph' or 'remote': {self.backend!r}")

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Environment first (EVRDF_STORE, EVRDF_BASE_IRI, EVRDF_SOURCES), then explicit overrides."""
        values: dict[str, Any] = {}  # field name -> value of that field's type (the dataclass checks none)
        if os.environ.get("EVRDF_STORE"):
            values["store"] = Path(os.environ["EVRDF_STORE"])
        if os.environ.get("EVRDF_BASE_IRI"):
            values["base_iri"] = os.environ["EVRDF_BASE_IRI"]
        if os.environ.get("EVRDF_SOURCES"):
            values["sources"] = Path(os.environ["EVRDF_SOURCES"])
        if os.environ.get("EVRDF_UPDATE_TOKEN"):
            values["update_token"] = os.environ["EVRDF_UPDATE_TOKEN"]
        if os.environ.get("EVRDF_FEDERATION_ALLOW"):
            values["federation_allow"] = tuple(os.environ["EVRDF_FEDERATION_ALLOW"].split())
        for name, kind in (("query_timeout_s", float), ("max_result_bytes", int), ("budget_s", float),
                           ("budget_window_s", float), ("budget_free_s", float), ("max_expensive", int),
                           ("request_timeout_s", float), ("query_workers", int), ("cache_bytes", int),
                           ("memory_budget_bytes", int)):
            if os.environ.get(f"EVRDF_{name.upper()}"):
                values[name] = kind(os.environ[f"EVRDF_{name.upper()}"])
        if os.environ.get("EVRDF_BACKEND"):
            values["backend"] = os.environ["EVRDF_BACKEND"]
        if os.environ.get("EVRDF_REMOTE_URL"):
            values["remote_url"] = os.environ["EVRDF_REMOTE_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)
