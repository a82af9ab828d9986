"""The findings graphs are kept as N-Triples lines (evrdf/build/lines.py): they must serialize, count and answer
exactly as an ordinary rdflib Graph holding the same triples."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from evrdf.build.lines import LineGraph, ntriples_input

EX = "https://example.org/"
TRIPLES = [
    (URIRef(EX + "a"), RDFS.label, Literal('a "quoted" label\nover two lines \\ with a backslash', lang="en")),
    (URIRef(EX + "a"), URIRef(EX + "number"), Literal(42)),
    (URIRef(EX + "a"), URIRef(EX + "year"), Literal("2019", datatype=XSD.gYear)),
    (URIRef(EX + "a"), URIRef(EX + "name"), Literal("Tumour µm – ü 漢字")),
    (URIRef(EX + "a"), URIRef(EX + "link"), URIRef(EX + "b")),
    (URIRef(EX + "b"), URIRef(EX + "link"), URIRef(EX + "a")),
]


def both() -> tuple[Graph, LineGraph]:
    plain, lines = Graph(), LineGraph()
    for triple in TRIPLES + TRIPLES[:2]:  # the first two twice: a graph is a set
        plain.add(triple)
        lines.add(triple)
    return plain, lines


def test_n_triples_parse_back_to_the_same_graph() -> None:
    plain, lines = both()
    data = lines.serialize(format="nt", encoding="utf-8")
    assert isinstance(data, bytes)
    assert isomorphic(Graph().parse(data=data, format="nt"), plain)
    assert sorted(data.decode("utf-8").splitlines()) == sorted(
        plain.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines())


def test_it_counts_each_triple_once() -> None:
    plain, lines = both()
    assert len(lines) == len(plain) == len(TRIPLES)


def test_it_answers_patterns_and_other_formats() -> None:
    plain, lines = both()
    assert set(lines.objects(URIRef(EX + "a"), URIRef(EX + "link"))) == {URIRef(EX + "b")}
    assert (URIRef(EX + "b"), URIRef(EX + "link"), URIRef(EX + "a")) in lines
    assert isomorphic(Graph().parse(data=lines.serialize(format="turtle"), format="turtle"), plain)
    lines.add((URIRef(EX + "c"), RDFS.label, Literal("added later")))
    assert (URIRef(EX + "c"), RDFS.label, Literal("added later")) in lines  # a change is seen by later reads


def test_its_stream_is_its_n_triples_and_bulk_loads_the_same_store() -> None:
    lines = LineGraph()
    for number in range(9000):  # more than one chunk of lines, and more than one buffer read
        lines.add((URIRef(f"{EX}n{number}"), RDFS.label, Literal("é" * (number % 400), lang="en")))
    streamed = ntriples_input(lines)
    assert not isinstance(streamed, bytes)
    pieces = b"".join(iter(lambda: streamed.read(777), b""))
    assert pieces == lines.serialize(format="nt", encoding="utf-8")
    from_stream, from_bytes = ox.Store(), ox.Store()
    from_stream.bulk_load(ntriples_input(lines), format=ox.RdfFormat.N_TRIPLES)
    from_bytes.bulk_load(lines.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    assert len(from_stream) == 9000 and set(from_stream) == set(from_bytes)


def test_once_freed_it_refuses_to_be_used_rather_than_look_empty() -> None:
    _, lines = both()
    lines.free()
    for use in (lambda: len(lines), lines.ntriples, lines.reader, lambda: lines.add(TRIPLES[0]),
                lambda: lines.serialize(format="turtle")):
        with pytest.raises(RuntimeError, match="freed"):
            use()


def test_its_parts_hold_every_line_once_in_order() -> None:
    lines = LineGraph()
    for number in range(1001):
        lines.add((URIRef(f"{EX}n{number}"), RDFS.label, Literal(f"label {number}")))
    parts = [part.read() for part in lines.parts(250)]
    assert [part.count(b"\n") for part in parts] == [250, 250, 250, 250, 1]
    assert b"".join(parts) == lines.ntriples()
    assert [part.read() for part in LineGraph().parts(250)] == [b""]  # an empty graph: one empty part


def test_spilled_to_a_file_it_counts_streams_and_loads_the_same(tmp_path: Path) -> None:
    plain, lines = both()
    kept = LineGraph()
    for number in range(9000):  # more than one part below
        for graph in (lines, kept):
            graph.add((URIRef(f"{EX}n{number}"), RDFS.label, Literal("é" * (number % 40), lang="en")))
    expected = kept.serialize(format="nt", encoding="utf-8")
    lines.spill(tmp_path / "lines.nt")
    assert len(lines) == len(TRIPLES) + 9000
    data = lines.serialize(format="nt", encoding="utf-8")
    assert isomorphic(Graph().parse(data=data, format="nt"), plain + kept.parsed())
    assert b"".join(part.read() for part in lines.parts(1000)) == data == ntriples_input(lines).read()
    assert [len(part.read().splitlines()) for part in lines.parts(4000)] == [4000, 4000, 1000 + len(TRIPLES)]
    assert expected in data
    with pytest.raises(RuntimeError, match="takes no more triples"):
        lines.add(TRIPLES[0])
    store = ox.Store()
    store.load(ntriples_input(lines), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == len(lines)
    lines.free()
    assert not (tmp_path / "lines.nt").exists()
    with pytest.raises(RuntimeError, match="freed"):
        len(lines)
