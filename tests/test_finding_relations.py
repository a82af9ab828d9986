"""A relation added to the findings model is one more line in finding_rows.RELATIONS: the table, its facets, its
sorting, its exports and the finding diagrams then carry it. Shown on a real Oxigraph release holding a finding
with a relation evrdf does not have today (`associatedWith`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from evrdf.serve import finding_rows
from evrdf.serve.finding_rows import Filters, Relation, apply, load_rows
from evrdf.serve.findings_table import delimited, jsonld
from evrdf.serve.pictures import diagram_elements
from evrdf.store.oxigraph import OxigraphStore
from evrdf.store.oxigraph_write import new_release, publishing

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
F1, F2, GENE = BASE + "finding/t-1", BASE + "finding/t-2", BASE + "gene/HGNC_10672"
DATA = f"""<{F1}> a <{EVO}Finding> ; <{EVO}statement> "Exosomes are associated with CXCL12."@en ;
    <{EVO}evType> <{EVO}Exosome> ; <{EVO}associatedWith> <{GENE}> ; <{EVO}affectsProcess> <{EVO}Metastasis> .
<{F2}> a <{EVO}Finding> ; <{EVO}statement> "Exosomes do something else."@en ; <{EVO}evType> <{EVO}Exosome> .
<{EVO}Exosome> {LABEL} "exosome" . <{GENE}> {LABEL} "CXCL12" . <{EVO}Metastasis> {LABEL} "metastasis" .
"""


@pytest.fixture()
def release(tmp_path: Path) -> OxigraphStore:
    with publishing(tmp_path), new_release(tmp_path, {"ontology_version": "t", "built": "t"}) as writer:
        writer.load(DATA.encode(), ox.RdfFormat.TURTLE, BASE + "graph/test")
    return OxigraphStore(tmp_path)


@pytest.fixture()
def associated() -> Iterator[Relation]:
    relation = Relation("associated", "associatedWith", "associated with", "molecule", "molecule")
    finding_rows.RELATIONS.append(relation)  # the one line a new relation needs
    try:
        yield relation
    finally:
        finding_rows.RELATIONS.remove(relation)


def test_without_the_line_the_relation_is_not_shown(release: OxigraphStore) -> None:
    rows = load_rows(release, EVO)
    assert [r.id for r in rows] == ["t-1", "t-2"] and "associated" not in rows[0].values


def test_an_added_relation_reaches_the_table_facets_exports_and_diagram(release: OxigraphStore,
                                                                       associated: Relation) -> None:
    rows = load_rows(release, EVO)
    assert [t.label for t in rows[0].values["associated"]] == ["CXCL12"]
    table = apply(rows, Filters.from_args(MultiDict([("molecule", GENE), ("sort", "associated")])))
    assert [r.id for r in table.rows] == ["t-1"]
    assert table.facets["molecule"] == [{"iri": GENE, "label": "CXCL12", "count": 1, "selected": True}]
    line = next(csv.DictReader(io.StringIO(delimited(table.rows, ","))))
    assert line["associated"] == "CXCL12"
    assert jsonld(table.rows, EVO)["@graph"][0]["evo:associatedWith"] == [{"@id": GENE}]
    with Flask(__name__).test_request_context("/"):  # hrefs are relative to the request's host
        diagram = diagram_elements(table.rows, BASE)
    roles = {n["data"]["label"]: n["data"]["role"] for n in diagram["nodes"]}  # type: ignore[index,union-attr]
    assert roles == {"exosome": "ev", "CXCL12": "molecule", "metastasis": "effect"}
