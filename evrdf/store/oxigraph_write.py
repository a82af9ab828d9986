"""The embedded store's write side: a release is written into a private directory with a writable store nobody
else reads, then published by swapping the `current` symlink in one rename, so readers (store/oxigraph.py) see the
old release or the new one, never a half-built graph. Only the release path (pipeline/build, pipeline/update)
calls it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, cast

import pyoxigraph as ox

from evrdf.errors import StoreError, os_message
from evrdf.results import solutions
from evrdf.store.oxigraph import CURRENT, RELEASES, SCRATCH


class ReleaseWriter:
    """A release being built: a private directory and a writable store nobody else reads."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.files = directory / "files"
        self.files.mkdir(parents=True)
        self.store = ox.Store(str(directory / "oxigraph"))
        self.info: dict[str, Any] = {}  # facts the build adds to release.json
        self.verbatim: dict[str, Path] = {}  # graphs whose N-Quads source file the dump may copy as is

    def load(self, data: bytes | IO[bytes], fmt: ox.RdfFormat, graph: str) -> None:
        self.store.bulk_load(data, format=fmt, to_graph=ox.NamedNode(graph))

    def extend(self, quads: Iterator[ox.Quad]) -> None:
        self.store.bulk_extend(quads)

    def scratch_file(self, name: str) -> Path:
        """A path in the release's scratch directory (removed before publishing), for a file the build needs
        only while it writes the release."""
        scratch = self.directory / SCRATCH
        scratch.mkdir(exist_ok=True)
        return scratch / name

    def write_graph(self, source: ox.Store, graph: str) -> tuple[Path, int]:
        """One graph of an in-memory store, written as N-Quads (dumped in Rust) into the release's scratch
        directory for ``load_written``; returns the file and the graph's size. Written first and loaded later, so
        the in-memory store can be freed before the bulk load needs its own memory."""
        scratch = self.directory / SCRATCH
        scratch.mkdir(exist_ok=True)
        path = scratch / f"graph-{sum(1 for _ in scratch.iterdir())}.nq"
        with path.open("wb") as out:
            lines = _NamedLines(out, graph)
            source.dump(cast("IO[bytes]", lines), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            lines.close()
        return path, lines.count

    def load_written(self, path: Path, graph: str) -> None:
        """Bulk-load a file of ``write_graph``; the release dump copies it as it is, so no quad passes through
        Python and the on-disk store is never read back to serialize the graph."""
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self.verbatim[graph] = path

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(solutions(self.store.query(query))))["n"].value)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, path: Path, verbatim: dict[str, Path] | None = None, graphs: list[str] | None = None,
             append: bool = False) -> dict[str, dict[str, Any]]:
        """Write the release (or ``graphs`` of it) as N-Quads, one contiguous section per graph, and return where
        each section is: {graph: {"offset", "length", "sha256"}} (the changelog compares releases section by
        section and skips equal ones by their checksum). Graphs in ``verbatim`` (graph IRI → an N-Quads file
        holding exactly that graph, e.g. a staged import) are copied from their file instead of re-serialized
        from the store: at millions of quads that is the difference between a file copy and minutes of
        serialization."""
        verbatim = verbatim or {}
        wanted = self.graphs() if graphs is None else graphs
        sections: dict[str, dict[str, Any]] = {}
        with path.open("ab" if append else "wb") as out:
            for graph in [g for g in wanted if g not in verbatim] + [g for g in wanted if g in verbatim]:
                section = _Section(out)
                if graph in verbatim:
                    with verbatim[graph].open("rb") as handle:
                        shutil.copyfileobj(handle, section, 1 << 22)
                else:
                    # dumped in Rust as N-Triples and named line by line: the same N-Quads, in the same order, as
                    # serializing the graph's quads, without a Python object per quad (seconds at millions)
                    lines = _NamedLines(section, graph)
                    self.store.dump(cast("IO[bytes]", lines), format=ox.RdfFormat.N_TRIPLES,
                                    from_graph=ox.NamedNode(graph))
                    lines.close()
                sections[graph] = section.where()
        return sections


