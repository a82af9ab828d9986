"""The W3C SPARQL 1.1 Protocol tests and Service Description tests, one test per manifest entry, against a live
evrdf server started with the documented CLI (and once more with --workers 2).

The vendored manifests (tests/w3c/sparql11/protocol, service-description) name each test and what it checks;
the HTTP requests are written out below, entry by entry, as the W3C protocol test descriptions give them (method,
path and query string, headers, body, expected status class, format and boolean; the path /sparql/ of the
descriptions is evrdf's /sparql, as they say to substitute). Each request is sent with http.client exactly so: no
header is added or dropped (a POST without Content-Type really has none).

The update tests (update_*) run against a server of their own, started with the operator's token
(EVRDF_UPDATE_TOKEN; each update request carries `Authorization: Bearer TOKEN`, as evrdf requires), each entry on a
fresh copy of a throwaway store, so no other test's release changes. Their requests are those of the upstream
manifest (w3c/rdf-tests, ht:Request resources; the vendored registry copy names the tests only): an update with
using-graph-uri / using-named-graph-uri or a relative IRI, then the query that checks it. As written they cannot
pass on evrdf, which publishes each update as a release and lets an update write only into its updates graphs
(evrdf/pipeline/update.py): they clear every graph (CLEAR ALL, DROP ALL) or write into graphs of their own
naming. Each is an xfail with that reason, once the server has refused it exactly so and left the release as it
was. The same requests with their graphs named under <base>graph/updates/ (and ALL read as DEFAULT, the updates
graph) must pass: that checks the protocol part, the using-graph-uri parameters and the service's base IRI.
The bad_update_* tests run on the query servers too, as they ask only for a 4xx; a second test sends them with
the operator's token, to check the statuses are the protocol's own.
"""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
import pytest
import rdflib

from tests.conftest import LoopbackStore, free_port, live_server
from tests.w3c import manifests
from tests.w3c.conftest import HERE

pytestmark = pytest.mark.live

K = "http://kasei.us/2009/09/sparql/data/"
D0 = "default-graph-uri=" + urllib.parse.quote(K + "data0.rdf", safe="")


def q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def graphs(name: str, *numbers: int) -> str:
    return "&".join(f"{name}={q(f'{K}data{n}.rdf')}" for n in numbers)


@dataclass
class Request:
    method: str
    path: str  # after /sparql
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: str = "2xx/3xx"  # or "4xx"
    format: str = ""  # "boolean", "tabular" or "RDF"
    boolean: bool | None = None


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
ASK_DEFAULTS = f"ASK {{ <{K}data1.rdf> a ?type . <{K}data2.rdf> a ?type . }}"
ASK_NAMED = f"ASK {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}"
ASK_FULL = (f"ASK {{\n  <{K}data3.rdf> a ?type\n  GRAPH ?g1 {{ <{K}data1.rdf> a ?type }}\n"
            f"  GRAPH ?g2 {{ <{K}data2.rdf> a ?type }}\n}}")
CONFLICT = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
            "DELETE { ?who foaf:givenName 'Bill' }\nINSERT { ?who foaf:givenName 'William' }\n"
            "WHERE { ?who foaf:givenName 'Bill' }")

