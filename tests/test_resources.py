"""Dereferencing as a client sees it: every kind of resource, in every format, parsed back with rdflib."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.namespace import RDFS

from tests.conftest import select

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
FORMATS = [("text/turtle", "ttl", "turtle"), ("application/n-triples", "nt", "nt"),
           ("application/rdf+xml", "rdf", "xml"), ("application/ld+json", "jsonld", "json-ld")]
KINDS = {  # kind of resource -> its path under the base
    "ontology class": "ontology/Exosome",
    "gene": "gene/HGNC_10672",
    "finding": "finding/bian2019-t1-01",
    "reference": "reference/bian2019",
    "pair": None,  # looked up in the store: a CXCL12 pair
    "graph": "graph/hgnc",
    "source": "source/bian2019",
    "dataset": "dataset",
}


@pytest.fixture(scope="module")
def paths(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    pair = select(store, f"SELECT ?p WHERE {{ ?p <{EVO}ligand> <{BASE}gene/HGNC_10672> }} ORDER BY ?p LIMIT 1")
    return {kind: path or pair[0]["p"][len(BASE):] for kind, path in KINDS.items()}


def parse(client, body: bytes, parser: str) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    """Parse a response body; JSON-LD's published @context is fetched from the server, as a client would."""
    if parser == "json-ld":
        document = json.loads(body)
        assert document["@context"].endswith("/context.jsonld")
        document["@context"] = json.loads(client.get("/context.jsonld").data)["@context"]
        body = json.dumps(document).encode()
    return rdflib.Graph().parse(data=body, format=parser)


