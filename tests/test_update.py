"""SPARQL Update for the operator (issue 4: "refused unless the operator configures a token"): over HTTP with the
token an update is published as a new release; it may write only into the updates graphs; a refused, malformed
or invalid update publishes nothing; caches never serve the old release; `evrdf build` carries updates forward.

Each test gets its own store (updates change it), built without the reasoner to stay fast."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import rdflib

from evrdf.pipeline.build import build
from evrdf.pipeline.update import journal
from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import FINDING_ROWS, SOURCES

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
UPDATES = BASE + "graph/updates"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
NOTE = f'INSERT DATA {{ <{BASE}note/1> <{RDFS}comment> "checked against the review" }}'
NOTES = f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ <{BASE}note/1> <{RDFS}comment> ?o }} }}"
FINDINGS = f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{EVO}Finding> }}"
CURATED = str(len(FINDING_ROWS))  # the curated findings: updates leave their number as it was


@pytest.fixture()
def own(tmp_path: Path) -> Settings:
    settings = Settings(store=tmp_path / "store", sources=SOURCES, update_token=TOKEN)
    build(settings, reason=False)
    return settings


def client(settings: Settings):  # type: ignore[no-untyped-def]
    app = create_app(settings, OxigraphStore(settings.store))
    app.testing = True
    return app.test_client()


def rows(api, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    response = api.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(response.data)["results"]["bindings"]]


def release(settings: Settings) -> str:
    return str(OxigraphStore(settings.store).release()["release"])


@pytest.mark.parametrize("how", ["form", "direct"])
def test_an_authorised_update_is_published_as_a_new_release(how: str, own: Settings) -> None:
    api, before = client(own), release(own)
    if how == "form":
        response = api.post("/sparql", data={"update": NOTE}, headers=AUTH)
    else:
        response = api.post("/sparql", data=NOTE, content_type="application/sparql-update", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    after = release(own)
    assert after != before and response.headers["X-Evrdf-Release"] == after
    assert "1 triples inserted" in response.get_data(as_text=True)
    # in the default graph (the union) and in the updates graph, which the metadata graph describes
    assert rows(api, NOTES) == [{"g": UPDATES, "o": "checked against the review"}]
    assert rows(api, f"SELECT ?n WHERE {{ <{BASE}dataset> <http://rdfs.org/ns/void#subset> <{UPDATES}> . "
                     f"<{UPDATES}> <http://rdfs.org/ns/void#triples> ?n }}") == [{"n": "1"}]
    # the published data is otherwise unchanged
    assert rows(api, FINDINGS) == [{"n": CURATED}]
    entries = journal(OxigraphStore(own.store).release_dir())
    assert [(e["previous"], e["release"], e["update"]) for e in entries] == [(before, after, NOTE)]


def test_an_update_can_read_every_graph_and_write_a_graph_of_its_own(own: Settings) -> None:
    api = client(own)
    update = (f"INSERT {{ GRAPH <{UPDATES}/reviewed> {{ ?f <{RDFS}comment> \"reviewed\" }} }} "
              f"WHERE {{ GRAPH ?g {{ ?f a <{EVO}Finding> }} }}")
    response = api.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert f"{CURATED} triples inserted" in response.get_data(as_text=True)
    assert rows(api, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{UPDATES}/reviewed> {{ ?s ?p ?o }} }}") == [{"n": CURATED}]
    # and delete them again: the graph is gone from the data and from the metadata
    response = api.post("/sparql", data={"update": f"CLEAR GRAPH <{UPDATES}/reviewed>"}, headers=AUTH)
    assert response.status_code == 200 and f"{CURATED} deleted" in response.get_data(as_text=True)
    assert rows(api, f"SELECT ?p WHERE {{ <{UPDATES}/reviewed> ?p ?o }}") == []


@pytest.mark.parametrize("update,status,message", [
    (f"DELETE WHERE {{ GRAPH <{BASE}graph/hgnc> {{ ?s <{RDFS}label> ?l }} }}", 403, "changes <https://w3id.org/evrdf/graph/hgnc>"),
    (f"INSERT DATA {{ GRAPH <{BASE}graph/references> {{ <{BASE}x> <{RDFS}label> \"x\" }} }}", 403, "graph/references"),
    (f"DROP GRAPH <{BASE}graph/ontology>", 403, "graph/ontology"),
    ("CLEAR ALL", 403, "rebuilt from it by `evrdf build`"),
    (f"DELETE {{ GRAPH ?g {{ ?f a <{EVO}Finding> }} }} WHERE {{ GRAPH ?g {{ ?f a <{EVO}Finding> }} }}", 403, "bian2019"),
    # balanced: as many triples in as out, so only the content checksum can tell
    (f"DELETE {{ GRAPH <{BASE}graph/hgnc> {{ ?s <{RDFS}label> ?l }} }} INSERT {{ GRAPH <{BASE}graph/hgnc> "
     f"{{ ?s <{RDFS}label> \"renamed\" }} }} WHERE {{ GRAPH <{BASE}graph/hgnc> {{ ?s <{RDFS}label> ?l }} "
     f"FILTER(?l = \"CCL5\") }}", 403, "graph/hgnc"),
    ("LOAD <http://127.0.0.1:9/x.ttl>", 403, "LOAD is not allowed"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403, "is not allowed"),
    (f"INSERT DATA {{ <{BASE}n> <{RDFS}label> \"n\" }} ; PREFIX ex: <http://127.0.0.1:9/> "
     "INSERT { ?s ?p ?o } WHERE { SERVICE ex:sparql { ?s ?p ?o } }", 403, "SERVICE http://127.0.0.1:9/sparql is not"),
    ("INSERT DATA { <x> <y> }", 400, "syntax error"),
    (f"CLEAR GRAPH <{UPDATES}/none>", 400, f"The graph <{UPDATES}/none> does not exist"),
    (f"INSERT DATA {{ <{BASE}finding/bad> a <{EVO}Finding> }}", 422, "SHACL validation failed"),
])
def test_a_refused_update_publishes_nothing(update: str, status: int, message: str, own: Settings) -> None:
    api, before = client(own), release(own)
    response = api.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert release(own) == before and rows(api, FINDINGS) == [{"n": CURATED}]


@pytest.mark.parametrize("update,using,message", [
    (f"DELETE WHERE {{ GRAPH <{UPDATES}/a> {{ ?s ?p ?o }} }}", f"{UPDATES}/a", "DELETE WHERE { ... } reads no dataset"),
    (f"INSERT {{ GRAPH <{UPDATES}/b> {{ ?s a ?t }} }} WHERE {{ ?s a ?t }}", "no iri", "'no iri' is not an IRI"),
    (f"INSERT {{ GRAPH <{UPDATES}/b> {{ ?s a ?t }} }} WHERE {{ ?s a ?t }}", "x> } ; DROP ALL ; #", "is not an IRI"),
])
def test_using_graph_uri_that_cannot_apply_is_refused(update: str, using: str, message: str, own: Settings) -> None:
    """using-graph-uri becomes USING before each top-level WHERE (SPARQL 1.1 Protocol 2.2.3); where it cannot, 400."""
    api, before = client(own), release(own)
    response = api.post("/sparql", query_string={"using-graph-uri": using}, data=update,
                        headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert release(own) == before


def test_using_graph_uri_is_the_update_s_where_dataset(own: Settings) -> None:
    api = client(own)
    seed = (f"INSERT DATA {{ GRAPH <{UPDATES}/a> {{ <{BASE}n/1> a <{EVO}Note> }} "
            f"GRAPH <{UPDATES}/b> {{ <{BASE}n/2> a <{EVO}Note> }} }}")
    assert api.post("/sparql", data={"update": seed}, headers=AUTH).status_code == 200
    copy = f"INSERT {{ GRAPH <{UPDATES}/copied> {{ ?n a <{EVO}Note> }} }} WHERE {{ ?n a <{EVO}Note> }}"
    response = api.post("/sparql", query_string={"using-graph-uri": f"{UPDATES}/a"}, data=copy,
                        headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert response.status_code == 200, response.get_data(as_text=True)
    copied = f"SELECT ?o WHERE {{ GRAPH <{UPDATES}/copied> {{ ?o a <{EVO}Note> }} }}"
    assert rows(api, copied) == [{"o": f"{BASE}n/1"}]  # only graph a was the WHERE's default graph


def test_relative_iris_in_an_update_resolve_against_the_endpoint(own: Settings) -> None:
    api = client(own)
    update = f"INSERT DATA {{ GRAPH <{UPDATES}/rel> {{ <{BASE}s> <{RDFS}seeAlso> <test> }} }}"
    assert api.post("/sparql", data={"update": update}, headers=AUTH).status_code == 200
    found = rows(api, f"SELECT ?o WHERE {{ GRAPH <{UPDATES}/rel> {{ ?s ?p ?o }} }}")
    assert found == [{"o": "http://localhost/test"}]  # the test client's endpoint is http://localhost/sparql


def test_cached_answers_and_etags_follow_the_new_release(own: Settings) -> None:
    api = client(own)
    first = api.get("/sparql", query_string={"query": NOTES})
    again = api.get("/sparql", query_string={"query": NOTES})
    assert again.headers.get("X-Evrdf-Cache") == "hit" and json.loads(again.data)["results"]["bindings"] == []
    assert api.post("/sparql", data={"update": NOTE}, headers=AUTH).status_code == 200
    after = api.get("/sparql", query_string={"query": NOTES}, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers.get("X-Evrdf-Cache") != "hit"
    assert after.headers["ETag"] != first.headers["ETag"]
    assert len(json.loads(after.data)["results"]["bindings"]) == 1


def test_concurrent_updates_are_applied_one_after_the_other(own: Settings) -> None:
    api = client(own)
    statuses: list[int] = []

    def send(n: int) -> None:
        update = f'INSERT DATA {{ <{BASE}note/{n}> <{RDFS}comment> "note {n}" }}'
        statuses.append(api.post("/sparql", data={"update": update}, headers=AUTH).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert rows(api, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{UPDATES}> {{ ?s ?p ?o }} }}") == [{"n": "4"}]
    assert len(journal(OxigraphStore(own.store).release_dir())) == 4


def test_a_rebuild_carries_the_updates_forward(own: Settings) -> None:
    assert client(own).post("/sparql", data={"update": NOTE}, headers=AUTH).status_code == 200
    report = build(own, reason=False)
    api = client(own)
    assert rows(api, NOTES) == [{"g": UPDATES, "o": "checked against the review"}]
    assert report.graphs[UPDATES] == 1 and len(journal(OxigraphStore(own.store).release_dir())) == 1


def test_the_service_description_says_updates_are_accepted(own: Settings) -> None:
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    for token, expected in ((TOKEN, True), (None, False)):
        response = client(own.with_(update_token=token)).get("/sparql", headers={"Accept": "text/turtle"})
        g = rdflib.Graph().parse(data=response.data, format="turtle")
        assert ((None, sd.supportedLanguage, sd.SPARQL11Update) in g) is expected


@pytest.mark.parametrize("args,code,output", [
    ([NOTE], 0, "1 triples inserted"),
    ([f"DROP GRAPH <{BASE}graph/hgnc>"], 1, "may write only into"),
    (["INSERT DATA { <x> }"], 1, "syntax error"),
    ([], 2, "give the update"),
])
def test_evrdf_update_exit_codes(args: list[str], code: int, output: str, own: Settings) -> None:
    before = release(own)
    done = subprocess.run([sys.executable, "-m", "evrdf", "update", "--store", str(own.store), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == code and output in done.stdout + done.stderr
    assert (release(own) != before) is (code == 0)


def test_with_the_remote_backend_an_update_reaches_virtuoso(tmp_path: Path, virtuoso, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Built locally, published to the real Virtuoso (under a base IRI of its own, so its pointer graph is
    separate from the session's), updated over HTTP: the remote store then serves the update."""
    import time

    from evrdf.store.publish_remote import publish
    from evrdf.store.remote import RemoteStore

    base = "https://example.org/evrdf-update-test/"
    monkeypatch.setenv("EVRDF_REMOTE_USER", virtuoso.user)
    monkeypatch.setenv("EVRDF_REMOTE_PASSWORD", virtuoso.password)
    settings = Settings(store=tmp_path / "store", sources=SOURCES, base_iri=base, update_token=TOKEN,
                        backend="remote", remote_url=virtuoso.url)
    build(settings, reason=False)
    remote = RemoteStore.from_settings(settings)
    publish(remote, OxigraphStore(settings.store).release_dir())
    app = create_app(settings, remote)
    app.testing = True
    api = app.test_client()
    note = f'INSERT DATA {{ <{base}note/1> <{RDFS}comment> "in virtuoso" }}'
    response = api.post("/sparql", data={"update": note}, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    query = f"SELECT ?o WHERE {{ <{base}note/1> <{RDFS}comment> ?o }}"
    deadline = time.monotonic() + 10  # readers trust their copy of the remote pointer for POINTER_TTL_S
    while not (found := rows(api, query)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found == [{"o": "in virtuoso"}]
    assert remote.release()["release"] == response.headers["X-Evrdf-Release"]
