"""Shared fixtures: one real build into a real Oxigraph store per test session, and copies of the sources
for tests that break them on purpose."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from evrdf.ingest.curated import FINDING_COLUMNS
from evrdf.ingest.tables import read_table
from evrdf.pipeline.build import BuildReport, build
from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore
from evrdf.store.publish_remote import publish
from evrdf.store.remote import Endpoints, RemoteStore, pointer_graph

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "ontology"
# the curated findings as the project's own strict reader reads them (their number changes as curation goes on)
FINDING_ROWS = read_table(SOURCES / "curated" / "findings.tsv", FINDING_COLUMNS)
DATA = Path(__file__).resolve().parent / "data"

pytest_plugins = ["tests.virtuoso", "tests.chromium"]  # session fixtures: a real Virtuoso; a live server + Chromium
if TYPE_CHECKING:
    from tests.virtuoso import VirtuosoInstance


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    settings = Settings(store=tmp_path_factory.mktemp("store"), sources=SOURCES)
    return settings, build(settings, reason=True)


@pytest.fixture(scope="session")
def settings(built: tuple[Settings, BuildReport]) -> Settings:
    return built[0]


@pytest.fixture(scope="session")
def report(built: tuple[Settings, BuildReport]) -> BuildReport:
    return built[1]


# The service must behave the same on every store backend, so `store` (and `client`, which serves it) runs each
# test once per backend: the embedded Oxigraph store and a real Virtuoso holding the same release.
BACKENDS = ["oxigraph", "virtuoso"]
# Suites about the local build itself (store.count, the release files it writes), which the remote store only
# receives by publishing: Oxigraph only. Single tests opt out with @pytest.mark.oxigraph_only("why").
EMBEDDED_ONLY = {"test_build", "test_ontology"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "oxigraph_only(reason): runs on the embedded Oxigraph store only; the reason says why")
    if config.getoption("conformance_report", None):
        from tests.w3c.report import Collector

        config._evrdf_conformance = Collector()  # type: ignore[attr-defined]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--conformance-report", dest="conformance_report", metavar="FILE",
                     help="write the W3C suites' results (tests/w3c) as a conformance report, e.g. docs/conformance.md")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    collector = getattr(_CONFIG, "_evrdf_conformance", None) if _CONFIG else None
    if collector is None or "tests/w3c/" not in report.nodeid.replace("\\", "/"):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if hasattr(report, "wasxfail"):
            collector.add(report.nodeid, "xfailed", str(report.wasxfail))
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            collector.add(report.nodeid, "skipped", reason)
        else:
            note = "; ".join(value for name, value in report.user_properties if name == "conformance_note")
            collector.add(report.nodeid, report.outcome, "" if report.passed else str(report.longrepr)[-300:], note)


_CONFIG: pytest.Config | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    global _CONFIG
    _CONFIG = session.config


def pytest_sessionfinish(session: pytest.Session) -> None:
    collector = getattr(session.config, "_evrdf_conformance", None)
    if collector is not None:
        from tests.w3c.report import write

        write(collector, Path(session.config.getoption("conformance_report")))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store" in metafunc.fixturenames:
        embedded = (metafunc.module.__name__.rsplit(".", 1)[-1] in EMBEDDED_ONLY
                    or metafunc.definition.get_closest_marker("oxigraph_only") is not None)
        metafunc.parametrize("store", ["oxigraph"] if embedded else BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def oxigraph_store(settings: Settings) -> OxigraphStore:
    return OxigraphStore(settings.store)


@pytest.fixture(scope="session")
def virtuoso_store(virtuoso: "VirtuosoInstance", settings: Settings) -> RemoteStore:
    """The session build published to Virtuoso (as `evrdf publish` does), read through the standard protocols."""
    store = RemoteStore(Endpoints.for_virtuoso(virtuoso.url, virtuoso.user, virtuoso.password),
                        pointer_graph(settings.base_iri), timeout_s=settings.query_timeout_s,
                        files_root=settings.store)
    publish(store, (settings.store / "current").resolve())
    return store


@pytest.fixture(scope="session")
def store(request: pytest.FixtureRequest) -> Store:
    backend = getattr(request, "param", "oxigraph")
    return request.getfixturevalue("oxigraph_store" if backend == "oxigraph" else "virtuoso_store")


@pytest.fixture(scope="session")
def serve_options(request: pytest.FixtureRequest, store: Store) -> list[str]:
    """`evrdf serve` options that serve the same backend as `store` from another process (a live server)."""
    if isinstance(store, RemoteStore):
        return ["--backend", "remote", "--remote", request.getfixturevalue("virtuoso").url]
    return []


@pytest.fixture()
def client(settings: Settings, store: Store):  # type: ignore[no-untyped-def]
    app = create_app(settings, store)
    app.testing = True
    return app.test_client()


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    """A private copy of ontology/ that a test may break."""
    target = tmp_path / "ontology"
    shutil.copytree(SOURCES, target)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def select(store: Store, sparql: str) -> list[dict[str, str]]:
    """SELECT results as plain dicts of strings (unbound variables left out)."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


@dataclass
class LiveServer:
    root: str  # http://127.0.0.1:PORT
    process: subprocess.Popen  # type: ignore[type-arg]


@contextmanager
def live_server(store: Path, *options: str, env: dict[str, str] | None = None,
                ready: str = "/sparql?query=ASK%7B%7D", port: int | None = None) -> Iterator[LiveServer]:
    """A real `evrdf serve` on 127.0.0.1 (a free port unless given), yielded once ``ready`` answers; stopped on
    exit."""
    port = port or free_port()
    process = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(store), "--host", "127.0.0.1",
                                "--port", str(port), *options], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(root + ready, timeout=10).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield LiveServer(root, process)
    finally:
        process.terminate()
        process.wait(timeout=15)


@dataclass
class LoopbackStore:
    """A store built with the documented CLI for a loopback base IRI, to be served on that port."""

    path: Path
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def build_loopback(directory: Path, *add: Path) -> LoopbackStore:
    """`evrdf build --store S --base-iri http://127.0.0.1:PORT/ [--add FILE ...]`, exactly as a new user types it."""
    port = free_port()
    store = LoopbackStore(directory / "store", port)
    command = [sys.executable, "-m", "evrdf", "build", "--store", str(store.path), "--base-iri", store.base]
    for path in add:
        command += ["--add", str(path)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="session")
def loopback(tmp_path_factory: pytest.TempPathFactory) -> LoopbackStore:
    return build_loopback(tmp_path_factory.mktemp("loopback"))
