"""Screenshots of each page kind, for the README (`make screenshots`): every kind at desktop width, a few at a
phone's width too.

Builds a fresh store (or serves the one given with --store), starts `evrdf serve` on a free loopback port, opens
each page in headless Chromium (tests/chromium.py), waits until its scripts have drawn what the page shows
(the network, a diagram, the findings table, the tree, the editor's results), and writes
docs/screenshots/<name>.png (from the element a path's #fragment names, if it has one) (and <name>-mobile.png, 390 CSS px wide at scale 1), cut to the top of the page so
the files stay small.

    python -m tests.screenshots [--store DIR] [--out docs/screenshots] [--width 1280] [--height 1600] [--scale 0.6]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from tests.chromium import CHROMIUM, Browser, Page
from tests.conftest import live_server

BASE = "https://w3id.org/evrdf/"
EXAMPLE_QUERY = f"""PREFIX evo: <{BASE}ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?chemokine ?receptor WHERE {{
  ?pair evo:ligand ?l ; evo:receptor ?r .
  ?l rdfs:label ?chemokine . ?r rdfs:label ?receptor .
}} ORDER BY ?chemokine ?receptor LIMIT 20"""

LOADED = "document.readyState === 'complete'"
NETWORK = "document.querySelector('[data-network]').dataset.nodes > 0"
DIAGRAM = "document.querySelector('[data-diagram]').dataset.nodes > 0"
TABLE = "document.querySelector('[data-findings][data-ready]') !== null"
TREE = "document.querySelector('[data-tree] a.node') !== null"
# (file name, path, what the page must have drawn before the picture is taken): one of each page kind
PAGES: list[tuple[str, str, str]] = [
    ("landing", "/", LOADED),
    ("chemokine", "/gene/HGNC_10672", f"{NETWORK} && {TABLE}"),
    ("receptor", "/gene/HGNC_2561", f"{NETWORK} && {TABLE}"),
    ("ev-class", "/ontology/Exosome", f"{DIAGRAM} && {TABLE}"),
    ("cell", "/ontology/CancerCell", TABLE),
    ("disease", "/ontology/BreastCancer", TABLE),
    ("finding", "/finding/bian2019-t1-08", DIAGRAM),
    # the pictures of those pages, photographed from the picture down (a path's #fragment names where to start)
    ("chemokine-network", "/gene/HGNC_10672#network", NETWORK),
    ("ev-class-diagram", "/ontology/Exosome#diagram", DIAGRAM),
    ("ev-class-findings", "/ontology/Exosome#findings-table", TABLE),
    ("finding-diagram", "/finding/bian2019-t1-08#diagram", DIAGRAM),
    ("reference", "/reference/bian2019", TREE),
    ("pair", "/pair/cellphonedb/HGNC_10672--HGNC_2561", TREE),
    ("graph", "/graph/metadata", LOADED),
    ("dataset", "/dataset", LOADED),
    ("browse", "/browse", LOADED),
    ("index", "/browse/chemokines", LOADED),
    ("search", "/search?q=" + quote("SDF-1α"), LOADED),
    ("network", "/network", NETWORK),
    ("findings", "/findings", TABLE),
    ("tree", "/tree?iri=" + quote(BASE + "ontology/TumorDerivedMicrovesicle", safe=""),
     "document.querySelector('details[open][data-loaded]') !== null"),
    ("sparql", "/sparql?query=" + quote(EXAMPLE_QUERY, safe=""),
     "document.querySelectorAll('.yasr table tbody tr').length > 0"),
    ("ontology", "/ontology", LOADED),
    ("shapes", "/shapes", LOADED),
    ("validation", "/validation", LOADED),
    ("releases", "/releases", LOADED),
    ("release", "/releases/{release}/", LOADED),  # the served release's page
    ("downloads", "/downloads/", LOADED),
    ("not-found", "/gene/HGNC_0", LOADED),
]
MOBILE = ["landing", "chemokine", "findings", "network"]  # also photographed at a phone's width
MOBILE_SIZE = (390, 844)
MOBILE_HEIGHT = 1400  # CSS px kept of a phone screenshot, at most


def wait_drawn(page: Page, ready: str, settle: float = 1.5) -> None:
    page.wait_for(f"(() => {{ try {{ return {ready}; }} catch (e) {{ return false; }} }})()", timeout=40)
    deadline = time.monotonic() + settle  # let layouts and animations finish
    while time.monotonic() < deadline:
        page.browser.pump(0.1)


def latest_release(root: str) -> str:
    """The identifier of the release the server serves (its /releases page lists it first)."""
    with urllib.request.urlopen(root + "/releases", timeout=30) as response:
        found = re.search(r'href="/releases/([^"/]+)/"', response.read().decode())
    if found is None:
        raise RuntimeError("the /releases page links no release")
    return found.group(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store to serve (default: build a fresh one)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600, help="the most of each page kept (CSS pixels)")
    parser.add_argument("--scale", type=float, default=0.6, help="image pixels per CSS pixel (smaller files)")
    args = parser.parse_args(argv)
    if CHROMIUM is None:
        print("screenshots: the chromium binary is not installed (`make chromium` installs it)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evrdf-screenshots-") as scratch:
        store = args.store
        if store is None:
            store = Path(scratch) / "store"
            done = subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                print(f"screenshots: the build failed:\n{done.stderr}", file=sys.stderr)
                return 1
        with live_server(store, ready="/context.jsonld") as server, Browser(Path(scratch) / "profile") as browser:
            release = latest_release(server.root)
            shots = [(name, path, ready, args.width, 900, args.height, args.scale) for name, path, ready in PAGES]
            shots += [(f"{name}-mobile", path, ready, *MOBILE_SIZE, min(args.height, MOBILE_HEIGHT), 1.0)
                      for name, path, ready in PAGES if name in MOBILE]
            for name, path, ready, width, window, height, scale in shots:
                path = path.format(release=release)
                page = browser.open(server.root + path, width, window)
                try:
                    wait_drawn(page, ready)
                except Exception as exc:  # name the page that did not draw
                    print(f"screenshots: {name} ({path}) did not finish drawing: {exc}", file=sys.stderr)
                    return 1
                target = args.out / f"{name}.png"
                page.screenshot(target, width, height, scale, top="#" + path.split("#")[1] if "#" in path else None)
                print(f"{target}  {target.stat().st_size // 1024} KiB  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