REQUESTS: dict[str, Request] = {
    "query_post_form": Request("POST", f"?{D0}", b"query=ASK%20%7B%7D", FORM, format="boolean", boolean=True),
    "query_dataset_default_graphs_get": Request(
        "GET", f"?query={q(ASK_DEFAULTS)}&{graphs('default-graph-uri', 1, 2)}", format="boolean", boolean=True),
    "query_dataset_default_graphs_post": Request(
        "POST", f"?{graphs('default-graph-uri', 1, 2)}", ASK_DEFAULTS.encode(), QUERY, format="boolean", boolean=True),
    "query_dataset_named_graphs_post": Request(
        "POST", f"?{graphs('named-graph-uri', 1, 2)}", ASK_NAMED.encode(), QUERY, format="boolean", boolean=True),
    "query_dataset_named_graphs_get": Request(
        "GET", f"?query={q(ASK_NAMED)}&{graphs('named-graph-uri', 1, 2)}", format="boolean", boolean=True),
    "query_dataset_full": Request(
        "POST", f"?{graphs('default-graph-uri', 3)}&{graphs('named-graph-uri', 1, 2)}", ASK_FULL.encode(), QUERY,
        format="boolean", boolean=True),
    "query_multiple_dataset": Request(
        "POST", f"?{graphs('named-graph-uri', 1, 2)}",
        f"ASK FROM <{K}data3.rdf> {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}"
        .encode(), QUERY, format="boolean", boolean=True),
    "query_get": Request("GET", f"?query=ASK%20%7B%7D&{D0}", format="boolean", boolean=True),
    "query_content_type_select": Request("POST", f"?{D0}", b"SELECT (1 AS ?value) {}", QUERY, format="tabular"),
    "query_content_type_ask": Request("POST", f"?{D0}", b"ASK {}", QUERY, format="boolean"),
    "query_content_type_describe": Request("POST", f"?{D0}", b"DESCRIBE <http://example.org/>", QUERY, format="RDF"),
    "query_content_type_construct": Request("POST", f"?{D0}", b"CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY,
                                            format="RDF"),
    "query_post_direct": Request("POST", "", b"ASK {}", QUERY, format="boolean", boolean=True),
    "bad_query_method": Request("PUT", f"?query=ASK%20%7B%7D&{D0}", b"", FORM, status="4xx"),
    "bad_multiple_queries": Request("GET", "?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", status="4xx"),
    "bad_query_wrong_media_type": Request("POST", "", b"ASK {}", {"Content-Type": "text/plain"}, status="4xx"),
    "bad_query_missing_form_type": Request("POST", "", b"query=ASK%20%7B%7D", status="4xx"),
    "bad_query_missing_direct_type": Request("POST", "", b"ASK {}", status="4xx"),
    "bad_query_non_utf8": Request("POST", "", "ASK {}".encode("utf-16"),
                                  {"Content-Type": "application/sparql-query; charset=UTF-16"}, status="4xx"),
    "bad_query_syntax": Request("GET", "?query=ASK%20%7B", status="4xx"),
    "bad_update_get": Request("GET", "?update=CLEAR%20ALL", status="4xx"),
    "bad_multiple_updates": Request("POST", "", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM, status="4xx"),
    "bad_update_wrong_media_type": Request("POST", "", b"CLEAR NAMED", {"Content-Type": "text/plain"}, status="4xx"),
    "bad_update_missing_form_type": Request("POST", "", b"update=CLEAR%20NAMED", status="4xx"),
    "bad_update_non_utf8": Request("POST", "", "CLEAR NAMED".encode("utf-16"),
                                   {"Content-Type": "application/sparql-update; charset=UTF-16"}, status="4xx"),
    "bad_update_syntax": Request("POST", "", b"update=CLEAR%20XYZ", FORM, status="4xx"),
    "bad_update_dataset_conflict": Request("POST", f"?using-named-graph-uri={q('http://example/people')}",
                                           CONFLICT.encode(), UPDATE, status="4xx"),
}
UPDATES = {"update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
           "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri"}
PROTOCOL = manifests.read(HERE / "sparql11/protocol/manifest.ttl")
DESCRIPTION = manifests.read(HERE / "sparql11/service-description/manifest.ttl")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def send(endpoint: str, request: Request, extra: dict[str, str] | None = None) -> Reply:
    url = urllib.parse.urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        # skip_accept_encoding: http.client adds nothing but Host (and Content-Length for a body)
        connection.putrequest(request.method, url.path + request.path, skip_accept_encoding=True)
        for name, value in {**request.headers, **(extra or {})}.items():
            connection.putheader(name, value)
        if request.body or request.method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body or None)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


