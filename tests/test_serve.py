"""The web service as clients see it: /sparql over the Flask test client and over a live server."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
import rdflib

from evrdf.settings import Settings
from tests.conftest import live_server

COUNT = "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/evrdf/ontology/Finding> }"
CONSTRUCT = "CONSTRUCT { ?c ?p ?o } WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> \"exosome\"@en ; ?p ?o }"


def _count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_get_query(client, report) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert _count(response.data) == report.findings


def test_post_form_and_direct(client, report) -> None:  # type: ignore[no-untyped-def]
    form = client.post("/sparql", data={"query": COUNT})
    direct = client.post("/sparql", data=COUNT, content_type="application/sparql-query")
    assert _count(form.data) == _count(direct.data) == report.findings


@pytest.mark.parametrize("accept,mimetype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/csv"),
])
def test_select_content_negotiation(accept: str, mimetype: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"].split(", ")


@pytest.mark.parametrize("accept,parser", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                           ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")])
def test_construct_content_negotiation(accept: str, parser: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.data, format=parser)
    assert (rdflib.URIRef("https://w3id.org/evrdf/ontology/Exosome"), None, None) in graph


def test_format_parameter_overrides_accept(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": COUNT, "format": "csv"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "text/csv"


@pytest.mark.parametrize("method,kwargs,status,message", [
    ("get", {"query_string": {"query": "SELEKT *"}}, 400, "syntax error"),
    ("get", {"query_string": {}, "headers": {"Accept": "application/sparql-results+json"}}, 400, "missing 'query'"),
    ("post", {"data": "query=x", "content_type": "text/plain"}, 415, "unsupported Content-Type"),
    ("post", {"data": b"\xff\xfe", "content_type": "application/sparql-query"}, 400, "not valid UTF-8"),
    ("get", {"query_string": {"query": COUNT}, "headers": {"Accept": "image/png"}}, 406, "none of the acceptable"),
])
def test_protocol_errors(method: str, kwargs: dict, status: int, message: str, client) -> None:  # type: ignore[no-untyped-def,type-arg]
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_browser_gets_a_query_page_with_examples(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Human chemokines of a family" in response.get_data(as_text=True)


def test_landing_page(client, report) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    assert "extracellular vesicles" in page and report.release in page
    assert "evrdf.sssom.tsv" in page


@pytest.mark.parametrize("accept,mimetype,parser", [("text/turtle", "text/turtle", "turtle"),
                                                    ("application/rdf+xml", "application/rdf+xml", "xml"),
                                                    ("application/ld+json", "application/ld+json", "json-ld")])
def test_ontology_in_each_format(accept: str, mimetype: str, parser: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    body = response.data
    response.close()
    graph = rdflib.Graph().parse(data=body, format=parser)
    assert (rdflib.URIRef("https://w3id.org/evrdf/ontology"), None, None) in graph


@pytest.mark.live
def test_live_server_answers_on_127_0_0_1(settings: Settings, report, serve_options) -> None:  # type: ignore[no-untyped-def]
    with live_server(settings.store, *serve_options) as live:
        url = f"{live.root}/sparql?" + urllib.parse.urlencode({"query": COUNT})
        with urllib.request.urlopen(url, timeout=5) as response:
            assert _count(response.read()) == report.findings
