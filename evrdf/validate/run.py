"""Run the shapes over a dataset: add the reference table, pick an engine, attach source rows, time it."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from evrdf.errors import SourceError
from evrdf.iris import Iris
from evrdf.results import solutions
from evrdf.settings import Settings
from evrdf.storage import Store
from evrdf.validate.data import Dataset, from_endpoint, from_files, from_release
from evrdf.validate.engines import ENGINES
from evrdf.validate.reference import reference_ntriples
from evrdf.validate.report import Report, Result, Severity
from evrdf.validate.shapes import load_shapes

REFERENCE_GRAPH = "urn:evrdf:validation:reference"


def validate_dataset(dataset: Dataset, settings: Settings, shapes_dir: Path | None = None,
                     engine: str = "oxigraph", fail_on: Severity = Severity.VIOLATION,
                     shapes: Graph | None = None) -> Report:
    if engine not in ENGINES:
        raise SourceError("--engine", f"unknown engine {engine!r} (use {' or '.join(ENGINES)})")
    started = time.perf_counter()
    triples = len(dataset)
    shapes = shapes if shapes is not None else load_shapes(shapes_dir, settings.base_iri)
    dataset.load(reference_ntriples(settings.sources / "curated", settings.base_iri), ox.RdfFormat.N_TRIPLES,
                 REFERENCE_GRAPH, "HGNC reference table")
    try:
        results = ENGINES[engine](dataset.store, shapes)
    finally:
        dataset.store.clear_graph(ox.NamedNode(REFERENCE_GRAPH))
        dataset.store.remove_graph(ox.NamedNode(REFERENCE_GRAPH))
    results = _with_source_rows(results, dataset, settings.base_iri)
    return Report(results, fail_on=fail_on, engine=engine, triples=triples,
                  seconds=time.perf_counter() - started, data=dataset.description)


def validate_files(paths: list[Path], settings: Settings, **options: Any) -> Report:
    return validate_dataset(from_files(paths, settings.base_iri), settings, **options)


def validate_store(settings: Settings, store: Store, **options: Any) -> Report:
    """The release ``store`` publishes (the caller opens the store: validation sits below every backend)."""
    info = store.release()
    report = validate_dataset(from_release(store.release_dir()), settings, **options)
    report.extra.update(release=str(info.get("release", "")), ontology_version=str(info.get("ontology_version", "")))
    return report


def record_run(settings: Settings, report: Report, release: str) -> str:
    """Put a publishing gate's run (build or update) into the validation history (/validation), naming the
    release it let through; called once that release is published, so the history never names a release that
    does not exist."""
    from evrdf.validate.history import History

    report.extra.update(release=release, ontology_version=release)  # a release's ontology version is its id
    return History(settings.store, settings.base_iri).record(report)


def validate_endpoint(url: str, settings: Settings, **options: Any) -> Report:
    return validate_dataset(from_endpoint(url), settings, **options)


def _with_source_rows(results: list[Result], dataset: Dataset, base_iri: str) -> list[Result]:
    """Where each focus node came from: its evo:sourceRow (curated file:line), else the file it is in."""
    focus = sorted({r.focus for r in results if r.focus.startswith("<")})
    if not focus:
        return results
    rows: dict[str, str] = {}
    source_row = f"<{Iris(base_iri).vocab}sourceRow>"
    for start in range(0, len(focus), 500):
        values = " ".join(focus[start:start + 500])
        query = (f"SELECT ?f (MIN(STR(?row)) AS ?where) WHERE {{ VALUES ?f {{ {values} }} ?f {source_row} ?row }} "
                 "GROUP BY ?f")
        for solution in solutions(dataset.store.query(query, use_default_graph_as_union=True)):
            rows[str(solution["f"])] = solution["where"].value
        missing = [f for f in focus[start:start + 500] if f not in rows]
        if missing and dataset.origins:
            query = (f"SELECT ?f (MIN(STR(?g)) AS ?graph) WHERE {{ VALUES ?f {{ {' '.join(missing)} }} "
                     "GRAPH ?g { ?f ?p ?o } } GROUP BY ?f")
            for solution in solutions(dataset.store.query(query)):
                origin = dataset.origins.get(solution["graph"].value)
                if origin:
                    rows[str(solution["f"])] = origin
    return [replace(r, source_row=rows.get(r.focus)) for r in results]
