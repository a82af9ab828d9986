"""What the headless-Chromium page tests share (registered in conftest.py as a plugin): one live server on the
session's build and one browser, both started once for every test module that drives them (fixtures `server` and `browser`; a module with
fixtures of those names of its own, such as test_browser_pages.py with its DevTools driver, keeps them), the two widths
the pages are checked at, and the check that a page loaded cleanly.

The tests skip only where the chromium binary is absent (an optional program, which `make test` installs)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Iterator

import pytest

from tests.chromium_pipe import CHROMIUM, Browser, Page
from tests.conftest import live_server

WIDTHS = [pytest.param((1280, 900), id="desktop"), pytest.param((390, 844), id="mobile")]
NEEDS_CHROMIUM = [pytest.mark.live,
                  pytest.mark.skipif(CHROMIUM is None,
                                     reason="the chromium binary is not installed (`make test` installs it)")]


@pytest.fixture(scope="session")
def server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`evrdf serve` on the session's store, on a free loopback port."""
    with live_server(settings.store, ready="/context.jsonld") as live:
        yield live.root


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(tmp_path_factory.mktemp("chromium") / "profile") as chromium:
        yield chromium


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def clean(page: Page, root: str, script: str = "/static/") -> None:
    """The page loaded ``script`` from this host, asked no other host for anything, and nothing failed."""
    assert any(url.startswith(root + script) for url in page.requests)  # the recorder saw the page's requests
    assert page.other_hosts(root) == []
    assert page.failures == []
    assert page.errors == []
