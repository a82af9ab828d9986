"""The embedded store: Oxigraph on disk, one immutable directory per release, published by an atomic
symlink swap so readers see either the old release or the new one, never a half-built graph."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox

from evrdf.errors import StoreError, os_message

CURRENT = "current"
RELEASES = "releases"
KEEP_RELEASES = 3


class OxigraphStore:
    """Read side: opens the published release read-only and follows the pointer when a new one lands."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._opened: tuple[str, ox.Store] | None = None  # (the pointer's target as read, its store)
        self._info: tuple[str, dict[str, Any]] | None = None

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
        solution = next(iter(self._store().query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))
        return int(solution["n"].value)


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

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(query)))["n"].value)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, path: Path, verbatim: dict[str, Path] | None = None) -> None:
        """Write the release as N-Quads. Graphs in ``verbatim`` (graph IRI → an N-Quads file holding exactly
        that graph, e.g. a staged import) are copied from their file instead of re-serialized from the store:
        at millions of quads that is the difference between a file copy and minutes of serialization."""
        verbatim = verbatim or {}
        with path.open("wb") as out:
            for graph in self.graphs():
                if graph not in verbatim:
                    pattern = self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
                    ox.serialize(pattern, out, format=ox.RdfFormat.N_QUADS)
            for source in verbatim.values():
                with source.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 22)


def new_release_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


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
    release_id = release_id or new_release_id()
    tmp = releases / f".tmp-{release_id}"
    writer = ReleaseWriter(tmp)
    info = dict(info, release=release_id)
    try:
        yield writer
        info.update(writer.info)
        writer.store.flush()
        writer.store.optimize()
        del writer.store  # close RocksDB before the directory moves
        (tmp / "release.json").write_text(json.dumps(info, indent=2, sort_keys=True), encoding="utf-8")
        final = releases / release_id
        os.rename(tmp, final)
        _swap_pointer(root, final)
    except OSError as exc:  # disk full, no permission: name the path, publish nothing
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"{os_message(exc, tmp)}; the release was not published (the store still serves its "
                         "previous release)") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(releases, keep=KEEP_RELEASES, current=(root / CURRENT).resolve())


def _swap_pointer(root: Path, target: Path) -> None:
    link = root / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    os.symlink(os.path.relpath(target, root), link)
    os.replace(link, root / CURRENT)  # atomic on POSIX


def _prune(releases: Path, keep: int, current: Path) -> None:
    done = sorted((p for p in releases.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    for old in done[:-keep]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
