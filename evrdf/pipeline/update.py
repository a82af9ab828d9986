"""SPARQL Update for the operator: an update is published as a new release, never applied in place.

An update may write only into the graphs SPARQL Update owns: ``<base>graph/updates`` (which is also the
update's default graph, so ``INSERT DATA { ... }`` lands there) and graphs under ``<base>graph/updates/``.
Every other graph is published from a source (curated tables, `evrdf import`, `--add` files) and is rebuilt
from that source by the next `evrdf build`, so a change made there by an update would later vanish without a
word; such an update is refused instead, and the error names the graph. Its WHERE clause may read every graph
(``GRAPH ?g { ... }``).

The new release is the current one with the update applied: the same graphs and release files, the updates
graphs changed, the metadata graph saying which update made it, and the SHACL gate passed. The updates graphs
travel with the release (``files/updates.nq``, with a journal of every update in ``files/updates.jsonl``) and
`evrdf build` carries them into the releases it builds.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from evrdf import __version__, fence
from evrdf.errors import EvrdfError, StoreError, ValidationError
from evrdf.iris import Iris
from evrdf.query_policy import Refused, check
from evrdf.release.index import ReleaseIndex
from evrdf.release.publish import Pending, describe, dump_and_compare, finish, gate_summary, history
from evrdf.results import solutions
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from evrdf.store.oxigraph_write import new_release, new_release_id, publishing
from evrdf.validate.data import from_release
from evrdf.validate.report import Severity
from evrdf.validate.run import record_run, validate_dataset

UPDATES_FILE = "updates.nq"
JOURNAL_FILE = "updates.jsonl"
# release files an update writes anew (the ontology's files are restamped with the new version IRI)
REGENERATED = {"evrdf.nq", "evrdf.nq.gz", "changes.json", "release.ttl", UPDATES_FILE, JOURNAL_FILE,
               "evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv"}


class UpdateRefused(EvrdfError):
    """The update is well formed but would change what an update may not change."""


class UpdateSyntaxError(EvrdfError):
    """The update is not SPARQL 1.1 Update."""


class UpdateFailed(EvrdfError):
    """The update is well formed but one of its operations fails, e.g. CLEAR or DROP (without SILENT) of a graph
    the release does not have."""


@dataclass
class UpdateReport:
    release: str
    previous: str
    graphs: dict[str, int] = field(default_factory=dict)  # the updates graphs after the update, with their sizes
    inserted: int = 0
    deleted: int = 0
    seconds: float = 0.0


def updates_graph(iris: Iris) -> str:
    return str(iris.graph("updates"))


def is_writable(graph: str, iris: Iris) -> bool:
    """Whether SPARQL Update may write into ``graph``.

    >>> iris = Iris("https://w3id.org/evrdf/")
    >>> [is_writable(iris.base + g, iris) for g in ("graph/updates", "graph/updates/notes", "graph/hgnc")]
    [True, True, False]
    """
    home = updates_graph(iris)
    return graph == home or graph.startswith(home + "/")


def apply_update(settings: Settings, text: str, client: str = "cli", fail_on: str = "violation",
                 federation_allow: tuple[str, ...] = (), base_iri: str | None = None) -> UpdateReport:
    """Apply ``text`` to a copy of the published release and publish the result; raise (publishing nothing)
    when it is malformed, changes a graph it may not, or fails the SHACL gate. Relative IRIs in ``text`` resolve
    against ``base_iri`` (the endpoint's IRI over the protocol); without one they are a syntax error."""
    started_clock, started = time.perf_counter(), datetime.now(timezone.utc)
    iris = Iris(settings.base_iri)
    home = updates_graph(iris)
    _refuse_outside_calls(text, federation_allow)
    with publishing(settings.store):
        published = OxigraphStore(settings.store)
        previous_dir, info = published.release_dir(), published.release()
        if info.get("base_iri", settings.base_iri) != settings.base_iri:
            raise StoreError(f"the published release uses base IRI {info['base_iri']}, not {settings.base_iri}")
        scratch = from_release(previous_dir)  # an in-memory copy of everything published
        data = scratch.store
        data.update(f"ADD SILENT <{home}> TO DEFAULT ; DROP SILENT GRAPH <{home}>")
        before = _fingerprints(data, iris)
        writable_before = _writable_quads(data, iris)
        try:
            _run(data, text, fenced=not federation_allow, base_iri=base_iri)
        except SyntaxError as exc:
            raise UpdateSyntaxError(f"SPARQL Update syntax error: {exc}") from None
        except PermissionError:
            raise UpdateRefused("the update tried to open a network connection (SERVICE or LOAD), which the server "
                                "does not make for an update; nothing was published") from None
        except OSError as exc:
            raise UpdateRefused(f"the update failed: {exc}") from None
        except RuntimeError as exc:  # Oxigraph's error for an operation that fails ("The graph <g> does not exist")
            raise UpdateFailed(f"the update failed: {exc}; nothing was published (a release keeps no empty graphs: "
                               "CLEAR SILENT / DROP SILENT ignore a graph that is not there)") from None
        after = _fingerprints(data, iris)
        changed = sorted(g for g in set(before) | set(after) if before.get(g, (0, 0)) != after.get(g, (0, 0)))
        if changed:
            raise UpdateRefused(
                f"SPARQL Update may write only into <{home}> (the update's default graph) and graphs under "
                f"<{home}/>; this update changes {', '.join(f'<{g}>' for g in changed)}, which "
                f"{'is' if len(changed) == 1 else 'are'} published from a source and rebuilt from it by "
                "`evrdf build` (change the source instead); nothing was published")
        writable_after = _writable_quads(data, iris)
        data.update(f"ADD SILENT DEFAULT TO <{home}> ; DROP SILENT DEFAULT")

        release_id = new_release_id(settings.store)
        sizes = _sizes(data)
        ours = {g: n for g, n in sizes.items() if is_writable(g, iris)}
        _record(data, iris, ours, sizes, str(info.get("release", "")), release_id, started)
        report = validate_dataset(scratch, settings, fail_on=Severity.parse(fail_on))
        if not report.conforms:
            raise ValidationError(report)

        sizes = _sizes(data)
        entry = {"release": release_id, "previous": info.get("release"), "at": started.isoformat(timespec="seconds"),
                 "client": client, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "update": text}
        carried = {k: v for k, v in info.items() if k in ("base_iri", "software_version", "curated_rows")}
        meta = ox.NamedNode(str(iris.graph("metadata")))
        pending = Pending(release_id, "update", started.isoformat(timespec="seconds"),
                          ReleaseIndex(settings.store).get(str(info.get("release", ""))), gate_summary(report))
        _restamp_ontology(data, iris, release_id)
        with new_release(settings.store, carried, release_id) as release:
            release.extend(iter([q for q in data if q.graph_name != meta]))  # drained here (iterators stay on
            # their thread: pyoxigraph's may not be dropped on another one, as an exception's traceback might)
            for path in sorted((previous_dir / "files").iterdir()):
                if path.name not in REGENERATED and path.is_file():
                    shutil.copy2(path, release.files / path.name)
            _restamp_files(previous_dir / "files", release.files, iris, release_id)
            write_updates(data, iris, release.files / UPDATES_FILE)
            journal = previous_dir / "files" / JOURNAL_FILE
            with (release.files / JOURNAL_FILE).open("w", encoding="utf-8") as out:
                if journal.is_file():
                    out.write(journal.read_text(encoding="utf-8"))
                out.write(json.dumps(entry, sort_keys=True) + "\n")
            sections, changes, _ = dump_and_compare(release, pending, iris, sizes)
            description = describe(release, pending, sizes, iris)
            history_store = history(settings.store, iris, description, changes)
            kept = [q for q in data.quads_for_pattern(None, None, None, meta) if not _superseded(q, iris)]
            history_store.extend(iter([ox.Quad(q.subject, q.predicate, q.object) for q in kept]))
            sizes[meta.value] = finish(release, pending, iris, history_store, sections, description, changes)
            release.info.update(built=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                ontology_version=release_id, version_iri=str(iris.version_iri(release_id)),
                                graphs=sizes, triples=sum(sizes.values()), derived_from=info.get("release"),
                                update=entry["sha256"])
        record_run(settings, report, release_id)  # published: the gate's run joins the validation history
    return UpdateReport(release_id, str(info.get("release", "")), ours,
                        inserted=len(writable_after - writable_before), deleted=len(writable_before - writable_after),
                        seconds=time.perf_counter() - started_clock)


def _restamp_ontology(data: ox.Store, iris: Iris, release: str) -> None:
    """The ontology is part of the release: it gets the new release's version IRI (and nothing else changes)."""
    graph, onto, owl = iris.graph("ontology"), iris.ontology, "http://www.w3.org/2002/07/owl#"
    data.update(f"""DELETE {{ GRAPH <{graph}> {{ <{onto}> <{owl}versionIRI> ?iri ; <{owl}versionInfo> ?info }} }}
        INSERT {{ GRAPH <{graph}> {{ <{onto}> <{owl}versionIRI> <{iris.version_iri(release)}> ;
                                             <{owl}versionInfo> "{release}" }} }}
        WHERE {{ GRAPH <{graph}> {{ <{onto}> a <{owl}Ontology> .
                 OPTIONAL {{ <{onto}> <{owl}versionIRI> ?iri }}
                 OPTIONAL {{ <{onto}> <{owl}versionInfo> ?info }} }} }}""")


def _restamp_files(previous: Path, files: Path, iris: Iris, release: str) -> None:
    """The previous release's ontology files and SSSOM table, naming this release's version instead."""
    import re

    from rdflib import Graph

    from evrdf.build.ontology import stamp_version

    source = previous / "evrdf.ttl"
    if source.is_file():
        ontology = Graph().parse(source, format="turtle")
        stamp_version(ontology, iris, release)
        ontology.serialize(files / "evrdf.owl", format="xml", encoding="utf-8")
        ontology.serialize(files / "evrdf.ttl", format="turtle", encoding="utf-8")
        ontology.serialize(files / "evrdf.jsonld", format="json-ld", encoding="utf-8")
    sssom = previous / "evrdf.sssom.tsv"
    if sssom.is_file():
        text = sssom.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^#mapping_set_id: .*$", f"#mapping_set_id: {iris.base}releases/{release}/evrdf.sssom.tsv",
                      text, count=1)
        text = re.sub(r"(?m)^#mapping_set_version: .*$", f"#mapping_set_version: {release!r}", text, count=1)
        (files / "evrdf.sssom.tsv").write_text(text, encoding="utf-8")


