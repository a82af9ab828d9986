"""The site as a browser sees it (through the Flask test client, on the session's real build): every internal
link from / resolves, our own IRIs link to this host, errors are pages in the site frame for people and text for
machines, and the pages the navigation names exist and say what they should."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from evrdf.natural import natural_key
from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,*/*;q=0.8"
# The crawl follows every internal link (each page, RDF document, citation, findings export, editor link and
# download, once): about 8,000 on the curated data, ~100 s on one shared core. This bound is a guard against a
# link loop (ever new URLs), not a sample: a bigger release raises it.
MAX_LINKS = 20_000
RDF_DOCUMENT = re.compile(r"\.(ttl|nt|rdf|jsonld)$")


@pytest.fixture(scope="module")
def site(settings: Settings):  # type: ignore[no-untyped-def]
    """The app as production serves a release this size: from an in-memory copy (4-9x faster than from disk)."""
    store = OxigraphStore(settings.store, memory_budget=1 << 30)
    assert store.preload() == "memory"
    app = create_app(settings, store)
    app.testing = True
    return app.test_client()


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag in ("a", "link") and name == "href") or (tag in ("script", "img") and name == "src")
                          or (tag == "form" and name == "action")):
                self.found.append(value)


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def get(site, path: str):  # type: ignore[no-untyped-def]
    """A browser's GET: Chromium's Accept header, redirects followed."""
    return site.get(path, headers={"Accept": BROWSER}, follow_redirects=True)


def test_every_internal_link_from_the_landing_page_resolves(site, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Breadth first from /, every link of every HTML page fetched once (RDF documents and downloads too, whose
    own content is not searched for links); none answers 4xx or 5xx."""
    seen, queue, broken, canonical = {"/"}, deque(["/"]), [], []
    linked_from = {"/": "(start)"}
    while queue:
        path = queue.popleft()
        with get(site, path) as response:  # closed: file downloads are streamed
            status, html = response.status_code, response.mimetype == "text/html"
            body = response.get_data(as_text=True) if html else ""
        if status >= 400:
            broken.append(f"{path}: {status} (linked from {linked_from[path]})")
            continue
        for href in links(body):
            if href.startswith(settings.base_iri):
                canonical.append(f"{path} links {href}")  # our IRIs must link to this host's pages
                continue
            target, _ = urldefrag(urljoin("http://localhost" + path, href))
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
                continue  # another site (a cross-reference), mailto:, data:
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                linked_from[local] = path
                queue.append(local)
                assert len(seen) < MAX_LINKS, "the crawl did not end: a link loop?"
    assert not broken, f"{len(broken)} broken internal links, e.g. {broken[:10]}"
    assert not canonical, f"links to the canonical base instead of this host: {canonical[:10]}"
    for expected in ("/downloads/", "/shapes", "/validation", "/search", "/graph/metadata", "/ontology",
                     "/browse/chemokines", "/gene/HGNC_10672", "/static/favicon.svg", "/findings",
                     "/findings/export.csv", "/network", "/tree", "/cite.bib", "/cite.json"):
        assert any(p.split("?")[0].rstrip("/") == expected.rstrip("/") or p.startswith(expected) for p in seen), \
            f"the crawl never reached {expected}"
    pages = {p for p in seen if not RDF_DOCUMENT.search(p) and "?" not in p}
    assert len(pages) > 200  # every term, index, release and download page, not just the landing page
    for path in ("/gene/HGNC_10672", "/ontology/Exosome"):  # and every RDF document of a term
        assert {f"{path}.{ext}" for ext in ("ttl", "nt", "rdf", "jsonld")} <= seen, path


@pytest.mark.parametrize("path", ["/downloads/", "/shapes", "/validation", "/search", "/sparql",
                                  "/releases", "/browse", "/ontology", "/findings", "/network", "/tree"])
def test_navigation_names_every_section_on_every_page(site, path: str) -> None:  # type: ignore[no-untyped-def]
    html = get(site, path).get_data(as_text=True)
    nav = html[html.index('<nav aria-label="Site"'):]
    nav = nav[:nav.index("</nav>")]
    for label in ("Browse", "Search", "Findings", "Network", "Tree", "SPARQL", "Ontology", "Shapes", "Validation",
                  "Releases", "Downloads"):
        assert f">{label}</a>" in nav, f"{path}: the navigation lacks {label}"
    assert 'rel="icon"' in html


def test_the_header_search_box_holds_only_a_search(site) -> None:  # type: ignore[no-untyped-def]
    """The editor's linked query fills the editor, not the site search box; a search fills the search box."""
    def search_box(html: str) -> str:
        form = html[html.index('<form class="search"'):]
        return form[:form.index("</form>")]
    editor = get(site, "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D").get_data(as_text=True)
    assert "SELECT * WHERE" in editor  # the editor has the query
    assert 'value=""' in search_box(editor) and "SELECT" not in search_box(editor)
    found = get(site, "/search?q=CXCL12").get_data(as_text=True)
    assert 'value="CXCL12"' in search_box(found)


