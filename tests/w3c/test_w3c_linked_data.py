"""Linked-data recipes, checked from outside: W3C "Best Practice Recipes for Publishing RDF Vocabularies" (recipe 5,
slash namespace with content negotiation; its test requests) and "Cool URIs for the Semantic Web" section 4.3
(303 URIs forwarding to different documents), for one IRI of every kind the server mints, found by asking the
server itself, with the store built for a loopback base IRI and served with the documented options only
(`evrdf build --store S --base-iri http://127.0.0.1:PORT/`, `evrdf serve --store S --host 127.0.0.1 --port PORT`,
and once more with `--workers 2`).

Things (genes, terms, pairs, findings, references, sources, graphs, the dataset, the software, a release's build)
answer 303 See Other to the document that describes them in the negotiated format; documents (the ontology, a
release's version IRI) answer 200 in the negotiated format; both with Vary: Accept. A request without Accept gets
HTML (evrdf puts people first, as its README says; the Recipes' Apache rules default to RDF/XML instead, which
evrdf keeps for the version IRI, a file named evrdf.owl that OWL tools fetch without an Accept header).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from dataclasses import dataclass
from typing import Iterator

import pyoxigraph as ox
import pytest

from tests.conftest import LoopbackStore, live_server
from tests.w3c.conftest import SERVERS

pytestmark = pytest.mark.live

CHROMIUM = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
            "application/signed-exchange;v=b3;q=0.7")
# (request, Accept header or None for none, the document it must lead to) — Recipes' test requests, 5.x
REQUESTS = [
    ("browser", CHROMIUM, "html"),
    ("no-accept", None, "html"),
    ("rdfxml", "application/rdf+xml", "rdf"),
    ("turtle", "text/turtle", "ttl"),
    ("ntriples", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "jsonld"),
    ("rdf-preferred", "application/rdf+xml;q=0.9, text/html;q=0.5", "rdf"),
    ("html-preferred", "text/html, application/rdf+xml;q=0.5", "html"),
    ("xhtml", "application/xhtml+xml", "html"),
    ("nothing-acceptable", "image/png", None),
]
MEDIA = {"html": "text/html", "rdf": "application/rdf+xml", "ttl": "text/turtle", "nt": "application/n-triples",
         "jsonld": "application/ld+json"}
PARSERS = {"rdf": ox.RdfFormat.RDF_XML, "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
           "jsonld": ox.RdfFormat.JSON_LD}
THINGS = ["ontology", "gene", "pair", "finding", "reference", "source", "graph", "dataset", "software", "releases"]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def get(root: str, path: str, accept: str | None) -> Reply:
    url = urllib.parse.urlsplit(root)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        if accept is not None:
            connection.putheader("Accept", accept)
        connection.endheaders()
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def parse(root: str, body: bytes, document: str, base: str) -> list[ox.Quad]:
    """As a client reads the document; for JSON-LD, its @context URL is fetched from the server, as a JSON-LD
    processor does (the published /context.jsonld)."""
    if document == "jsonld":
        data = json.loads(body)
        context = data.get("@context") if isinstance(data, dict) else None  # (expanded JSON-LD has none)
        if isinstance(context, str):
            fetched = get(root, urllib.parse.urlsplit(urllib.parse.urljoin(base, context)).path, "application/ld+json")
            assert fetched.status == 200, context
            data["@context"] = json.loads(fetched.body)["@context"]
        body = json.dumps(data).encode()
    return list(ox.parse(body, format=PARSERS[document], base_iri=base))


@pytest.fixture(scope="module", params=list(SERVERS))
def site(request: pytest.FixtureRequest, loopback: LoopbackStore) -> Iterator[tuple[str, LoopbackStore]]:
    with live_server(loopback.path, *SERVERS[request.param], port=loopback.port):
        yield f"http://127.0.0.1:{loopback.port}", loopback


_EXAMPLES: dict[str, dict[str, str]] = {}


def examples(root: str, base: str) -> dict[str, str]:
    """One IRI of every kind the server mints (things, not documents), asked of its own /sparql (once per server)."""
    if root in _EXAMPLES:
        return _EXAMPLES[root]
    query = (f"SELECT ?kind (MIN(STR(?s)) AS ?iri) WHERE {{ {{ ?s ?p ?o }} UNION {{ ?x ?p ?s }} "
             f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{base}\")) "
             f"BIND(REPLACE(STRAFTER(STR(?s), \"{base}\"), \"/.*$\", \"\") AS ?kind) "
             f"FILTER(CONTAINS(STRAFTER(STR(?s), \"{base}\"), \"/\")) FILTER(!STRENDS(STR(?s), \".owl\") && "
             f"!STRENDS(STR(?s), \"/\") && !CONTAINS(STR(?s), \"#\")) }} GROUP BY ?kind")
    reply = get(root, "/sparql?" + urllib.parse.urlencode({"query": query}), "application/sparql-results+json")
    rows = json.loads(reply.body)["results"]["bindings"]
    found = {row["kind"]["value"]: row["iri"]["value"] for row in rows}
    found["dataset"] = base + "dataset"
    _EXAMPLES[root] = found
    return found


def test_every_kind_is_minted(site) -> None:  # type: ignore[no-untyped-def]
    root, store = site
    assert set(THINGS) <= set(examples(root, store.base)), examples(root, store.base)


@pytest.mark.parametrize("kind", THINGS)
@pytest.mark.parametrize("name,accept,document", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_things_see_other_to_the_negotiated_document(kind: str, name: str, accept: str | None,
                                                    document: str | None, site) -> None:  # type: ignore[no-untyped-def]
    root, store = site
    iri = examples(root, store.base)[kind]
    assert iri.startswith(root + "/")  # the IRI the release minted is the one this host answers for
    path = iri[len(root):]
    reply = get(root, path, accept)
    assert "Accept" in reply.headers.get("vary", ""), reply.headers
    if document is None:
        assert reply.status == 406
        return
    assert reply.status == 303, (path, reply.status, reply.body[:200])
    location = urllib.parse.urljoin(root + path, reply.headers["location"])
    assert location == f"{iri}.{document}"
    assert 'rel="alternate"' in reply.headers.get("link", "")
    target = get(root, location[len(root):], accept)
    assert target.status == 200 and target.headers["content-type"].startswith(MEDIA[document])
    if document in PARSERS:
        triples = parse(root, target.body, document, location)
        assert any(q.subject == ox.NamedNode(iri) for q in triples), f"the {document} document says nothing about {iri}"
    else:
        assert iri.encode() in target.body or path.encode() in target.body


@pytest.mark.parametrize("name,accept,document", REQUESTS, ids=[r[0] for r in REQUESTS])
@pytest.mark.parametrize("which", ["ontology", "version"])
def test_documents_answer_in_the_negotiated_format(which: str, name: str, accept: str | None, document: str | None,
                                                   site) -> None:  # type: ignore[no-untyped-def]
    root, store = site
    if which == "ontology":
        path = "/ontology"
    else:
        reply = get(root, "/sparql?" + urllib.parse.urlencode(
            {"query": f"SELECT ?v WHERE {{ <{store.base}ontology> <http://www.w3.org/2002/07/owl#versionIRI> ?v }}"}),
            "application/sparql-results+json")
        path = json.loads(reply.body)["results"]["bindings"][0]["v"]["value"][len(root):]
    if which == "version" and accept is None:
        document = "rdf"
    reply = get(root, path, accept)
    assert "Accept" in reply.headers.get("vary", "")
    if document is None:
        assert reply.status == 406
        return
    assert reply.status == 200, (path, reply.status)
    assert reply.headers["content-type"].startswith(MEDIA[document]), reply.headers["content-type"]
    if document in PARSERS:
        triples = parse(root, reply.body, document, root + path)
        assert any(q.subject == ox.NamedNode(store.base + "ontology") for q in triples)


@pytest.mark.parametrize("accept,document", [("text/turtle", "ttl"), (CHROMIUM, "html")])
def test_the_vocabulary_namespace_sees_other_to_the_ontology(accept: str, document: str, site) -> None:  # type: ignore[no-untyped-def]
    """Recipe 5 (slash namespace): the namespace IRI leads to the vocabulary's document."""
    root, _ = site
    reply = get(root, "/ontology/", accept)
    assert reply.status == 303 and urllib.parse.urljoin(root + "/ontology/", reply.headers["location"]) == root + "/ontology"
    target = get(root, "/ontology", accept)
    assert target.status == 200 and target.headers["content-type"].startswith(MEDIA[document])


