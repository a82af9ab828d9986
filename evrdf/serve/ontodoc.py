"""The ontology's HTML documentation, generated with pyLODE at first request and kept per release."""

from __future__ import annotations

import logging
import re
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


_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
_PYLODE_ICONS = re.compile(r'<link href="data:image/png;base64,[^"]*" rel="icon"[^>]*>')


def framed(html: str) -> str:
    """pyLODE's page inside the site frame (header, navigation, search, footer), rendered for this request."""
    from flask import render_template, url_for

    head = (render_template("_site_head.html") + f'<link rel="stylesheet" href="'
            f'{url_for("static", filename="ontology-frame.css")}">')
    match = _BODY.search(html)
    closing = html.lower().rfind("</body>")
    if match is None or closing < match.end():
        return html  # not the page pyLODE writes: left as it is
    body = _PYLODE_ICONS.sub("", html[match.end():closing])
    page = (html[:match.start()] + '<body class="evrdf-framed">' + render_template("_site_header.html")
            + '<div class="pylode-page">' + body + "</div>" + render_template("_site_footer.html") + html[closing:])
    at = page.lower().find("</head>")
    return page[:at] + head + page[at:] if at >= 0 else page


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
