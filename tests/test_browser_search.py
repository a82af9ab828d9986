"""The header search's suggestions in a real headless Chromium against a live server, used from the keyboard
as the WAI-ARIA combobox pattern says: typing lists /api/search's hits, Down and Up move the active option
(aria-activedescendant, aria-selected), Enter opens it, Escape closes the list; the search page's type facets
filter the hits. No console error, no failed request, no request to another host."""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import quote

import pytest

from tests.chromium import NEEDS_CHROMIUM, WIDTHS, Browser, BrowserError, Page, clean

BOX = "document.querySelector('header.site input[type=search]')"
LIST = f"document.getElementById({BOX}.getAttribute('aria-controls'))"
KEYS = {"Enter": 13, "Escape": 27, "ArrowUp": 38, "ArrowDown": 40}

pytestmark = NEEDS_CHROMIUM


def api(server: str, query: str, limit: int = 8, **params: str) -> dict:  # type: ignore[type-arg]
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    with urllib.request.urlopen(f"{server}/api/search?limit={limit}&q={quote(query)}{extra}", timeout=30) as response:
        return json.load(response)  # type: ignore[no-any-return]


def press(page: Page, key: str) -> None:
    for kind in ("keyDown", "keyUp"):
        page.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=KEYS[key],
                  **({"text": "\r"} if kind == "keyDown" and key == "Enter" else {}))


def type_into_box(page: Page, text: str) -> list[str]:
    """Focus the header search box, type, and wait for the suggestions; their labels."""
    page.evaluate(f"{BOX}.focus()")
    page.send("Input.insertText", text=text)
    page.wait_for(f"!{LIST}.hidden && {LIST}.querySelectorAll('[role=option]').length > 0")
    return page.evaluate(f"Array.from({LIST}.querySelectorAll('[role=option] a'))"  # type: ignore[no-any-return]
                         ".map(a => a.firstChild.textContent.trim())")


def active(page: Page) -> str | None:
    """The active option's label, checked against aria-activedescendant and aria-selected."""
    descendant = page.evaluate(f"{BOX}.getAttribute('aria-activedescendant')")
    selected = page.evaluate(f"Array.from({LIST}.querySelectorAll('[aria-selected=true]')).map(li => li.id)")
    if descendant is None:
        assert selected == []
        return None
    assert selected == [descendant]
    return page.evaluate(  # type: ignore[no-any-return]
        f"document.getElementById({json.dumps(descendant)}).querySelector('a').firstChild.textContent.trim()")


def arrive(page: Page, condition: str, timeout: float = 20) -> None:
    """Wait for a navigation to end where ``condition`` holds (the old page's context may vanish meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(f"document.readyState === 'complete' && ({condition})"):
                return
        except BrowserError:
            pass  # the context was replaced mid-evaluation: the new page is loading
        if time.monotonic() > deadline:
            raise BrowserError(f"never arrived at {condition}: {page.evaluate('location.href')}")
        page.browser.pump(0.1)


@pytest.mark.parametrize("size", WIDTHS)
def test_the_arrow_keys_choose_a_suggestion_and_enter_opens_it(size: tuple[int, int], server: str,
                                                               browser: Browser) -> None:
    page = browser.open(server + "/browse", *size)
    assert page.evaluate(f"{BOX}.getAttribute('role')") == "combobox"
    assert page.evaluate(f"{LIST}.getAttribute('role')") == "listbox"
    assert page.evaluate(f"{BOX}.getAttribute('aria-expanded')") == "false"
    hits = api(server, "CXCL1")["results"]
    assert type_into_box(page, "CXCL1") == [h["label"] for h in hits] and len(hits) >= 3
    assert page.evaluate(f"{BOX}.getAttribute('aria-expanded')") == "true"
    assert active(page) is None  # nothing chosen until the arrow keys choose
    press(page, "ArrowDown")
    assert active(page) == hits[0]["label"]
    press(page, "ArrowDown")
    press(page, "ArrowDown")
    assert active(page) == hits[2]["label"]
    press(page, "ArrowUp")
    assert active(page) == hits[1]["label"]
    assert page.evaluate("document.activeElement === " + BOX)  # the focus stays in the box
    assert page.evaluate(f"{LIST}.getBoundingClientRect().right <= innerWidth + 1")
    press(page, "Enter")  # opens the active suggestion, not the search page
    arrive(page, f"location.pathname.replace(/\\.html$/, '') === {json.dumps(hits[1]['url'])}")  # its HTML page
    clean(page, server, "/static/search.js")


def test_escape_closes_the_suggestions(server: str, browser: Browser) -> None:
    page = browser.open(server + "/")
    type_into_box(page, "exosome")
    press(page, "ArrowDown")
    press(page, "Escape")
    assert page.evaluate(f"{LIST}.hidden") is True
    assert page.evaluate(f"{BOX}.getAttribute('aria-expanded')") == "false"
    assert active(page) is None and page.evaluate(f"{BOX}.value") == "exosome"  # the text stays
    press(page, "ArrowDown")  # the list comes back at the first option
    assert page.evaluate(f"{LIST}.hidden") is False and active(page) is not None
    press(page, "Escape")
    press(page, "Enter")  # nothing chosen: Enter submits the search as typed
    arrive(page, "location.pathname === '/search'")
    assert page.evaluate("new URLSearchParams(location.search).get('q')") == "exosome"
    clean(page, server, "/static/search.js")


def test_the_search_pages_type_facets_filter_the_hits(server: str, browser: Browser) -> None:
    page = browser.open(server + "/search?q=CC", 390, 844)
    facets = api(server, "CC")["facets"]
    shown = page.evaluate("Array.from(document.querySelectorAll('nav.facets a')).map(a => a.textContent.trim())")
    assert shown == ["all"] + [f"{f['type']} ({f['count']})" for f in facets]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.evaluate("document.querySelectorAll('nav.facets a')[2].click()")  # the second most common type
    arrive(page, "location.search.includes('type=')")
    chosen = facets[1]
    assert page.evaluate("document.querySelector('nav.facets a[aria-current]').textContent.trim()") \
        == f"{chosen['type']} ({chosen['count']})"
    links = page.evaluate("Array.from(document.querySelectorAll('ol.hits > li > a')).map(a => a.getAttribute('href'))")
    assert links == [h["url"] for h in api(server, "CC", type=chosen["type"], limit=10)["results"]]
    clean(page, server, "/static/search.js")
