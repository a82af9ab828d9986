"""The Store contract, run against every backend: the embedded Oxigraph store and a real Virtuoso behind
RemoteStore, both holding the same release (the session build, published once to Virtuoso)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pyoxigraph as ox
import pytest

from evrdf.pipeline.build import BuildReport, build
from evrdf.settings import Settings
from evrdf.store.naming import physical
from evrdf.store.oxigraph import OxigraphStore
from evrdf.store.oxigraph_write import new_release
from evrdf.store.publish_remote import publish
from evrdf.store.remote import Endpoints, RemoteStore
from tests.conftest import FINDING_ROWS, SOURCES

CURATED_FINDINGS = len(FINDING_ROWS)
REVIEW_FINDINGS = sum(1 for row in FINDING_ROWS if row["citing_reference"] == "bian2019")  # graph bian2019

BASE = "https://w3id.org/evrdf/"
FINDING = f"{BASE}ontology/Finding"
CHEMOKINE = f"{BASE}ontology/Chemokine"
EXOSOME = f"{BASE}ontology/Exosome"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
BACKENDS = ["oxigraph", "virtuoso"]


def remote(virtuoso: Any, pointer: str, files_root: Path | None = None) -> RemoteStore:
    return RemoteStore(Endpoints.for_virtuoso(virtuoso.url, virtuoso.user, virtuoso.password), pointer,
                       timeout_s=30, files_root=files_root)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, oxigraph_store: OxigraphStore) -> Any:
    """Each backend holding the session build (`virtuoso_store`, in conftest, published it to Virtuoso)."""
    return oxigraph_store if request.param == "oxigraph" else request.getfixturevalue("virtuoso_store")


def count(store: Any, sparql: str, **dataset: list[str]) -> int:
    return int(next(iter(store.query(sparql, **dataset)))["n"].value)


def ground(triples: Any) -> set[ox.Triple]:
    """Triples without blank nodes (blank node labels differ between engines by design)."""
    plain = {getattr(t, "triple", t) for t in triples}  # a parsed document gives quads in the default graph
    return {t for t in plain if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


# -- query kinds --------------------------------------------------------------------------------------------
def test_select_gives_query_solutions(backend: Any, report: BuildReport) -> None:
    result = backend.query(f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{FINDING}> }}")
    assert isinstance(result, ox.QuerySolutions)
    assert [v.value for v in result.variables] == ["n"]
    assert int(next(iter(result))["n"].value) == report.findings


@pytest.mark.parametrize("sparql,expected", [
    (f"ASK {{ <{EXOSOME}> <{LABEL}> \"exosome\"@en }}", True),
    (f"ASK {{ <{EXOSOME}> <{LABEL}> \"not a label\"@en }}", False),
])
def test_ask_gives_a_boolean(backend: Any, sparql: str, expected: bool) -> None:
    result = backend.query(sparql)
    assert isinstance(result, ox.QueryBoolean) and bool(result) is expected


def test_construct_gives_the_same_triples_on_every_backend(backend: Any, oxigraph_store: OxigraphStore) -> None:
    sparql = f"CONSTRUCT {{ <{EXOSOME}> ?p ?o }} WHERE {{ <{EXOSOME}> ?p ?o }}"
    result = backend.query(sparql)
    assert isinstance(result, ox.QueryTriples)
    triples = ground(result)
    assert ox.Triple(ox.NamedNode(EXOSOME), ox.NamedNode(LABEL), ox.Literal("exosome", language="en")) in triples
    assert triples == ground(oxigraph_store.query(sparql))
    turtle = backend.query(sparql).serialize(format=ox.RdfFormat.TURTLE)
    assert ground(ox.parse(turtle, format=ox.RdfFormat.TURTLE)) == triples


def test_describe_includes_the_resource_description(backend: Any) -> None:
    result = backend.query(f"DESCRIBE <{EXOSOME}>")
    assert isinstance(result, ox.QueryTriples)
    assert ox.Triple(ox.NamedNode(EXOSOME), ox.NamedNode(LABEL), ox.Literal("exosome", language="en")) in set(result)


# -- the dataset ------------------------------------------------------------------------------------------
def test_default_graph_is_the_union_of_the_release(backend: Any, report: BuildReport) -> None:
    findings = count(backend, f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{FINDING}> }}")
    chemokines = count(backend, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{CHEMOKINE}> }}")
    assert findings == report.findings  # from two finding graphs
    assert chemokines > 40  # from the HGNC graph


def test_named_graphs_are_the_release_graphs(backend: Any, report: BuildReport) -> None:
    assert backend.named_graphs() == sorted(report.graphs)
    rows = backend.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert sorted(r["g"].value for r in rows) == sorted(report.graphs)


def test_graph_counts_match_the_build(backend: Any, report: BuildReport) -> None:
    rows = backend.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {r["g"].value: int(r["n"].value) for r in rows} == report.graphs


@pytest.mark.parametrize("graph,findings,chemokines", [("hgnc", 0, True), ("bian2019", REVIEW_FINDINGS, False)])
def test_default_graph_uri_restricts_the_default_graph(backend: Any, graph: str, findings: int,
                                                      chemokines: bool) -> None:
    dataset = {"default_graphs": [f"{BASE}graph/{graph}"]}
    assert count(backend, f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{FINDING}> }}", **dataset) == findings
    assert (count(backend, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{CHEMOKINE}> }}", **dataset) > 0) \
        is chemokines


def test_named_graph_uri_restricts_graph_patterns(backend: Any) -> None:
    rows = backend.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                         named_graphs=[f"{BASE}graph/biocell", f"{BASE}graph/references"])
    assert sorted(r["g"].value for r in rows) == [f"{BASE}graph/biocell", f"{BASE}graph/references"]


@pytest.mark.parametrize("sparql", [
    f"SELECT (COUNT(?f) AS ?n) WHERE {{ GRAPH <{BASE}graph/biocell> {{ ?f a <{FINDING}> }} }}",
    f"SELECT (COUNT(?f) AS ?n) FROM <{BASE}graph/biocell> WHERE {{ ?f a <{FINDING}> }}",
], ids=["GRAPH", "FROM"])
def test_graphs_named_in_the_query_use_their_published_names(backend: Any, sparql: str,
                                                            request: pytest.FixtureRequest) -> None:
    assert count(backend, sparql) == 2


def test_an_unknown_graph_is_empty(backend: Any) -> None:
    assert count(backend, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                 default_graphs=["http://example.org/no-such-graph"]) == 0


# -- release metadata -------------------------------------------------------------------------------------
def test_release_metadata(backend: Any, report: BuildReport) -> None:
    info = backend.release()
    assert info["release"] == report.release
    assert info["ontology_version"] == report.version
    assert info["triples"] == report.triples
    assert (backend.files_dir() / "evrdf.owl").is_file()


# -- errors -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sparql", [
    "SELEKT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p }",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DROP ALL",
])
def test_malformed_queries_and_updates_are_syntax_errors(backend: Any, sparql: str) -> None:
    with pytest.raises(SyntaxError):
        backend.query(sparql)


# -- publishing: atomic, and a failure leaves the old release served --------------------------------------
@pytest.fixture()
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Two fresh builds (no reasoner: the session build checked the sources); fresh per test, because a
    release's graph names in Virtuoso are shared by every pointer graph that publishes it."""
    root = tmp_path_factory.mktemp("releases")
    settings = Settings(store=root, sources=SOURCES)
    build(settings, reason=False)
    build(settings, reason=False)
    return root, sorted(p for p in (root / "releases").iterdir() if not p.name.startswith("."))


