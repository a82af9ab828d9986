"""The embedded store: Oxigraph on disk, one immutable directory per release, published by an atomic
symlink swap so readers see either the old release or the new one, never a half-built graph."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, cast

import pyoxigraph as ox

from evrdf.errors import StoreError, os_message
from evrdf.results import solutions

CURRENT = "current"
RELEASES = "releases"
SCRATCH = "scratch"  # a release being built: files it needs only while it is written (removed before publishing)


BYTES_PER_QUAD = 400  # memory of one quad in an in-memory Oxigraph store: 396 bytes RSS measured at 1M quads


class OxigraphStore:
    """Read side: opens the published release read-only and follows the pointer when a new one lands.

    With a memory budget (bytes, 0 = always disk), a release whose estimated size (quads x BYTES_PER_QUAD) fits
    is copied into an in-memory store, which answers 4-9x faster than RocksDB on disk. A new release is copied
    in a background thread while its disk store answers; the in-memory copy replaces it in one assignment once
    complete, so readers never see a half-loaded store; a failed copy leaves the disk store serving."""

    def __init__(self, root: Path, memory_budget: int = 0):
        self.root = Path(root)
        self.memory_budget = memory_budget
        self._lock = threading.Lock()
        self._opened: tuple[str, ox.Store] | None = None  # (the pointer's target as read, its store)
        self._info: tuple[str, dict[str, Any]] | None = None
        self._memory: tuple[str, ox.Store] | None = None  # (target, a complete in-memory copy of it)
        self._loading: str | None = None  # the target a background copy is working on
        self._note = "memory budget 0: served from disk" if memory_budget <= 0 else (
            f"not copied into memory yet (memory budget {_size(memory_budget)}): served from disk")

    @property
    def memory_note(self) -> str:
        """Where answers come from and why (the memory budget, the release's estimated size), for `evrdf stats`,
        the service description and the landing page."""
        loading = self._loading
        if loading is not None and self.mode() == "disk":
            return (f"copying release {loading.rsplit('/', 1)[-1]} into memory (budget {_size(self.memory_budget)}"
                    "): served from disk meanwhile")
        return self._note

    @memory_note.setter
    def memory_note(self, note: str) -> None:
        self._note = note

    # -- serving from memory ----------------------------------------------------------------------
    def mode(self) -> str:
        """'memory' when the published release is answered from an in-memory copy, else 'disk'."""
        memory = self._memory
        return "memory" if memory is not None and memory[0] == self._pointer() else "disk"

    def preload(self) -> str:
        """Copy the published release into memory now (in the master before gunicorn forks, so the workers
        share its pages copy-on-write); returns the mode."""
        if self.memory_budget > 0:
            self._load_memory(self._pointer())
        return self.mode()

    def _load_memory(self, target: str) -> None:
        self._tried = target
        try:
            release = (self.root / target).resolve()
            disk = ox.Store.read_only(str(release / "oxigraph"))
            counted = solutions(disk.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
            quads = int(next(iter(counted))["n"].value)
            estimate = quads * BYTES_PER_QUAD
            if estimate > self.memory_budget:
                self.memory_note = (f"release {target.rsplit('/', 1)[-1]}: {quads} quads, ~{_size(estimate)} "
                                    f"estimated, over the memory budget of {_size(self.memory_budget)}: "
                                    "served from disk")
                self._memory = None
                return
            memory = ox.Store()
            memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
            del disk
            self._memory = (target, memory)  # one assignment: readers see the old store or the whole new one
            self.memory_note = (f"release {target.rsplit('/', 1)[-1]}: {quads} quads, ~{_size(estimate)} "
                                f"estimated, within the memory budget of {_size(self.memory_budget)}: served from "
                                "memory")
        except Exception as exc:  # the disk store keeps serving; say why
            self.memory_note = f"loading into memory failed ({exc}): served from disk"
        finally:
            if self._loading == target:
                self._loading = None

    def _start_loading(self, target: str) -> None:
        with self._lock:
            if self._loading == target:
                return
            self._loading = target
            self._tried = target
        threading.Thread(target=self._load_memory, args=(target,), daemon=True, name="evrdf-memory-load").start()

    def serve_from_disk(self, reason: str) -> None:
        """Answer from disk whatever the budget (``reason`` says why): e.g. the development server, whose query
        processes open the release themselves and could not share one in-memory copy."""
        self.memory_budget, self._memory, self.memory_note = 0, None, f"{reason}: served from disk"

    # -- release handling -------------------------------------------------------------------------
    def _pointer(self) -> str:
        """The published release as `current` names it: one readlink per call, the cheapest way to notice a
        new release (the symlink is swapped atomically by the publisher)."""
        try:
            return os.readlink(self.root / CURRENT)
        except FileNotFoundError:
            raise StoreError(f"no published release in {self.root} (run `evrdf build --store {self.root}`)") from None
        except OSError as exc:
            raise StoreError(f"cannot read {self.root / CURRENT}: {exc}") from None

    def release_dir(self) -> Path:
        return (self.root / self._pointer()).resolve()

    def _store(self) -> ox.Store:
        target = self._pointer()
        memory = self._memory
        if memory is not None and memory[0] == target:
            return memory[1]
        if self.memory_budget > 0 and self._loading is None and not self._decided(target):
            self._start_loading(target)
        opened = self._opened
        if opened is not None and opened[0] == target:
            return opened[1]
        with self._lock:
            if self._opened is None or self._opened[0] != target:
                release = (self.root / target).resolve()
                try:
                    store = ox.Store.read_only(str(release / "oxigraph"))
                except OSError as exc:
                    raise StoreError(f"cannot open the store in {release}: {exc}") from None
                self._opened = (target, store)
            return self._opened[1]

    def _decided(self, target: str) -> bool:
        """Whether a copy of ``target`` was already tried (and refused or failed): tried once per release."""
        return getattr(self, "_tried", None) == target

    def release(self) -> dict[str, Any]:
        """release.json of the published release, read once per release (a release never changes)."""
        target = self._pointer()
        cached = self._info
        if cached is None or cached[0] != target:
            path = (self.root / target).resolve() / "release.json"
            cached = (target, json.loads(path.read_text(encoding="utf-8")))
            self._info = cached
        return dict(cached[1])

    def files_dir(self) -> Path:
        return self.release_dir() / "files"

    # -- queries ----------------------------------------------------------------------------------
    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> Any:
        """Oxigraph answers; the default graph is the union of all named graphs unless the client names some."""
        store = self._store()
        kwargs: dict[str, Any] = {"base_iri": base_iri, "prefixes": prefixes or None}
        if default_graphs or named_graphs:  # SPARQL 1.1 Protocol 2.1.4: these graphs and no others
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()] or ox.DefaultGraph()
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif not has_dataset_clause(sparql):  # FROM / FROM NAMED define the dataset (SPARQL 1.1, 13.2)
            kwargs["use_default_graph_as_union"] = True
        unknown: dict[ox.NamedNode, Any] = {}
        while True:
            try:
                return store.query(sparql, custom_functions=unknown or None, **kwargs)
            except RuntimeError as exc:  # Oxigraph refuses a query calling a function it does not know ...
                found = _UNKNOWN_FUNCTION.fullmatch(str(exc))
                if found is None or len(unknown) >= 64:
                    raise
                # ... where SPARQL 1.1 (17.1, 17.6) makes that call an evaluation error, like a type error:
                # a FILTER with it is false, a BIND leaves its variable unbound
                unknown[ox.NamedNode(found.group(1))] = _unknown_function

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store().named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        solution = next(iter(solutions(self._store().query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))))
        return int(solution["n"].value)


def _size(n: int) -> str:
    """Bytes for people: MiB from 1 MiB up."""
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"


_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")


def _unknown_function(*args: Any) -> None:
    """An extension function this store does not implement: every call is an error (no value)."""
    return None


_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRIS = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENTS = re.compile(r"#[^\n]*")
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(?:<>|[A-Za-z][\w.-]*:|:)", re.IGNORECASE)


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED.

    >>> has_dataset_clause("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    True
    >>> has_dataset_clause('SELECT * WHERE { ?s ?p "FROM <x>" } # FROM <y>')
    False
    >>> has_dataset_clause("SELECT * WHERE { <http://x#from> ?p ?o }")
    False
    """
    text = _IRIS.sub("<>", _STRINGS.sub('""', sparql))
    return bool(_FROM.search(_COMMENTS.sub("", text)))


class ReleaseWriter:
    """A release being built: a private directory and a writable store nobody else reads."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.files = directory / "files"
        self.files.mkdir(parents=True)
        self.store = ox.Store(str(directory / "oxigraph"))
        self.info: dict[str, Any] = {}  # facts the build adds to release.json
        self.verbatim: dict[str, Path] = {}  # graphs whose N-Quads source file the dump may copy as is

    def load(self, data: bytes, fmt: ox.RdfFormat, graph: str) -> None:
        self.store.bulk_load(data, format=fmt, to_graph=ox.NamedNode(graph))

    def extend(self, quads: Iterator[ox.Quad]) -> None:
        self.store.bulk_extend(quads)

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
                    pattern = self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
                    # a file-like object to pyoxigraph, which only calls its write()
                    ox.serialize(pattern, cast("IO[bytes]", section), format=ox.RdfFormat.N_QUADS)
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
