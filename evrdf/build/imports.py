"""Staged imports: `evrdf import` converts a database download into ``<store>/imports/<db>-<release>.nq`` and
every later `evrdf build` bulk-loads each staged file into the release it builds.

Why staging rather than writing into the published store: a release is immutable and published by an atomic
pointer swap (store/oxigraph_write.py), so an import can only reach readers through a new release. Staging keeps
the import cheap to redo and the build the one place that publishes. An import writes to a hidden temporary
file and renames it into place only when it finished, so a failed import leaves both the published release
and any earlier staged file of the same database release untouched.

Each staged file starts with a fixed-size comment line holding its manifest (database, release, graph, base
IRI, counts) as JSON, rewritten in place when the conversion ends; N-Quads parsers skip it as a comment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from evrdf.build.provenance import GraphInfo
from evrdf.errors import SourceError
from evrdf.iris import Iris
from evrdf.progress import reading

IMPORTS = "imports"
MAGIC = "# evrdf-import "
HEADER_BYTES = 4096


@dataclass(frozen=True)
class Staged:
    path: Path
    manifest: dict[str, Any]

    @property
    def graph(self) -> str:
        return str(self.manifest["graph"])


def staged(store: Path) -> list[Staged]:
    """The staged imports under ``store``, in file-name order; a file without a manifest is an error."""
    directory = Path(store) / IMPORTS
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*.nq")):
        if path.name.startswith("."):
            continue
        with path.open("rb") as handle:
            first = handle.readline(HEADER_BYTES).decode("utf-8", "replace").strip()
        if not first.startswith(MAGIC.strip()):
            raise SourceError(path, "not a staged import (no evrdf-import manifest on line 1); "
                                    "re-run `evrdf import` or remove the file", line=1)
        try:
            manifest = json.loads(first[len(MAGIC):])
        except json.JSONDecodeError as exc:
            raise SourceError(path, f"damaged import manifest: {exc.msg}", line=1) from None
        found.append(Staged(path, manifest))
    return found


def load_imports(release: Any, store: Path, iris: Iris, reserved: set[str],
                 progress: Callable[[str], None] = lambda message: None) -> list[GraphInfo]:
    """Bulk-load every staged import into ``release`` (a store.oxigraph_write.ReleaseWriter), one graph each."""
    infos = []
    for item in staged(store):
        if item.manifest.get("base_iri") != iris.base:
            raise SourceError(item.path, f"imported under base IRI {item.manifest.get('base_iri')!r}, but this "
                                         f"build uses {iris.base!r}; re-run `evrdf import` with --base-iri")
        if item.graph in reserved:
            raise SourceError(item.path, f"graph <{item.graph}> is already published by another source")
        progress(f"loading import {item.path.name} ({item.manifest.get('quads', '?')} quads)")
        try:
            with reading(item.path, f"loading {item.path.name}") as handle:
                release.store.bulk_load(handle, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise SourceError(item.path, f"N-Quads syntax error: {exc.msg}", line=exc.lineno) from None
        reserved.add(item.graph)
        release.verbatim[item.graph] = item.path  # the release dump copies the staged file as it is
        # the converter writes each quad once, so the manifest's count is the graph's size (no COUNT scan)
        infos.append(GraphInfo(item.graph, str(item.manifest.get("title", item.path.stem)),
                               int(item.manifest["quads"])))
    return infos