class Failed(Exception):
    pass


def _fail(*_: object) -> None:
    raise Failed("validation failed")


@pytest.fixture(params=BACKENDS)
def publisher(request: pytest.FixtureRequest, two_releases: tuple[Path, list[Path]],
              tmp_path: Path) -> Iterator[tuple[Any, Callable[[Path, bool], None]]]:
    """(store, publish(release_dir, fail)) for a fresh, empty store of each backend."""
    root, _ = two_releases
    if request.param == "oxigraph":
        target = tmp_path / "store"

        def publish_oxigraph(release_dir: Path, fail: bool) -> None:
            info = json.loads((release_dir / "release.json").read_text())
            with new_release(target, {k: v for k, v in info.items() if k != "release"}) as writer:
                writer.store.bulk_load(path=str(release_dir / "files" / "evrdf.nq"), format=ox.RdfFormat.N_QUADS)
                shutil.copytree(release_dir / "files", writer.files, dirs_exist_ok=True)
                if fail:
                    _fail()

        yield OxigraphStore(target), publish_oxigraph
    else:
        store = remote(request.getfixturevalue("virtuoso"), f"{BASE}graph/published-{tmp_path.name}", root)

        def publish_virtuoso(release_dir: Path, fail: bool) -> None:
            publish(store, release_dir, gate=_fail if fail else None)

        yield store, publish_virtuoso