@pytest.mark.parametrize("name,accept,document", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_hash_iris_are_described_by_the_document_before_the_hash(name: str, accept: str | None,
                                                                 document: str | None, site) -> None:  # type: ignore[no-untyped-def]
    """Cool URIs section 4.1 (hash URIs): a client strips the fragment and fetches the document, which answers
    200 in the negotiated format (no 303) and describes the fragment's thing (here a release's change records)."""
    root, store = site
    reply = get(root, "/sparql?" + urllib.parse.urlencode({"query": (
        f"SELECT (MIN(STR(?s)) AS ?iri) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
        f"\"{store.base}releases/\") && CONTAINS(STR(?s), \"#\")) }}")}), "application/sparql-results+json")
    iri = json.loads(reply.body)["results"]["bindings"][0]["iri"]["value"]
    path = iri[len(root):].partition("#")[0]
    reply = get(root, path, accept)
    assert "Accept" in reply.headers.get("vary", "")
    if document is None:
        assert reply.status == 406
        return
    assert reply.status == 200, (path, reply.status)
    assert reply.headers["content-type"].startswith(MEDIA[document]), reply.headers["content-type"]
    if document in PARSERS:
        triples = parse(root, reply.body, document, root + path)
        assert any(q.subject == ox.NamedNode(iri) for q in triples), f"{path} says nothing about {iri}"
    else:
        assert iri.partition("#")[2].encode() in reply.body


def test_an_iri_nobody_uses_is_404(site) -> None:  # type: ignore[no-untyped-def]
    root, _ = site
    assert get(root, "/gene/HGNC_0", "text/turtle").status == 404
