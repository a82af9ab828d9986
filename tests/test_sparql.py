"""/sparql as SPARQL 1.1 Protocol clients see it (Flask test client over the real Oxigraph store): every protocol
case, every result format parsed back by a real parser, conditional requests, CORS, the service description,
VoID, DESCRIBE modes, the example queries, and the limits."""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading
import time
import xml.etree.ElementTree as ET

import pyoxigraph
import pytest
import rdflib

from evrdf.query import examples
from evrdf.serve.app import create_app
from evrdf.settings import Settings

EVO = "https://w3id.org/evrdf/ontology/"
COUNT = f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{EVO}Finding> }}"
CONSTRUCT = 'CONSTRUCT { ?c ?p ?o } WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> "exosome"@en ; ?p ?o }'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def make_client(settings: Settings, store, **changes):  # type: ignore[no-untyped-def]
    changes = {"budget_s": 0.0, **changes}
    app = create_app(settings.with_(**changes), store)
    app.testing = True
    return app.test_client()


@pytest.fixture()
def api(settings, store):  # type: ignore[no-untyped-def]
    return make_client(settings, store)


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# -- the query operation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["get", "post-form", "post-direct"])
def test_query_by_each_protocol_binding(how: str, api, report) -> None:  # type: ignore[no-untyped-def]
    if how == "get":
        response = api.get("/sparql", query_string={"query": COUNT})
    elif how == "post-form":
        response = api.post("/sparql", data={"query": COUNT})
    else:
        response = api.post("/sparql", data=COUNT.encode(), content_type="application/sparql-query")
    assert response.status_code == 200
    assert count(response.data) == report.findings


