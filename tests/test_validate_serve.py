"""POST /validate, /shapes and `evrdf validate --endpoint`, as a client sees them: status, Content-Type, and the
body parsed back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
import rdflib
from rdflib.namespace import SH
from werkzeug.serving import make_server

from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import DATA, free_port

BAD = (DATA / "shapes" / "invalid" / "finding_without_ev_type.ttl").read_bytes()
GOOD = (DATA / "shapes" / "valid" / "finding.ttl").read_bytes()


def conforms(media: str, body: str) -> bool:
    if media == "application/json":
        return bool(json.loads(body)["conforms"])
    graph = rdflib.Graph().parse(data=body, format="turtle" if media == "text/turtle" else "json-ld")
    return bool(next(graph.objects(None, SH.conforms)).toPython())


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/json"])
@pytest.mark.parametrize("body,expected", [(BAD, False), (GOOD, True)])
def test_post_validate_answers_a_report_by_content_negotiation(client, accept: str, body: bytes,  # type: ignore
                                                               expected: bool) -> None:
    response = client.post("/validate", data=body, content_type="text/turtle", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    assert conforms(accept, response.get_data(as_text=True)) is expected


def test_post_validate_as_html_lists_the_results(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/validate", data=BAD, content_type="text/turtle", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html" and "finding has no EV type" in response.get_data(as_text=True)


@pytest.mark.parametrize("content_type", ["application/n-triples", "application/rdf+xml", "application/ld+json"])
def test_post_validate_reads_every_rdf_syntax(client, content_type: str) -> None:  # type: ignore[no-untyped-def]
    graph = rdflib.Graph().parse(data=BAD, format="turtle")
    fmt = {"application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
    response = client.post("/validate", data=graph.serialize(format=fmt[content_type]), content_type=content_type,
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["conforms"] is False


@pytest.mark.parametrize("body,content_type,accept,status", [
    (GOOD, "text/plain", "text/turtle", 415),
    (b"<http://x/a> <http://x/b> .", "text/turtle", "text/turtle", 400),
    (b"", "text/turtle", "text/turtle", 400),
    (GOOD, "text/turtle", "image/png", 406),
    (b"#" * (6 << 20), "text/turtle", "text/turtle", 413),
])
def test_post_validate_refuses_bad_bodies(client, body: bytes, content_type: str, accept: str,  # type: ignore
                                          status: int) -> None:
    response = client.post("/validate", data=body, content_type=content_type, headers={"Accept": accept})
    assert response.status_code == status


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml"), ("application/n-triples", "nt")])
def test_shapes_are_published_as_linked_data(client, accept: str, fmt: str) -> None:  # type: ignore
    response = client.get("/shapes", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format=fmt)
    assert (rdflib.URIRef("https://w3id.org/evrdf/shapes/FindingShape"), rdflib.RDF.type, SH.NodeShape) in graph


def test_shapes_page_for_browsers(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/shapes", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "FindingSpeciesGeneShape" in page and "Violation" in page
    assert client.get("/shapes", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.live
def test_validate_a_remote_graph_through_its_sparql_endpoint(settings: Settings, store: OxigraphStore) -> None:
    port = free_port()
    server = make_server("127.0.0.1", port, create_app(settings, store), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run([sys.executable, "-m", "evrdf", "validate", "--endpoint",
                                 f"http://127.0.0.1:{port}/sparql", "--format", "json"],
                                capture_output=True, text=True, env=dict(os.environ))
    finally:
        server.shutdown()
        thread.join()
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    distinct = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")))["n"].value)
    assert report["conforms"] is True and report["triples"] == distinct  # the union, as the endpoint serves it
    assert any("100–1000 μm" in r["message"] for r in report["results"])
