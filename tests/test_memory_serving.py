"""Serving from memory, as a user meets it: a release that fits the default memory budget is answered from an
in-memory copy, and the service description, the landing page and `evrdf stats` say so (and why); past the budget
(or with budget 0) answers come from disk and they say that; a release published by `evrdf build` while clients
query a gunicorn server is swapped in without one failed request, and is then answered from memory."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from evrdf.cli import cli
from evrdf.serve import runner
from evrdf.serve.app import create_app
from evrdf.settings import Settings, default_memory_budget
from evrdf.store import open_store
from evrdf.store.oxigraph import BYTES_PER_QUAD, OxigraphStore
from tests.conftest import build_loopback, live_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def served_from(description: bytes, endpoint: str, base_iri: str) -> tuple[str, str]:
    """evs:servedFrom and evs:servingNote of the service description (Turtle)."""
    graph = Graph().parse(data=description, format="turtle")
    ns = base_iri + "ns/service#"
    mode = graph.value(URIRef(endpoint), URIRef(ns + "servedFrom"))
    note = graph.value(URIRef(endpoint), URIRef(ns + "servingNote"))
    assert isinstance(mode, Literal) and isinstance(note, Literal), "the service description names no mode"
    return str(mode), str(note)


@pytest.fixture(autouse=True)
def production_runner() -> Iterator[None]:
    """Queries evaluated as in a gunicorn worker (serve/production.py): in threads of this process, on the app's
    own store; the development server's query processes open the release on disk instead."""
    runner.retire_on_overrun(lambda: None)
    yield
    runner.retire_on_overrun(None)


class RequestThread:
    """A Flask test client whose requests run in a thread of their own, as a gunicorn worker's request threads
    do: evaluating a query fences its thread for good (evrdf/fence.py), which must not be the test's own, or
    the later live-server tests could not connect."""

    def __init__(self, client: Any):
        self.client = client

    def get(self, *args: Any, **kwargs: Any) -> Any:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(self.client.get, *args, **kwargs).result()


def client_for(settings: Settings) -> RequestThread:
    store = open_store(settings)
    store.preload()  # what `evrdf serve` does in the master before it forks
    app = create_app(settings, store)
    app.testing = True
    return RequestThread(app.test_client())


def mode_over_http(client: Any, settings: Settings) -> tuple[str, str]:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return served_from(response.data, "http://localhost/sparql", settings.base_iri)


