"""The embedded store's read side: Oxigraph on disk, one immutable directory per release, published by an atomic
symlink swap (store/oxigraph_write.py) so readers see either the old release or the new one, never a half-built
graph."""

from __future__ import annotations

import json
import os
import re
import threading
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from evrdf.errors import StoreError
from evrdf.results import solutions

CURRENT = "current"
RELEASES = "releases"
SCRATCH = "scratch"  # a release being built: files it needs only while it is written (removed before publishing)


BYTES_PER_QUAD = 400  # memory of one quad in an in-memory Oxigraph store: 396 bytes RSS measured at 1M quads
# quads copied into memory per bulk_extend call, which holds the GIL throughout (one call for 1M quads stalled every
# other thread of the process 5.2 s; chunks of 2,000: at most 76 ms, the copy 6.6 s instead of 5.2 s). Dumping to
# N-Quads and bulk_load-ing that releases the GIL but renames every blank node, so the copy would not answer as
# the disk store does.
COPY_CHUNK = 2000


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
        # processes that each hold a copy: under gunicorn every worker loads its own (pages forked from a master's
        # copy would not stay shared: evaluating a query writes to the pages it reads), the master none
        self.copies = 1
        self.layout = ""  # what holds the copies, for the note (e.g. "1 gunicorn worker x 8 threads")
        self._counted: tuple[str, int] | None = None  # (target, its quads)
        self._note = "memory budget 0: served from disk" if memory_budget <= 0 else (
            f"not copied into memory yet (memory budget {_size(memory_budget)}): served from disk")

    @property
    def memory_note(self) -> str:
        """Where answers come from and why (the memory budget, the release's estimated size), for `evrdf stats`,
        the service description and the landing page."""
        loading = self._loading
        if loading is not None and self.mode() == "disk":
            return (f"copying release {loading.rsplit('/', 1)[-1]} into memory (budget {_size(self.memory_budget)}"
                    f"): served from disk meanwhile{self._held()}")
        return self._note

    @memory_note.setter
    def memory_note(self, note: str) -> None:
        self._note = note

    def _held(self, copy: bool = False) -> str:
        """What serves, for the notes: e.g. "; 1 gunicorn worker x 8 threads, holding the one in-memory copy"."""
        if not self.layout:
            return ""
        return f"; {self.layout}" + (", holding the one in-memory copy" if copy and self.copies == 1 else "")

    # -- serving from memory ----------------------------------------------------------------------
    def mode(self) -> str:
        """'memory' when the published release is answered from an in-memory copy, else 'disk'."""
        memory = self._memory
        return "memory" if memory is not None and memory[0] == self._pointer() else "disk"

    def preload(self) -> str:
        """Copy the published release into memory now, in this thread (`evrdf stats`, an in-process server; a
        gunicorn worker uses load_in_background instead); returns the mode."""
        if self.memory_budget > 0:
            self._load_memory(self._pointer())
        return self.mode()

    def fits_in_memory(self, copies: int) -> bool:
        """Whether ``copies`` in-memory copies of the published release fit the memory budget (its quads counted on
        disk, the store closed again: a gunicorn master decides its layout with this and forks no open store).
        A release that cannot be counted does not fit: the workers then say why when they try it."""
        if self.memory_budget <= 0:
            return False
        try:
            quads = self._quads(self._pointer())
        except (OSError, StoreError, ValueError):
            return False
        return quads * BYTES_PER_QUAD * copies <= self.memory_budget

    def load_in_background(self) -> None:
        """Start copying the published release into memory (a gunicorn worker, once booted): the disk store
        answers meanwhile, and the copy replaces it in one assignment once complete."""
        if self.memory_budget > 0:
            self._start_loading(self._pointer())

    def _quads(self, target: str) -> int:
        counted = self._counted
        if counted is None or counted[0] != target:
            disk = ox.Store.read_only(str((self.root / target).resolve() / "oxigraph"))
            found = solutions(disk.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
            counted = self._counted = (target, int(next(iter(found))["n"].value))
            del disk
        return counted[1]

    def _load_memory(self, target: str) -> None:
        self._tried = target
        try:
            quads = self._quads(target)
            estimate = quads * BYTES_PER_QUAD * self.copies
            size = f"~{_size(estimate)} estimated" + (
                f" ({self.copies} copies of ~{_size(quads * BYTES_PER_QUAD)}: one in each worker)"
                if self.copies > 1 else "")
            if estimate > self.memory_budget:
                self.memory_note = (f"release {target.rsplit('/', 1)[-1]}: {quads} quads, {size}, over the "
                                    f"memory budget of {_size(self.memory_budget)}: served from disk{self._held()}")
                self._memory = None
                return
            disk = ox.Store.read_only(str((self.root / target).resolve() / "oxigraph"))
            memory = ox.Store()
            quads_on_disk = disk.quads_for_pattern(None, None, None, None)
            while chunk := list(islice(quads_on_disk, COPY_CHUNK)):
                memory.bulk_extend(chunk)  # holds the GIL: in chunks, so the request threads answer meanwhile
            del quads_on_disk, disk
            self._memory = (target, memory)  # one assignment: readers see the old store or the whole new one
            self.memory_note = (f"release {target.rsplit('/', 1)[-1]}: {quads} quads, {size}, within the memory "
                                f"budget of {_size(self.memory_budget)}: served from memory{self._held(copy=True)}")
        except Exception as exc:  # the disk store keeps serving; say why
            self.memory_note = f"loading into memory failed ({exc}): served from disk{self._held()}"
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