@pytest.mark.parametrize("accept,ext,parser", FORMATS, ids=[f[1] for f in FORMATS])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_in_every_format(kind: str, accept: str, ext: str, parser: str, client, paths) -> None:  # type: ignore[no-untyped-def]
    path = paths[kind]
    redirect = client.get(f"/{path}", headers={"Accept": accept})
    assert redirect.status_code == 303
    assert redirect.headers["Location"].endswith(f"/{path}.{ext}")
    assert redirect.headers["Vary"] == "Accept"
    document = client.get(redirect.headers["Location"])
    assert document.status_code == 200 and document.mimetype == accept
    graph = parse(client, document.data, parser)
    assert (rdflib.URIRef(BASE + path), None, None) in graph


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_an_html_page_with_its_label(kind: str, client, paths, store) -> None:  # type: ignore[no-untyped-def]
    path = paths[kind]
    response = client.get(f"/{path}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                          follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    labels = select(store, f"SELECT ?l WHERE {{ <{BASE}{path}> <{RDFS}label>|<http://purl.org/dc/terms/title> ?l }}")
    page = response.get_data(as_text=True)
    assert any(row["l"].replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;") in page
               for row in labels)


def test_the_description_has_own_triples_linked_labels_incoming_links_and_findings(client, store) -> None:  # type: ignore[no-untyped-def]
    gene = rdflib.URIRef(BASE + "gene/HGNC_10672")
    graph = rdflib.Graph().parse(data=client.get("/gene/HGNC_10672.nt").data, format="nt")
    assert (gene, rdflib.URIRef(EVO + "uniprotAccession"), rdflib.Literal("P48061")) in graph
    assert (rdflib.URIRef(EVO + "CXCChemokine"), RDFS.label, None) in graph  # label of a linked class
    pairs = {rdflib.URIRef(r["p"]) for r in select(store, f"SELECT ?p WHERE {{ ?p <{EVO}ligand> <{gene}> }}")}
    assert pairs and all((p, rdflib.URIRef(EVO + "ligand"), gene) in graph for p in pairs)  # incoming
    findings = select(store, f"SELECT DISTINCT ?f ?r WHERE {{ ?f a <{EVO}Finding> ; ?x <{gene}> ; <{EVO}citedIn> ?r }}")
    assert findings
    for row in findings:
        finding, reference = rdflib.URIRef(row["f"]), rdflib.URIRef(row["r"])
        assert (finding, rdflib.URIRef(EVO + "statement"), None) in graph
        assert (reference, RDFS.label, None) in graph


@pytest.mark.parametrize("fmt,mimetype", [("ttl", "text/turtle"), ("turtle", "text/turtle"),
                                          ("jsonld", "application/ld+json"), ("html", "text/html"),
                                          ("application/rdf+xml", "application/rdf+xml")])
def test_format_parameter_overrides_accept(fmt: str, mimetype: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/gene/HGNC_10672", query_string={"format": fmt}, headers={"Accept": "text/html"},
                          follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == mimetype


@pytest.mark.parametrize("accept,ext", [
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
    ("application/ld+json, text/turtle;q=0.1", "jsonld"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("*/*", "html"),
    ("", "html"),
])
def test_q_values_are_honoured(accept: str, ext: str, client) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    response = client.get("/ontology/Exosome", headers=headers)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/ontology/Exosome.{ext}")


def test_link_headers_point_to_every_alternate(client) -> None:  # type: ignore[no-untyped-def]
    links = client.get("/gene/HGNC_10672.ttl").headers["Link"]
    for ext, media in [("nt", "application/n-triples"), ("rdf", "application/rdf+xml"),
                       ("jsonld", "application/ld+json"), ("html", "text/html")]:
        assert f'</gene/HGNC_10672.{ext}>; rel="alternate"; type="{media}"' in links


@pytest.mark.parametrize("path", ["/gene/HGNC_10672", "/gene/HGNC_10672.ttl", "/gene/HGNC_10672.html", "/ontology"])
def test_head_answers_like_get_without_a_body(path: str, client) -> None:  # type: ignore[no-untyped-def]
    get, head = client.get(path, headers={"Accept": "text/turtle"}), client.head(path, headers={"Accept": "text/turtle"})
    assert head.status_code == get.status_code
    assert head.headers.get("Content-Type") == get.headers.get("Content-Type")
    assert head.headers.get("Location") == get.headers.get("Location")
    assert head.data == b""
    get.close()
    head.close()


@pytest.mark.parametrize("path", ["/gene/HGNC_0", "/gene/HGNC_0.ttl", "/nothing/here", "/finding/x%3Ey",
                                  "/finding/a b.html", "/ontology/NoSuchClass.jsonld", "/releases/1999-01-01/x"])
def test_unknown_iris_answer_404(path: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404


def test_nothing_acceptable_is_406(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/gene/HGNC_10672", headers={"Accept": "image/png"})
    assert response.status_code == 406 and response.headers["Vary"] == "Accept"
    assert "text/turtle" in response.get_data(as_text=True)
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406


def test_unknown_format_parameter_is_400_naming_the_formats(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/gene/HGNC_10672", query_string={"format": "png"})
    assert response.status_code == 400 and "'format'" in response.get_data(as_text=True)


@pytest.mark.parametrize("accept,ext,parser", FORMATS, ids=[f[1] for f in FORMATS])
@pytest.mark.parametrize("path", ["/ontology", "/releases/{version}/evrdf.owl"])
def test_the_ontology_and_its_version_iri_answer_every_format(path: str, accept: str, ext: str, parser: str,
                                                             client, report) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path.format(version=report.version), headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept and response.headers["Vary"] == "Accept"
    body = response.data
    response.close()
    graph = rdflib.Graph().parse(data=body, format=parser)
    assert (rdflib.URIRef(BASE + "ontology"), rdflib.OWL.versionIRI,
            rdflib.URIRef(f"{BASE}releases/{report.version}/evrdf.owl")) in graph
    extension = client.get(f"/ontology.{ext}")
    assert extension.status_code == 200 and extension.mimetype == accept
    extension.close()


def test_the_ontology_has_pylode_documentation(client, report) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "pyLODE" in text and "exosome" in text and report.version in text
    assert f'href="/releases/{report.version}/evrdf.owl"' in text  # own IRIs link to this server
    version = client.get(f"/releases/{report.version}/evrdf.owl", headers={"Accept": "text/html"})
    assert version.get_data(as_text=True) == text


def test_the_jsonld_context_is_published(client) -> None:  # type: ignore[no-untyped-def]
    context = client.get("/context.jsonld")
    assert context.status_code == 200 and context.mimetype == "application/ld+json"
    assert json.loads(context.data)["@context"]["evo"] == EVO