def test_the_default_budget_is_a_quarter_of_physical_memory_at_most_4_gib() -> None:
    import os

    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert Settings().memory_budget_bytes == default_memory_budget() == min(physical // 4, 4 << 30)
    assert default_memory_budget() > 0


def test_a_release_that_fits_the_default_budget_is_served_from_memory(settings: Settings) -> None:
    client = client_for(Settings(store=settings.store, sources=settings.sources))
    assert client.get("/sparql", query_string={"query": COUNT}).status_code == 200
    mode, note = mode_over_http(client, settings)
    assert mode == "memory"
    assert "within the memory budget" in note
    landing = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "answered from <strong>memory</strong>" in landing
    assert note in landing.replace("&#39;", "'")


def test_past_the_budget_the_service_description_says_disk_and_why(settings: Settings) -> None:
    small = Settings(store=settings.store, sources=settings.sources, memory_budget_bytes=1000)
    client = client_for(small)
    mode, note = mode_over_http(client, small)
    assert mode == "disk"
    assert "over the memory budget of 1000 bytes" in note
    assert "answered from <strong>disk</strong>" in client.get("/").get_data(as_text=True)
    answer = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and int(answer.get_json()["results"]["bindings"][0]["n"]["value"]) > 1000


def test_budget_0_serves_from_disk(settings: Settings) -> None:
    off = Settings(store=settings.store, sources=settings.sources, memory_budget_bytes=0)
    assert mode_over_http(client_for(off), off) == ("disk", "memory budget 0: served from disk")


def test_the_development_server_says_it_serves_from_disk(settings: Settings) -> None:
    """Without gunicorn, queries run in processes that open the release on disk: the description says so."""
    runner.retire_on_overrun(None)
    client = client_for(Settings(store=settings.store, sources=settings.sources))
    assert client.get("/sparql", query_string={"query": COUNT}).status_code == 200
    mode, note = mode_over_http(client, settings)
    assert mode == "disk" and "development server" in note


def test_evrdf_stats_names_the_mode(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.delenv("EVRDF_MEMORY_BUDGET_BYTES", raising=False)
    done = runner.invoke(cli, ["stats", "--store", str(settings.store)])
    assert done.exit_code == 0, done.output
    assert "serving from memory: release " in done.output and "within the memory budget" in done.output
    monkeypatch.setenv("EVRDF_MEMORY_BUDGET_BYTES", "1000")
    done = runner.invoke(cli, ["stats", "--store", str(settings.store)])
    assert done.exit_code == 0, done.output
    assert "serving from disk: " in done.output and "over the memory budget of 1000 bytes" in done.output


def get(url: str, accept: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=30) as response:
        return response.read(), dict(response.headers)


def test_a_release_built_while_clients_query_is_swapped_in_without_a_failed_request(tmp_path: Path) -> None:
    """Four clients query `evrdf serve --workers 2` in a loop while `evrdf build --add` publishes a new release:
    every request is answered, the new release's triples are answered, and soon from memory in every worker."""
    store = build_loopback(tmp_path)
    extra = tmp_path / "extra.nt"
    extra.write_text("".join(f"<{store.base}extra/x{i}> <{store.base}extra/p> \"{i}\" .\n" for i in range(5000)),
                     encoding="utf-8")
    unthrottled = {"EVRDF_BUDGET_S": "0", "EVRDF_MAX_EXPENSIVE": "0"}  # four clients from one address, busy cores
    with live_server(store.path, "--workers", "2", "--threads", "4", port=store.port, env=unthrottled) as server:
        sparql = f"{server.root}/sparql"
        added = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{store.base}extra/p> ?o }}"
        query = sparql + "?" + urllib.parse.urlencode({"query": added})
        first, headers = get(query, "application/sparql-results+json")
        old_release = headers["X-Evrdf-Release"]
        failures: list[str] = []
        seen: dict[str, set[str]] = {}  # release -> the counts answered for it
        stop = threading.Event()

        def client() -> None:
            while not stop.is_set():
                try:
                    body, headers = get(query, "application/sparql-results+json")
                except (OSError, urllib.error.HTTPError) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                count = body.split(b'"value":"')[1].split(b'"')[0].decode()
                seen.setdefault(headers["X-Evrdf-Release"], set()).add(count)

        clients = [threading.Thread(target=client) for _ in range(4)]
        for thread in clients:
            thread.start()
        try:
            time.sleep(0.5)
            built = subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store.path),
                                    "--base-iri", store.base, "--add", str(extra)], capture_output=True, text=True)
            assert built.returncode == 0, built.stderr
            new_release = Path(store.path / "current").resolve().name
            assert new_release != old_release
            deadline = time.monotonic() + 60
            consecutive = 0  # service descriptions in a row (from either worker) saying memory, new release
            while consecutive < 12 and time.monotonic() < deadline:
                mode, note = served_from(get(sparql, "text/turtle")[0], sparql, store.base)
                consecutive = consecutive + 1 if mode == "memory" and new_release in note else 0
                time.sleep(0.05)
            time.sleep(0.3)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    assert not failures, failures[:3]
    assert consecutive >= 12, f"the new release was not served from memory within 60 s: {mode}, {note}"
    assert set(seen) == {old_release, new_release}
    assert seen[old_release] == {"0"} and seen[new_release] == {"5000"}
    assert b'"value":"0"' in first


def test_under_gunicorn_the_budget_holds_a_copy_per_worker(tmp_path: Path) -> None:
    """Queries make a worker's pages its own, so `evrdf serve --workers 2` loads a copy in each worker (the
    master holds none): a budget that fits one copy but not two serves from disk, and says so."""
    store = build_loopback(tmp_path)
    quads = OxigraphStore(store.path).count()
    per_copy = quads * BYTES_PER_QUAD
    for budget, expected in [(per_copy * 2 - 1, "disk"), (per_copy * 2, "memory")]:
        env = {"EVRDF_MEMORY_BUDGET_BYTES": str(budget)}
        with live_server(store.path, "--workers", "2", port=store.port, env=env) as server:
            mode, note = settled_mode(f"{server.root}/sparql", store.base)
        assert mode == expected, note
        assert f"{quads} quads" in note and "2 copies" in note and "one in each worker" in note
        assert "2 gunicorn workers x 4 threads" in note