RESULT_TYPES = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                "application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/json": ox.QueryResultsFormat.JSON}
TABULAR = {**RESULT_TYPES, "text/csv": None, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
RDF = {"application/rdf+xml": ox.RdfFormat.RDF_XML, "text/turtle": ox.RdfFormat.TURTLE,
       "application/n-triples": ox.RdfFormat.N_TRIPLES}


def check(reply: Reply, expected: Request) -> None:
    if expected.status == "4xx":
        assert 400 <= reply.status < 500, (reply.status, reply.body[:300])
        return
    assert 200 <= reply.status < 400, (reply.status, reply.body[:300])
    if expected.format == "boolean":
        assert reply.media in RESULT_TYPES, reply.media  # SPARQL results XML or JSON
        result = ox.parse_query_results(reply.body, format=RESULT_TYPES[reply.media])
        assert isinstance(result, ox.QueryBoolean)
        if expected.boolean is not None:
            assert bool(result) is expected.boolean
    elif expected.format == "tabular":
        assert reply.media in TABULAR, reply.media  # XML, JSON, CSV or TSV
        if TABULAR[reply.media] is not None:
            assert isinstance(ox.parse_query_results(reply.body, format=TABULAR[reply.media]), ox.QuerySolutions)
    elif expected.format == "RDF":
        assert reply.media in RDF, reply.media  # RDF/XML, Turtle or N-Triples (RDFa is also allowed)
        list(ox.parse(reply.body, format=RDF[reply.media]))


@pytest.mark.parametrize("name", [e.id.split("#")[1] for e in PROTOCOL if e.id.split("#")[1] not in UPDATES])
def test_protocol(name: str, endpoint: str) -> None:
    assert name in REQUESTS, f"no request written for the manifest entry {name}"
    check(send(endpoint, REQUESTS[name]), REQUESTS[name])


def test_every_request_is_a_manifest_entry() -> None:
    names = {e.id.split("#")[1] for e in PROTOCOL}
    assert set(REQUESTS) | UPDATES == names and not set(REQUESTS) & UPDATES


# -- the service description tests ------------------------------------------------------------------------------
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
SD_CLASSES = {SD[c] for c in ("Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime",
                              "EntailmentProfile", "GraphCollection", "Dataset", "Graph", "NamedGraph")}
SD_PROPERTIES = {SD[p] for p in (
    "endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime", "defaultSupportedEntailmentProfile",
    "supportedEntailmentProfile", "extensionFunction", "extensionAggregate", "languageExtension",
    "supportedLanguage", "propertyFeature", "defaultDataset", "availableGraphs", "resultFormat", "inputFormat",
    "defaultGraph", "namedGraph", "name", "graph")}
SD_INSTANCES = {SD[i] for i in ("SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "DereferencesURIs",
                                "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs", "BasicFederatedQuery")}


def description(endpoint: str, accept: str = "text/turtle") -> tuple[Reply, rdflib.Graph]:
    reply = send(endpoint, Request("GET", ""), {"Accept": accept})
    formats = {"text/turtle": "turtle", "application/rdf+xml": "xml"}
    graph = rdflib.Graph().parse(data=reply.body, format=formats.get(reply.media, "turtle")) if reply.status == 200 \
        else rdflib.Graph()
    return reply, graph


def sd_returns_rdf(endpoint: str) -> None:
    for accept in ("text/turtle", "application/rdf+xml"):
        reply, graph = description(endpoint, accept)
        assert reply.status == 200 and reply.media == accept and len(graph) > 0


def sd_has_endpoint_triple(endpoint: str) -> None:
    _, graph = description(endpoint)
    assert (None, SD.endpoint, rdflib.URIRef(endpoint)) in graph


def sd_conforms_to_schema(endpoint: str) -> None:
    """The description uses the Service Description vocabulary as its schema defines it (terms, domains, ranges)."""
    _, graph = description(endpoint)
    used = {p for p in graph.predicates() if str(p).startswith(str(SD))}
    assert used <= SD_PROPERTIES, used - SD_PROPERTIES
    typed = {c for c in graph.objects(None, rdflib.RDF.type) if str(c).startswith(str(SD))}
    assert typed <= SD_CLASSES, typed - SD_CLASSES
    services = set(graph.subjects(rdflib.RDF.type, SD.Service))
    assert len(services) == 1
    service = next(iter(services))
    assert all(isinstance(e, rdflib.URIRef) for e in graph.objects(service, SD.endpoint))
    for language in graph.objects(service, SD.supportedLanguage):
        assert language in {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    for feature in graph.objects(service, SD.feature):
        assert feature in SD_INSTANCES
    assert all(isinstance(f, rdflib.URIRef) for f in graph.objects(service, SD.resultFormat))
    for dataset in graph.objects(service, SD.defaultDataset):
        assert (dataset, rdflib.RDF.type, SD.Dataset) in graph
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, rdflib.RDF.type, SD.Graph) in graph
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, rdflib.RDF.type, SD.NamedGraph) in graph
            assert isinstance(graph.value(named, SD.name), rdflib.URIRef)
            assert (graph.value(named, SD.graph), rdflib.RDF.type, SD.Graph) in graph


SD_TESTS = {"returns-rdf": sd_returns_rdf, "has-endpoint-triple": sd_has_endpoint_triple,
            "conforms-to-schema": sd_conforms_to_schema}


