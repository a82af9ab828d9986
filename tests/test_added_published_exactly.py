"""An --add file is published statement for statement as its publisher wrote it, whichever way the build reads it:
bulk-loaded as it is (no blank node label in it) or parsed with its blank nodes renamed; and the release dump
holds exactly what the store holds."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from evrdf.pipeline.build import build
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from evrdf.validate.data import keeps_blank_nodes_apart
from tests.conftest import SOURCES

BASE = "https://w3id.org/evrdf/"
# literals that look like line ends, escapes, languages and datatypes: what a line-by-line rewrite could break
TRICKY = """<https://example.org/a> <https://example.org/says> "ends like a line .\\n<x> <y> <z> ." .
<https://example.org/a> <https://example.org/says> "tab\\tand \\"quotes\\" ." .
<https://example.org/a> <https://example.org/says> "été"@fr .
<https://example.org/a> <https://example.org/n> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .
<https://example.org/a> <https://example.org/link> <https://example.org/b> .
"""


def _graph(store: OxigraphStore, graph: str) -> set[str]:
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return {f"{r['s']} {r['p']} {r['o']}" for r in store.query(query)}


def _file(path: Path, fmt: ox.RdfFormat) -> set[str]:
    return {f"{t.subject} {t.predicate} {t.object}" for t in ox.parse(path=str(path), format=fmt)}


@pytest.mark.parametrize("text, bulk", [(TRICKY, True), (TRICKY + '_:n <https://example.org/p> "x" .\n', False)])
def test_an_added_file_is_published_as_written(tmp_path: Path, text: str, bulk: bool) -> None:
    added = tmp_path / "tricky.nt"
    added.write_text(text, encoding="utf-8")
    assert keeps_blank_nodes_apart(added, ox.RdfFormat.N_TRIPLES) is bulk
    settings = Settings(store=tmp_path / "store", sources=SOURCES, base_iri=BASE)
    report = build(settings, add=[added], reason=False)
    graph = f"{BASE}graph/added/tricky"
    store = OxigraphStore(settings.store)
    published = _graph(store, graph)
    expected = _file(added, ox.RdfFormat.N_TRIPLES)
    if not bulk:  # the blank node gets a fresh label: compare the rest, and that there is one such statement
        assert sum(1 for t in published if t.startswith("_:")) == 1
        published = {t for t in published if not t.startswith("_:")}
        expected = {t for t in expected if not t.startswith("_:")}
    assert published == expected
    assert report.graphs[graph] == len(text.strip().splitlines())


def test_the_dump_section_of_an_added_graph_is_the_graph(tmp_path: Path) -> None:
    added = tmp_path / "tricky.nt"
    added.write_text(TRICKY, encoding="utf-8")
    settings = Settings(store=tmp_path / "store", sources=SOURCES, base_iri=BASE)
    build(settings, add=[added], reason=False)
    store = OxigraphStore(settings.store)
    graph = f"{BASE}graph/added/tricky"
    section = json.loads((store.release_dir() / "release.json").read_text(encoding="utf-8"))["dump"][graph]
    with (store.files_dir() / "evrdf.nq").open("rb") as handle:
        handle.seek(section["offset"])
        data = handle.read(section["length"])
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {graph}  # type: ignore[union-attr]
    assert {f"{q.subject} {q.predicate} {q.object}" for q in quads} == _graph(store, graph)
    assert not (store.release_dir() / "scratch").exists()  # the build's own files are not published
