"""What only the remote store does: refuse what must never reach Virtuoso, map its errors, time out."""

from __future__ import annotations

import socket
import threading
from typing import Any, Iterator

import pytest

from evrdf.errors import StoreError
from evrdf.store.remote import Endpoints, RemoteError, RemoteStore, RemoteTimeout, check_query

BASE = "https://w3id.org/evrdf/"


@pytest.mark.parametrize("sparql,message", [
    ("SELECT * WHERE { ?s ?p ?o FILTER(<bif:contains>(?o, 'x')) }", "built-in"),
    ("PREFIX b: <bif:> SELECT * WHERE { ?s ?p ?o FILTER(b:contains(?o, 'x')) }", "built-in"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(<sql:exec>(?o)) }", "built-in"),
    ("SELECT (DB.DBA.SPARQL_INSERT_DICT_CONTENT(1, 2) AS ?x) WHERE {}", "DB.DBA"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("DEFINE sql:log-enable 3 SELECT * WHERE { ?s ?p ?o }", "(?i)error|expected"),
    ("INSERT DATA { GRAPH <http://x> { <http://a> <http://b> <http://c> } }", "(?i)error|expected"),
    ("CLEAR ALL", "(?i)error|expected"),
])
def test_refused_before_reaching_the_store(sparql: str, message: str) -> None:
    with pytest.raises(SyntaxError, match=message):
        check_query(sparql)


@pytest.mark.parametrize("sparql", [
    "SELECT ?s WHERE { ?s ?p \"a SERVICE <x> in a string\" }  # SERVICE in a comment",
    "SELECT ?s WHERE { ?s <http://example.org/bif:contains> ?o }",
])
def test_words_in_strings_comments_and_ordinary_iris_are_fine(sparql: str) -> None:
    check_query(sparql)


def test_virtuoso_does_not_let_the_public_endpoint_update(virtuoso: Any) -> None:
    """Defence in depth: even bypassing check_query, the public endpoint's SPARQL role cannot write."""
    anonymous = RemoteStore(Endpoints.for_virtuoso(virtuoso.url), f"{BASE}graph/published")
    with pytest.raises(RemoteError, match="(?i)permission|HTTP 4|HTTP 5"):
        anonymous._post(anonymous.endpoints.query,
                        [("query", "INSERT DATA { GRAPH <http://x> { <http://a> <http://b> <http://c> } }")],
                        "application/sparql-results+json")


def test_wrong_credentials_are_named(virtuoso: Any) -> None:
    store = RemoteStore(Endpoints.for_virtuoso(virtuoso.url, "dba", "wrong"), f"{BASE}graph/published")
    with pytest.raises(RemoteError, match="credentials"):
        store.update("DROP SILENT GRAPH <http://example.org/nothing>")


def test_an_empty_store_says_nothing_is_published(virtuoso: Any) -> None:
    store = RemoteStore(Endpoints.for_virtuoso(virtuoso.url), f"{BASE}graph/published-nowhere")
    with pytest.raises(StoreError, match="no release is published"):
        store.release()


def test_unreachable_store(unused_port: int) -> None:
    store = RemoteStore(Endpoints.for_virtuoso(f"http://127.0.0.1:{unused_port}"), f"{BASE}graph/published")
    with pytest.raises(RemoteError, match="cannot reach"):
        store.named_graphs()


@pytest.fixture()
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def silent_server() -> Iterator[int]:
    """A real socket that accepts and never answers: what a stuck engine looks like to the client."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def test_the_configured_timeout_applies(silent_server: int) -> None:
    store = RemoteStore(Endpoints.for_virtuoso(f"http://127.0.0.1:{silent_server}"), f"{BASE}graph/published",
                        timeout_s=0.5)
    with pytest.raises(RemoteTimeout, match="0.5 s"):
        store.named_graphs()
