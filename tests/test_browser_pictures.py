"""The pictures and the findings table in a real headless Chromium against a live server, at desktop and mobile
width: the network and the diagrams draw a node for each node of the page's data, the table filters, sorts and
exports the rows it shows; no console error, no failed request, no request to another host."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest

from tests.chromium import NEEDS_CHROMIUM, WIDTHS, Browser, Page, clean, fetch_json

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
CXCL12 = BASE + "gene/HGNC_10672"

pytestmark = NEEDS_CHROMIUM


def drawn(page: Page, selector: str) -> int:
    """How many nodes Cytoscape drew in the element, read from the graph itself once the page has drawn it."""
    page.wait_for(f"document.querySelector({json.dumps(selector)}).dataset.nodes")
    return int(page.evaluate(f"document.querySelector({json.dumps(selector)}).cy.nodes().length"))


@pytest.mark.parametrize("size", WIDTHS)
def test_the_network_page_draws_every_molecule_and_ev_type(size: tuple[int, int], server: str,
                                                          browser: Browser) -> None:
    page = browser.open(server + "/network", *size)
    data = fetch_json(server + "/network.json")
    assert drawn(page, "[data-network]") == len(data["nodes"]) > 60
    assert page.evaluate("document.querySelector('[data-network]').cy.edges().length") == len(data["edges"])
    labels = page.evaluate("document.querySelector('[data-network]').cy.nodes('[kind = \"ligand\"]').map(n => n.data('label'))")
    assert "CXCL12" in labels and "CXCR4" not in labels
    assert page.evaluate("document.querySelector('[data-network]').cy.getElementById("
                         f"{json.dumps(BASE + 'gene/HGNC_2561')}).style('shape')") == "round-rectangle"
    assert page.evaluate("getComputedStyle(document.querySelector('[data-network] canvas')).width") != "0px"
    clean(page, server)


@pytest.mark.parametrize("size", WIDTHS)
def test_a_chemokine_page_draws_its_network_and_its_findings_table(size: tuple[int, int], server: str,
                                                                  browser: Browser) -> None:
    page = browser.open(server + "/gene/HGNC_10672", *size)
    network = fetch_json(server + f"/network.json?focus={quote(CXCL12, safe='')}")
    assert drawn(page, "[data-network]") == len(network["nodes"])
    assert page.evaluate(f"document.querySelector('[data-network]').cy.getElementById({json.dumps(CXCL12)}).data('focus')")
    table = fetch_json(server + f"/findings/data.json?about={quote(CXCL12, safe='')}")
    page.wait_for("document.querySelector('[data-findings]').dataset.ready")
    assert page.evaluate("document.querySelectorAll('[data-findings] tbody tr').length") == table["count"] > 0
    # the pictures and the table fit the screen (a wide table scrolls inside its own box)
    for selector in ("#network", "[data-network]", "#findings-table", ".ft-scroll"):
        assert page.evaluate(f"document.querySelector({json.dumps(selector)}).getBoundingClientRect().right") <= size[0]
    clean(page, server)


@pytest.mark.parametrize("path,about", [("/ontology/Exosome", EVO + "Exosome"),
                                        ("/finding/bian2019-t1-02", BASE + "finding/bian2019-t1-02")])
def test_ev_and_finding_pages_draw_the_findings_diagram(path: str, about: str, server: str,
                                                        browser: Browser) -> None:
    page = browser.open(server + path)
    diagram = fetch_json(server + f"/diagram.json?about={quote(about, safe='')}")
    assert drawn(page, "[data-diagram]") == len(diagram["nodes"]) > 3
    roles = page.evaluate("document.querySelector('[data-diagram]').cy.nodes().map(n => n.data('role'))")
    assert {"ev", "molecule", "effect"} <= set(roles)
    clean(page, server)


def rows_shown(page: Page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('[data-findings] tbody tr')].map(tr => tr.dataset.iri)")


def export_rows(page: Page, fmt: str) -> list[str]:
    """What the page's own export link downloads, fetched by the page."""
    text = page.evaluate(f"fetch(document.querySelector('.ft-export[data-format={fmt}]').href).then(r => r.text())")
    if fmt == "jsonld":
        return [node["@id"] for node in json.loads(text)["@graph"]]
    return [line["finding"] for line in csv.DictReader(io.StringIO(text), delimiter="\t" if fmt == "tsv" else ",")]


