"""The publishing gate: `evrdf build` validates the graphs it is about to publish (and every --add file) and
refuses to publish when a result reaches the --fail-on severity."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from evrdf.build.iris import Iris
from evrdf.errors import ValidationError
from evrdf.settings import Settings
from evrdf.validate.data import Dataset, from_files
from evrdf.validate.report import Report, Severity
from evrdf.validate.run import validate_dataset


def check_before_publish(graphs: dict[str, Graph], add: list[Path], settings: Settings,
                         fail_on: str = "violation") -> Report:
    """Raise ValidationError (carrying the report) unless the graphs and added files conform."""
    iris = Iris(settings.base_iri)
    dataset = Dataset(description="the release being built" + (f" and {', '.join(map(str, add))}" if add else ""))
    for key, graph in graphs.items():
        dataset.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, str(iris.graph(key)),
                     f"graph {key}")
    from_files(list(add), settings.base_iri, dataset)
    report = validate_dataset(dataset, settings, fail_on=Severity.parse(fail_on))
    if not report.conforms:
        raise ValidationError(report)
    return report
