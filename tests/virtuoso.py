"""pytest plugin: one real Virtuoso Open Source per test session, on 127.0.0.1, free ports, a throwaway database.

`make test` installs the Debian package where it is missing (the `virtuoso` target); here it is only found.
Tests that need it skip, saying why, only when the package is not installed and cannot be.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.virtuoso_server import VirtuosoServer, find_binary, find_isql


@dataclass(frozen=True)
class VirtuosoInstance:
    url: str            # base URL: /sparql, /sparql-auth, /sparql-graph-crud-auth below it
    user: str
    password: str
    server: VirtuosoServer


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoInstance]:
    if find_binary() is None or find_isql() is None:
        pytest.skip("Virtuoso Open Source is not installed (virtuoso-t/isql-vt missing; "
                    "`make virtuoso` installs the Debian package virtuoso-opensource)")
    directory: Path = tmp_path_factory.mktemp("virtuoso")
    server = VirtuosoServer(directory, buffers=20000).start()
    try:
        yield VirtuosoInstance(server.url, "dba", server.password, server)
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
