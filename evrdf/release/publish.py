"""What every publisher does at the end of writing a release (`evrdf build` and SPARQL Update alike): dump the
data graphs, compute the changelog against the previous release, describe the release and the whole series in
the metadata graph, and write changes.json and release.ttl beside the other release files."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox
from rdflib import Graph

from evrdf.iris import Iris
from evrdf.release.changes import Changelog, summarize
from evrdf.release.diff import compare
from evrdf.release.dump import Dump, sections_from
from evrdf.release.index import CHANGES_JSON, DUMP, RELEASE_TTL, ReleaseIndex, ReleaseRecord
from evrdf.release.rdf import Description, prefixes, release_ntriples, series_graph
from evrdf.release.retention import POLICY
from evrdf.results import serialized
from evrdf.storage import WritableRelease

# bytes of N-Triples per bulk load of the metadata graph: Oxigraph's on-disk bulk loader holds a whole load in
# memory while it sorts it (~800 bytes a triple); a first build's metadata at 78,288 findings is 60 MB
LOAD_BYTES = 16 << 20


@dataclass
class Pending:
    """The release being written: its id, how it is made, when, and the release it revises."""

    id: str
    kind: str  # "build" or "update"
    built: str
    previous: ReleaseRecord | None
    gate: dict[str, Any] | None = None


def previous_release(root: Path) -> ReleaseRecord | None:
    """The release a new one revises: the published one."""
    return ReleaseIndex(root).current()


def gate_summary(report: Any) -> dict[str, Any]:
    """The SHACL gate's verdict on the release (a validate.report.Report), as release.json keeps it."""
    counts = {str(s).lower() + "s": int(n) for s, n in dict(getattr(report, "counts", {})).items()}
    return {"conforms": bool(report.conforms), "fail_on": report.fail_on.value, "engine": report.engine,
            "violations": counts.get("violations", 0), "warnings": counts.get("warnings", 0),
            "infos": counts.get("infos", 0)}


def dump_and_compare(writer: WritableRelease, pending: Pending, iris: Iris,
                     sizes: dict[str, int]) -> tuple[dict[str, dict[str, Any]], Changelog, float]:
    """Write the data graphs (everything but the metadata graph) to the dump and compare them with the previous
    release's; returns the dump's sections, the changelog and the seconds the comparison took. ``sizes``:
    triples per graph, as the publisher loaded them."""
    metadata = str(iris.graph("metadata"))
    data_graphs = [g for g in writer.graphs() if g != metadata]
    sections = writer.dump(writer.files / DUMP, verbatim=writer.verbatim, graphs=data_graphs)
    previous = pending.previous
    old = Dump.of(previous) if previous is not None and previous.file(DUMP) is not None else None
    new = Dump(writer.files / DUMP, sections_from(sections), {g: n for g, n in sizes.items() if g != metadata})
    started = time.perf_counter()
    diff = compare(old, new, skip=frozenset({metadata}), vocab=iris.vocab)
    changelog = summarize(diff, pending.id, previous.id if previous else None, iris.base)
    return sections, changelog, time.perf_counter() - started


def history(root: Path, iris: Iris, this: Description | None = None, changelog: Changelog | None = None,
            describe_this: bool = True) -> ox.Store:
    """Every release of the store, oldest first, described as RDF (each from its release.ttl, or from its
    release.json if it was made before release.ttl existed), ``this`` one (being written) with its changelog,
    and the series they form. ``describe_this`` False: ``this`` one joins the series, but its description is
    left out (finish loads it into the metadata graph straight from its N-Triples: a first build's is hundreds
    of thousands of triples, not to be held twice)."""
    index = ReleaseIndex(root)
    older = [r for r in reversed(index.records()) if this is None or r.id != this.id]
    store = ox.Store()
    previous: str | None = None
    for record in older:
        own = record.file(RELEASE_TTL)
        if own is not None:
            store.bulk_load(path=str(own), format=ox.RdfFormat.TURTLE)
        else:
            store.bulk_load(release_ntriples(Description.of(record, previous), iris, None),
                            format=ox.RdfFormat.N_TRIPLES)
        previous = record.id
    ids = [r.id for r in older]
    if this is not None:
        if describe_this:
            store.bulk_load(release_ntriples(this, iris, changelog), format=ox.RdfFormat.N_TRIPLES)
        ids.append(this.id)
    published = index.current()
    current = this.id if this is not None else (published.id if published else None)
    store.bulk_load(_nt(series_graph(iris, ids, current, POLICY)), format=ox.RdfFormat.N_TRIPLES)
    return store


