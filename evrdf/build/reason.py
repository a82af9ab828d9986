"""Reasoning with owlready2 + HermiT: the ontology (with the gene individuals typed by it) must be consistent
and every class satisfiable. owlready2 and Java are loaded only here, only when asked."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from evrdf.errors import ReasonerError


@dataclass(frozen=True)
class ReasonerReport:
    classes: int
    individuals: int
    seconds: float


def check_consistency(*graphs: Graph) -> ReasonerReport:
    """Run HermiT over the union of ``graphs``; raise ReasonerError naming what is wrong."""
    import time

    if shutil.which("java") is None:
        raise ReasonerError("the reasoner needs Java (HermiT): install a JRE (e.g. `apt-get install "
                            "default-jre-headless`, which `make setup` does) or build with --no-reason")
    import owlready2  # late: pulls in a Java bridge and a quadstore

    merged = Graph()
    for graph in graphs:
        merged += graph
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="evrdf-reason-") as tmp:
        # owlready2 reads RDF/XML and N-Triples, not Turtle.
        path = Path(tmp) / "evrdf.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise ReasonerError(f"the ontology is inconsistent (HermiT): {_explain(exc)}") from None
        except (owlready2.OwlReadyJavaError, OSError) as exc:
            raise ReasonerError(f"the reasoner failed to run: {exc}") from None
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        if unsatisfiable:
            raise ReasonerError("unsatisfiable classes (HermiT): " + ", ".join(unsatisfiable))
        classes = len(list(world.classes()))
        individuals = len(list(world.individuals()))
    return ReasonerReport(classes, individuals, time.perf_counter() - started)


def _explain(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