class _NamedLines:
    """Turns N-Triples, as Oxigraph writes them (one statement a line, ending ' .'; a line break inside a literal
    is escaped), into N-Quads of one graph, chunk by chunk."""

    def __init__(self, out: Any, graph: str):
        self.out, self.tail, self.count = out, b"", 0
        self.end = b" " + str(ox.NamedNode(graph)).encode() + b" .\n"

    def write(self, data: bytes) -> int:
        chunk = self.tail + bytes(data)
        cut = chunk.rfind(b"\n") + 1
        self.tail = chunk[cut:]
        whole = chunk[:cut]
        self.count += whole.count(b"\n")
        self.out.write(whole.replace(b" .\n", self.end))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.tail.strip():
            raise StoreError(f"an N-Triples dump ended without a line break: {self.tail[:80]!r}")


class _Section:
    """A writer that passes bytes on to the dump and remembers where they went and their SHA-256."""

    def __init__(self, out: Any):
        self.out, self.offset, self.length, self.digest = out, out.tell(), 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.digest.update(data)
        self.length += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def where(self) -> dict[str, Any]:
        return {"offset": self.offset, "length": self.length, "sha256": self.digest.hexdigest()}


def new_release_id(root: Path) -> str:
    """The next release id for the store at ``root`` (see evrdf.release.ids: the day plus a serial)."""
    from evrdf.release.ids import next_release_id

    releases = Path(root) / RELEASES
    names = [p.name.removeprefix(".tmp-") for p in releases.iterdir()] if releases.is_dir() else []
    return next_release_id(names)


@contextmanager
def publishing(root: Path) -> Iterator[None]:
    """One publisher at a time per store (builds and SPARQL Updates, across processes): each derives its
    release from the current one, so two at once would lose the first one's change."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".publish.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def new_release(root: Path, info: dict[str, Any], release_id: str | None = None) -> Iterator[ReleaseWriter]:
    """Build into ``root/releases/.tmp-*``; publish only if the block finishes without an exception.

    On any failure the temporary directory is removed and ``root/current`` is untouched. Callers hold
    ``publishing(root)``, so any other ``.tmp-*`` found here is a killed publisher's, and is removed.
    """
    root = Path(root)
    releases = root / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    for stale in releases.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    release_id = release_id or new_release_id(root)
    tmp = releases / f".tmp-{release_id}"
    writer = ReleaseWriter(tmp)
    info = dict(info, release=release_id)
    try:
        yield writer
        info.update(writer.info)
        writer.store.flush()
        writer.store.optimize()
        del writer.store  # close RocksDB before the directory moves
        shutil.rmtree(tmp / SCRATCH, ignore_errors=True)
        (tmp / "release.json").write_text(json.dumps(info, indent=2, sort_keys=True), encoding="utf-8")
        final = releases / release_id
        os.rename(tmp, final)
        _swap_pointer(root, final)
    except OSError as exc:  # disk full, no permission: name the path, publish nothing
        writer.__dict__.pop("store", None)  # close RocksDB now: a retry may reuse the id (and its lock)
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"{os_message(exc, tmp)}; the release was not published (the store still serves its "
                         "previous release)") from None
    except BaseException:
        writer.__dict__.pop("store", None)  # close RocksDB now: a retry may reuse the id (and its lock)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(root, current=(root / CURRENT).resolve())


def _swap_pointer(root: Path, target: Path) -> None:
    link = root / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    os.symlink(os.path.relpath(target, root), link)
    os.replace(link, root / CURRENT)  # atomic on POSIX


def _prune(root: Path, current: Path) -> None:
    """Keep the files of every release, the stores of the newest (the rule lives in evrdf.release.retention)."""
    from evrdf.release.retention import prune

    prune(root, current)
