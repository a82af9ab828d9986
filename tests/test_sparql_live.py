"""Federation over a live evrdf server on 127.0.0.1: other stores (rdflib, pyoxigraph) run SERVICE against it,
SPARQLWrapper uses it as a client, and evrdf itself federates out to an allowed endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

import pyoxigraph
import pytest
import rdflib
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.conftest import free_port

EVO = "https://w3id.org/evrdf/ontology/"
FINDINGS = f"SELECT ?f WHERE {{ ?f a <{EVO}Finding> }}"

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def endpoint(settings, serve_options) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    env = dict(os.environ, EVRDF_FEDERATION_ALLOW=url, EVRDF_RATE_PER_S="1000", EVRDF_RATE_BURST="1000")
    process = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(settings.store),
                                "--host", "127.0.0.1", "--port", str(port), *serve_options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


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
    process = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(settings.store), "--host",
                                "127.0.0.1", "--port", str(port), "--workers", "2", "--threads", "2",
                                *serve_options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    assert response.headers["ETag"].find(report.release) >= 0
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(6) as pool:
            bodies = list(pool.map(lambda _: urllib.request.urlopen(url, timeout=20).read(), range(12)))
        assert all(b'"value":"%d"' % report.findings in body for body in bodies)
    finally:
        process.terminate()
        process.wait(timeout=15)