@pytest.mark.parametrize("name", [e.id.split("#")[1] for e in DESCRIPTION])
def test_service_description(name: str, endpoint: str) -> None:
    assert name in SD_TESTS, f"no check written for the manifest entry {name}"
    SD_TESTS[name](endpoint)


# -- with the operator's token, the bad update requests get the protocol's own statuses ----------------------------
TOKEN = "w3c-protocol-suite-token"


@pytest.fixture(scope="module")
def operator_endpoint(w3c_store: LoopbackStore) -> Iterator[str]:
    port = free_port()  # beside the suite's servers, which hold the base IRI's port
    with live_server(w3c_store.path, env={"EVRDF_UPDATE_TOKEN": TOKEN}, port=port):
        yield f"http://127.0.0.1:{port}/sparql"


@pytest.mark.parametrize("name,status", [
    ("bad_update_get", 400), ("bad_multiple_updates", 400), ("bad_update_wrong_media_type", 415),
    ("bad_update_missing_form_type", 400), ("bad_update_non_utf8", 415), ("bad_update_syntax", 400),
    ("bad_update_dataset_conflict", 400)])
def test_bad_updates_with_the_operators_token(name: str, status: int, operator_endpoint: str) -> None:
    reply = send(operator_endpoint, REQUESTS[name], {"Authorization": f"Bearer {TOKEN}"})
    assert reply.status == status, reply.body[:300]


def test_updates_without_the_token_are_refused_by_name(operator_endpoint: str) -> None:
    reply = send(operator_endpoint, Request("POST", "", b"CLEAR ALL", UPDATE))
    assert reply.status == 401 and b"token" in reply.body


# -- the update entries, with the operator's token, each on a throwaway store -------------------------------------
# Upstream's requests (w3c/rdf-tests sparql/sparql11/protocol/manifest.ttl, ht:Request resources), with the graph
# names as parameters: KASEI and EXAMPLE as written, or under the store's updates graph (UPDATE_GRAPHS). ALL is the
# CLEAR/DROP target: ALL as written, DEFAULT (the updates graph, an update's default graph) in the updates graphs.
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
DC = "http://purl.org/dc/terms/BibliographicResource"
NO_DATA3 = ("    FILTER NOT EXISTS {{\n        GRAPH <{X}{test}/> {{\n"
            "            <{K}data3.rdf> a <" + DC + "> .\n        }}\n    }}\n")


def _three(k: str) -> str:
    return "".join(f"    GRAPH <{k}data{n}.rdf> {{ <{k}data{n}.rdf> a foaf:Document }}\n" for n in (1, 2, 3))


def _both(k: str, x: str, test: str) -> str:
    return (f"ASK {{\n    GRAPH <{x}{test}/> {{\n        <{k}data1.rdf> a <{DC}> .\n        <{k}data2.rdf> a <{DC}> .\n"
            f"    }}\n" + NO_DATA3.format(X=x, K=k, test=test) + "}")


