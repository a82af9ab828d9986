"""A real browser (headless Chromium, tests/chromium.py) against a live server: the landing page, a term page and
a search render and are not blank. Also a real HTTP client resolving the published JSON-LD @context over the network."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
import rdflib

from tests.chromium import NEEDS_CHROMIUM, Browser


@NEEDS_CHROMIUM[0]
@NEEDS_CHROMIUM[1]
@pytest.mark.parametrize("name,path,text", [
    ("landing", "/", "extracellular vesicles"),
    ("term", "/gene/HGNC_10672", "C-X-C motif chemokine ligand 12"),  # the IRI itself: 303 to the HTML page
    ("search", "/search?q=SDF-1", 'href="/gene/HGNC_10672"'),
])
def test_chromium_renders_pages_that_are_not_blank(name: str, path: str, text: str, server: str, browser: Browser,
                                                   tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    page = browser.open(server + path).settle()
    assert text in page.evaluate("document.documentElement.outerHTML")
    shot = tmp_path / f"{name}.png"
    page.screenshot(shot, 1280, 900)
    with Image.open(shot) as image:
        assert image.size[0] == 1280 and 400 < image.size[1] <= 900
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
