"""Federation over a live evrdf server on 127.0.0.1: other stores (rdflib, pyoxigraph) run SERVICE against it,
SPARQLWrapper uses it as a client, and evrdf itself federates out to an allowed endpoint."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from typing import Iterator

import pyoxigraph
import pytest
import rdflib
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.conftest import free_port, live_server

EVO = "https://w3id.org/evrdf/ontology/"
FINDINGS = f"SELECT ?f WHERE {{ ?f a <{EVO}Finding> }}"

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def endpoint(settings, serve_options) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    env = {"EVRDF_FEDERATION_ALLOW": url}
    with live_server(settings.store, *serve_options, env=env, port=port):
        yield url


def test_rdflib_runs_service_against_evrdf(endpoint: str, report) -> None:  # type: ignore[no-untyped-def]
    rows = rdflib.Graph().query(f"SELECT ?f WHERE {{ SERVICE <{endpoint}> {{ ?f a <{EVO}Finding> }} }}")
    assert len({row[0] for row in rows}) == report.findings  # type: ignore[index]


def test_pyoxigraph_runs_service_against_evrdf(endpoint: str, report) -> None:  # type: ignore[no-untyped-def]
    result = pyoxigraph.Store().query(f"SELECT ?f WHERE {{ SERVICE <{endpoint}> {{ ?f a <{EVO}Finding> }} }}")
    assert len({s["f"] for s in result}) == report.findings  # type: ignore[union-attr]


def test_sparqlwrapper_as_client(endpoint: str, report) -> None:  # type: ignore[no-untyped-def]
    client = SPARQLWrapper(endpoint)
    client.setQuery(FINDINGS)
    client.setReturnFormat(JSON)
    for method in ("GET", "POST"):
        client.setMethod(method)
        bindings = client.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
        assert len(bindings) == report.findings


@pytest.mark.oxigraph_only("the remote store refuses SERVICE: the engine would fetch URLs with its own rights")
def test_evrdf_federates_out_to_an_allowed_endpoint(endpoint: str, report) -> None:  # type: ignore[no-untyped-def]
    client = SPARQLWrapper(endpoint)
    client.setQuery(f"SELECT (COUNT(?f) AS ?n) WHERE {{ SERVICE <{endpoint}> {{ ?f a <{EVO}Finding> }} }}")
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert int(result["results"]["bindings"][0]["n"]["value"]) == report.findings  # type: ignore[index,call-overload]


def test_gunicorn_workers_share_the_release(settings, report, serve_options) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql?query=" + urllib.request.quote(f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{EVO}Finding> }}")
    with live_server(settings.store, "--workers", "2", "--threads", "2", *serve_options, port=port):
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["ETag"].find(report.release) >= 0
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(6) as pool:
            bodies = list(pool.map(lambda _: urllib.request.urlopen(url, timeout=20).read(), range(12)))
        assert all(b'"value":"%d"' % report.findings in body for body in bodies)


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_the_documented_serve_command_runs_gunicorn_workers_each_holding_the_release_in_memory(settings) -> None:  # type: ignore[no-untyped-def]
    """`evrdf serve --store S --host H --port P`, nothing more: gunicorn with N worker processes (N: the CPUs available, 2 to 4)
    (the curated release is small: every worker fits the default memory budget with two copies), the release
    answered from memory (evs:servedFrom) once the workers have copied it, and HTML for a browser's Accept
    header."""
    workers = _documented_workers()
    with live_server(settings.store) as live:
        assert len(_gunicorn_workers(live.process.pid)) == workers, "a worker per CPU, each with a copy"
        # each worker copies the release in the background, answering from disk meanwhile
        description = _every_worker_from_memory(live.root, settings.base_iri, workers, "no worker copy after 30 s")
        served_from = description.value(rdflib.URIRef(live.root + "/sparql"),
                                        rdflib.URIRef(settings.base_iri + "ns/service#servedFrom"))
        assert served_from == rdflib.Literal("memory")
        note = description.value(rdflib.URIRef(live.root + "/sparql"),
                                 rdflib.URIRef(settings.base_iri + "ns/service#servingNote"))
        assert f"{workers} gunicorn workers x 4 threads" in str(note), note
        assert f"{workers} copies" in str(note) and "one in each worker" in str(note), note
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
        with urllib.request.urlopen(urllib.request.Request(live.root + "/", headers={"Accept": browser}),
                                    timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/html")
            assert b"answered from <strong>memory</strong>" in response.read()


def _documented_workers() -> int:
    """The README's rule for `evrdf serve`'s workers: the CPUs the process may run on, at least 2, at most 4."""
    return max(2, min(len(os.sched_getaffinity(0)), 4))


def _every_worker_from_memory(root: str, base_iri: str, workers: int, failure: str) -> rdflib.Graph:
    """Poll the service description until 4 answers per worker in a row say evs:servedFrom "memory" (requests
    spread over the workers, so each has copied the release); the last description. Fails after 30 s."""
    served_from = (rdflib.URIRef(root + "/sparql"), rdflib.URIRef(base_iri + "ns/service#servedFrom"))
    deadline, in_a_row = time.monotonic() + 30, 0
    while True:
        request = urllib.request.Request(root + "/sparql", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=30) as response:
            description = rdflib.Graph().parse(data=response.read(), format="turtle")
        in_a_row = in_a_row + 1 if description.value(*served_from) == rdflib.Literal("memory") else 0
        if in_a_row >= 4 * workers:
            return description
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)


def _gunicorn_workers(master: int) -> set[int]:
    """The pids of gunicorn's worker processes: the children of its master (Linux /proc)."""
    with open(f"/proc/{master}/task/{master}/children") as handle:
        return {int(pid) for pid in handle.read().split()}


