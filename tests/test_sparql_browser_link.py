"""A link to /sparql?query=... opened in a browser shows the editor with that query; protocol clients keep results."""

from __future__ import annotations

import json

import pytest

CHROMIUM = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
            "application/signed-exchange;v=b3;q=0.7")
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_a_browser_following_a_query_link_gets_the_editor_with_that_query(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": CHROMIUM})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers.get("Vary", "")
    page = response.get_data(as_text=True)
    assert json.dumps(QUERY) in page  # handed to the editor, which runs it
    assert "(COUNT(*) AS ?n)" in page  # and in the form for browsers without scripts


@pytest.mark.parametrize("accept, mimetype", [
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",  # SPARQLWrapper
     "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),  # curl
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/html;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
])
def test_protocol_clients_keep_their_result_formats(client, accept: str, mimetype: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_an_explicit_format_wins_over_a_browser_accept_header(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": QUERY, "format": "json"}, headers={"Accept": CHROMIUM})
    assert response.mimetype == "application/sparql-results+json"
    assert "n" in response.get_json()["head"]["vars"]
