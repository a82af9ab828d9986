"""What the stages ask of a store, as protocols on the floor: every stage may name them, none imports a backend.

``Store`` is the read side every backend implements (store/oxigraph.py embedded, store/remote.py over the SPARQL
protocols); ``WritableRelease`` is a release being written (store/oxigraph_write.py's ReleaseWriter), which the
publishers in release/ fill. The backends satisfy these structurally; tests/test_store_protocol.py checks that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Protocol, runtime_checkable

import pyoxigraph as ox


@runtime_checkable
class Store(Protocol):
    """The read side: the published release of one store."""

    @property
    def memory_note(self) -> str:
        """One line on where the answers come from, for `evrdf stats`."""

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> Any:
        """Answer a SPARQL 1.1 query; with no default_graphs the default graph is the union of all graphs.

        ``base_iri`` resolves relative IRIs when the query has no BASE of its own; ``prefixes`` are predeclared
        (the query's own PREFIX declarations win)."""

    def named_graphs(self) -> list[str]:
        """The IRIs of the published named graphs."""

    def release(self) -> dict[str, Any]:
        """What is published: release id, ontology version, build time, counts."""

    def release_dir(self) -> Path:
        """The published release's directory on local disk (release.json, files/; the remote store keeps the
        files of what it serves in the build store beside it)."""

    def files_dir(self) -> Path:
        """The published release's downloadable files (the dump, the ontology files, the changelog)."""

    def mode(self) -> str:
        """How the published release is answered now: 'memory', 'disk' or 'remote' (memory_note says why)."""

    def preload(self) -> str:
        """Get ready to answer (the embedded store may copy the release into memory); returns how it answers:
        'memory', 'disk' or 'remote'."""


class WritableRelease(Protocol):
    """A release being written, that nobody reads yet: its files directory, its graphs, its release.json."""

    files: Path
    info: dict[str, Any]  # facts added to release.json
    verbatim: dict[str, Path]  # graphs whose N-Quads source file the dump may copy as is

    def load(self, data: bytes, fmt: ox.RdfFormat, graph: str) -> None:
        """Load ``data`` into ``graph``."""

    def extend(self, quads: Iterator[ox.Quad]) -> None:
        """Add quads, each in its own graph."""

    def count(self, graph: str) -> int:
        """Triples in ``graph``."""

    def graphs(self) -> list[str]:
        """The named graphs written so far."""

    def dump(self, path: Path, verbatim: dict[str, Path] | None = None, graphs: list[str] | None = None,
             append: bool = False) -> dict[str, dict[str, Any]]:
        """Write the graphs as N-Quads sections; returns each section's offset, length and sha256."""