def _superseded(quad: ox.Quad, iris: Iris) -> bool:
    """Statements of the previous metadata graph that name the newest release: the new history restates them."""
    dcat = "http://www.w3.org/ns/dcat#"
    return (quad.predicate.value == dcat + "hasCurrentVersion" and quad.subject == ox.NamedNode(str(iris.dataset))) \
        or (quad.predicate.value == dcat + "last" and quad.subject == ox.NamedNode(iris.base + "releases"))


def carried_updates(store: Path) -> Path | None:
    """The updates graphs of the published release, for `evrdf build` to carry forward (None if it has none)."""
    try:
        path = OxigraphStore(store).files_dir() / UPDATES_FILE
    except (StoreError, OSError):
        return None
    return path if path.is_file() else None


def write_updates(data: ox.Store, iris: Iris, path: Path) -> None:
    with path.open("wb") as out:
        for graph in sorted(data.named_graphs(), key=str):
            if isinstance(graph, ox.NamedNode) and is_writable(graph.value, iris):
                ox.serialize(data.quads_for_pattern(None, None, None, graph), out, format=ox.RdfFormat.N_QUADS)


def _refuse_outside_calls(text: str, federation_allow: tuple[str, ...]) -> None:
    """LOAD would make the server fetch any URL; SERVICE follows the endpoint's federation policy; nesting past
    the limits would crash the parser (evrdf/query_policy.py)."""
    try:
        check(text, update=True, federation_allow=federation_allow)
    except Refused as exc:
        raise (UpdateRefused if exc.status == 403 else UpdateSyntaxError)(exc.message) from None