def gunicorn_workers(master: int) -> set[int]:
    """The pids of gunicorn's worker processes: the children of its master (Linux /proc)."""
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def settled_mode(sparql: str, base_iri: str, timeout_s: float = 60) -> tuple[str, str]:
    """evs:servedFrom and evs:servingNote once the worker is no longer copying the release into memory."""
    deadline = time.monotonic() + timeout_s
    while True:
        mode, note = served_from(get(sparql, "text/turtle")[0], sparql, base_iri)
        if "served from disk meanwhile" not in note and "not copied into memory yet" not in note:
            return mode, note
        assert time.monotonic() < deadline, f"still copying into memory after {timeout_s} s: {note}"
        time.sleep(0.1)


def test_the_documented_command_gives_each_worker_a_copy_where_two_per_worker_fit_else_one_worker_holds_it(
        tmp_path: Path) -> None:
    """`evrdf serve --store S --host H --port P`, with N = the CPUs available (2 to 4): where N workers fit the memory budget
    with two copies each (the one serving and the next release's, loaded during a swap), N workers each hold a
    copy; where they do not but one copy fits, ONE worker with the threads of N holds it (the master copies
    nothing); past one copy, N workers answer from disk. The serving note says which."""
    store = build_loopback(tmp_path)
    quads = OxigraphStore(store.path).count()
    per_copy = quads * BYTES_PER_QUAD
    workers = max(2, min(len(os.sched_getaffinity(0)), 4))  # the README's N: the CPUs available, 2 to 4
    with live_server(store.path, port=store.port) as server:  # the default budget: the curated build is small
        mode, note = settled_mode(f"{server.root}/sparql", store.base)
        assert mode == "memory", note
        assert len(gunicorn_workers(server.process.pid)) == workers
        assert f"{workers} copies" in note and "one in each worker" in note, note
        assert f"{workers} gunicorn workers x 4 threads" in note
    env = {"EVRDF_MEMORY_BUDGET_BYTES": str(per_copy * 2 * workers - 1)}  # N workers with two copies: just over
    with live_server(store.path, port=store.port, env=env) as server:
        mode, note = settled_mode(f"{server.root}/sparql", store.base)
        assert mode == "memory", note
        assert len(gunicorn_workers(server.process.pid)) == 1
        assert f"{quads} quads" in note and "copies" not in note
        assert f"1 gunicorn worker x {workers * 4} threads, holding the one in-memory copy" in note
    env = {"EVRDF_MEMORY_BUDGET_BYTES": str(per_copy - 1)}
    with live_server(store.path, port=store.port, env=env) as server:
        mode, note = settled_mode(f"{server.root}/sparql", store.base)
        assert mode == "disk" and "over the memory budget" in note, note
        assert len(gunicorn_workers(server.process.pid)) == workers
        assert f"{workers} gunicorn workers x 4 threads" in note


def test_answers_are_right_while_the_copy_loads_from_disk_and_after_it_is_swapped_in(tmp_path: Path) -> None:
    """A worker answers at once, from the release's disk store, while it copies the release into memory in the
    background (1,200,000 added triples take it a few seconds), then from the copy: the same answers. One worker
    (`--workers 1`), so that every answer comes from the same copy's progress."""
    extra = tmp_path / "extra.nt"
    with extra.open("w", encoding="utf-8") as out:
        for i in range(1_200_000):
            out.write(f"<https://example.org/x{i}> <https://example.org/p> \"{i % 7}\" .\n")
    store = build_loopback(tmp_path, extra)
    sparql = f"http://127.0.0.1:{store.port}/sparql"
    counted = sparql + "?" + urllib.parse.urlencode(
        {"query": 'SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/p> "3" }'})
    expected = str(len(range(3, 1_200_000, 7)))
    seen: list[tuple[str, str, str]] = []  # (mode, note, count) in the order answered
    with live_server(store.path, "--workers", "1", port=store.port, env={"EVRDF_CACHE_BYTES": "0"}):
        deadline = time.monotonic() + 90
        while sum(mode == "memory" for mode, _, _ in seen) < 5:
            assert time.monotonic() < deadline, seen[-1:]
            mode, note = served_from(get(sparql, "text/turtle")[0], sparql, store.base)
            body = get(counted + f"&x={len(seen)}", "application/sparql-results+json")[0]
            seen.append((mode, note, body.split(b'"value":"')[1].split(b'"')[0].decode()))
    assert {count for _, _, count in seen} == {expected}, seen
    modes = [mode for mode, _, _ in seen]
    assert modes[0] == "disk" and "served from disk meanwhile" in seen[0][1], seen[0]
    assert modes == sorted(modes), "once in memory, it stays in memory"
