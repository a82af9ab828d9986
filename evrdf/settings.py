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

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/' or '#': {self.base_iri!r}")

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
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]
