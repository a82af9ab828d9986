"""The findings graphs are kept as N-Triples lines (evrdf/build/lines.py): they must serialize, count and answer
exactly as an ordinary rdflib Graph holding the same triples."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from evrdf.build.lines import LineGraph

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