def test_default_and_named_graph_uris_restrict_the_dataset(api, store) -> None:  # type: ignore[no-untyped-def]
    graph = next(g for g in store.named_graphs() if g.endswith("/ontology")) if any(
        g.endswith("/ontology") for g in store.named_graphs()) else store.named_graphs()[0]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    everything = count(api.get("/sparql", query_string={"query": query}).data)
    one = count(api.get("/sparql", query_string={"query": query, "default-graph-uri": graph}).data)
    assert 0 < one < everything
    named = api.post("/sparql", data={"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                      "named-graph-uri": graph})
    assert count(named.data) == 1


@pytest.mark.parametrize("method,kwargs,status,message", [
    ("put", {"query_string": {"query": COUNT}}, 405, "not a SPARQL Protocol operation"),
    ("get", {"query_string": [("query", COUNT), ("query", COUNT)]}, 400, "more than one 'query'"),
    ("post", {"data": "query=x", "content_type": "text/plain"}, 415, "unsupported Content-Type"),
    ("post", {"data": b"query=" + COUNT.encode()}, 400, "needs a Content-Type"),
    ("post", {"data": b"\xff\xfe", "content_type": "application/sparql-query"}, 400, "not valid UTF-8"),
    ("post", {"data": b"query=%FF%FE", "content_type": "application/x-www-form-urlencoded"}, 400, "not valid UTF-8"),
    ("get", {"query_string": "query=%C3%28"}, 400, "not valid UTF-8"),
    ("get", {"query_string": {"query": "SELEKT *"}}, 400, "syntax error"),
    ("post", {"data": {"format": "json"}}, 400, "missing 'query'"),
    ("get", {"query_string": {"query": COUNT, "format": "png"}}, 400, "unknown format"),
    ("get", {"query_string": {"query": COUNT, "format": "ttl"}}, 400, "cannot represent SELECT"),
    ("get", {"query_string": {"query": COUNT}, "headers": {"Accept": "image/png"}}, 406, "none of the acceptable"),
    ("get", {"query_string": {"query": CONSTRUCT}, "headers": {"Accept": "text/csv"}}, 406, "CONSTRUCT/DESCRIBE"),
    ("get", {"query_string": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 400, "SPARQL Update, not a query"),
    ("get", {"query_string": {"query": COUNT, "describe": "all"}}, 400, "unknown describe="),
])
def test_protocol_errors(method: str, kwargs: dict, status: int, message: str, api) -> None:  # type: ignore[no-untyped-def,type-arg]
    response = getattr(api, method)("/sparql", **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert response.mimetype == "text/plain"


def test_wrong_method_names_the_allowed_ones(api) -> None:  # type: ignore[no-untyped-def]
    response = api.delete("/sparql")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_request_body_limit_is_413(settings, store) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, max_body_bytes=1000)
    response = api.post("/sparql", data=("# " + "x" * 2000 + "\n" + COUNT).encode(),
                        content_type="application/sparql-query")
    assert response.status_code == 413 and "1000 bytes" in response.get_data(as_text=True)


# -- update -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("token,auth,status,message", [
    (None, None, 403, "SPARQL Update is disabled"),
    ("s3cret", None, 401, "needs the operator's token"),
    ("s3cret", "Bearer wrong", 401, "needs the operator's token"),
    ("s3cret", "Bearer s3cret", 403, "may write only into"),  # the token holder may not touch a source's graph
])
def test_update_is_refused_and_never_changes_data(token, auth, status, message, settings, store,  # type: ignore[no-untyped-def]
                                                  report) -> None:
    api = make_client(settings, store, update_token=token)
    headers = {"Authorization": auth} if auth else {}
    update = f"DELETE WHERE {{ GRAPH ?g {{ ?f a <{EVO}Finding> }} }}"
    for response in (api.post("/sparql", data={"update": update}, headers=headers),
                     api.post("/sparql", data=update, content_type="application/sparql-update", headers=headers)):
        assert response.status_code == status and message in response.get_data(as_text=True)
    assert count(api.get("/sparql", query_string={"query": COUNT}).data) == report.findings


# -- result formats, parsed back ----------------------------------------------------------------------------
def _parse_results(mimetype: str, body: bytes) -> int:
    if "json" in mimetype:
        return count(body)
    if "xml" in mimetype:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        return int(ET.fromstring(body).find(".//r:binding[@name='n']/r:literal", ns).text)  # type: ignore[union-attr]
    delimiter = "\t" if "tab" in mimetype else ","
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
    return int(rows[1][0].split("^^")[0].strip('"'))


@pytest.mark.parametrize("accept,mimetype", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/csv"),
    ("text/csv;q=0.1, application/sparql-results+xml", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_results_in_each_format(accept: str, mimetype: str, api, report) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    assert _parse_results(mimetype, response.data) == report.findings


@pytest.mark.parametrize("accept,parser", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/trig", "trig"), ("application/n-quads", "nquads"),
])
def test_graph_results_in_each_format(accept: str, parser: str, api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    if parser in ("trig", "nquads"):
        fmt = pyoxigraph.RdfFormat.TRIG if parser == "trig" else pyoxigraph.RdfFormat.N_QUADS
        subjects = {q.subject.value for q in pyoxigraph.parse(response.data, format=fmt)}
        assert f"{EVO}Exosome" in subjects
    else:
        graph = rdflib.Graph().parse(data=response.data, format=parser)
        assert (rdflib.URIRef(f"{EVO}Exosome"), None, None) in graph


def test_json_ld_carries_the_published_context(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": CONSTRUCT, "format": "jsonld"})
    document = json.loads(response.data)
    published = api.get("/sparql/context.jsonld").get_json()
    assert document["@context"] == published["@context"] and published["@context"]["evo"] == EVO
    assert "json-ld#context" in response.headers["Link"]


@pytest.mark.parametrize("fmt,mimetype", [("csv", "text/csv"), ("xml", "application/sparql-results+xml"),
                                          ("application/sparql-results+json", "application/sparql-results+json")])
def test_format_parameter_overrides_accept(fmt: str, mimetype: str, api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": COUNT, "format": fmt}, headers={"Accept": "text/tab-separated-values"})
    assert response.mimetype == mimetype


def test_ask(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": f"ASK {{ ?f a <{EVO}Finding> }}"})
    assert json.loads(response.data)["boolean"] is True


# -- HTTP: HEAD, gzip, CORS, ETag / Last-Modified -----------------------------------------------------------
def test_head_has_headers_and_no_body(api) -> None:  # type: ignore[no-untyped-def]
    response = api.head("/sparql", query_string={"query": COUNT})
    assert response.status_code == 200 and response.data == b""
    assert response.mimetype == "application/sparql-results+json" and response.headers["ETag"]


def test_gzip_when_asked(api) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 500"
    plain = api.get("/sparql", query_string={"query": query})
    zipped = api.get("/sparql", query_string={"query": query}, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data)


def test_cors_and_preflight(api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/sparql", query_string={"query": COUNT}).headers["Access-Control-Allow-Origin"] == "*"
    preflight = api.options("/sparql", headers={"Origin": "https://example.org",
                                                "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_etag_and_last_modified_come_from_the_release(api, report) -> None:  # type: ignore[no-untyped-def]
    first = api.get("/sparql", query_string={"query": COUNT})
    etag = first.headers["ETag"]
    assert report.release in etag and first.headers["Last-Modified"]
    again = api.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = api.get("/sparql", query_string={"query": COUNT}, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = api.get("/sparql", query_string={"query": COUNT, "format": "csv"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_answers_are_cached_per_release(api) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c } # cache test"
    first = api.get("/sparql", query_string={"query": query})
    second = api.get("/sparql", query_string={"query": query})
    assert "X-Evrdf-Cache" not in first.headers and second.headers["X-Evrdf-Cache"] == "hit"
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]


# -- the bare endpoint: editor, service description; VoID; examples ---------------------------------------
def test_browser_gets_the_query_editor_offline(api) -> None:  # type: ignore[no-untyped-def]
    page = api.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Human chemokines of a family" in text
    assert "/static/yasgui/yasgui.min.js" in text and "https://" not in text.split("<script")[1][:200]
    script = api.get("/static/yasgui/yasgui.min.js")
    assert script.status_code == 200 and len(script.data) > 100_000
    script.close()


def _parse(response, fmt: str) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    return rdflib.Graph().parse(data=response.data, format=fmt)


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml"), ("*/*", "turtle")])
def test_service_description(accept: str, fmt: str, settings, store, report) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, query_timeout_s=12.5, max_result_bytes=123456)
    g = _parse(api.get("/sparql", headers={"Accept": accept}), fmt)
    service = g.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service == rdflib.URIRef("http://localhost/sparql") == g.value(service, SD.endpoint)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) in g
    names = {str(n) for n in g.objects(None, SD.name)}
    assert names == set(store.named_graphs())
    default = g.value(g.value(service, SD.defaultDataset), SD.defaultGraph)
    assert int(g.value(default, VOID.triples)) == report.triples  # type: ignore[arg-type]
    limits = rdflib.Namespace(settings.base_iri + "ns/service#")
    assert str(g.value(service, limits.queryTimeout)) == "PT12.5S"
    assert int(g.value(service, limits.maxResultBytes)) == 123456  # type: ignore[arg-type]
    assert g.value(service, limits.defaultDescribeMode).toPython() == "cbd"  # type: ignore[union-attr]


def test_the_service_description_states_the_budget_and_the_nesting_limits(settings, store) -> None:  # type: ignore[no-untyped-def]
    from evrdf.query_policy import MAX_DEPTH, MAX_NESTING

    api = make_client(settings, store, budget_s=90.0, budget_window_s=60.0, max_expensive=3)
    g = _parse(api.get("/sparql", headers={"Accept": "text/turtle"}), "turtle")
    service, limits = rdflib.URIRef("http://localhost/sparql"), rdflib.Namespace(settings.base_iri + "ns/service#")
    from datetime import timedelta

    assert g.value(service, limits.queryTimeBudget).toPython() == timedelta(seconds=90)  # type: ignore[union-attr]
    assert g.value(service, limits.queryTimeBudgetWindow).toPython() == timedelta(seconds=60)  # type: ignore[union-attr]
    assert g.value(service, limits.uncharged).toPython() == timedelta(seconds=0.25)  # type: ignore[union-attr]
    assert int(g.value(service, limits.maxExpensiveQueriesPerClient)) == 3  # type: ignore[arg-type]
    assert int(g.value(service, limits.maxNesting)) == MAX_NESTING == 64  # type: ignore[arg-type]
    assert int(g.value(service, limits.maxQueryDepth)) == MAX_DEPTH == 1000  # type: ignore[arg-type]
    assert g.value(limits.maxNesting, rdflib.RDFS.comment) is not None  # each limit says what happens past it


def test_void(api, store, report) -> None:  # type: ignore[no-untyped-def]
    g = _parse(api.get("/.well-known/void", headers={"Accept": "text/turtle"}), "turtle")
    dataset = rdflib.URIRef("https://w3id.org/evrdf/dataset")
    assert int(g.value(dataset, VOID.triples)) == report.triples  # type: ignore[arg-type]
    assert g.value(dataset, rdflib.DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities))  # type: ignore[arg-type]
                  for p in g.objects(dataset, VOID.classPartition)}
    assert partitions[rdflib.URIRef(f"{EVO}Finding")] == report.findings
    properties = {g.value(p, VOID.property) for p in g.objects(dataset, VOID.propertyPartition)}
    assert rdflib.RDFS.label in properties
    targets = {str(g.value(ls, VOID.objectsTarget)) for ls in g.subjects(rdflib.RDF.type, VOID.Linkset)}
    assert {"http://purl.obolibrary.org/obo/go.owl", "http://purl.obolibrary.org/obo/cl.owl",
            "http://purl.uniprot.org/uniprot/"} <= targets
    assert {str(s) for s in g.objects(dataset, VOID.subset) if isinstance(s, rdflib.URIRef)} == set(store.named_graphs())


def test_every_published_example_runs_against_the_endpoint(api, settings) -> None:  # type: ignore[no-untyped-def]
    g = _parse(api.get("/.well-known/sparql-examples", headers={"Accept": "text/turtle"}), "turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    published = list(g.subjects(rdflib.RDF.type, sh.SPARQLExecutable))
    assert len(published) == len(examples(settings.base_iri)) > 0
    for node in published:
        query = g.value(node, sh.select) or g.value(node, sh.ask) or g.value(node, sh.construct)
        response = api.post("/sparql", data={"query": str(query)})
        assert response.status_code == 200, (node, response.get_data(as_text=True))
        body = json.loads(response.data)
        assert body.get("boolean") is True or body["results"]["bindings"], f"{node} returned nothing"


# -- DESCRIBE -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [None, "cbd", "own", "scbd"])
def test_describe_modes(mode: str | None, api) -> None:  # type: ignore[no-untyped-def]
    exosome = rdflib.URIRef(f"{EVO}Exosome")
    args = {"query": f"PREFIX evo: <{EVO}> DESCRIBE ?c WHERE {{ ?c rdfs:label \"exosome\"@en }}".replace(
        "rdfs:label", "<http://www.w3.org/2000/01/rdf-schema#label>"), "format": "nt"}
    if mode:
        args["describe"] = mode
    g = _parse(api.get("/sparql", query_string=args), "nt")
    own = set(g.triples((exosome, None, None)))
    incoming = set(g.triples((None, None, exosome)))
    assert own, "the resource's own triples are always there"
    if mode == "scbd":
        assert incoming, "the symmetric description includes incoming links (e.g. subclasses of Exosome)"
    else:
        assert all(s == exosome or isinstance(s, rdflib.BNode) for s in g.subjects())
    if mode == "own":
        assert set(g) == own


# -- limits -------------------------------------------------------------------------------------------------
def test_result_size_limit(settings, store) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, max_result_bytes=2000)
    response = api.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1000"})
    assert response.status_code == 422 and "larger than the limit of 2000 bytes" in response.get_data(as_text=True)
    assert api.get("/sparql", query_string={"query": COUNT}).status_code == 200


def test_cheap_queries_are_never_throttled_by_the_default_budget(settings, store) -> None:  # type: ignore[no-untyped-def]
    """A test suite or a federation engine's bind join: hundreds of cheap queries in a row, at full speed."""
    api = make_client(settings, store, budget_s=Settings().budget_s, cache_bytes=0)
    statuses = {api.get("/sparql", query_string={"query": f"{COUNT} # {i}"}).status_code for i in range(300)}
    assert statuses == {200}


MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?e }"  # evaluates for a tenth of a second or more


def test_a_client_that_spends_its_query_time_budget_gets_429_with_retry_after(settings, store) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, budget_s=0.02, budget_window_s=60.0, budget_free_s=0.0, cache_bytes=0)
    assert api.get("/sparql", query_string={"query": MEDIUM}).status_code == 200  # charged its evaluation time
    refused = api.get("/sparql", query_string={"query": COUNT})
    assert refused.status_code == 429, refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1 and "query-time budget" in refused.get_data(as_text=True)
    other = api.get("/sparql", query_string={"query": COUNT}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # every client has its own budget


@pytest.mark.oxigraph_only("the cap counts queries running past budget_free_s; timing the remote store adds nothing")
def test_a_client_may_run_only_so_many_expensive_queries_at_once(settings, store) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, budget_s=1000.0, budget_free_s=0.1, max_expensive=1, cache_bytes=0,
                      query_timeout_s=3.0)
    api.get("/sparql", query_string={"query": COUNT})  # query processes up
    slow = threading.Thread(target=lambda: api.get("/sparql", query_string={"query": SLOW}))
    slow.start()
    time.sleep(0.6)  # past budget_free_s: the slow query is expensive now
    refused = api.get("/sparql", query_string={"query": COUNT})
    other = api.get("/sparql", query_string={"query": COUNT}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    slow.join(timeout=30)
    assert refused.status_code == 429 and "expensive queries" in refused.get_data(as_text=True)
    assert other.status_code == 200
    assert api.get("/sparql", query_string={"query": COUNT}).status_code == 200  # the slow one ended


def test_timeout_stops_a_slow_query_without_blocking_others(settings, store, report) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, query_timeout_s=2.0, query_workers=2)
    api.get("/sparql", query_string={"query": COUNT})  # workers up
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        response = api.get("/sparql", query_string={"query": SLOW})
        slow.update(status=response.status_code, text=response.get_data(as_text=True),
                    seconds=time.monotonic() - started)
    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    fast = api.get("/sparql", query_string={"query": COUNT + " # not cached"})
    fast_seconds = time.monotonic() - started
    thread.join()
    assert fast.status_code == 200 and count(fast.data) == report.findings and fast_seconds < 1.5
    assert slow["status"] == 503 and "timeout" in str(slow["text"]) and float(slow["seconds"]) < 6  # type: ignore[arg-type]
    # the killed worker was replaced: the endpoint keeps answering
    assert api.get("/sparql", query_string={"query": COUNT + " # after"}).status_code == 200


# -- federation out ----------------------------------------------------------------------------------------
def test_federation_out_is_off_by_default(api) -> None:  # type: ignore[no-untyped-def]
    query = "PREFIX x: <https://query.wikidata.org/> SELECT * WHERE { SERVICE SILENT x:sparql { ?s ?p ?o } } LIMIT 1"
    response = api.get("/sparql", query_string={"query": query})
    assert response.status_code == 403
    assert "SERVICE https://query.wikidata.org/sparql is not allowed" in response.get_data(as_text=True)


@pytest.mark.oxigraph_only("the remote store refuses SERVICE: the engine would fetch URLs with its own rights")
def test_federation_out_only_to_allowed_endpoints(settings, store) -> None:  # type: ignore[no-untyped-def]
    api = make_client(settings, store, federation_allow=("http://127.0.0.1:9/sparql",))
    refused = api.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://evil.example/s> {?s ?p ?o} }"})
    assert refused.status_code == 403 and "allowed: http://127.0.0.1:9/sparql" in refused.get_data(as_text=True)
    allowed = api.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> "
                                                         "{ ?s ?p ?o } }"})
    assert allowed.status_code == 200  # allowed through; SILENT turns the unreachable endpoint into no rows