def update_entries(k: str, x: str, all_: str) -> dict[str, list[Request]]:
    """Each entry's requests, in order: the update (2xx), then the query that checks it."""
    def using(name: str, *numbers: int) -> str:
        return "&".join(f"{name}={q(f'{k}data{n}.rdf')}" for n in numbers)

    def update(path: str, text: str) -> Request:
        return Request("POST", path, text.encode(), UPDATE)

    def ask(text: str) -> Request:
        return Request("POST", "", text.encode(), QUERY, format="boolean", boolean=True)

    one = (f"{PREFIXES}CLEAR {all_} ;\nINSERT DATA {{\n    GRAPH <{k}data1.rdf> {{\n        <{k}data1.rdf> a "
           f"foaf:Document\n    }}\n}} ;\nINSERT {{\n    GRAPH <{x}protocol-update-dataset-test/> {{\n        ?s a "
           "dc:BibliographicResource\n    }\n}\nWHERE {\n    ?s a foaf:Document\n}")
    graphs = (f"{PREFIXES}DROP {all_} ;\nINSERT DATA {{\n{_three(k)}}} ;\nINSERT {{\n    GRAPH "
              f"<{x}protocol-update-dataset-graphs-test/> {{\n        ?s a dc:BibliographicResource\n    }}\n}}\n"
              "WHERE {\n    ?s a foaf:Document\n}")
    named = (f"{PREFIXES}DROP {all_} ;\nINSERT DATA {{\n{_three(k)}}} ;\nINSERT {{\n    GRAPH "
             f"<{x}protocol-update-dataset-named-graphs-test/> {{\n        ?s a dc:BibliographicResource\n    }}\n}}\n"
             "WHERE {\n    GRAPH ?g {\n        ?s a foaf:Document\n    }\n}")
    full = (f"{PREFIXES}DROP {all_} ;\nINSERT DATA {{\n{_three(k)}}} ;\nINSERT {{\n    GRAPH "
            f"<{x}protocol-update-dataset-full-test/> {{\n        ?s <http://example.org/in> ?in\n    }}\n}}\n"
            "WHERE {\n    {\n        GRAPH ?g { ?s a foaf:Document }\n        BIND(?g AS ?in)\n    }\n    UNION\n"
            "    {\n        ?s a foaf:Document .\n        BIND(\"default\" AS ?in)\n    }\n}")
    full_ask = (f"ASK {{\n    GRAPH <{x}protocol-update-dataset-full-test/> {{\n        <{k}data1.rdf> "
                f"<http://example.org/in> \"default\" .\n        <{k}data2.rdf> <http://example.org/in> <{k}data2.rdf> "
                f".\n    }}\n    FILTER NOT EXISTS {{\n        GRAPH <{x}protocol-update-dataset-full-test/> {{\n"
                f"            <{k}data3.rdf> ?p ?o\n        }}\n    }}\n}}")
    base = (f"CLEAR GRAPH <{x}protocol-base-test/> ;\nINSERT DATA {{ GRAPH <{x}protocol-base-test/> {{ "
            "<http://example.org/s> <http://example.org/p> <test> } }")
    base_select = (f"SELECT ?o WHERE {{\n    GRAPH <{x}protocol-base-test/> {{\n        <http://example.org/s> "
                   "<http://example.org/p> ?o\n    }\n}")
    return {
        "update_dataset_default_graph": [
            update(f"?{using('using-graph-uri', 1)}", one),
            ask(f"ASK {{\n    GRAPH <{x}protocol-update-dataset-test/> {{\n        <{k}data1.rdf> a <{DC}>\n    }}\n}}")],
        "update_dataset_default_graphs": [
            update(f"?{using('using-graph-uri', 1, 2)}", graphs),
            ask(_both(k, x, "protocol-update-dataset-graphs-test"))],
        "update_dataset_named_graphs": [
            update(f"?{using('using-named-graph-uri', 1, 2)}", named),
            ask(_both(k, x, "protocol-update-dataset-named-graphs-test"))],
        "update_dataset_full": [
            update(f"?{using('using-graph-uri', 1)}&{using('using-named-graph-uri', 2)}", full), ask(full_ask)],
        "update_post_form": [Request("POST", "", f"update=CLEAR+{all_}".encode(), FORM)],
        "update_post_direct": [update("", f"CLEAR {all_}")],
        "update_base_uri": [update("", base), Request("POST", "", base_select.encode(), QUERY, format="tabular")],
    }


AS_WRITTEN = update_entries(K, "http://example.org/", "ALL")
POLICY = ("evrdf publishes each update as a new release and lets an update write only into `<base>graph/updates` "
          "and the graphs under it (the others are rebuilt from their sources by `evrdf build`); this entry "
          "{what}, so evrdf refuses it with 403 and publishes nothing")
WHY = {"update_dataset_default_graph": "clears every graph (CLEAR ALL) and writes graphs of its own naming",
       "update_post_form": "clears every graph (CLEAR ALL)", "update_post_direct": "clears every graph (CLEAR ALL)",
       "update_base_uri": "writes the graph `<http://example.org/protocol-base-test/>`"}
# update_base_uri first clears that graph, which a fresh store does not have: Oxigraph records graphs, so CLEAR
# without SILENT fails (400, before the rule above is reached)
REFUSED = {name: (403, b"may write only into") for name in UPDATES} | {
    "update_base_uri": (400, b"<http://example.org/protocol-base-test/> does not exist")}


