"""/api/vocabulary: the classes and properties this endpoint's data uses or declares, with their labels, and the
prefixes it predeclares. The SPARQL editor completes from it (static/sparql-editor.js) instead of asking a
third-party vocabulary service: nothing the user types leaves this host, and evrdf's own terms are known."""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Response, jsonify, request

from evrdf.natural import natural_key
from evrdf.prefixes import predeclared
from evrdf.settings import Settings
from evrdf.store.base import Store

LIMIT = 5000  # terms of each kind; the ontology and its aligned classes are a few hundred
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

CLASSES = f"""SELECT ?term (SAMPLE(?l) AS ?label) WHERE {{
  {{ ?term a <{OWL}Class> }} UNION {{ ?term a <{RDFS}Class> }} UNION {{ [] a ?term }}
  FILTER(isIRI(?term)) OPTIONAL {{ ?term <{RDFS}label> ?l }} }} GROUP BY ?term LIMIT {LIMIT}"""
PROPERTIES = f"""SELECT ?term (SAMPLE(?l) AS ?label) WHERE {{
  {{ ?term a <{OWL}ObjectProperty> }} UNION {{ ?term a <{OWL}DatatypeProperty> }}
  UNION {{ ?term a <{OWL}AnnotationProperty> }} UNION {{ ?term a <{RDF}Property> }}
  UNION {{ SELECT DISTINCT ?term WHERE {{ [] ?term [] }} }}
  OPTIONAL {{ ?term <{RDFS}label> ?l }} }} GROUP BY ?term LIMIT {LIMIT}"""


def vocabulary(store: Store, base: str) -> dict[str, Any]:
    """Classes and properties (IRI and label, in natural order of label) and the predeclared prefixes."""

    def terms(sparql: str) -> list[dict[str, str]]:
        rows = [{"iri": row["term"].value, "label": row["label"].value if row["label"] is not None else ""}
                for row in store.query(sparql)]
        return sorted(rows, key=lambda t: (natural_key(t["label"] or t["iri"]), t["iri"]))

    return {"prefixes": predeclared(base), "classes": terms(CLASSES), "properties": terms(PROPERTIES)}


def vocabulary_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("vocabulary", __name__)
    lock, cached = threading.Lock(), dict[str, Any]()  # the release id and its body

    @bp.get("/api/vocabulary")
    def api() -> Response:
        """Computed once per release (a release never changes); the ETag is the release id."""
        release = str(store.release().get("release", ""))
        etag = f'"vocabulary-{release}"'
        if request.if_none_match.contains(etag[1:-1]):
            return Response(status=304, headers={"ETag": etag})
        with lock:
            if cached.get("release") != release:
                cached.clear()
                cached.update(release=release, body=vocabulary(store, settings.base_iri))
            body = cached["body"]
        response = jsonify(body)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    return bp
