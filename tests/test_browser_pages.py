"""Every page kind in a real headless Chromium (tests/cdp.py), at desktop and phone width, against a live server
of the session's build, whose canonical base (https://w3id.org/evrdf/) is not this host: no console error, no
failed request, no request to another host, nothing wider than the window; and the SPARQL editor opened from a
landing-page link runs its query, links result IRIs to this host and completes from this endpoint's vocabulary."""

from __future__ import annotations

import json
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from evrdf.settings import Settings
from tests.cdp import BINARY, Chromium, PageLoad
from tests.conftest import live_server, select

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(BINARY is None, reason="the chromium binary is not installed (`make test` installs it)")]
WIDTHS = {"desktop": 1280, "phone": 390}
LAYOUT = """JSON.stringify({scroll: document.documentElement.scrollWidth, width: innerWidth,
  search: Math.round(document.querySelector('header.site form.search').getBoundingClientRect().right),
  frame: !!document.querySelector('header.site nav') && !!document.querySelector('footer.site')})"""


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[str]:
    with live_server(settings.store, ready="/context.jsonld") as live:
        yield live.root


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def first(settings: Settings, cls: str) -> str:
    """The path of one resource of a kind, from the data (not a remembered identifier)."""
    rows = select(__import__("evrdf.store.oxigraph", fromlist=["_"]).OxigraphStore(settings.store),
                  f"SELECT ?x WHERE {{ ?x a <{settings.base_iri}ontology/{cls}> }} ORDER BY ?x LIMIT 1")
    return "/" + rows[0]["x"][len(settings.base_iri):]


PAGES = {  # page kind -> path (a callable when it comes from the data)
    "landing": "/",
    "gene": "/gene/HGNC_10672",
    "class": "/ontology/Exosome",
    "finding": lambda s: first(s, "Finding"),
    "reference": lambda s: first(s, "Reference"),
    "pair": lambda s: first(s, "LigandReceptorPair"),
    "graph": "/graph/metadata",
    "dataset": "/dataset",
    "browse": "/browse",
    "index": "/browse/chemokines",
    "search": "/search?q=SDF-1",
    "editor": "/sparql",
    "ontology": "/ontology",
    "shapes": "/shapes",
    "validation": "/validation",
    "releases": "/releases",
    "downloads": "/downloads/",
    "not-found": "/gene/HGNC_0",
}


def problems(load: PageLoad, root: str, expected_status: int = 200) -> list[str]:
    """What a person would see go wrong: console errors, failed requests, requests to other hosts."""
    host = urlsplit(root).netloc
    found = []
    own_404 = f"{load.url}: HTTP 404"
    failed = [f for f in load.failed if not (expected_status == 404 and f == own_404)]
    errors = [e for e in load.console_errors
              if not (expected_status == 404 and e.startswith(load.url + ": Failed to load resource"))]
    found += [f"failed request {f}" for f in failed]
    found += [f"console error {e}" for e in errors]
    found += [f"request to another host: {u}" for u in load.requests
              if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != host]
    return found


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_loads_cleanly(kind: str, width: str, server: str, browser: Chromium,
                                       settings: Settings) -> None:
    path = PAGES[kind]
    path = path(settings) if callable(path) else path
    expected = 404 if kind == "not-found" else 200
    load, layout = browser.load(server + path, WIDTHS[width], script=LAYOUT)
    assert load.status == expected, f"{path}: HTTP {load.status}"
    assert not problems(load, server, expected), problems(load, server, expected)
    layout = json.loads(layout)
    assert layout["frame"], f"{path}: not in the site frame"
    assert layout["scroll"] <= layout["width"], f"{path} at {WIDTHS[width]} px is {layout['scroll']} px wide"
    assert layout["search"] <= layout["width"], f"{path}: the header search ends at {layout['search']} px"


RESULTS = """new Promise(done => { let tries = 0; const wait = setInterval(() => {
  const links = [...document.querySelectorAll('.yasr a.iri')];
  if (links.length || ++tries > 75) { clearInterval(wait);
    const main = document.querySelector('main').getBoundingClientRect();
    const tables = [...document.querySelectorAll('.yasr table')].filter(t => t.offsetParent !== null);
    done(JSON.stringify({links: links.map(a => a.getAttribute('href')), rows: document.querySelectorAll('.yasr tbody tr').length,
      right: Math.max(0, ...tables.map(t => { let box = t;  // the table, or the scrolling box that holds it
        while (box && !['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX)) { box = box.parentElement; }
        return Math.round(Math.min(t.getBoundingClientRect().right, (box || t).getBoundingClientRect().right)); })),
      main: Math.round(main.right),
      scroll: document.documentElement.scrollWidth, width: innerWidth})); } }, 200); })"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_editor_opened_from_a_landing_page_link_runs_it_and_links_results_here(
        width: str, server: str, browser: Chromium, settings: Settings) -> None:
    _, href = browser.load(server + "/", WIDTHS[width], script="""[...document.querySelectorAll('a')]
        .map(a => a.getAttribute('href')).find(h => h && h.startsWith('/sparql?query=')
        && decodeURIComponent(h.split('+').join(' ')).includes('title: EV subclasses'))""")
    assert href, "the landing page links no EV-subclass example query"
    load, found = browser.load(server + href, WIDTHS[width], script=RESULTS)
    assert not problems(load, server), problems(load, server)
    found = json.loads(found)
    assert found["rows"] > 0 and found["links"], "the linked query did not run"
    assert not [link for link in found["links"] if link.startswith(settings.base_iri)], found["links"][:5]
    assert any(link.startswith("/ontology/") for link in found["links"])  # our IRIs open this host's pages
    assert found["right"] <= found["main"] + 1, f"results end at {found['right']} px, the column at {found['main']}"
    assert found["scroll"] <= found["width"]


COMPLETE = """new Promise(done => { const yasqe = yasgui.getTab().getYasqe();
  yasqe.setValue(%s); yasqe.focus(); const last = yasqe.getDoc().lastLine();
  yasqe.getDoc().setCursor({line: last, ch: yasqe.getDoc().getLine(last).length}); yasqe.autocomplete();
  setTimeout(() => { const hints = [...document.querySelectorAll('.CodeMirror-hint')].map(li => li.textContent);
    const pick = [...document.querySelectorAll('.CodeMirror-hint')].find(li => li.textContent.split(' ')[0] === %s);
    if (pick) { pick.dispatchEvent(new MouseEvent('dblclick', {bubbles: true})); }
    setTimeout(() => done(JSON.stringify({hints, query: yasqe.getValue()})), 400); }, 1500); })"""


@pytest.mark.parametrize("typed,offered,written", [
    ("SELECT * WHERE {\n  ?x a evo:Exoso", "evo:Exosome", "?x a evo:Exosome"),  # a class, by its CURIE
    ("SELECT * WHERE {\n  ?x carriesCar", "evo:carriesCargo", "?x evo:carriesCargo"),  # a property, by a word
])
def test_editor_completes_from_this_endpoints_vocabulary(typed: str, offered: str, written: str, server: str,
                                                         browser: Chromium) -> None:
    load, found = browser.load(server + "/sparql", WIDTHS["desktop"], script=COMPLETE % (json.dumps(typed), json.dumps(offered)))
    assert not problems(load, server), problems(load, server)  # no vocabulary service elsewhere is asked
    found = json.loads(found)
    assert any(hint.split(" ")[0] == offered for hint in found["hints"]), found["hints"]
    assert written in found["query"]
    assert "PREFIX evo: <https://w3id.org/evrdf/ontology/>" in found["query"]  # the term's prefix, declared