@pytest.mark.oxigraph_only("retiring a worker is how gunicorn stops a runaway query of the embedded store; the "
                           "remote store has its own HTTP timeout")
@pytest.mark.parametrize("workers", [1, 2])
def test_gunicorn_answers_a_runaway_query_503_and_replaces_its_worker(settings, report, workers: int) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    base = f"http://127.0.0.1:{port}/sparql?query="
    count = base + urllib.request.quote(f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{EVO}Finding> }}")
    env = {"EVRDF_CACHE_BYTES": "0"}

    def get(url: str) -> tuple[int, str, float]:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), time.monotonic() - started

    with live_server(settings.store, "--workers", str(workers), "--threads", "4", "--timeout", "2", env=env,
                     port=port) as live:
        deadline = time.monotonic() + 30
        while len(_gunicorn_workers(live.process.pid)) < workers or get(count)[0] != 200:
            assert time.monotonic() < deadline and live.process.poll() is None
            time.sleep(0.2)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            for _ in range(2 * workers):  # every worker has opened the store and started its query threads
                pool.submit(get, count + urllib.request.quote(f" # warm {_}")).result()
            before = _gunicorn_workers(live.process.pid)
            slow = pool.submit(get, base + urllib.request.quote(SLOW))
            time.sleep(0.5)  # the slow query is evaluating; every worker (the one running it too) still answers
            fast = list(pool.map(get, [count + urllib.request.quote(f" # {i}") for i in range(12)]))
            status, text, seconds = slow.result()
        assert status == 503 and "query timeout (2 s)" in text and seconds < 5
        assert all(s == 200 and b'"value":"%d"' % report.findings in t.encode() and took < 1.5
                   for s, t, took in fast), fast
        deadline = time.monotonic() + 30  # the overrun worker retired; gunicorn started a fresh one
        while not (len(_gunicorn_workers(live.process.pid)) == workers and _gunicorn_workers(live.process.pid) != before):
            assert time.monotonic() < deadline, "no fresh worker replaced the retired one"
            time.sleep(0.2)
        assert len(before - _gunicorn_workers(live.process.pid)) == 1
        after = [get(count + urllib.request.quote(f" # after {i}")) for i in range(2 * workers)]
        assert all(s == 200 for s, _, _ in after)
        # the fresh worker was forked from a master holding no copy: it loads its own and then answers from it
        _every_worker_from_memory(live.root, settings.base_iri, workers,
                                  "the fresh worker did not load its own in-memory copy")



@pytest.mark.oxigraph_only("which runner streams is a choice of the embedded store's server")
@pytest.mark.parametrize("server", [["--workers", "2", "--threads", "4"], ["--workers", "0"]], ids=["gunicorn", "development"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_an_answer_over_a_mebibyte_streams_whole(settings, server: list[str], encoding: str) -> None:  # type: ignore[no-untyped-def]
    """Larger than STREAM_AFTER (1 MiB): spooled whole, then sent (with its length), parsed back with every row."""
    import gzip
    import json

    everything = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    env = {"EVRDF_CACHE_BYTES": "0"}
    with live_server(settings.store, *server, env=env) as live:
        def get(query: str) -> tuple[dict, bytes]:  # type: ignore[type-arg]
            request = urllib.request.Request(f"{live.root}/sparql?query={urllib.request.quote(query)}", headers={
                "Accept": "application/sparql-results+json", "Accept-Encoding": encoding})
            with urllib.request.urlopen(request, timeout=60) as response:
                return dict(response.headers), response.read()

        _, counted = get("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        headers, body = get(everything)
    if encoding == "gzip":
        assert headers.get("Content-Encoding") == "gzip"
        body, counted = gzip.decompress(body), gzip.decompress(counted) if counted[:2] == b"\x1f\x8b" else counted
    assert len(body) > 1 << 20  # spooled whole before sending: its length is announced unless it is gzipped
    assert (headers.get("Content-Length") == str(len(body))) if encoding == "identity" else "Content-Length" not in headers
    expected = int(json.loads(counted)["results"]["bindings"][0]["n"]["value"])
    assert len(json.loads(body)["results"]["bindings"]) == expected


@pytest.mark.oxigraph_only("under gunicorn the embedded store answers inline; a remote store is queried in threads")
@pytest.mark.parametrize("mode", ["own", "scbd"])
def test_a_describe_by_variable_answers_the_same_under_gunicorn_and_the_development_server(  # type: ignore[no-untyped-def]
        settings, report, mode: str) -> None:
    """Modes own and scbd find their targets with a SELECT first, then describe them: under gunicorn both queries
    run inline in the request thread, in the development server in the query processes; the triples agree."""
    query = f"DESCRIBE ?f WHERE {{ ?f a <{EVO}Finding> }}"
    answers = []
    for server in (["--workers", "1", "--threads", "2"], ["--workers", "0"]):
        with live_server(settings.store, *server) as live:
            url = f"{live.root}/sparql?describe={mode}&format=nt&query={urllib.request.quote(query)}"
            with urllib.request.urlopen(url, timeout=60) as response:
                assert response.status == 200
                answers.append(set(response.read().decode("utf-8").splitlines()))
    production, development = answers
    assert production == development
    typed = f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EVO}Finding> ."
    assert len([line for line in production if line.endswith(typed)]) == report.findings