def test_publish_switches_releases(publisher: Any, two_releases: tuple[Path, list[Path]]) -> None:
    store, publish_ = publisher
    first, second = two_releases[1]
    publish_(first, False)
    before = store.release()["release"]
    publish_(second, False)
    after = store.release()
    assert after["release"] != before
    assert count(store, f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{FINDING}> }}") == after["findings"]


def test_a_failed_publish_leaves_the_old_release_served(publisher: Any,
                                                        two_releases: tuple[Path, list[Path]]) -> None:
    store, publish_ = publisher
    first, second = two_releases[1]
    publish_(first, False)
    before = (store.release(), store.named_graphs(),
              count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    with pytest.raises(Failed):
        publish_(second, True)
    if isinstance(store, RemoteStore):
        store.published(fresh=True)
    after = (store.release(), store.named_graphs(),
             count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert after == before


def test_a_failed_remote_publish_removes_what_it_loaded(virtuoso: Any,
                                                        two_releases: tuple[Path, list[Path]],
                                                        tmp_path: Path) -> None:
    root, (first, second) = two_releases
    store = remote(virtuoso, f"{BASE}graph/published-{tmp_path.name}", root)
    publish(store, first)
    with pytest.raises(Failed):
        publish(store, second, gate=_fail)
    second_id = json.loads((second / "release.json").read_text())["release"]
    admin = remote(virtuoso, f"{BASE}graph/published-{tmp_path.name}")
    leftovers = admin._post(admin.endpoints.query, [
        ("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{physical(BASE + 'graph/hgnc', second_id)}> "
                  "{ ?s ?p ?o } }")], "application/sparql-results+json")
    assert json.loads(leftovers)["results"]["bindings"][0]["n"]["value"] == "0"


def test_a_failed_remote_publish_leaves_the_old_release_served_over_http(
        virtuoso: Any, two_releases: tuple[Path, list[Path]], tmp_path: Path, settings: Settings) -> None:
    """What clients of /sparql see while a publish loads, after it fails, and after one succeeds."""
    from evrdf.serve.app import create_app

    root, (first, second) = two_releases
    store = remote(virtuoso, f"{BASE}graph/published-{tmp_path.name}", root)
    publish(store, first)
    app = create_app(settings.with_(store=root, cache_bytes=0), store)
    client = app.test_client()

    def served() -> tuple[int, str, int]:
        response = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"})
        body = json.loads(response.get_data())
        count_ = int(body["results"]["bindings"][0]["n"]["value"])
        return response.status_code, response.headers["X-Evrdf-Release"], count_

    before = served()
    ids = [json.loads((r / "release.json").read_text())["release"] for r in (first, second)]
    assert before[:2] == (200, ids[0]) and before[2] > 0
    during: list[tuple[int, str, int]] = []

    def fail_after_looking(*_: object) -> None:  # the new release is loaded but not switched to: invisible
        store.published(fresh=True)
        during.append(served())
        raise Failed("validation failed")

    with pytest.raises(Failed):
        publish(store, second, gate=fail_after_looking)
    store.published(fresh=True)
    assert during == [before] and served() == before
    assert ids[0] in client.get("/").get_data(as_text=True)
    publish(store, second)  # and a publish that succeeds is what clients see next
    store.published(fresh=True)
    assert served()[:2] == (200, ids[1])


# -- the web layer on top, unchanged ----------------------------------------------------------------------
@pytest.mark.parametrize("query,status,needle", [
    (f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{FINDING}> }}", 200, f'"{CURATED_FINDINGS}"'),
    ("SELEKT *", 400, "syntax error"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", 400, "Update"),
])
def test_sparql_endpoint_on_every_backend(backend: Any, settings: Settings, query: str, status: int,
                                          needle: str) -> None:
    from evrdf.serve.app import create_app

    app = create_app(settings, backend)
    app.testing = True
    response = app.test_client().get("/sparql", query_string={"query": query},
                                     headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == status
    assert needle in response.get_data(as_text=True)


def test_every_backend_says_all_the_store_protocol_promises(backend: Any) -> None:
    """What callers use beyond queries (release files, the release directory, how it answers) is declared by
    evrdf.storage.Store and present on each backend."""
    from evrdf.storage import Store

    assert isinstance(backend, Store)
    info = backend.release()
    assert json.loads((backend.release_dir() / "release.json").read_text(encoding="utf-8"))["release"] == info["release"]
    assert backend.files_dir() == backend.release_dir() / "files"
    assert (backend.files_dir() / "evrdf.ttl").is_file()
    assert backend.preload() == ("remote" if isinstance(backend, RemoteStore) else "disk")
    assert backend.memory_note
