"""Shared fixtures: one real build into a real Oxigraph store per test session, and copies of the sources
for tests that break them on purpose."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from evrdf.build.pipeline import BuildReport, build
from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "ontology"
DATA = Path(__file__).resolve().parent / "data"

pytest_plugins = ["tests.virtuoso"]  # the session-scoped `virtuoso` fixture (a real server)


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


@pytest.fixture(scope="session")
def store(settings: Settings) -> OxigraphStore:
    return OxigraphStore(settings.store)


@pytest.fixture()
def client(settings: Settings, store: OxigraphStore):  # type: ignore[no-untyped-def]
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


def select(store: OxigraphStore, sparql: str) -> list[dict[str, str]]:
    """SELECT results as plain dicts of strings (unbound variables left out)."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]
