"""A release's dump (evrdf/store/oxigraph_write.py): each graph's section is that graph's quads as Oxigraph
serializes them as N-Quads, byte for byte, whatever its terms hold."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from evrdf.store.oxigraph_write import ReleaseWriter

GRAPH, OTHER = "https://example.org/graph/a", "https://example.org/graph/b"


def test_each_section_is_its_graphs_quads_serialized(tmp_path: Path) -> None:
    writer = ReleaseWriter(tmp_path / "release")
    data = "".join(
        f'<https://example.org/{n}> <https://example.org/label> "ends in a dot .\\n and a \\"quote\\" é {n}"@en .\n'
        f'_:b{n} <https://example.org/n> "{n}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        f"<https://example.org/{n}> <https://example.org/link> _:b{n} .\n" for n in range(20000))
    writer.load(data.encode("utf-8"), ox.RdfFormat.N_TRIPLES, GRAPH)
    writer.load(b"<https://example.org/x> <https://example.org/y> <https://example.org/z> .\n",
                ox.RdfFormat.N_TRIPLES, OTHER)
    dump = tmp_path / "dump.nq"
    sections = writer.dump(dump)
    written = dump.read_bytes()
    for graph in (GRAPH, OTHER):
        expected = ox.serialize(writer.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)),
                                format=ox.RdfFormat.N_QUADS)
        where = sections[graph]
        assert written[where["offset"]:where["offset"] + where["length"]] == expected
    assert len(list(ox.parse(written, format=ox.RdfFormat.N_QUADS))) == 60001
