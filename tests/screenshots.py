"""Screenshots of each page kind at desktop width, for the README (`make screenshots`).

Builds a fresh store (or serves the one given with --store), starts `evrdf serve` on a free loopback port, opens
each page in headless Chromium (tests/chromium_pipe.py), waits until its scripts have drawn what the page shows
(the network, a diagram, the findings table, the editor's results), and writes docs/screenshots/<name>.png,
cut to the top of the page so the files stay small.

    python -m tests.screenshots [--store DIR] [--out docs/screenshots] [--width 1280] [--height 2200] [--scale 0.6]
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from tests.chromium_pipe import CHROMIUM, Browser, Page
from tests.conftest import live_server

BASE = "https://w3id.org/evrdf/"
EXAMPLE_QUERY = f"""PREFIX evo: <{BASE}ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?chemokine ?receptor WHERE {{
  ?pair evo:ligand ?l ; evo:receptor ?r .
  ?l rdfs:label ?chemokine . ?r rdfs:label ?receptor .
}} ORDER BY ?chemokine ?receptor LIMIT 20"""

# (file name, path, what the page must have drawn before the picture is taken)
PAGES: list[tuple[str, str, str]] = [
    ("landing", "/", "document.readyState === 'complete'"),
    ("chemokine", "/gene/HGNC_10672", "document.querySelector('[data-network]').dataset.nodes > 0"),
    ("ev-class", "/ontology/Exosome", "document.querySelector('[data-diagram]') === null"
                                      " || document.querySelector('[data-diagram]').dataset.nodes > 0"),
    ("finding", "/finding/bian2019-t1-08", "document.querySelector('[data-diagram]').dataset.nodes > 0"),
    ("network", "/network", "document.querySelector('[data-network]').dataset.nodes > 0"),
    ("findings", "/findings", "document.querySelector('[data-ready]') !== null"),
    ("tree", "/tree?iri=" + quote(BASE + "ontology/TumorDerivedMicrovesicle", safe=""),
     "document.querySelector('details[open][data-loaded]') !== null"),
    ("sparql", "/sparql?query=" + quote(EXAMPLE_QUERY, safe=""),
     "document.querySelectorAll('.yasr table tbody tr').length > 0"),
]


def wait_drawn(page: Page, ready: str, settle: float = 1.5) -> None:
    page.wait_for(f"(() => {{ try {{ return {ready}; }} catch (e) {{ return false; }} }})()", timeout=40)
    deadline = time.monotonic() + settle  # let layouts and animations finish
    while time.monotonic() < deadline:
        page.browser.pump(0.1)


def capture(page: Page, path: Path, width: int, height: int, scale: float) -> None:
    tall = int(page.evaluate("document.documentElement.scrollHeight"))
    shot = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                     clip={"x": 0, "y": 0, "width": width, "height": min(tall, height), "scale": scale})
    path.write_bytes(base64.b64decode(shot["data"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store to serve (default: build a fresh one)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2200, help="the most of each page kept (CSS pixels)")
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
            for name, path, ready in PAGES:
                page = browser.open(server.root + path, args.width, 900)
                try:
                    wait_drawn(page, ready)
                except Exception as exc:  # name the page that did not draw, and go on with the others
                    print(f"screenshots: {name} ({path}) did not finish drawing: {exc}", file=sys.stderr)
                    return 1
                target = args.out / f"{name}.png"
                capture(page, target, args.width, args.height, args.scale)
                print(f"{target}  {target.stat().st_size // 1024} KiB  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
