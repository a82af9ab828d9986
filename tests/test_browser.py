"""A real browser (headless Chromium) against a live server: the landing page, a term page and a search render
and are not blank. Also a real HTTP client resolving the published JSON-LD @context over the network."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
import rdflib

from tests.conftest import live_server

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,900"]


@pytest.fixture(scope="module")
def server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with live_server(settings.store, ready="/context.jsonld") as live:
        yield live.root


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
