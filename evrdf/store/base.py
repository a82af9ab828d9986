"""The store interface every backend implements (the embedded Oxigraph store today; a remote one later)."""

from __future__ import annotations

from typing import Any, Protocol


class Store(Protocol):
    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> Any:
        """Answer a SPARQL 1.1 query; with no default_graphs the default graph is the union of all graphs.

        ``base_iri`` resolves relative IRIs when the query has no BASE of its own; ``prefixes`` are predeclared
        (the query's own PREFIX declarations win)."""

    def named_graphs(self) -> list[str]:
        """The IRIs of the published named graphs."""

    def release(self) -> dict[str, Any]:
        """What is published: release id, ontology version, build time, counts."""
