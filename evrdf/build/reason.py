"""Reasoning with owlready2 + HermiT: the ontology (with the gene individuals typed by it) must be consistent
and every class satisfiable. owlready2 and Java are loaded only here, only when asked.

HermiT says only *that* an ontology is inconsistent. To say *what*, the check is repeated without the individuals
(if that is inconsistent, the class axioms are at fault) and then with them added back by halves until the
individual whose statements make it inconsistent is found; the error names it, its label and types, and the
source file and line it comes from (the ``origins`` the build passes in). Temporary files live in a folder named
after the build's process, which later builds remove once that process is gone (a build killed mid-reasoning
leaves one behind)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from evrdf.errors import ReasonerError

PREFIX = "evrdf-reason-"
MAX_SEARCH_RUNS = 14  # reasoner runs spent looking for the individual at fault (each starts a JVM)
_TEMPDIR_LOCK = threading.Lock()


@dataclass(frozen=True)
class ReasonerReport:
    classes: int
    individuals: int
    seconds: float


def check_consistency(*graphs: Graph, origins: Callable[[str], str | None] | None = None) -> ReasonerReport:
    """Run HermiT over the union of ``graphs``; raise ReasonerError naming what is wrong. ``origins`` maps an
    IRI to where it is defined (``curated/genes.tsv:12``), for the error message."""
    import time

    if shutil.which("java") is None:
        raise ReasonerError("the reasoner needs Java (HermiT): install a JRE (e.g. `apt-get install "
                            "default-jre-headless`, which `make setup` does) or build with --no-reason")
    import owlready2  # late: pulls in a Java bridge and a quadstore

    merged = Graph()
    for graph in graphs:
        merged += graph
    started = time.perf_counter()
    remove_stale_folders()
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        world, failure = _reason(merged, tmp)
        if failure == "inconsistent":
            raise ReasonerError(f"the ontology is inconsistent (HermiT): {_culprit(merged, tmp, origins)}")
        if failure:
            raise ReasonerError(f"the reasoner failed to run: {failure}")
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        if unsatisfiable:
            raise ReasonerError("unsatisfiable classes (HermiT): " + ", ".join(
                iri + _where(iri, origins) for iri in unsatisfiable))
        classes = len(list(world.classes()))
        individuals = len(list(world.individuals()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ReasonerReport(classes, individuals, time.perf_counter() - started)


def _reason(graph: Graph, tmp: Path) -> tuple[object, str | None]:
    """HermiT over ``graph``: the world, and None, "inconsistent" or the reason it could not run."""
    import owlready2

    # owlready2 reads RDF/XML and N-Triples, not Turtle; HermiT's own temporary files go to ``tmp`` too.
    path = tmp / f"evrdf-{len(list(tmp.iterdir()))}.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with _TEMPDIR_LOCK:
        saved, tempfile.tempdir = tempfile.tempdir, str(tmp)
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return world, "inconsistent"
        except (owlready2.OwlReadyJavaError, OSError) as exc:
            return world, str(exc)
        finally:
            tempfile.tempdir = saved
    return world, None


_META = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
         OWL.Restriction, OWL.AllDisjointClasses, OWL.Axiom, RDF.Property, OWL.FunctionalProperty,
         OWL.InverseFunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty,
         OWL.ReflexiveProperty, OWL.IrreflexiveProperty, OWL.AllDifferent, RDFS.Datatype}


def _culprit(merged: Graph, tmp: Path, origins: Callable[[str], str | None] | None) -> str:
    """Which individual's statements make ``merged`` inconsistent, in words."""
    individuals = sorted({s for s, _, o in merged.triples((None, RDF.type, None))
                          if isinstance(s, URIRef) and o not in _META
                          and not any(t in _META for t in merged.objects(s, RDF.type))}, key=str)
    about = {i: list(merged.triples((i, None, None))) for i in individuals}
    base = Graph()
    for triple in merged:
        if triple[0] not in about:
            base.add(triple)
    runs = 0

    def inconsistent(chosen: list[URIRef]) -> bool:
        nonlocal runs
        runs += 1
        graph = Graph()
        graph += base
        for individual in chosen:
            for triple in about[individual]:
                graph.add(triple)
        return _reason(graph, tmp)[1] == "inconsistent"

    if not individuals or inconsistent([]):
        return "the class and property axioms are inconsistent by themselves (no individual needed)"
    low, high = 0, len(individuals)  # individuals[:high] is inconsistent, individuals[:low] is not
    while high - low > 1 and runs < MAX_SEARCH_RUNS:
        middle = (low + high) // 2
        if inconsistent(individuals[:middle]):
            high = middle
        else:
            low = middle
    if high - low > 1:
        return (f"one of {high - low} individuals from {individuals[low]} to {individuals[high - 1]} "
                "(the search for the one at fault stopped)")
    culprit = individuals[high - 1]
    alone = runs < MAX_SEARCH_RUNS and inconsistent([culprit])
    label = merged.value(culprit, RDFS.label)
    types = sorted(str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in merged.objects(culprit, RDF.type)
                   if t != OWL.NamedIndividual)
    return (f"{culprit}" + (f" ({label})" if label else "") + _where(str(culprit), origins)
            + f" cannot be all it is said to be: {', '.join(types)}"
            + ("" if alone else ", together with what is said about the individuals before it")
            + " (look for disjoint classes or a functional property with two values)")


def _where(iri: str, origins: Callable[[str], str | None] | None) -> str:
    place = origins(iri) if origins else None
    return f", defined at {place}," if place else ""


def remove_stale_folders(root: str | None = None) -> list[Path]:
    """Remove the temporary folders of reasoner runs whose process is gone (a killed build's)."""
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        match = re.match(rf"{PREFIX}(\d+)-", path.name)
        if not match or not path.is_dir():
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
            continue  # its process still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's process
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