def describe(writer: WritableRelease, pending: Pending, sizes: dict[str, int], iris: Iris) -> Description:
    """This release as it will be described (file sizes of the files already written)."""
    metadata = str(iris.graph("metadata"))
    names = {p.name: p.stat().st_size for p in writer.files.iterdir() if p.is_file()}
    files: dict[str, int | None] = {name: size for name, size in names.items() if name != DUMP}
    files |= {DUMP: None, RELEASE_TTL: None, CHANGES_JSON: None}
    return Description(pending.id, pending.kind, pending.built,
                       pending.previous.id if pending.previous else None,
                       sum(n for g, n in sizes.items() if g != metadata), files,
                       bool(pending.gate["conforms"]) if pending.gate else None)


def finish(writer: WritableRelease, pending: Pending, iris: Iris, metadata: ox.Store, sections: dict[str, Any],
           description: Description, changelog: Changelog, own: bytes | None = None) -> int:
    """Load the metadata graph (``metadata``: its triples, in any graph of a scratch store), append it to the
    dump, write changes.json and release.ttl, and record the rest in release.json; returns its size. ``own``:
    the release_ntriples of ``description`` and ``changelog``, if the caller has written them already (at a
    first build's changelog, hundreds of thousands of triples: written once, not twice). release.ttl is
    written by Oxigraph's Turtle serializer, streaming from those N-Triples."""
    graph = str(iris.graph("metadata"))
    own = own if own is not None else release_ntriples(description, iris, changelog)
    for data in (_triples(metadata), own):  # own: loaded even if ``metadata`` holds it too (a graph is a set)
        for piece in _pieces(data, LOAD_BYTES):  # a bulk load holds what it loads while it sorts
            writer.load(piece, ox.RdfFormat.N_TRIPLES, graph)
    sections.update(writer.dump(writer.files / DUMP, graphs=[graph], append=True))
    (writer.files / CHANGES_JSON).write_text(json.dumps(changelog.to_json(), indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    with (writer.files / RELEASE_TTL).open("wb") as handle:
        ox.serialize(ox.parse(own, format=ox.RdfFormat.N_TRIPLES), handle, format=ox.RdfFormat.TURTLE,
                     prefixes=prefixes(iris))
    writer.info.update(kind=pending.kind, previous=description.previous, dump=sections,
                       changes=changelog.summary(), gate=pending.gate,
                       file_sizes={p.name: p.stat().st_size for p in sorted(writer.files.iterdir()) if p.is_file()})
    return writer.count(graph)


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` (N-Triples) in pieces of about ``size`` bytes, each cut after a line break."""
    start = 0
    while start < len(data):
        cut = data.find(b"\n", min(start + size, len(data)) - 1)
        end = len(data) if cut < 0 else cut + 1
        yield data[start:end]
        start = end


def _triples(store: ox.Store) -> bytes:
    """A scratch store's quads, whatever their graph, as N-Triples (dumped in Rust when all are in the default
    graph, as history() loads them)."""
    if next(iter(store.named_graphs()), None) is None:
        return serialized(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    return serialized(ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES))


def _nt(graph: Graph) -> bytes:
    return graph.serialize(format="nt", encoding="utf-8")
