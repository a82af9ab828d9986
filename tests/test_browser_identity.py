"""A term page's identity tools in a real headless Chromium: "Copy IRI" puts the term's IRI on the clipboard,
"Cite this" opens the BibTeX and CSL-JSON, and the embedded JSON-LD parses; no console error, failed request or
request to another host."""

from __future__ import annotations

import json

from tests.chromium import NEEDS_CHROMIUM, Browser

CXCL12 = "https://w3id.org/evrdf/gene/HGNC_10672"

pytestmark = NEEDS_CHROMIUM


def test_copy_iri_and_cite_this(server: str, browser: Browser) -> None:
    browser.send("Browser.grantPermissions", {"origin": server,
                                              "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    page = browser.open(server + "/gene/HGNC_10672")
    page.evaluate("document.querySelector('[data-copy]').click()")
    assert page.wait_for("document.querySelector('.identity .copied').textContent") == "IRI copied"
    assert page.evaluate("navigator.clipboard.readText()") == CXCL12
    assert page.evaluate("document.querySelector('.identity pre.bibtex').checkVisibility()") is False
    page.evaluate("document.querySelector('#cite summary').click()")
    assert page.evaluate("document.querySelector('.identity pre.bibtex').checkVisibility()") is True
    csl = json.loads(page.evaluate("document.querySelector('.identity pre.csl').textContent"))
    assert csl[0]["URL"] == CXCL12
    assert page.evaluate("document.querySelector('.identity').scrollWidth <= document.querySelector('main').clientWidth + 1")
    doc = json.loads(page.evaluate("document.querySelector('script[type=\"application/ld+json\"]').textContent"))
    assert doc["@id"] == CXCL12 and doc["@type"] == "Protein"
    assert page.other_hosts(server) == []
    assert page.failures == []
    assert page.errors == []
