"""Every page kind in a real headless Chromium (tests/chromium.py), at desktop and phone width, against a live
server of the session's build, whose canonical base (https://w3id.org/evrdf/) is not this host: no console error,
no failed request, no request to another host, nothing wider than the window; each picture draws a node for each
node of its data, each findings table a row for each of its findings, each class tree its classes; and the SPARQL
editor opened from a landing-page link or a term page's button runs its query, links result IRIs to this host and
completes from this endpoint's vocabulary.

The page kinds are the routes of evrdf/serve: the landing page, a term page of each kind of resource the data has
(chemokine, receptor, EV class, cell, disease, effect, property, finding, reference, cited statement,
ligand-receptor pair, axis, source, software, graph, dataset), the indexes, search, the editor, the ontology, the
shapes, the validation history, the releases and a release, the downloads, the findings table, the network, the
tree and a page that is not found."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any, Callable

import pytest

from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from tests.chromium import NEEDS_CHROMIUM, WIDTHS, Browser, Page, fetch_json
from tests.conftest import select

pytestmark = NEEDS_CHROMIUM
LAYOUT = """JSON.stringify({scroll: document.documentElement.scrollWidth, width: innerWidth,
  search: Math.round(document.querySelector('header.site form.search').getBoundingClientRect().right),
  frame: !!document.querySelector('header.site nav') && !!document.querySelector('footer.site')})"""


def first(settings: Settings, cls: str) -> str:
    """The path of one resource of a class, from the data (not a remembered identifier)."""
    iri = cls if cls.startswith("http") else f"{settings.base_iri}ontology/{cls}"
    rows = select(OxigraphStore(settings.store),
                  f"SELECT ?x WHERE {{ ?x a <{iri}> FILTER(STRSTARTS(STR(?x), '{settings.base_iri}')) }}"
                  " ORDER BY ?x LIMIT 1")
    return "/" + rows[0]["x"][len(settings.base_iri):]


def facet(key: str) -> Callable[[Settings, str], str]:
    """The page of the commonest value of a findings facet (the EV type, cell, disease ... most findings name)."""
    def path(settings: Settings, server: str) -> str:
        values = next(f for f in fetch_json(server + "/findings/data.json")["facets"] if f["key"] == key)["values"]
        return "/" + str(values[0]["iri"])[len(settings.base_iri):]
    return path


def of(cls: str) -> Callable[[Settings, str], str]:
    return lambda settings, server: first(settings, cls)


NETWORK, DIAGRAM, TABLE, TREE = "network", "diagram", "findings table", "tree"
# page kind -> (path, or how to find it in the data; the pictures, tables and trees the page shows)
PAGES: dict[str, tuple[str | Callable[[Settings, str], str], set[str]]] = {
    "landing": ("/", set()),
    "chemokine": ("/gene/HGNC_10672", {NETWORK, TABLE, TREE}),
    "receptor": ("/gene/HGNC_2561", {NETWORK, TABLE, TREE}),  # CXCR4, the receptor of CXCL12
    "ev-class": (facet("ev"), {DIAGRAM, TABLE, TREE}),
    "cell": (facet("cell"), {TABLE, TREE}),
    "disease": (facet("cancer"), {TABLE, TREE}),
    "effect": (facet("effect"), {TABLE, TREE}),
    "property": ("/ontology/carriesCargo", set()),
    "finding": (of("Finding"), {DIAGRAM, TREE}),
    "reference": (of("Reference"), {TABLE, TREE}),  # the findings it is cited for
    "cited-statement": (of("CitedStatement"), {TREE}),
    "pair": (of("LigandReceptorPair"), {TREE}),
    "axis": (of("ChemokineAxis"), {TREE}),
    "source": (of("CuratedResource"), {TREE}),
    "software": (of("http://www.w3.org/ns/prov#SoftwareAgent"), set()),
    "graph": ("/graph/metadata", set()),
    "dataset": ("/dataset", set()),
    "browse": ("/browse", set()),
    "index": ("/browse/chemokines", set()),
    "search": ("/search?q=SDF-1", set()),
    "editor": ("/sparql", set()),
    "ontology": ("/ontology", set()),
    "shapes": ("/shapes", set()),
    "validation": ("/validation", set()),
    "releases": ("/releases", set()),
    "release": (of("https://w3id.org/evrdf/changes/Release"), set()),
    "downloads": ("/downloads/", set()),
    "findings": ("/findings", {TABLE}),
    "network": ("/network", {NETWORK}),
    "tree": ("/tree", {TREE}),
    "not-found": ("/gene/HGNC_0", set()),
}
# What the page shows, each read from what its scripts drew, with the count its own data asks for: the nodes of
# each picture against its JSON (/network.json, /diagram.json), the rows of each findings table against
# /findings/data.json for its subject, the classes of each tree. A kind -> [[drawn, wanted], ...].
DRAWN = """(async () => {
  const shown = {};
  const add = (kind, drawn, wanted) => (shown[kind] = shown[kind] || []).push([drawn, wanted]);
  const ready = (el, test) => new Promise(done => { let tries = 0; const wait = setInterval(() => {
    if (test(el) || ++tries > 100) { clearInterval(wait); done(); } }, 100); });
  for (const [attr, kind] of [['network', 'network'], ['diagram', 'diagram']]) {
    for (const el of document.querySelectorAll(`[data-${attr}]`)) {
      await ready(el, e => e.dataset.nodes && e.cy);
      const data = await (await fetch(el.dataset[attr])).json();
      add(kind, el.cy ? el.cy.nodes().length : -1, data.nodes.length);
    }
  }
  for (const el of document.querySelectorAll('[data-findings]')) {
    await ready(el, e => e.dataset.ready);
    const about = el.dataset.about ? '?about=' + encodeURIComponent(el.dataset.about) : '';
    const data = await (await fetch(el.dataset.findings + about)).json();
    add('findings table', el.querySelectorAll('tbody tr').length, data.count);
  }
  for (const el of document.querySelectorAll('[data-tree]')) {
    const classes = el.querySelectorAll('a.node').length;
    add('tree', classes, classes);
  }
  return JSON.stringify(shown);
})()"""


def path_of(kind: str, settings: Settings, server: str) -> str:
    path = PAGES[kind][0]
    return path(settings, server) if callable(path) else path


@pytest.mark.parametrize("size", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_loads_cleanly_and_draws_its_data(kind: str, size: tuple[int, int], server: str,
                                                          browser: Browser, settings: Settings) -> None:
    path = path_of(kind, settings, server)
    expected = 404 if kind == "not-found" else 200
    page = browser.open(server + path, *size).settle()
    assert page.status == expected, f"{path}: HTTP {page.status}"
    shown = json.loads(page.evaluate(DRAWN))
    assert set(shown) == PAGES[kind][1], f"{path} shows {sorted(shown)}"
    for what, counts in shown.items():
        for drawn, wanted in counts:
            if what == TREE:
                assert drawn > 0, f"{path}: an empty class tree"
            else:
                assert drawn == wanted > 0, f"{path}: the {what} drew {drawn} of {wanted}"
    page.settle()  # the pictures' and tables' own requests, recorded too
    assert not page.problems(server, expected), page.problems(server, expected)
    layout = json.loads(page.evaluate(LAYOUT))
    assert layout["frame"], f"{path}: not in the site frame"
    assert layout["scroll"] <= layout["width"], f"{path} at {size[0]} px is {layout['scroll']} px wide"
    assert layout["search"] <= layout["width"], f"{path}: the header search ends at {layout['search']} px"


# the open tab's results (the editor keeps earlier tabs, and their results, in the page, hidden)
RESULTS = """new Promise(done => { let tries = 0; const wait = setInterval(() => {
  const links = [...document.querySelectorAll('.tabPanel.active .yasr a.iri')];
  if (links.length || (document.querySelectorAll('.tabPanel.active .yasr tbody tr').length && tries > 10) || ++tries > 75) { clearInterval(wait);
    const main = document.querySelector('main').getBoundingClientRect();
    const tables = [...document.querySelectorAll('.tabPanel.active .yasr table')].filter(t => t.offsetParent !== null);
    done(JSON.stringify({links: links.map(a => a.getAttribute('href')), rows: document.querySelectorAll('.tabPanel.active .yasr tbody tr').length,
      right: Math.max(0, ...tables.map(t => { let box = t;  // the table, or the scrolling box that holds it
        while (box && !['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX)) { box = box.parentElement; }
        return Math.round(Math.min(t.getBoundingClientRect().right, (box || t).getBoundingClientRect().right)); })),
      main: Math.round(main.right),
      scroll: document.documentElement.scrollWidth, width: innerWidth})); } }, 200); })"""


LANDING_EXAMPLE = """[...document.querySelectorAll('a')].find(a => (a.getAttribute('href') || '').startsWith('/sparql?query=')
  && decodeURIComponent(a.getAttribute('href').split('+').join(' ')).includes('title: EV subclasses'))"""


def editor_results(page: Page, server: str, settings: Settings) -> dict[str, Any]:
    """The editor a link opened, once it has run its query: the rows and IRI links of its results, and where its
    results table ends against the page's column."""
    page.wait_for("location.pathname === '/sparql' && document.readyState === 'complete'")
    found: dict[str, Any] = json.loads(page.evaluate(RESULTS))
    page.settle()
    assert not page.problems(server), page.problems(server)
    assert found["rows"] > 0, "the linked query did not run"
    assert not [link for link in found["links"] if link.startswith(settings.base_iri)], found["links"][:5]
    assert found["right"] <= found["main"] + 1, f"results end at {found['right']} px, the column at {found['main']}"
    assert found["scroll"] <= found["width"]
    return found


def click(page: Page, anchor: str, timeout: float = 30) -> None:
    """A person's click on the link (a real mouse event on its first line of text), which navigates the tab."""
    box = page.evaluate(f"(() => {{ const a = {anchor}; a.scrollIntoView({{block: 'center'}});"
                        " const r = a.getClientRects()[0]; return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    page.loaded = False
    for kind in ("mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
    deadline = time.monotonic() + timeout
    while not page.loaded:
        assert time.monotonic() < deadline, f"the click on {anchor} opened no page"
        page.browser.pump(0.1)


@pytest.mark.parametrize("size", WIDTHS)
def test_editor_opened_from_a_landing_page_link_runs_it_and_links_results_here(
        size: tuple[int, int], server: str, browser: Browser, settings: Settings) -> None:
    page = browser.open(server + "/", *size)
    assert page.evaluate(f"!!{LANDING_EXAMPLE}"), "the landing page links no EV-subclass example query"
    click(page, LANDING_EXAMPLE)
    found = editor_results(page, server, settings)
    assert found["links"] and any(link.startswith("/ontology/") for link in found["links"])  # this host's pages


@pytest.mark.parametrize("size", WIDTHS)
def test_a_term_pages_editor_button_runs_its_query(size: tuple[int, int], server: str, browser: Browser,
                                                   settings: Settings) -> None:
    page = browser.open(server + "/gene/HGNC_10672", *size)
    button = "[...document.querySelectorAll('a.button')].find(a => a.textContent === 'Open in SPARQL editor')"
    click(page, button)
    found = editor_results(page, server, settings)
    # the term's own description: a row per statement about it, as the endpoint answers protocol clients
    answer = urllib.request.Request(page.evaluate("location.href"),
                                    headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(answer, timeout=30) as response:
        assert found["rows"] == len(json.load(response)["results"]["bindings"]) > 0
    assert "/ontology/Chemokine" in found["links"] or "/ontology/CXCChemokine" in found["links"]


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
                                                         browser: Browser) -> None:
    page = browser.open(server + "/sparql").settle()
    found = json.loads(page.evaluate(COMPLETE % (json.dumps(typed), json.dumps(offered))))
    page.settle()
    assert not page.problems(server), page.problems(server)  # no vocabulary service elsewhere is asked
    assert any(hint.split(" ")[0] == offered for hint in found["hints"]), found["hints"]
    assert written in found["query"]
    assert "PREFIX evo: <https://w3id.org/evrdf/ontology/>" in found["query"]  # the term's prefix, declared
