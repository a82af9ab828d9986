"""OBO IRIs work in queries: a federated-style query that names classes only by their OBO IRIs finds the same
findings, through the real SPARQL endpoint, as the same query with evrdf's own classes.

The build materialises every exact OBO match of a class as owl:equivalentClass (evrdf/build/alignment.py), so
the query walks `(rdfs:subClassOf|owl:equivalentClass)*` from a finding's term to the class it asks about.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, SKOS

from evrdf.build.ontology import build_ontology, core_term_names, load_core
from evrdf.errors import SourceError
from evrdf.ingest.curated import load_curated
from evrdf.iris import Iris
from tests.conftest import FINDING_ROWS, SOURCES

EVO = "https://w3id.org/evrdf/ontology/"
OBO = "http://purl.obolibrary.org/obo/"
PREFIXES = f"""PREFIX evo: <{EVO}>
PREFIX obo: <{OBO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
WALK = "/(rdfs:subClassOf|owl:equivalentClass)*"
# (finding property, evrdf class, the OBO class it is aligned to in the curated tables or the core)
ALIGNED = [
    ("evType", "evo:ExtracellularVesicle", "obo:GO_1903561"),  # extracellular vesicle
    ("evType", "evo:Microvesicle", "obo:GO_1990742"),  # microvesicle
    ("recipientCellType", "evo:Monocyte", "obo:CL_0000576"),  # monocyte
    ("recipientCellType", "evo:Fibroblast", "obo:CL_0000057"),  # fibroblast
    ("releasedBy", "evo:CancerCell", "obo:CL_0001064"),  # malignant cell
    ("recipientCellType", "evo:Cell", "obo:CL_0000000"),  # cell
    ("inDisease", "evo:Cancer", "obo:MONDO_0004992"),  # cancer
    ("inDisease", "evo:Glioblastoma", "obo:MONDO_0018177"),  # glioblastoma
    ("affectsProcess", "evo:CellProliferation", "obo:GO_0008283"),  # cell population proliferation
]


def findings(client, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The ?finding column of a query sent as a federation engine sends it: form-encoded POST, JSON results."""
    response = client.post("/sparql", data=urllib.parse.urlencode({"query": PREFIXES + query}),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = json.loads(response.get_data(as_text=True))["results"]["bindings"]
    return {row["finding"]["value"] for row in rows}


@pytest.mark.parametrize(("prop", "ours", "obo"), ALIGNED, ids=[a[2] for a in ALIGNED])
def test_an_obo_class_finds_the_findings_of_its_evrdf_class(client, prop: str, ours: str, obo: str) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT DISTINCT ?finding WHERE {{ ?finding a evo:Finding ; evo:{prop}{walk} {cls} }}"
    with_ours = findings(client, query.format(prop=prop, walk=WALK, cls=ours))
    with_obo = findings(client, query.format(prop=prop, walk=WALK, cls=obo))
    assert with_ours, f"no finding has {prop} {ours}: the comparison would prove nothing"
    assert with_obo == with_ours


def test_subclasses_are_found_through_the_obo_class(client) -> None:  # type: ignore[no-untyped-def]
    """Cancer-associated fibroblasts are fibroblasts: asking for CL:0000057 finds their findings too."""
    direct = findings(client, "SELECT ?finding WHERE { ?finding evo:recipientCellType evo:Fibroblast }")
    walked = findings(client, f"SELECT ?finding WHERE {{ ?finding evo:recipientCellType{WALK} obo:CL_0000057 }}")
    cafs = findings(client, "SELECT ?finding WHERE { ?finding evo:recipientCellType evo:CancerAssociatedFibroblast }")
    assert cafs, "no finding about cancer-associated fibroblasts: the subclass case is untested"
    assert direct | cafs <= walked and cafs - direct


def test_a_federated_query_written_only_with_obo_iris(client) -> None:  # type: ignore[no-untyped-def]
    """EVs released by malignant cells and acting on any cell, in any cancer, with a cargo gene named by its HGNC IRI: OBO/HGNC IRIs only
    for the things asked about, evrdf's vocabulary only for the finding's relations."""
    template = """SELECT DISTINCT ?finding ?gene WHERE {{
      ?finding evo:evType{walk} {ev} ; evo:releasedBy{walk} {source} ; evo:recipientCellType{walk} {cell} ;
               evo:inDisease{walk} {cancer} .
      OPTIONAL {{ ?finding evo:namesMolecule|evo:carriesCargo|evo:inducesExpressionOf|evo:listsMolecule ?g .
                 ?g skos:exactMatch ?gene FILTER STRSTARTS(STR(?gene), "https://identifiers.org/hgnc:") }}
    }}"""
    ours = findings(client, template.format(walk=WALK, ev="evo:ExtracellularVesicle", source="evo:CancerCell",
                                            cell="evo:Cell", cancer="evo:Cancer"))
    obo = findings(client, template.format(walk=WALK, ev="obo:GO_1903561", source="obo:CL_0001064",
                                           cell="obo:CL_0000000", cancer="obo:MONDO_0004992"))
    assert ours and obo == ours


def test_a_gene_is_found_by_its_hgnc_iri(client) -> None:  # type: ignore[no-untyped-def]
    symbol = next(row.list("cargo")[0] for row in FINDING_ROWS if row["cargo"])
    hgnc = next(line.split("\t")[1] for line in (SOURCES / "curated" / "chemokines.tsv").read_text().splitlines()
                + (SOURCES / "curated" / "genes.tsv").read_text().splitlines() if line.split("\t")[0] == symbol)
    by_symbol = findings(client, f'SELECT ?finding WHERE {{ ?finding evo:carriesCargo/evo:symbol "{symbol}" }}')
    by_hgnc = findings(client, "SELECT ?finding WHERE { ?finding evo:carriesCargo/skos:exactMatch "
                               f"<https://identifiers.org/hgnc:{hgnc.removeprefix('HGNC:')}> }}")
    assert by_symbol and by_hgnc == by_symbol


def test_every_exact_obo_match_of_a_class_is_an_equivalence() -> None:
    iris = Iris()
    core = load_core(SOURCES, iris)
    ontology = build_ontology(core, load_curated(SOURCES / "curated", core_term_names(core, iris)), iris)
    exact = {(s, o) for s, o in ontology.subject_objects(SKOS.exactMatch)
             if str(s).startswith(EVO) and str(o).startswith(OBO) and (s, RDF.type, OWL.Class) in ontology}
    equivalent = set(ontology.subject_objects(OWL.equivalentClass))
    assert exact and exact <= equivalent
    assert (iris.term("Macrophage"), OWL.equivalentClass, URIRef(OBO + "CL_0000235")) in ontology


def test_two_classes_with_one_exact_match_are_refused(sources) -> None:  # type: ignore[no-untyped-def]
    """Equivalence to one OBO class would make two evrdf classes one: the build names the second row."""
    path = sources / "curated" / "cell_types.tsv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    number, cells = next((n, line.split("\t")) for n, line in enumerate(lines, start=1)
                         if line.startswith("TumorAssociatedMacrophage\t"))
    cells[header.index("exact_match")] = "CL:0000235"
    cells[header.index("broad_match")] = ""
    lines[number - 1] = "\t".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    iris = Iris()
    core = load_core(sources, iris)
    curated = load_curated(sources / "curated", core_term_names(core, iris))
    with pytest.raises(SourceError) as caught:
        build_ontology(core, curated, iris)
    assert caught.value.line == number and caught.value.field == "exact_match"
    assert "CL:0000235 is already the exact match of Macrophage (curated/cell_types.tsv:" in str(caught.value)


@pytest.mark.reasoner
def test_the_reasoner_sees_the_obo_classes_as_evrdf_classes() -> None:
    """HermiT reasons over the materialised equivalences: saying that CL's monocyte is disjoint from CL's cell
    contradicts evrdf's hierarchy (Monocyte ⊑ Leukocyte ⊑ … ⊑ Cell), so it must be caught."""
    from rdflib import Graph

    from evrdf.build.graphs import gene_graph
    from evrdf.build.reason import check_consistency
    from evrdf.errors import ReasonerError

    iris = Iris()
    core = load_core(SOURCES, iris)
    curated = load_curated(SOURCES / "curated", core_term_names(core, iris))
    ontology = build_ontology(core, curated, iris)
    check_consistency(ontology, gene_graph(curated, iris))  # as built: consistent
    contradiction = Graph()
    contradiction.add((URIRef(OBO + "CL_0000576"), OWL.disjointWith, URIRef(OBO + "CL_0000000")))
    with pytest.raises(ReasonerError, match="inconsistent|unsatisfiable"):
        check_consistency(ontology, gene_graph(curated, iris), contradiction)
