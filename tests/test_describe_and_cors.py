"""DESCRIBE over the union default graph answers each triple once (issue 11, case 6), and every document the
service publishes can be read across origins, as browser-based linked-data and JSON-LD tools do (case 7)."""

from __future__ import annotations

import pytest

from tests.conftest import select
from tests.test_sparql import make_client

B = "https://w3id.org/evrdf/"


@pytest.fixture()
def api(settings, store):  # type: ignore[no-untyped-def]
    return make_client(settings, store)


def test_describe_answers_each_triple_once(api, store) -> None:  # type: ignore[no-untyped-def]
    # a resource with a triple in more than one graph: a ligand-receptor pair listed by two resources
    shared = select(store, "SELECT ?s WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } FILTER(?a != ?b) "
                           "FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 1")
    assert shared, "the release must have a triple in two graphs for this test to mean anything"
    subject = shared[0]["s"]
    distinct = select(store, f"SELECT DISTINCT ?p ?o WHERE {{ <{subject}> ?p ?o }}")
    response = api.get("/sparql", query_string={"query": f"DESCRIBE <{subject}>"},
                       headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    lines = [line for line in response.get_data(as_text=True).splitlines() if line.startswith(f"<{subject}>")]
    assert len(lines) == len(set(lines)) == len(distinct)


@pytest.mark.parametrize("path,accept", [
    ("/gene/HGNC_10672", "text/turtle"),  # the 303 itself, so a browser follows it
    ("/gene/HGNC_10672.ttl", "text/turtle"),
    ("/gene/HGNC_10672.jsonld", "application/ld+json"),
    ("/gene/HGNC_10672.rdf", "application/rdf+xml"),
    ("/gene/HGNC_10672.nt", "application/n-triples"),
    ("/gene/HGNC_10672.html", "text/html"),
    ("/context.jsonld", "application/ld+json"),
    ("/api/search?q=CXCL12", "application/json"),
    ("/ontology", "text/turtle"),
    ("/graph/hgnc.ttl", "text/turtle"),
    ("/dataset.jsonld", "application/ld+json"),
    ("/.well-known/void", "text/turtle"),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
])
def test_every_published_document_allows_any_origin(path: str, accept: str, api) -> None:  # type: ignore[no-untyped-def]
    response = api.get(path, headers={"Accept": accept, "Origin": "https://linked-data-browser.example"})
    response.get_data()
    response.close()  # documents served from files: let go of the file
    assert response.status_code in (200, 303), (path, response.status_code)
    assert response.headers.get("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("path", ["/gene/HGNC_10672.jsonld", "/context.jsonld", "/api/search?q=CXCL12"])
def test_preflight_is_answered_on_documents(path: str, api) -> None:  # type: ignore[no-untyped-def]
    response = api.options(path, headers={"Origin": "https://linked-data-browser.example",
                                          "Access-Control-Request-Method": "GET",
                                          "Access-Control-Request-Headers": "accept"})
    assert response.status_code in (200, 204)
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    assert "GET" in response.headers.get("Access-Control-Allow-Methods", "")
    assert "accept" in response.headers.get("Access-Control-Allow-Headers", "").lower()
