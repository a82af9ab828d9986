"""`evrdf build`: curated sources → graphs → (reasoner) → a fresh Oxigraph release → atomic publish."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import pyoxigraph as ox
from rdflib import Graph

from evrdf import __version__
from evrdf.build.deprecated import add_deprecated, previous_ontology
from evrdf.build.graphs import finding_graphs, gene_graph, pair_graphs, reference_graph
from evrdf.build.imports import load_imports
from evrdf.build.lines import LineGraph, ntriples_input
from evrdf.build.mappings import write_sssom
from evrdf.build.ontology import build_ontology, core_term_names, load_core, stamp_version
from evrdf.build.provenance import GraphInfo, metadata_graph
from evrdf.errors import SourceError
from evrdf.ingest.curated import Curated, load_curated
from evrdf.ingest.deprecated import DeprecatedTerm, read_deprecated
from evrdf.iris import Iris
from evrdf.pipeline.shrink import check_shrink, row_counts
from evrdf.pipeline.stages import Stages
from evrdf.pipeline.update import JOURNAL_FILE, UPDATES_FILE, carried_updates, is_writable
from evrdf.progress import reading
from evrdf.release.changes import Changelog
from evrdf.release.publish import Pending, describe, dump_and_compare, finish, gate_summary, history, previous_release
from evrdf.release.rdf import release_ntriples
from evrdf.settings import Settings
from evrdf.store.oxigraph_write import ReleaseWriter, new_release, new_release_id, publishing
from evrdf.validate.data import Dataset
from evrdf.validate.gate import check_before_publish, record_run  # the publishing gate: raises, publishing nothing
from evrdf.validate.report import Result

T = TypeVar("T")
LOAD_PART = 200_000  # triples per bulk load of a findings graph into the release store (its loader's memory)
ADD_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".owl": ox.RdfFormat.RDF_XML, ".rdf": ox.RdfFormat.RDF_XML,
}


@dataclass
class BuildReport:
    release: str
    version: str
    store: Path
    triples: int
    findings: int
    references: int
    genes: int
    pairs: int
    terms: int
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    reasoner_seconds: float | None = None
    added_results: list[Result] = field(default_factory=list)  # about --add files: reported, not blocking
    previous: str | None = None
    changes: Changelog | None = None
    deprecated: list[str] = field(default_factory=list)  # gone from the tables, not yet in deprecated.tsv
    changelog_seconds: float = 0.0  # comparing with the previous release and summarizing (bench/release)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in the order they ran


def build(settings: Settings, add: list[Path] | tuple[Path, ...] = (), reason: bool = True,
          progress: Callable[[str], None] = lambda message: None, fail_on: str = "violation",
          allow_shrink: bool = False) -> BuildReport:
    """Build and publish a release; raises (and publishes nothing) on any bad input."""
    started_clock, started = time.perf_counter(), datetime.now(timezone.utc)
    iris = Iris(settings.base_iri)
    stages = Stages(progress)
    stages.begin("read")
    progress(f"reading sources from {settings.sources}")
    core = load_core(settings.sources, iris)
    curated = load_curated(settings.sources / "curated", core_term_names(core, iris))
    deprecated = read_deprecated(settings.sources / "curated", core_term_names(core, iris) | set(curated.terms))
    for shrunk in check_shrink(curated, settings.store, allow_shrink):  # a table losing most rows stops here
        progress(f"allowed to shrink: {shrunk}")
    for path in add:
        _add_format(path)  # fail on a bad extension before any work

    stages.begin("compile")
    ontology = build_ontology(core, curated, iris)
    graphs: dict[str, tuple[str, Graph, tuple[str, ...]]] = {
        "ontology": ("The evrdf ontology (core and curated term classes)", ontology,
                     tuple(s.key for s in curated.sources if s.graph == "ontology")),
        "hgnc": ("Human chemokines, chemokine receptors and other genes (HGNC nomenclature)",
                 gene_graph(curated, iris), tuple(s.key for s in curated.sources if s.graph == "hgnc")),
        "references": ("Bibliographic references", reference_graph(curated, iris), ("references",)),
    }
    for key, graph in pair_graphs(curated, iris).items():
        graphs[key] = (f"Chemokine ligand-receptor pairs listed by {key}", graph, (key,))
    for key, graph in finding_graphs(curated, iris).items():
        source = next(s for s in curated.sources if s.graph == key and s.file == "findings.tsv")
        graphs[key] = (source.title, graph, (source.key,))

    reasoner_seconds = None
    if reason:
        from evrdf.build.reason import check_consistency

        stages.begin("reason")
        progress("checking consistency with HermiT")
        reasoner_seconds = check_consistency(ontology, graphs["hgnc"][1],
                                             origins=_origins(ontology, core, curated, iris)).seconds

    with publishing(settings.store):  # one publisher at a time: a SPARQL Update may be publishing too
        return _publish(settings, iris, curated, deprecated, ontology, graphs, list(add), progress, fail_on,
                        started, started_clock, reasoner_seconds, stages)


def _origins(ontology: Graph, core: Graph, curated: Curated, iris: Iris) -> Callable[[str], str | None]:
    """Where each IRI the reasoner may name is defined: its curated row, else the core ontology file."""
    places = {str(s): str(o) for s, o in ontology.subject_objects(iris.term("sourceRow"))}
    places.update({str(iris.gene(g.hgnc_id)): g.row.location(curated.directory.parent)
                   for g in curated.genes.values()})
    core_terms = {str(s) for s in core.subjects()}
    return lambda iri: places.get(iri) or ("evrdf-core.ttl" if iri in core_terms else None)


def _publish(settings: Settings, iris: Iris, curated: Curated, deprecated: dict[str, DeprecatedTerm],
             ontology: Graph, graphs: dict[str, tuple[str, Graph, tuple[str, ...]]], add: list[Path],
             progress: Callable[[str], None], fail_on: str, started: datetime, started_clock: float,
             reasoner_seconds: float | None, stages: Stages) -> BuildReport:
    stages.begin("prepare")
    previous = previous_release(settings.store)
    version = new_release_id(settings.store)  # one id names the data and the ontology of this release
    stamp_version(ontology, iris, version)
    gone = add_deprecated(ontology, previous_ontology(previous.files if previous else None), deprecated, iris,
                          version)
    for term in gone:
        if not term.curated:
            progress(f"term <{term.iri}> ({term.label}) is no longer in the curated tables: published as "
                     f"deprecated; record it in curated/deprecated.tsv, with replaced_by if it has a replacement")
    updates = carried_updates(settings.store)  # what SPARQL Updates wrote into the published release

    infos: list[GraphInfo] = []
    info = {"ontology_version": version, "version_iri": str(iris.version_iri(version)),
            "software_version": __version__, "base_iri": settings.base_iri,
            "built": started.isoformat(timespec="seconds")}
    with new_release(settings.store, info, version) as release:
        reserved = {str(iris.graph(k)) for k in graphs} | {str(iris.graph("metadata"))}
        for number, (_, graph, _) in enumerate(graphs.values()):
            if isinstance(graph, LineGraph):  # complete: read from a file by the gate and the bulk load
                graph.spill(release.scratch_file(f"lines-{number}.nt"))
        # The staged imports (validated when imported) load into the release while the gate checks the rest:
        # the two are independent, and the bulk load runs in Rust without the GIL. The gate still decides:
        # if it fails, the release being written is discarded as any failed build's is.
        stages.begin("gate+import")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evrdf-import") as pool:
            importing = pool.submit(_timed, load_imports, release, settings.store, iris, set(reserved), progress)
            try:
                progress("validating against the SHACL shapes")
                gate, gate_seconds = _timed(check_before_publish, {key: graph for key, (_, graph, _) in graphs.items()},
                                            [updates] if updates else [], settings, fail_on, added=add)
            finally:
                wait([importing])  # never leave the loader writing into a directory being removed
        imported, import_seconds = importing.result()  # a bad staged file raises here, after the gate's verdict
        progress(f"SHACL gate {gate_seconds:.2f} s; staged imports loaded beside it in {import_seconds:.2f} s")
        stages.begin("load")
        for key, (title, graph, sources) in graphs.items():
            for part in graph.parts(LOAD_PART) if isinstance(graph, LineGraph) else [ntriples_input(graph)]:
                release.load(part, ox.RdfFormat.N_TRIPLES, str(iris.graph(key)))
            infos.append(GraphInfo(str(iris.graph(key)), title, len(graph), sources))
            if isinstance(graph, LineGraph):
                graph.free()  # in the release store now: its file goes
        infos.extend(imported)
        reserved |= {i.iri for i in imported}
        stages.begin("add")
        if updates:
            infos.extend(_load_updates(release, updates, iris))
            reserved |= {i.iri for i in infos}
        written = _write_added(release, add, iris, gate.dataset)
        gate.dataset = None  # its memory (the added files) is free for the bulk load, the dump and the changelog
        for path in add:
            infos.extend(_load_added(release, path, iris, reserved, written.get(path)))
            reserved |= {i.iri for i in infos}
        stages.begin("files")
        progress("writing release files")
        _write_files(release, ontology, curated, iris, version)
        counts = {i.iri: i.triples for i in infos}
        pending = Pending(version, "build", info["built"], previous, gate_summary(gate.own))
        stages.end()
        progress("comparing with the previous release" if previous else "writing the dump")
        dumped = time.perf_counter()
        sections, changes, changelog_seconds = dump_and_compare(release, pending, iris, counts)
        stages.add("dump", time.perf_counter() - dumped - changelog_seconds)
        stages.add("changelog", changelog_seconds)
        stages.begin("metadata")
        description = describe(release, pending, counts, iris)
        own = release_ntriples(description, iris, changes)  # for the history and release.ttl: written once
        meta = history(settings.store, iris, description, changes, describe_this=False)  # finish loads own
        meta.bulk_load(metadata_graph(iris, curated, infos, version, version, started, datetime.now(timezone.utc))
                       .serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        size = finish(release, pending, iris, meta, sections, description, changes, own)
        del own
        infos.append(GraphInfo(str(iris.graph("metadata")), "Dataset, graph, build and release provenance", size))
        counts = {i.iri: i.triples for i in infos}
        report = BuildReport(
            release=version, version=version, store=settings.store, triples=sum(counts.values()),
            findings=len(curated.findings), references=len(curated.references), genes=len(curated.genes),
            pairs=len(curated.pairs), terms=len(curated.terms), graphs=counts,
            reasoner_seconds=reasoner_seconds, added_results=gate.added,
            previous=previous.id if previous else None, changes=changes,
            deprecated=[t.iri for t in gone if not t.curated], changelog_seconds=changelog_seconds)
        release.info.update(triples=report.triples, findings=report.findings, references=report.references,
                            graphs=counts, curated_rows=row_counts(curated))
        stages.begin("publish")  # flushing and compacting the store, the atomic swap, pruning old releases
    stages.begin("history")
    record_run(settings, gate.run(), version)  # published: the gate's run joins the validation history
    stages.end()
    report.seconds = time.perf_counter() - started_clock
    report.stages = dict(stages.seconds)
    return report


def _timed(call: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    started = time.perf_counter()
    return call(*args, **kwargs), time.perf_counter() - started


def _add_format(path: Path) -> ox.RdfFormat:
    fmt = ADD_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(path, f"unknown RDF file extension {path.suffix!r} "
                                f"(use one of {', '.join(sorted(ADD_FORMATS))})")
    if not path.is_file():
        raise SourceError(path, "file not found")
    return fmt


TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)


def _write_added(release: ReleaseWriter, add: list[Path], iris: Iris,
                 validated: Dataset | None) -> dict[Path, tuple[Path, int]]:
    """The --add files of triples, taken from ``validated`` (the gate's dataset, which holds each added file,
    parsed once, in its own graph) and written as N-Quads for the release: what is published is what the gate
    read, and no file is parsed a second time."""
    if validated is None:
        return {}
    return {path: release.write_graph(validated.store, str(iris.graph("added", path.stem)))
            for path in add if _add_format(path) in TRIPLE_FORMATS}


def _load_added(release: ReleaseWriter, path: Path, iris: Iris, reserved: set[str],
                written: tuple[Path, int] | None = None) -> list[GraphInfo]:
    """An --add file: triples go to a graph named after the file; quads keep their graphs unless reserved.
    ``written``: the file's graph as _write_added wrote it (N-Quads file, size), loaded as it is."""
    fmt = _add_format(path)
    target = ox.NamedNode(str(iris.graph("added", path.stem)))
    if target.value in reserved:
        raise SourceError(path, f"another source already publishes graph <{target.value}>; rename the file")
    if written is not None:
        nquads, count = written
        if count:
            release.load_written(nquads, target.value)
        return [GraphInfo(target.value, f"Added from {path.name}", count, (), path)] if count else []
    seen: set[str] = set()

    def quads() -> Iterator[ox.Quad]:
        # rename_blank_nodes: a document's blank nodes are its own (two files that both write _:b are two nodes)
        with reading(path, f"adding {path.name}") as handle:
            yield from _renamed(ox.parse(handle, format=fmt, base_iri=path.resolve().as_uri(),
                                         rename_blank_nodes=True))

    def _renamed(parsed: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        for quad in parsed:
            graph = quad.graph_name
            if isinstance(graph, ox.DefaultGraph):
                graph = target
            elif graph.value in reserved or is_writable(graph.value, iris):
                raise SourceError(path, f"graph <{graph.value}> is published by evrdf itself; "
                                        "an added file may not write into it")
            seen.add(graph.value)
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)

    try:
        release.extend(quads())
    except SyntaxError as exc:
        raise SourceError(path, f"RDF syntax error: {exc.msg}", line=exc.lineno) from None
    return [GraphInfo(graph, f"Added from {path.name}", release.count(graph), (), path) for graph in sorted(seen)]


