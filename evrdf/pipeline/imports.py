"""`evrdf import`: convert one database download, validate it against the shapes, and stage it for the next build
(build/imports.py says why imports are staged, and loads them into the release)."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Callable

from evrdf.build.evdb import ImportResult, convert
from evrdf.build.imports import HEADER_BYTES, IMPORTS, MAGIC
from evrdf.errors import SourceError, StoreError, ValidationError, os_message
from evrdf.ingest.curated import load_curated
from evrdf.ingest.evdb import Database, OnError, Policy
from evrdf.iris import Iris
from evrdf.settings import Settings
from evrdf.validate.run import validate_files

_RELEASE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,40}\Z")


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
    report = validate_files([path], settings)
    if not report.conforms:
        raise ValidationError(report)


def _curated_genes(settings: Settings, iris: Iris) -> dict[str, str]:
    """Entrez ID → IRI of the curated gene (so imported cargo joins the curated chemokines and findings)."""
    from evrdf.build.ontology import core_term_names, load_core

    curated = load_curated(settings.sources / "curated", core_term_names(load_core(settings.sources, iris), iris))
    return {gene.entrez_id: str(iris.gene(gene.hgnc_id)) for gene in curated.genes.values() if gene.entrez_id}
