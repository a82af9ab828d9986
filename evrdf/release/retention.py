"""The retention rule: every release's files are kept forever; only the newest releases keep a store.

Stores are large (RocksDB, several times the dump) and only the published release is queried, so the stores of
all but the newest ``KEEP_STORES`` releases are removed when a new one is published. What a release *is* stays:
its release.json, ontology (OWL, Turtle, JSON-LD), SSSOM mappings, changelog and RDF description are kept as
they are, and its N-Quads dump is kept gzip-compressed (``evrdf.nq.gz``, served decompressed at ``evrdf.nq``).
So every version IRI resolves forever (OBO Foundry principle FP4) while disk use grows by about a compressed
dump per release.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

from evrdf.release.index import DUMP, DUMP_GZ, ReleaseIndex

KEEP_STORES = 3
POLICY = (f"Every release keeps its files forever at <base>releases/<id>/ (ontology as OWL, Turtle and JSON-LD, "
          f"SSSOM mappings, the N-Quads dump, its changelog and description); the newest {KEEP_STORES} releases "
          "also keep their queryable store, older releases keep their dump gzip-compressed.")


def prune(root: Path, current: Path | None = None, keep: int = KEEP_STORES) -> list[str]:
    """Drop the stores of releases older than the newest ``keep`` (never the one ``current`` points to) and
    compress their dumps; returns the ids whose store was dropped. Safe to run again after a crash."""
    current = current.resolve() if current is not None else None
    dropped = []
    for record in ReleaseIndex(root).records()[keep:]:
        if current is not None and record.directory.resolve() == current:
            continue
        if record.has_store:
            shutil.rmtree(record.directory / "oxigraph", ignore_errors=True)
            dropped.append(record.id)
        compress_dump(record.files)
    return dropped


def compress_dump(files: Path) -> None:
    """``evrdf.nq`` → ``evrdf.nq.gz``, written aside and renamed, so a crash leaves one of them whole."""
    plain, packed = files / DUMP, files / DUMP_GZ
    if not plain.is_file():
        return
    if not packed.is_file():
        partial = files / f".{DUMP_GZ}.partial"
        with plain.open("rb") as source, gzip.open(partial, "wb", compresslevel=6) as target:
            shutil.copyfileobj(source, target, 1 << 22)
        os.replace(partial, packed)
    plain.unlink()
