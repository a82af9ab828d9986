"""The publishing gate: `evrdf build` validates the graphs it is about to publish and refuses to publish when a
result reaches the --fail-on severity.

Whose rules apply to what (issue 11): evrdf's own quality rules (the ROBOT-style ontology checks, the OBO header
rules, duplicate labels, missing definitions, ...) gate evrdf's own graphs: the curated graphs and the SPARQL
Update graphs. A file given with `--add` is somebody else's vocabulary or data, published as it is in its own
graph: it is checked for what would make the *release* wrong — bad RDF and writes into evrdf's graphs (refused
while loading, pipeline/build.py) and malformed identifiers (the shapes marked ``evs:checksAddedFiles true``,
shapes/identifiers.ttl: a malformed identifier is a broken link in the release). Every other result about an
added file is reported, never blocking: an OBO ontology's header without a licence, or its "macrophage" next to
evrdf's own, is the publisher's business, not a reason to refuse the release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from evrdf.build.lines import ntriples_input
from evrdf.errors import ValidationError
from evrdf.iris import Iris
from evrdf.settings import Settings
from evrdf.validate.data import Dataset, from_files
from evrdf.validate.report import Report, Result, Severity
from evrdf.validate.run import record_run, validate_dataset
from evrdf.validate.shapes import load_shapes

__all__ = ["GateReport", "check_before_publish", "record_run"]


@dataclass
class GateReport:
    own: Report  # evrdf's graphs
    added: list[Result] = field(default_factory=list)  # what the added files bring: reported, not blocking
    whole: Report | None = None  # the run over the release with the added files, when there are any
    dataset: Dataset | None = None  # what that run read: the publisher takes the added files' graphs from it

    def run(self) -> Report:
        """The gate's run as the validation history keeps it: evrdf's graphs' results and what the added files
        brought, judged at the gate's --fail-on (so an added file's non-blocking violation shows there, as
        `evrdf validate` of the release would show it)."""
        whole = self.whole or self.own
        return Report(self.own.results + self.added, fail_on=self.own.fail_on, engine=self.own.engine,
                      triples=whole.triples, seconds=self.own.seconds + (self.whole.seconds if self.whole else 0),
                      data=whole.data)


def check_before_publish(graphs: dict[str, Graph], updates: list[Path], settings: Settings,
                         fail_on: str = "violation", added: list[Path] | tuple[Path, ...] = ()) -> GateReport:
    """Raise ValidationError (carrying the report) unless evrdf's graphs conform and no added file carries a
    malformed identifier; return what the added files bring otherwise."""
    iris = Iris(settings.base_iri)
    shapes = load_shapes(None, settings.base_iri)

    def own_dataset() -> Dataset:
        dataset = Dataset(description="the release being built" +
                          (f" and {', '.join(map(str, updates))}" if updates else ""))
        for key, graph in graphs.items():
            dataset.load(ntriples_input(graph), ox.RdfFormat.N_TRIPLES,
                         str(iris.graph(key)), f"graph {key}")
        return from_files(list(updates), settings.base_iri, dataset)

    own = validate_dataset(own_dataset(), settings, fail_on=Severity.parse(fail_on), shapes=shapes)
    if not own.conforms:
        raise ValidationError(own)
    if not added:
        return GateReport(own)
    dataset = from_files(list(added), settings.base_iri, own_dataset())
    dataset.description = f"the release being built with {', '.join(str(p) for p in added)}"
    everything = validate_dataset(dataset, settings, fail_on=Severity.INFO, shapes=shapes)
    known = {_problem(r) for r in own.results}
    brought = [r for r in everything.results if _problem(r) not in known]
    gating = _gating_shapes(shapes)
    blocking = [r for r in brought if r.shape in gating and r.severity is Severity.VIOLATION]
    if blocking:
        raise ValidationError(Report(blocking, fail_on=Severity.VIOLATION, engine=everything.engine,
                                     triples=everything.triples, seconds=everything.seconds,
                                     data=dataset.description))
    return GateReport(own, brought, everything, dataset)


def _problem(result: Result) -> tuple[str, str, str, str, str]:
    return (result.severity.value, result.shape, result.focus, result.path or "", result.value or "")


def _gating_shapes(shapes: Graph) -> set[str]:
    """The shapes that also gate added files (``evs:checksAddedFiles true``), as results name them."""
    marker = next((p for p in set(shapes.predicates()) if str(p).endswith("/shapes/checksAddedFiles")), None)
    if marker is None:
        return set()
    return {str(s) for s in shapes.subjects(marker, Literal(True)) if isinstance(s, URIRef)}
