"""The ontology's HTML documentation, generated with pyLODE at first request and kept per release."""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

from evrdf.formats import serialize_triples
from evrdf.store.base import Store


class OntologyDocs:
    """pyLODE's OntPub page for the ontology graph of the published release (one cached page per release)."""

    def __init__(self, store: Store, base: str):
        self.store, self.base = store, base
        self._lock = threading.Lock()
        self._cache: dict[str, str] = {}

    def triples(self) -> Any:
        """The ontology graph as CONSTRUCT results (the ontology is one named graph in the store)."""
        return self.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{self.base}graph/ontology> "
                                "{ ?s ?p ?o } }")

    def html(self) -> str:
        release = str(self.store.release().get("release", ""))
        with self._lock:
            if release not in self._cache:
                self._cache.clear()  # only the published release is served
                self._cache[release] = self._render()
            return self._cache[release]

    def _render(self) -> str:
        from rdflib import Graph

        graph = Graph().parse(data=serialize_triples(self.triples(), "nt"), format="nt")
        html = _pylode(graph)
        # links to our own terms go to this server's term pages, not to the canonical host
        return html.replace(f'href="{self.base}', 'href="/')


def html_of_file(path: Any, base: str) -> str:
    """pyLODE's page for an ontology file (an earlier release's evrdf.ttl)."""
    from rdflib import Graph

    return _pylode(Graph().parse(path, format="turtle")).replace(f'href="{base}', 'href="/')


def _pylode(graph: Any) -> str:
    """Run pyLODE without its import-time side effects (it sets the root logger to DEBUG, leaks a file)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from pylode import OntPub
    finally:
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        return str(OntPub(graph).make_html())
