"""How /sparql and `evrdf query` read a query (issue 11, cases 2 and 8): relative IRIs resolve against the query's
BASE, else the endpoint's IRI; the project's and the common prefixes are predeclared (and listed in the service
description); a syntax error says what is wrong in words, with line:column and the offending line under a caret."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import rdflib

from evrdf.prefixes import predeclared
from evrdf.settings import Settings
from tests.test_sparql import make_client

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture()
def api(settings, store):  # type: ignore[no-untyped-def]
    return make_client(settings, store)


def construct(api, query: str) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    response = api.post("/sparql", data=query.encode(), content_type="application/sparql-query",
                        headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return rdflib.Graph().parse(data=response.data, format="nt")


def test_relative_iris_resolve_against_the_endpoint(api) -> None:  # type: ignore[no-untyped-def]
    # the W3C protocol test query_content_type_construct, as its manifest writes it
    graph = construct(api, "CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert set(graph) == {(rdflib.URIRef("http://localhost/s"), rdflib.URIRef("http://localhost/p"),
                           rdflib.Literal(1))}


def test_the_query_base_wins_over_the_endpoint(api) -> None:  # type: ignore[no-untyped-def]
    graph = construct(api, "BASE <http://example.org/a/> CONSTRUCT { <s> <../p> 1 } WHERE {}")
    assert {(str(s), str(p)) for s, p, _ in graph} == {("http://example.org/a/s", "http://example.org/p")}


def test_project_and_common_prefixes_are_predeclared(api, report) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f rdf:type evo:Finding ; rdfs:label ?l }"
    response = api.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == report.findings
    own = "PREFIX evo: <http://example.org/other#> " + query  # the query's own declaration wins
    response = api.get("/sparql", query_string={"query": own}, headers={"Accept": "application/json"})
    assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == 0


def test_service_description_lists_the_predeclared_prefixes(api, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    declared = {str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace)) for d in graph.objects(None, SH.declare)}
    assert declared == predeclared(settings.base_iri)


ERRORS = [
    ("SELECT * WHERE { ?s foo:p ?o }", "prefix foo: is not declared", 1, 21, "foo:p"),
    ("SELECT * WHERE {\n  ?s ?p ?o FILTR(?o)\n}", "FILTR is not a SPARQL keyword; did you mean FILTER?", 2, 12, "FILTR"),
    ("SELECT * WHERE { ?s ?p ?o }\nLIMT 3", "LIMT is not a SPARQL keyword; did you mean LIMIT?", 2, 1, "LIMT"),
    ("SELECT * WHERE { ?s <http://example.org/a b> ?o }", "is not a valid IRI: it contains a space", 1, 21,
     "<http://example.org/a b>"),
    ("ASK { ?s ?p ?o", "the query ends before the '{' opened here is closed with '}'", 1, 5, "{"),
    ("SELECT * WHERE { ?s ?p ?o . BIND(1 AS ?s) }", "BIND assigns ?s, which is already in use", 1, 39, "?s"),
]


def check_message(text: str, words: str, line: int, column: int, offending: str) -> None:
    head, shown, caret = text.splitlines()[:3]
    assert f"at line {line}, column {column}: " in head and words in head, text
    assert "\\u{" not in text and "['" not in text  # no grammar character classes
    source_line = shown.split(" | ", 1)[1]
    marks = caret.split(" | ", 1)[1]
    assert source_line[column - 1:column - 1 + len(offending)] == offending
    assert marks == " " * (column - 1) + "^" * len(offending)


@pytest.mark.parametrize("query,words,line,column,offending", ERRORS, ids=[e[1][:30] for e in ERRORS])
def test_syntax_errors_say_what_is_wrong_and_where(query: str, words: str, line: int, column: int, offending: str,
                                                   api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    check_message(response.get_data(as_text=True), words, line, column, offending)


@pytest.mark.parametrize("query,words,line,column,offending", ERRORS[:2], ids=["prefix", "typo"])
def test_evrdf_query_says_the_same(query: str, words: str, line: int, column: int, offending: str, store,
                                   settings: Settings, serve_options: list[str]) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([sys.executable, "-m", "evrdf", "query", query, "--store", str(settings.store),
                           *serve_options], capture_output=True, text=True)
    assert done.returncode == 1
    check_message(done.stderr.removeprefix("error: "), words, line, column, offending)


def test_evrdf_query_predeclares_the_prefixes(store, settings: Settings, report,  # type: ignore[no-untyped-def]
                                              serve_options: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "evrdf", "query", "SELECT (COUNT(?f) AS ?n) WHERE { ?f a evo:Finding }",
                           "--store", str(settings.store), "--format", "json", *serve_options],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"]) == report.findings