def _run(data: ox.Store, text: str, fenced: bool, base_iri: str | None = None) -> None:
    """The update itself; with ``fenced``, in a thread that cannot open Internet sockets (evrdf/fence.py), so no
    spelling of SERVICE or LOAD reaches the network."""
    if fenced and fence.available():
        fence.run_fenced(partial(data.update, base_iri=base_iri), text)
    else:
        data.update(text, base_iri=base_iri)


def _fingerprints(data: ox.Store, iris: Iris) -> dict[str, tuple[int, int]]:
    """Size and an order-independent checksum of every graph an update may not change: equal before and after
    exactly when the graph is unchanged (up to a 64-bit hash collision)."""
    out = {}
    for graph in data.named_graphs():
        if isinstance(graph, ox.NamedNode) and is_writable(graph.value, iris):
            continue
        count, total = 0, 0
        for quad in data.quads_for_pattern(None, None, None, graph):
            count += 1
            total = (total + int.from_bytes(hashlib.blake2b(str(quad.triple).encode(), digest_size=8).digest(),
                                            "little")) % (1 << 64)
        out[str(graph.value) if isinstance(graph, ox.NamedNode) else str(graph)] = (count, total)
    return out


def _writable_quads(data: ox.Store, iris: Iris) -> set[str]:
    """The update's own graphs (the default graph stands for <base>graph/updates while it runs)."""
    found = {str(q.triple) for q in data.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    for graph in data.named_graphs():
        if isinstance(graph, ox.NamedNode) and is_writable(graph.value, iris):
            found |= {f"{q.triple} {graph}" for q in data.quads_for_pattern(None, None, None, graph)}
    return found


def _sizes(data: ox.Store) -> dict[str, int]:
    rows = solutions(data.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
    return {row["g"].value: int(row["n"].value) for row in rows}


def _record(data: ox.Store, iris: Iris, ours: dict[str, int], sizes: dict[str, int], previous: str,
            release: str, started: datetime) -> None:
    """The metadata graph after the update: the updates graphs with their sizes, the dataset's size and
    version, and the update as the PROV activity that generated this release."""
    meta, dataset = str(iris.graph("metadata")), str(iris.dataset)
    activity = str(iris.release(release)) + "update"
    software = f"{iris.base}software/{__version__}"
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    total = sum(n for g, n in sizes.items() if g != meta)
    home = updates_graph(iris)
    prefixes = ("PREFIX void: <http://rdfs.org/ns/void#> PREFIX prov: <http://www.w3.org/ns/prov#> "
                "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
    graphs = "".join(
        f'<{dataset}> void:subset <{g}> . <{g}> a void:Dataset, prov:Entity ; '
        f'dcterms:title "Changed through SPARQL Update"@en ; void:triples {n} ; prov:wasGeneratedBy <{activity}> ; '
        f'prov:generatedAtTime "{now}"^^xsd:dateTime . ' for g, n in sorted(ours.items()))
    data.update(prefixes + f"""
        DELETE WHERE {{ GRAPH <{meta}> {{ <{dataset}> void:triples ?t }} }} ;
        DELETE WHERE {{ GRAPH <{meta}> {{ <{dataset}> dcterms:modified ?m }} }} ;
        DELETE WHERE {{ GRAPH <{meta}> {{ <{dataset}> owl:versionInfo ?v }} }} ;
        DELETE WHERE {{ GRAPH <{meta}> {{ <{dataset}> prov:wasGeneratedBy ?a }} }} ;
        DELETE {{ GRAPH <{meta}> {{ <{dataset}> void:subset ?w . ?w ?p ?o }} }}
        WHERE {{ GRAPH <{meta}> {{ <{dataset}> void:subset ?w . ?w ?p ?o
                 FILTER(?w = <{home}> || STRSTARTS(STR(?w), "{home}/")) }} }} ;
        INSERT DATA {{ GRAPH <{meta}> {{
            <{dataset}> void:triples {total} ; dcterms:modified "{now}"^^xsd:dateTime ;
                owl:versionInfo "{release}" ; prov:wasGeneratedBy <{activity}> .
            <{activity}> a prov:Activity ; rdfs:label "SPARQL Update of release {previous}, publishing {release}" ;
                prov:startedAtTime "{started.isoformat(timespec='seconds')}"^^xsd:dateTime ;
                prov:endedAtTime "{now}"^^xsd:dateTime ; prov:wasAssociatedWith <{software}> ;
                prov:used <{iris.release(previous)}> .
            {graphs}
        }} }}""")


def journal(release_dir: Path) -> list[dict[str, Any]]:
    path = release_dir / "files" / JOURNAL_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