def _load_updates(release: ReleaseWriter, path: Path, iris: Iris) -> list[GraphInfo]:
    """The published release's SPARQL Update graphs, carried into this build as they are."""
    seen: set[str] = set()

    def quads() -> Iterator[ox.Quad]:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode) or not is_writable(quad.graph_name.value, iris):
                raise SourceError(path, f"holds a quad outside the SPARQL Update graphs: {quad}")
            seen.add(quad.graph_name.value)
            yield quad

    try:
        release.extend(quads())
    except SyntaxError as exc:
        raise SourceError(path, f"N-Quads syntax error: {exc.msg}", line=exc.lineno) from None
    for name in (UPDATES_FILE, JOURNAL_FILE):
        if (path.parent / name).is_file():
            shutil.copy2(path.parent / name, release.files / name)
    return [GraphInfo(graph, "Changed through SPARQL Update", release.count(graph), (), path)
            for graph in sorted(seen)]


def _write_files(release: ReleaseWriter, ontology: Graph, curated: Curated, iris: Iris, version: str) -> None:
    files = release.files
    ontology.serialize(files / "evrdf.owl", format="xml", encoding="utf-8")
    ontology.serialize(files / "evrdf.ttl", format="turtle", encoding="utf-8")
    ontology.serialize(files / "evrdf.jsonld", format="json-ld", encoding="utf-8")
    write_sssom(curated, iris, version, files / "evrdf.sssom.tsv")
