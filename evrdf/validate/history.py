"""The validation history: every run of the published graph, as linked data in a named graph of its own.

Releases are immutable and opened read-only, so the history lives in a small writable Oxigraph store beside
them, ``<store>/history``, in the named graph ``<base>graph/validation-history``. Each run is a
``evs:ValidationRun`` (a ``prov:Activity``) that ``prov:generated`` an ``sh:ValidationReport``; result nodes are
named by their content (report.Result.identity), so the same problem in two runs is the same IRI and the diff
between runs is a set difference, in Python or in SPARQL. The server answers SPARQL over it at
``/validation/sparql``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, XSD

from evrdf import __version__
from evrdf.errors import StoreError
from evrdf.iris import Iris
from evrdf.results import serialized
from evrdf.validate.render import add_results
from evrdf.validate.report import Report, Result, Severity

HISTORY_DIR = "history"


@dataclass(frozen=True)
class Run:
    iri: str
    time: str
    release: str
    ontology_version: str
    software: str
    engine: str
    conforms: bool
    violations: int
    warnings: int
    infos: int
    triples: int


class History:
    def __init__(self, root: Path, base_iri: str):
        self.path = Path(root) / HISTORY_DIR
        self.iris = Iris(base_iri)
        self.graph = str(self.iris.graph("validation-history"))
        self.evs = self.iris.base + "shapes/"

    def record(self, report: Report, when: datetime | None = None) -> str:
        """Append a run; returns its IRI. The store is opened for writing only for the length of the write."""
        when = when or datetime.now(timezone.utc)
        run = URIRef(f"{self.iris.base}validation/run/{when.strftime('%Y%m%dT%H%M%S%fZ')}")
        report_node = URIRef(f"{run}/report")
        g = Graph()
        evs = self.evs
        g.add((run, RDF.type, URIRef(evs + "ValidationRun")))
        g.add((run, RDF.type, PROV.Activity))
        g.add((run, RDFS.label, Literal(f"validation of release {report.extra.get('release', '?')} "
                                        f"at {when.isoformat(timespec='seconds')}")))
        g.add((run, PROV.startedAtTime, Literal(when.isoformat(timespec="microseconds"), datatype=XSD.dateTime)))
        g.add((run, PROV.wasAssociatedWith, URIRef(f"{self.iris.base}software/{__version__}")))
        g.add((run, PROV.generated, report_node))
        if report.extra.get("release"):  # the release it checked, by its IRI (see /releases/<id>/)
            g.add((run, PROV.used, self.iris.release(str(report.extra["release"]))))
        facts: dict[str, Any] = {
            "softwareVersion": __version__, "release": report.extra.get("release", ""),
            "ontologyVersion": report.extra.get("ontology_version", ""), "engine": report.engine,
            "failOn": report.fail_on.value, "triples": report.triples, "seconds": round(report.seconds, 3),
            "violations": report.count(Severity.VIOLATION), "warnings": report.count(Severity.WARNING),
            "infos": report.count(Severity.INFO)}
        for name, value in facts.items():
            g.add((run, URIRef(evs + name), Literal(value)))
        add_results(g, report_node, report, self.iris.base)
        try:
            store = ox.Store(str(self.path))
            store.bulk_load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(self.graph))
            store.flush()
            del store
        except OSError as exc:
            raise StoreError(f"cannot record the validation run in {self.path}: {exc}") from None
        return str(run)

    def query(self, sparql: str) -> Any:
        """SPARQL over the history (default graph = union); an empty history answers from an empty store."""
        store = ox.Store.read_only(str(self.path)) if self.path.is_dir() else ox.Store()
        return store.query(sparql, use_default_graph_as_union=True)

    def runs(self) -> list[Run]:
        """Newest first."""
        evs = self.evs
        rows = self.query(f"""PREFIX evs: <{evs}> PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX sh: <{SH}>
            SELECT ?run ?time ?release ?version ?software ?engine ?conforms ?v ?w ?i ?triples WHERE {{
              ?run a evs:ValidationRun ; prov:startedAtTime ?time ; evs:release ?release ;
                   evs:ontologyVersion ?version ; evs:softwareVersion ?software ; evs:engine ?engine ;
                   evs:violations ?v ; evs:warnings ?w ; evs:infos ?i ; evs:triples ?triples ;
                   prov:generated/sh:conforms ?conforms }} ORDER BY DESC(?time)""")
        return [Run(r["run"].value, r["time"].value, r["release"].value, r["version"].value, r["software"].value,
                    r["engine"].value, r["conforms"].value == "true", int(r["v"].value), int(r["w"].value),
                    int(r["i"].value), int(r["triples"].value)) for r in rows]

    def runs_of(self, release: str) -> list[Run]:
        """The runs that checked one release, newest first."""
        return [run for run in self.runs() if run.release == release]

    def results(self, run: str) -> list[Result]:
        rows = self.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX sh: <{SH}>
            SELECT ?severity ?shape ?focus ?message ?component ?path ?value (MIN(?row) AS ?where) WHERE {{
              <{run}> prov:generated/sh:result ?r .
              ?r sh:resultSeverity ?severity ; sh:sourceShape ?shape ; sh:focusNode ?focus ;
                 sh:resultMessage ?message .
              OPTIONAL {{ ?r sh:sourceConstraintComponent ?component }}
              OPTIONAL {{ ?r sh:resultPath ?path }} OPTIONAL {{ ?r sh:value ?value }}
              OPTIONAL {{ ?r <{self.iris.vocab}sourceRow> ?row }}
            }} GROUP BY ?severity ?shape ?focus ?message ?component ?path ?value""")
        return [Result(Severity.parse(r["severity"].value), r["shape"].value, str(r["focus"]), r["message"].value,
                       r["component"].value if r["component"] else "",
                       str(r["path"]) if r["path"] else None, str(r["value"]) if r["value"] else None,
                       r["where"].value if r["where"] else None) for r in rows]

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        store = ox.Store.read_only(str(self.path)) if self.path.is_dir() else ox.Store()
        return serialized(store.dump(format=fmt, from_graph=ox.NamedNode(self.graph)))
