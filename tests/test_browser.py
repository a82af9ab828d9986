"""A real browser (headless Chromium) against a live server: the landing page, a term page and a search render
and are not blank. Also a real HTTP client resolving the published JSON-LD @context over the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import rdflib

from tests.conftest import free_port

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,900"]


@contextmanager
def live_server(store: Path) -> Iterator[str]:
    """`evrdf serve` on a free port of 127.0.0.1; yields its root URL and stops it afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(store),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(root + "/context.jsonld", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield root
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with live_server(settings.store) as root:
        yield root


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],  # type: ignore[list-item]
                          capture_output=True, timeout=90, check=False)


@pytest.mark.live
@pytest.mark.skipif(CHROMIUM is None, reason="the chromium binary is not installed (`make test` installs it)")
@pytest.mark.parametrize("name,path,text", [
    ("landing", "/", "extracellular vesicles"),
    ("term", "/gene/HGNC_10672", "C-X-C motif chemokine ligand 12"),  # the IRI itself: 303 to the HTML page
    ("search", "/search?q=SDF-1", 'href="/gene/HGNC_10672"'),
])
def test_chromium_renders_pages_that_are_not_blank(name: str, path: str, text: str, server: str,
                                                   tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    dom = chromium(["--dump-dom", server + path], tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    assert text in dom.stdout.decode()
    shot = tmp_path / f"{name}.png"
    run = chromium([f"--screenshot={shot}", server + path], tmp_path / "profile-shot")
    assert run.returncode == 0 and shot.is_file(), run.stderr.decode(errors="replace")[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 900)
        grey = image.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 10  # text, header and links, not a blank page
        assert len(grey.getcolors(maxcolors=1 << 16) or []) > 8


@pytest.mark.live
def test_jsonld_context_resolves_over_http(server: str) -> None:
    """rdflib fetches the published @context from the live server, as any JSON-LD client does."""
    request = urllib.request.Request(server + "/gene/HGNC_10672", headers={"Accept": "application/ld+json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # follows the 303
        assert response.headers.get_content_type() == "application/ld+json"
        assert response.url.endswith("/gene/HGNC_10672.jsonld")
        body = response.read()
    graph = rdflib.Graph().parse(data=body, format="json-ld", base=server + "/")
    assert (rdflib.URIRef("https://w3id.org/evrdf/gene/HGNC_10672"), None, None) in graph