@pytest.mark.parametrize("size", WIDTHS)
def test_the_findings_table_filters_sorts_and_exports_what_it_shows(size: tuple[int, int], server: str,
                                                                   browser: Browser) -> None:
    page = browser.open(server + "/findings", *size)
    page.wait_for("document.querySelector('[data-findings]').dataset.ready")
    every = fetch_json(server + "/findings/data.json")
    assert len(rows_shown(page)) == every["count"]
    # tick the Exosome value of the EV facet: the rows become the exosome findings, counted as the server counts
    exosome = EVO + "Exosome"
    page.evaluate(f"document.querySelector('[data-facet=ev] input[value={json.dumps(exosome)}]').click()")
    page.wait_for(f"document.querySelector('[data-findings]').dataset.rows === '{len(fetch_json(server + '/findings/data.json?ev=' + quote(exosome, safe=''))['rows'])}'")
    wanted = [row["iri"] for row in fetch_json(server + f"/findings/data.json?ev={quote(exosome, safe='')}")["rows"]]
    assert rows_shown(page) == wanted and 0 < len(wanted) < every["count"]
    assert "ev=" in page.evaluate("location.search")  # the filter is in the page's URL, to share or reload
    # type a text filter too
    page.evaluate("const q = document.querySelector('.ft-q'); q.value = 'CCL2'; q.dispatchEvent(new Event('input'))")
    page.wait_for("location.search.includes('q=CCL2') && !document.querySelector('[data-findings]').classList.contains('loading')")
    page.wait_for(f"document.querySelectorAll('[data-findings] tbody tr').length < {len(wanted)}")
    filtered = rows_shown(page)
    assert filtered and all(iri in wanted for iri in filtered)
    # sort by cancer, descending (two clicks)
    for _ in range(2):
        before = page.evaluate("location.search")
        page.evaluate("document.querySelector('th[data-sort=cancer] button').click()")
        page.wait_for(f"location.search !== {json.dumps(before)} && "
                      "document.querySelector('th[data-sort=cancer]') && "
                      "!document.querySelector('[data-findings]').classList.contains('loading')")
    page.wait_for("document.querySelector('th[data-sort=cancer]').getAttribute('aria-sort') === 'descending'")
    shown = rows_shown(page)
    assert sorted(shown) == sorted(filtered)
    for fmt in ("csv", "tsv", "jsonld"):
        assert export_rows(page, fmt) == shown
    # on a narrow screen the facets fold away, but one with a ticked value stays open
    assert page.evaluate("document.querySelector('[data-facet=cancer]').open") is (size[0] > 700)
    assert page.evaluate("document.querySelector('[data-facet=ev]').open") is True
    # a facet's counts are shown next to its values
    count = page.evaluate(f"document.querySelector('[data-facet=ev] input[value={json.dumps(exosome)}]').parentNode.textContent")
    assert f"({len(filtered)})" in count
    clean(page, server)


@pytest.mark.parametrize("size", WIDTHS)
def test_a_term_pages_findings_table_filters_and_exports_what_it_shows(size: tuple[int, int], server: str,
                                                                      browser: Browser) -> None:
    """The exosome's own table: ticking its commonest disease leaves the exosome findings of that disease, as the
    server filters them, and every export downloads exactly those rows."""
    exosome = EVO + "Exosome"
    page = browser.open(server + "/ontology/Exosome", *size)
    page.wait_for("document.querySelector('[data-findings]').dataset.ready")
    mine = fetch_json(server + f"/findings/data.json?about={quote(exosome, safe='')}")
    assert len(rows_shown(page)) == mine["count"] > 1
    cancer = next(f for f in mine["facets"] if f["key"] == "cancer")["values"][0]["iri"]
    page.evaluate(f"document.querySelector('[data-facet=cancer] input[value={json.dumps(cancer)}]').click()")
    wanted = [row["iri"] for row in fetch_json(
        server + f"/findings/data.json?about={quote(exosome, safe='')}&cancer={quote(cancer, safe='')}")["rows"]]
    assert 0 < len(wanted) < mine["count"]
    page.wait_for(f"document.querySelector('[data-findings]').dataset.rows === '{len(wanted)}' && "
                  "!document.querySelector('[data-findings]').classList.contains('loading')")
    assert rows_shown(page) == wanted
    assert page.evaluate("location.search") == ""  # a term page's own URL stays its own
    for fmt in ("csv", "tsv", "jsonld"):
        assert export_rows(page, fmt) == wanted
    clean(page, server)
