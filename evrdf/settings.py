"""One frozen settings object, read once from the environment (and CLI options)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_BASE_IRI = "https://w3id.org/evrdf/"


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
    # /sparql limits (issue 4): all shown in the service description
    max_result_bytes: int = 256 << 20  # a result larger than this is cut off with an error, never truncated silently
    max_body_bytes: int = 1 << 20  # request bodies (POSTed queries) larger than this get 413
    rate_per_s: float = 10.0  # per client (IP): sustained queries per second ...
    rate_burst: int = 40  # ... and the burst allowed above it; beyond both, 429 with Retry-After
    query_workers: int = 2  # processes answering queries (each opens the release read-only; killed on timeout)
    cache_bytes: int = 64 << 20  # per-release result cache (0 = off)
    federation_allow: tuple[str, ...] = ()  # SERVICE endpoints a query may call; empty = federation off
    update_token: str | None = field(default=None, repr=False)  # only from $EVRDF_UPDATE_TOKEN

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/' or '#': {self.base_iri!r}")
        if self.backend not in ("oxigraph", "remote"):
            raise ValueError(f"backend must be 'oxigraph' or 'remote': {self.backend!r}")

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Environment first (EVRDF_STORE, EVRDF_BASE_IRI, EVRDF_SOURCES), then explicit overrides."""
        values: dict[str, object] = {}
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
        for name, kind in (("query_timeout_s", float), ("max_result_bytes", int), ("rate_per_s", float),
                           ("rate_burst", int), ("query_workers", int), ("cache_bytes", int)):
            if os.environ.get(f"EVRDF_{name.upper()}"):
                values[name] = kind(os.environ[f"EVRDF_{name.upper()}"])
        if os.environ.get("EVRDF_BACKEND"):
            values["backend"] = os.environ["EVRDF_BACKEND"]
        if os.environ.get("EVRDF_REMOTE_URL"):
            values["remote_url"] = os.environ["EVRDF_REMOTE_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]
