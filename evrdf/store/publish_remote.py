"""Publishing a built release into a remote store, atomically as seen by readers.

1. load every graph of the release into new, release-suffixed graphs (Graph Store Protocol, whole N-Triples
   documents in large batches — never one INSERT per triple);
2. check the load (per-graph triple counts equal the local release's) and run the caller's gate (validation);
3. describe the release in the pointer graph, then switch: insert the new ``current`` link, delete the old one
   (for the instant both exist, readers take the newest);
4. drop all but the current and the previous release (kept so that workers holding the old pointer for up to
   ``remote.POINTER_TTL_S`` still find their graphs, and as the rollback target).

A failure before step 3 removes what was loaded and leaves the old release served.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from evrdf.errors import StoreError
from evrdf.results import serialized
from evrdf.store.naming import physical
from evrdf.store.remote import CURRENT, GRAPH, INFO, RemoteStore

BATCH_TRIPLES = 200_000
KEEP_RELEASES = 2


@dataclass
class PublishReport:
    release: str
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    dropped: list[str] = field(default_factory=list)


def release_node(store: RemoteStore, release: str) -> str:
    return f"{store.pointer_graph}/release/{release}"


def publish(store: RemoteStore, release_dir: Path, gate: Callable[[RemoteStore, str], None] | None = None,
            progress: Callable[[str], None] = lambda message: None) -> PublishReport:
    """Publish the local release in ``release_dir`` (a directory written by ``evrdf build``) to ``store``.

    ``gate(store, release)`` runs after the load and before the switch; raising there aborts the publish.
    """
    started = time.perf_counter()
    release_dir = Path(release_dir)
    try:
        info = json.loads((release_dir / "release.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise StoreError(f"{release_dir}: not a built release ({exc})") from None
    release = info["release"]
    if store.read_pointer() is not None and store.published(fresh=True).release == release:
        raise StoreError(f"release {release} is already published in {store.endpoints.query}")
    local = ox.Store.read_only(str(release_dir / "oxigraph"))
    graphs = sorted(g.value for g in local.named_graphs() if isinstance(g, ox.NamedNode))
    report = PublishReport(release)
    try:
        for graph in graphs:
            progress(f"loading <{graph}>")
            report.graphs[graph] = _load_graph(store, local, graph, physical(graph, release))
        _check_counts(store, release, report.graphs)
        if gate is not None:
            progress("checking the loaded release")
            gate(store, release)
        _describe(store, release, info, graphs)
    except BaseException:
        _drop(store, release, graphs)
        raise
    previous = store.read_pointer()
    node = release_node(store, release)
    store.update(f"INSERT DATA {{ GRAPH <{store.pointer_graph}> {{ <{store.pointer_graph}> <{CURRENT}> <{node}> }} }}")
    if previous is not None:
        store.update(f"DELETE DATA {{ GRAPH <{store.pointer_graph}> {{ "
                     f"<{store.pointer_graph}> <{CURRENT}> <{release_node(store, previous.release)}> }} }}")
    progress(f"published release {release}")
    report.dropped = _prune(store, keep={release} | ({previous.release} if previous else set()))
    store.published(fresh=True)
    report.seconds = time.perf_counter() - started
    return report


def _load_graph(store: RemoteStore, local: ox.Store, graph: str, target: str) -> int:
    """Stream the graph out of the local store in batches of whole N-Triples documents."""
    batch: list[ox.Triple] = []
    count = 0
    store.update(f"DROP SILENT GRAPH <{target}>")
    for quad in local.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        batch.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        if len(batch) >= BATCH_TRIPLES:
            store.put_graph(target, serialized(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)))
            count += len(batch)
            batch = []
    if batch:
        store.put_graph(target, serialized(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)))
        count += len(batch)
    return count


def count_graph(store: RemoteStore, graph: str) -> int:
    body = store._post(store.endpoints.query, [("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                                               ("default-graph-uri", graph)], "application/sparql-results+json")
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _check_counts(store: RemoteStore, release: str, expected: dict[str, int]) -> None:
    for graph, count in expected.items():
        found = count_graph(store, physical(graph, release))
        if found != count:
            raise StoreError(f"loading <{graph}> into the remote store left {found} triples, expected {count}")


def _describe(store: RemoteStore, release: str, info: dict[str, object], graphs: list[str]) -> None:
    node = release_node(store, release)
    literal = json.dumps(json.dumps(info, sort_keys=True))  # a JSON document as a SPARQL string literal
    links = " ".join(f"<{node}> <{GRAPH}> <{physical(g, release)}> ." for g in graphs)
    store.update(f"INSERT DATA {{ GRAPH <{store.pointer_graph}> {{ <{node}> <{INFO}> {literal} . {links} }} }}")


def _drop(store: RemoteStore, release: str, graphs: list[str]) -> None:
    """Best effort: remove a failed or retired release's graphs and its description."""
    node = release_node(store, release)
    for graph in graphs:
        try:
            store.update(f"DROP SILENT GRAPH <{physical(graph, release)}>")
        except StoreError:
            pass
    try:
        store.update(f"WITH <{store.pointer_graph}> DELETE {{ <{node}> ?p ?o }} WHERE {{ <{node}> ?p ?o }}")
    except StoreError:
        pass


def _prune(store: RemoteStore, keep: set[str]) -> list[str]:
    body = store._post(store.endpoints.query, [
        ("query", f"SELECT ?r ?g WHERE {{ ?r <{GRAPH}> ?g }}"), ("default-graph-uri", store.pointer_graph)],
        "application/sparql-results+json")
    releases: dict[str, list[str]] = {}
    for row in json.loads(body)["results"]["bindings"]:
        release = row["r"]["value"].rsplit("/", 1)[-1]
        releases.setdefault(release, []).append(row["g"]["value"])
    dropped = []
    for release, physical_graphs in sorted(releases.items()):
        if release in keep:
            continue
        for graph in physical_graphs:
            store.update(f"DROP SILENT GRAPH <{graph}>")
        store.update(f"WITH <{store.pointer_graph}> DELETE {{ <{release_node(store, release)}> ?p ?o }} "
                     f"WHERE {{ <{release_node(store, release)}> ?p ?o }}")
        dropped.append(release)
    return dropped
