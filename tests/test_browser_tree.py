"""The class tree in a real headless Chromium against a live server, at desktop and mobile width: a class
expanded from the keyboard or by a click lists the subclasses /tree.json gives, collapses again, and a class
page opens the tree on its ancestors; no console error, no failed request, no request to another host."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest

from tests.chromium import NEEDS_CHROMIUM, WIDTHS, Browser, Page, clean

EVO = "https://w3id.org/evrdf/ontology/"

pytestmark = NEEDS_CHROMIUM


def children_of(server: str, iri: str) -> list[str]:
    with urllib.request.urlopen(f"{server}/tree.json?iri={quote(iri)}", timeout=30) as response:
        return [c["label"] for c in json.load(response)["children"]]


def details(iri: str) -> str:
    return f"document.querySelector('details[data-iri={json.dumps(iri)}]')"


def shown(page: Page, iri: str) -> list[str]:
    """The labels the page lists under a class, once its subclasses are loaded."""
    page.wait_for(f"{details(iri)}.hasAttribute('data-loaded')")
    return page.evaluate(f"Array.from({details(iri)}.querySelectorAll(':scope > ul > li > details > summary > a.node,"
                         " :scope > ul > li.leaf > a.node')).map(a => a.textContent)")


KEYS = {"Enter": 13, "ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40}


def press(page: Page, key: str) -> None:
    for kind in ("keyDown", "keyUp"):
        page.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=KEYS[key],
                  **({"text": "\r"} if kind == "keyDown" and key == "Enter" else {}))


def press_enter(page: Page) -> None:
    press(page, "Enter")


FOCUSED = "document.activeElement.closest('li[role=treeitem]').querySelector('a.node').textContent"


@pytest.mark.parametrize("size", WIDTHS)
def test_expanding_a_class_lists_its_subclasses(size: tuple[int, int], server: str, browser: Browser) -> None:
    page = browser.open(server + "/tree", *size)
    ev = EVO + "ExtracellularVesicle"
    assert page.evaluate(f"{details(ev)}.open") is False
    page.evaluate(f"{details(ev)}.querySelector('summary').focus()")  # from the keyboard: Tab to it, Enter
    press_enter(page)
    expected = children_of(server, ev)
    assert shown(page, ev) == expected and {"exosome", "microvesicle", "apoptotic body"} <= set(expected)
    assert page.evaluate(f"{details(ev)}.parentNode.getAttribute('aria-expanded')") == "true"
    # a subclass fetched on expand expands in turn, by a click
    mv = EVO + "Microvesicle"
    page.evaluate(f"{details(mv)}.querySelector('summary').click()")
    assert shown(page, mv) == children_of(server, mv) == ["tumor-derived microvesicle"]
    assert page.evaluate("document.querySelector('a.node[href$=\"/ontology/TumorDerivedMicrovesicle\"]').checkVisibility()") is True
    page.evaluate(f"{details(ev)}.querySelector('summary').click()")  # collapse
    assert page.evaluate(f"{details(ev)}.open") is False
    assert page.evaluate("document.querySelector('a.node[href$=\"/ontology/Exosome\"]').checkVisibility()") is False
    clean(page, server, "/static/tree.js")


@pytest.mark.parametrize("size", WIDTHS)
def test_a_class_page_opens_the_tree_on_its_ancestors(size: tuple[int, int], server: str, browser: Browser) -> None:
    page = browser.open(server + "/ontology/TumorDerivedMicrovesicle", *size)
    for iri in (EVO + "ExtracellularVesicle", EVO + "Microvesicle"):
        assert page.evaluate(f"{details(iri)}.open") is True
    assert page.evaluate("document.querySelector('#tree a[aria-current]').textContent") == "tumor-derived microvesicle"
    assert page.evaluate("document.querySelector('#tree a[aria-current]').checkVisibility()") is True
    assert "≡ GO:1903561" in page.evaluate("document.querySelector('#tree').textContent")
    assert page.evaluate("document.querySelector('#tree').scrollWidth <= document.querySelector('main').clientWidth + 1")
    clean(page, server, "/static/tree.js")


def test_the_arrow_keys_move_through_the_tree(server: str, browser: Browser) -> None:
    page = browser.open(server + "/tree")
    ev = EVO + "ExtracellularVesicle"
    page.evaluate(f"{details(ev)}.querySelector('summary').focus()")
    press(page, "ArrowRight")  # opens the class, its subclasses fetched
    expected = children_of(server, ev)
    assert shown(page, ev) == expected
    press(page, "ArrowRight")  # into it: the first subclass
    assert page.evaluate(FOCUSED) == expected[0]
    press(page, "ArrowDown")
    assert page.evaluate(FOCUSED) == expected[1]
    press(page, "ArrowLeft")  # a closed or leaf class: to its parent
    assert page.evaluate(FOCUSED) == "extracellular vesicle"
    press(page, "ArrowLeft")  # an open class: closes it
    assert page.evaluate(f"{details(ev)}.open") is False
    press(page, "ArrowDown")  # the next root, not the hidden subclasses
    roots = [n["label"] for n in json.load(urllib.request.urlopen(server + "/tree.json", timeout=30))["roots"]]
    assert page.evaluate(FOCUSED) == roots[roots.index("extracellular vesicle") + 1]
    clean(page, server, "/static/tree.js")