def update_graphs(base: str) -> dict[str, list[Request]]:
    """The same requests, their graphs named under the store's updates graph; update_base_uri's CLEAR GRAPH reads
    CLEAR SILENT GRAPH, as its graph does not exist on a fresh store (a release keeps no empty graphs), which
    Oxigraph, as the Update spec allows a store that records graphs, answers as a failure."""
    entries = update_entries(f"{base}graph/updates/w3c/kasei/", f"{base}graph/updates/w3c/", "DEFAULT")
    first = entries["update_base_uri"][0]
    first.body = first.body.replace(b"CLEAR GRAPH", b"CLEAR SILENT GRAPH", 1)
    return entries


def test_every_update_entry_has_its_requests() -> None:
    assert set(AS_WRITTEN) == UPDATES and set(update_graphs("http://127.0.0.1:1/")) == UPDATES


@pytest.fixture(scope="module")
def update_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store to copy for each entry (built without the reasoner, which these tests do not need)."""
    from evrdf.pipeline.build import build
    from evrdf.settings import Settings
    from tests.conftest import SOURCES

    path, base = tmp_path_factory.mktemp("w3c-update") / "store", f"http://127.0.0.1:{free_port()}/"
    build(Settings(store=path, sources=SOURCES, base_iri=base), reason=False)
    return path, base


@dataclass
class UpdateServer:
    endpoint: str
    store: Path
    base: str

    def release(self) -> str:
        from evrdf.store.oxigraph import OxigraphStore

        return str(OxigraphStore(self.store).release()["release"])


@pytest.fixture(scope="module", params=sorted(UPDATES))
def update_server(request: pytest.FixtureRequest, update_template: tuple[Path, str],
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, UpdateServer]]:
    """A fresh copy of the template store for each entry, served with the operator's token."""
    import shutil

    template, base = update_template
    store = tmp_path_factory.mktemp(request.param) / "store"
    shutil.copytree(template, store, symlinks=True)
    port = free_port()
    with live_server(store, env={"EVRDF_UPDATE_TOKEN": TOKEN}, port=port):  # gunicorn, as `evrdf serve` runs
        yield request.param, UpdateServer(f"http://127.0.0.1:{port}/sparql", store, base)


def run_entry(server: UpdateServer, requests: list[Request]) -> list[Reply]:
    """Send the entry's requests in order (an update with the operator's token), each checked as the manifest
    says; the replies."""
    replies = []
    for sent in requests:
        is_update = sent.headers == UPDATE or (sent.headers == FORM and sent.body.startswith(b"update="))
        token = {"Authorization": f"Bearer {TOKEN}"} if is_update else {}
        reply = send(server.endpoint, sent, token)
        replies.append(reply)
        check(reply, sent)
    return replies


def check_base(reply: Reply) -> None:
    """update_base_uri: "one result with ?o bound to an IRI that is not <test>" (resolved against a base)."""
    result = ox.parse_query_results(reply.body, format=RESULT_TYPES[reply.media])
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert len(rows) == 1 and isinstance(rows[0]["o"], ox.NamedNode) and rows[0]["o"].value != "test", rows


def test_update_entry_as_written(update_server: tuple[str, UpdateServer]) -> None:
    name, server = update_server
    before = server.release()
    first = AS_WRITTEN[name][0]
    reply = send(server.endpoint, first, {"Authorization": f"Bearer {TOKEN}"})
    status, says = REFUSED[name]
    if reply.status == status and says in reply.body:
        assert server.release() == before  # refused: nothing published
        reason = POLICY.format(what=WHY.get(name, "drops every graph (DROP ALL)"))
        if name == "update_base_uri":
            reason = ("it first clears `<http://example.org/protocol-base-test/>`, which a fresh store does not have: "
                      "Oxigraph records graphs, so CLEAR without SILENT fails (400, nothing published); and the "
                      "graph it then writes is not under `<base>graph/updates`, the only graphs evrdf lets an update "
                      "write (the others are rebuilt from their sources by `evrdf build`)")
        pytest.xfail(reason)
    check(reply, first)  # otherwise the entry must pass as the manifest says
    for sent in AS_WRITTEN[name][1:]:
        check(send(server.endpoint, sent), sent)


def test_update_entry_in_the_updates_graphs(update_server: tuple[str, UpdateServer]) -> None:
    name, server = update_server
    before = server.release()
    replies = run_entry(server, update_graphs(server.base)[name])
    assert replies[0].headers.get("x-evrdf-release") not in (None, before)  # published as a new release
    assert server.release() == replies[0].headers["x-evrdf-release"]
    if name == "update_base_uri":
        check_base(replies[1])
