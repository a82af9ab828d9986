"""Staged imports: `evrdf import` converts a database download into ``<store>/imports/<db>-<release>.nq`` and
every later `evrdf build` bulk-loads each staged file into the release it builds.

Why staging rather than writing into the published store: a release is immutable and published by an atomic
pointer swap (store/oxigraph.py), so an import can only reach readers through a new release. Staging keeps
the import cheap to redo and the build the one place that publishes. An import writes to a hidden temporary
file and renames it into place only when it finished, so a failed import leaves both the published release
and any earlier staged file of the same database release untouched.

Each staged file starts with a fixed-size comment line holding its manifest (database, release, graph, base
IRI, counts) as JSON, rewritten in place when the conversion ends; N-Quads parsers skip it as a comment.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from evrdf.build.evdb import ImportResult, convert
from evrdf.iris import Iris
from evrdf.build.provenance import GraphInfo
from evrdf.errors import SourceError, StoreError, os_message
from evrdf.ingest.curated import load_curated
from evrdf.ingest.evdb import Database, OnError, Policy
from evrdf.settings import Settings

IMPORTS = "imports"
MAGIC = "# evrdf-import "
HEADER_BYTES = 4096
_RELEASE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,40}\Z")


@dataclass(frozen=True)
class Staged:
    path: Path
    manifest: dict[str, Any]

    @property
    def graph(self) -> str:
        return str(self.manifest["graph"])


def import_database(settings: Settings, db: Database, content: Path, experiments: Path | None, release: str,
                    on_error: OnError = "fail", report: Callable[[SourceError], None] = lambda e: None,
                    progress: Callable[[int], None] = lambda n: None,
                    validate: bool = True) -> tuple[ImportResult, Path]:
    """Convert one database release and stage it for the next build; raises (staging nothing) on failure.

    With ``validate`` the converted graph is checked against the published SHACL shapes before it is staged
    (per source graph, once: the build then loads it without validating it again), so a database file that
    converts into bad records never reaches a release.
    """
    if not _RELEASE.match(release):
        raise SourceError(content, f"release {release!r} must be letters, digits, '.', '-' or '_' (e.g. 5.1)")
    iris = Iris(settings.base_iri)
    genes = _curated_genes(settings, iris)
    directory = settings.store / IMPORTS
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{db.key}-{release}.nq"
    tmp = directory / f".tmp-{db.key}-{release}-{uuid.uuid4().hex[:6]}.nq"
    try:
        with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            out.write(" " * (HEADER_BYTES - 1) + "\n")  # the manifest goes here once the counts are known
            result = convert(db, content, experiments, release, iris, genes, out,
                             Policy(on_error, report), progress)
        manifest = {"database": db.key, "title": f"{db.title} {release}", "release": release,
                    "graph": result.graph, "base_iri": settings.base_iri, "quads": result.quads,
                    "entries": result.entries, "experiments": result.experiments, "rejected": result.rejected,
                    "files": [{"name": f.path.name, "sha256": f.sha256, "lines": f.lines} for f in result.files]}
        header = (MAGIC + json.dumps(manifest, sort_keys=True)).encode("utf-8")
        if len(header) >= HEADER_BYTES:
            raise SourceError(content, "import manifest too long (file names too long?)")
        with tmp.open("r+b") as handle:
            handle.write(header.ljust(HEADER_BYTES - 1) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        if validate:
            _validate(tmp, settings)
        os.replace(tmp, final)
    except OSError as exc:  # disk full, no permission: say where, stage nothing
        tmp.unlink(missing_ok=True)
        raise StoreError(f"{os_message(exc, tmp)}; the import was not staged") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result, final


def _validate(path: Path, settings: Settings) -> None:
    from evrdf.errors import ValidationError
    from evrdf.validate.run import validate_files

    report = validate_files([path], settings)
    if not report.conforms:
        raise ValidationError(report)


def _curated_genes(settings: Settings, iris: Iris) -> dict[str, str]:
    """Entrez ID → IRI of the curated gene (so imported cargo joins the curated chemokines and findings)."""
    from evrdf.build.ontology import core_term_names, load_core

    curated = load_curated(settings.sources / "curated", core_term_names(load_core(settings.sources, iris), iris))
    return {gene.entrez_id: str(iris.gene(gene.hgnc_id)) for gene in curated.genes.values() if gene.entrez_id}


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
    """Bulk-load every staged import into ``release`` (a store.oxigraph.ReleaseWriter), one graph each."""
    infos = []
    for item in staged(store):
        if item.manifest.get("base_iri") != iris.base:
            raise SourceError(item.path, f"imported under base IRI {item.manifest.get('base_iri')!r}, but this "
                                         f"build uses {iris.base!r}; re-run `evrdf import` with --base-iri")
        if item.graph in reserved:
            raise SourceError(item.path, f"graph <{item.graph}> is already published by another source")
        progress(f"loading import {item.path.name} ({item.manifest.get('quads', '?')} quads)")
        try:
            release.store.bulk_load(path=str(item.path), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise SourceError(item.path, f"N-Quads syntax error: {exc.msg}", line=exc.lineno) from None
        reserved.add(item.graph)
        release.verbatim[item.graph] = item.path  # the release dump copies the staged file as it is
        # the converter writes each quad once, so the manifest's count is the graph's size (no COUNT scan)
        infos.append(GraphInfo(item.graph, str(item.manifest.get("title", item.path.stem)),
                               int(item.manifest["quads"])))
    return infos
