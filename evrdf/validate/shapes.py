"""The shapes: every Turtle file in shapes/ (or --shapes DIR), rebased to the configured base IRI."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from evrdf.build.iris import Iris
from evrdf.errors import SourceError


def default_shapes_dir() -> Path:
    """The checkout's shapes/ folder, else the copy packaged in the wheel."""
    here = Path(__file__).resolve().parents[1]
    checkout = here.parent / "shapes"
    return checkout if checkout.is_dir() else here / "_data" / "shapes"


def shape_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise SourceError(directory, "shapes directory not found")
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise SourceError(directory, "no shapes (*.ttl) in this directory")
    return files


def load_shapes(directory: Path | None = None, base_iri: str | None = None) -> Graph:
    """All shape files merged into one graph; a Turtle error names its file (and line when rdflib gives it).

    Parsed once per (files, modification times, base IRI) and shared: the service validates and serves the
    same shapes on every request. Callers must not change the graph they get.
    """
    files = shape_files(directory or default_shapes_dir())
    return _load(tuple((path, path.stat().st_mtime_ns) for path in files), base_iri)


@lru_cache(maxsize=8)
def _load(files: tuple[tuple[Path, int], ...], base_iri: str | None) -> Graph:
    iris = Iris(base_iri) if base_iri else Iris()
    graph = Graph()
    graph.bind("sh", "http://www.w3.org/ns/shacl#")
    graph.bind("evs", iris.base + "shapes/")
    graph.bind("evo", iris.vocab)
    for path, _ in files:
        try:
            graph.parse(data=iris.rebase(path.read_text(encoding="utf-8")), format="turtle",
                        publicID=path.resolve().as_uri())
        except Exception as exc:  # rdflib raises several types for bad Turtle; all are input errors here
            raise SourceError(path, f"Turtle syntax error in shapes: {exc}") from None
    return graph
