"""The HGNC reference table the shapes compare gene labels, roles and species against.

Built from the curated chemokines.tsv and genes.tsv (the HGNC extracts the hgnc graph is published from), as
triples in the shapes' own vocabulary so they are never targets of a shape and never published:

    <base>gene/HGNC_10632  evs:hgncId "HGNC:10632" ; evs:approvedSymbol "CCL5" ; evs:role "ligand" .
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from evrdf.errors import SourceError
from evrdf.iris import Iris

TABLES = ("chemokines.tsv", "genes.tsv")


def reference_graph(curated: Path, base_iri: str) -> Graph:
    iris = Iris(base_iri)
    shapes = iris.base + "shapes/"
    graph = Graph()
    for name in TABLES:
        path = curated / name
        if not path.is_file():
            raise SourceError(path, "reference table not found")
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
                if not row.get("hgnc_id") or not row.get("symbol"):
                    continue
                node = iris.gene(row["hgnc_id"])
                graph.add((node, URIRef(shapes + "hgncId"), Literal(row["hgnc_id"])))
                graph.add((node, URIRef(shapes + "approvedSymbol"), Literal(row["symbol"])))
                if row.get("role"):
                    graph.add((node, URIRef(shapes + "role"), Literal(row["role"])))
    return graph


def reference_ntriples(curated: Path, base_iri: str) -> bytes:
    """The reference table as N-Triples, built once per (tables, modification times, base IRI)."""
    stamps = tuple((curated / name, (curated / name).stat().st_mtime_ns if (curated / name).is_file() else 0)
                   for name in TABLES)
    return _ntriples(stamps, base_iri)


@lru_cache(maxsize=4)
def _ntriples(stamps: tuple[tuple[Path, int], ...], base_iri: str) -> bytes:
    return reference_graph(stamps[0][0].parent, base_iri).serialize(format="nt", encoding="utf-8")