def test_not_found_is_a_page_for_browsers_and_text_for_machines(site) -> None:  # type: ignore[no-untyped-def]
    for path in ("/gene/HGNC_0", "/no/such/page", "/browse/nothing"):
        page = site.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 404 and page.mimetype == "text/html", path
        html = page.get_data(as_text=True)
        assert '<header class="site">' in html and 'id="error-message"' in html and "Not found" in html
        for accept in ("*/*", "text/turtle", "application/sparql-results+json"):
            machine = site.get(path, headers={"Accept": accept})
            assert machine.status_code == 404 and machine.mimetype != "text/html" or path == "/browse/nothing", \
                (path, accept, machine.mimetype)
    curl = site.get("/gene/HGNC_0", headers={"Accept": "*/*"})
    assert curl.mimetype == "text/plain" and "nothing is published as <https://w3id.org/evrdf/gene/HGNC_0>" in \
        curl.get_data(as_text=True)


def test_favicon_and_downloads_index(site) -> None:  # type: ignore[no-untyped-def]
    with site.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\0\0\1\0"  # an ICO file
    page = get(site, "/downloads")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv", "evrdf.nq"):
        assert f'href="/downloads/{name}"' in html
        with site.get(f"/downloads/{name}") as download:
            assert download.status_code == 200 and download.data


def test_the_metadata_graph_named_as_provenance_resolves(site) -> None:  # type: ignore[no-untyped-def]
    dataset = get(site, "/dataset").get_data(as_text=True)
    assert 'href="/graph/metadata"' in dataset
    page = get(site, "/graph/metadata")
    assert page.status_code == 200 and "Dataset, graph, build and release provenance" in page.get_data(as_text=True)


def test_a_build_records_its_gate_run_in_the_validation_history(site, report) -> None:  # type: ignore[no-untyped-def]
    html = get(site, "/validation").get_data(as_text=True)
    assert "No validation run recorded yet" not in html
    status = html[html.index('id="status"'):html.index("</section>")]
    assert "conforms" in status and f"/releases/{report.release}/" in status


def test_shapes_are_named_and_show_their_paths(site) -> None:  # type: ignore[no-untyped-def]
    html = get(site, "/shapes").get_data(as_text=True)
    assert not re.search(r"<code>[0-9a-f]{20,}</code>", html), "a shape is named by a blank-node id"
    diameter = html[html.index('id="DiameterShape"'):]
    diameter = diameter[:diameter.index("</section>")]
    assert "<h2>EV subclass diameter range</h2>" in diameter
    assert "<code>evo:diameterMinNm</code>" in diameter and "<code>datatype xsd:decimal</code>" in diameter
    plausible = html[html.index('id="DiameterPlausibleShape"'):]
    assert "SPARQL SELECT" in plausible[:plausible.index("</section>")]  # its sh:sparql constraint, by its shape


def test_chemokines_are_listed_in_natural_order(site) -> None:  # type: ignore[no-untyped-def]
    html = get(site, "/browse/chemokines").get_data(as_text=True)
    labels = re.findall(r'<a href="/gene/HGNC_\d+">([^<]+)</a>', html)
    ccl = [label for label in labels if re.fullmatch(r"CCL\d+", label)]
    assert len(ccl) > 10 and ccl == sorted(ccl, key=natural_key)
    assert ccl.index("CCL2") < ccl.index("CCL11")


def test_natural_key_orders_numbers_by_value() -> None:
    names = ["CCL11", "CCL2", "ccl1", "CXCL12", "CCL", "CCL2a", "XCL1"]
    assert sorted(names, key=natural_key) == ["CCL", "ccl1", "CCL2", "CCL2a", "CCL11", "CXCL12", "XCL1"]


def test_editor_vocabulary_is_this_endpoints_own(site) -> None:  # type: ignore[no-untyped-def]
    vocabulary = site.get("/api/vocabulary").get_json()
    assert vocabulary["prefixes"]["evo"] == "https://w3id.org/evrdf/ontology/"
    properties = {t["iri"] for t in vocabulary["properties"]}
    classes = {t["iri"] for t in vocabulary["classes"]}
    assert "https://w3id.org/evrdf/ontology/carriesCargo" in properties
    assert "https://w3id.org/evrdf/ontology/Exosome" in classes
    editor = get(site, "/sparql").get_data(as_text=True)
    assert 'data-vocabulary="/api/vocabulary"' in editor and "sparql-editor.js" in editor


def test_the_jsonld_context_has_a_term_per_vocabulary_property_and_class(site) -> None:  # type: ignore[no-untyped-def]
    import json

    import rdflib
    from rdflib.compare import isomorphic

    context = site.get("/context.jsonld").get_json()["@context"]
    assert context["evo"] == "https://w3id.org/evrdf/ontology/"
    assert context["carriesCargo"] == {"@id": "evo:carriesCargo", "@type": "@id"}  # an object property
    assert context["diameterMinNm"] == {"@id": "evo:diameterMinNm", "@type": "xsd:decimal"}  # its range
    assert context["Exosome"] == "evo:Exosome"
    finding = next(p for p in links(get(site, "/ontology/Exosome").get_data(as_text=True))
                   if p.startswith("/finding/") and "." not in p)
    document = json.loads(site.get(finding + ".jsonld").data)
    nodes = document.get("@graph", [document])
    node = next(n for n in nodes if n["@id"] == "finding:" + finding.rsplit("/", 1)[-1])
    assert "citedIn" in node and "evType" in node, sorted(node)  # reads by term ...
    assert not [key for node in nodes for key in node if key.startswith("evo:")]  # ... never by CURIE
    document["@context"] = context
    as_jsonld = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    as_turtle = rdflib.Graph().parse(data=site.get(finding + ".ttl").data, format="turtle")
    assert isomorphic(as_jsonld, as_turtle)  # the terms lose nothing
