"""The ontology: consistent under HermiT, inconsistent changes caught, OBO conventions, alignment, releases."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from evrdf.build.graphs import gene_graph
from evrdf.build.ontology import build_ontology, core_term_names, load_core
from evrdf.build.reason import check_consistency
from evrdf.errors import ReasonerError
from evrdf.ingest.curated import load_curated
from evrdf.iris import Iris
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import SOURCES, select

EVO = rdflib.Namespace("https://w3id.org/evrdf/ontology/")
IAO_DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
REFERENCE = SOURCES / "curated" / "reference"
GENE_IDS = {"hgnc_id": "HGNC", "uniprot_accession": "UniProt", "entrez_id": "NCBIGene"}


@pytest.fixture(scope="module")
def graphs() -> tuple[rdflib.Graph, rdflib.Graph]:
    iris = Iris()
    core = load_core(SOURCES, iris)
    curated = load_curated(SOURCES / "curated", core_term_names(core, iris))
    return build_ontology(core, curated, iris), gene_graph(curated, iris)


@pytest.fixture(scope="module")
def ontology(store: OxigraphStore) -> rdflib.Graph:
    return rdflib.Graph().parse(store.files_dir() / "evrdf.owl", format="xml")


@pytest.mark.reasoner
def test_ontology_and_genes_are_consistent(graphs: tuple[rdflib.Graph, rdflib.Graph]) -> None:
    report = check_consistency(*graphs)
    assert report.classes > 100
    assert report.individuals >= 130


@pytest.mark.reasoner
@pytest.mark.parametrize("change", ["gene_in_disjoint_classes", "two_families", "vesicle_is_a_cell"])
def test_an_inconsistent_change_is_caught(change: str, graphs: tuple[rdflib.Graph, rdflib.Graph]) -> None:
    ontology, genes = graphs
    broken = rdflib.Graph()
    cxcl12 = URIRef("https://w3id.org/evrdf/gene/HGNC_10672")
    if change == "gene_in_disjoint_classes":  # a ligand declared a receptor too
        broken.add((cxcl12, RDF.type, EVO.ChemokineReceptor))
    elif change == "two_families":  # inFamily is functional and the families are distinct
        broken.add((cxcl12, EVO.inFamily, EVO.CCFamily))
    else:  # an unsatisfiable class: a vesicle subclass that is also a cell
        broken.add((EVO.Exosome, RDFS.subClassOf, EVO.Cell))
    with pytest.raises(ReasonerError, match="inconsistent|unsatisfiable"):
        check_consistency(ontology, genes, broken)


@pytest.mark.reasoner
def test_an_inconsistent_ontology_is_explained_by_the_individual_and_its_file(sources: Path, tmp_path: Path) -> None:
    """Not just "the ontology is inconsistent": which individual, what it is said to be, where it comes from."""
    with (sources / "evrdf-core.ttl").open("a", encoding="utf-8") as handle:  # CXCL12, a ligand, made a receptor
        handle.write("\n<https://w3id.org/evrdf/gene/HGNC_10672> a evo:ChemokineReceptor .\n")
    result = subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(tmp_path / "store"),
                             "--sources", str(sources)], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("error: the ontology is inconsistent (HermiT): https://w3id.org/evrdf/gene/HGNC_10672 (CXCL12), "
            "defined at curated/chemokines.tsv:") in result.stderr, result.stderr
    assert "ChemokineReceptor" in result.stderr and "Chemokine," in result.stderr


@pytest.mark.reasoner
def test_build_refuses_an_inconsistent_ontology_and_keeps_the_release(sources: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    cmd = [sys.executable, "-m", "evrdf", "build", "--store", str(store_dir), "--sources", str(sources)]
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    before = OxigraphStore(store_dir).release()["release"]
    with (sources / "evrdf-core.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\nevo:Exosome owl:disjointWith evo:ExtracellularVesicle .\n")
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 1
    assert "unsatisfiable classes" in result.stderr and "Exosome" in result.stderr
    assert OxigraphStore(store_dir).release()["release"] == before


def test_header_follows_obo_conventions(ontology: rdflib.Graph) -> None:
    onto = URIRef("https://w3id.org/evrdf/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert isinstance(ontology.value(onto, DCTERMS.license), URIRef)
    version = str(ontology.value(onto, OWL.versionInfo))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.[1-9]\d*", version)  # the release id: data and ontology together
    assert str(ontology.value(onto, OWL.versionIRI)) == f"https://w3id.org/evrdf/releases/{version}/evrdf.owl"
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert ontology.value(onto, prop) is not None, prop


def test_version_iri_resolves(client, ontology: rdflib.Graph) -> None:  # type: ignore[no-untyped-def]
    version_iri = str(ontology.value(URIRef("https://w3id.org/evrdf/ontology"), OWL.versionIRI))
    response = client.get(version_iri.removeprefix("https://w3id.org/evrdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/rdf+xml"
    body = response.data
    response.close()
    assert (None, OWL.versionIRI, URIRef(version_iri)) in rdflib.Graph().parse(data=body, format="xml")


def test_every_evrdf_class_has_one_label_and_one_definition(ontology: rdflib.Graph) -> None:
    classes = [c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(EVO))]
    assert len(classes) > 100
    for cls in classes:
        labels = list(ontology.objects(cls, RDFS.label))
        definitions = list(ontology.objects(cls, IAO_DEFINITION))
        assert len(labels) == 1, (cls, labels)
        assert len(definitions) == 1, (cls, definitions)


def test_labels_are_unique(ontology: rdflib.Graph) -> None:
    labels = [str(o).lower() for s, o in ontology.subject_objects(RDFS.label) if str(s).startswith(str(EVO))]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("term,predicate,target", [
    ("ExtracellularVesicle", SKOS.exactMatch, "http://purl.obolibrary.org/obo/GO_1903561"),
    ("Exosome", SKOS.exactMatch, "http://purl.obolibrary.org/obo/GO_0070062"),
    ("Microvesicle", SKOS.exactMatch, "http://purl.obolibrary.org/obo/GO_1990742"),
    ("ApoptoticBody", SKOS.exactMatch, "http://purl.obolibrary.org/obo/GO_0097189"),
    ("Monocyte", SKOS.exactMatch, "http://purl.obolibrary.org/obo/CL_0000576"),
    ("CancerAssociatedFibroblast", SKOS.broadMatch, "http://purl.obolibrary.org/obo/CL_0000057"),
    ("PancreaticAdenocarcinoma", SKOS.exactMatch, "http://purl.obolibrary.org/obo/MONDO_0006047"),
    ("Cisplatin", SKOS.exactMatch, "http://purl.obolibrary.org/obo/CHEBI_27899"),
    ("Angiogenesis", SKOS.exactMatch, "http://purl.obolibrary.org/obo/GO_0001525"),
])
def test_terms_link_to_standard_iris(term: str, predicate: URIRef, target: str, ontology: rdflib.Graph) -> None:
    assert (EVO[term], predicate, URIRef(target)) in ontology


def test_missing_external_concept_is_said_in_the_definition(ontology: rdflib.Graph) -> None:
    definition = str(ontology.value(EVO.CancerAssociatedFibroblast, IAO_DEFINITION))
    assert "CL has no term for this concept" in definition and "CL:0000057" in definition
    assert (EVO.CancerAssociatedFibroblast, RDFS.subClassOf, EVO.Fibroblast) in ontology


def test_genes_link_to_hgnc_uniprot_and_ncbi(store: OxigraphStore) -> None:
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?hgnc ?uniprot ?ncbi WHERE { ?g evo:symbol "CXCL12" ; evo:hgncEntry ?hgnc ;
        evo:uniprotEntry ?uniprot ; evo:ncbiGeneEntry ?ncbi }""")
    assert rows == [{"hgnc": "https://identifiers.org/hgnc:10672", "uniprot": "http://purl.uniprot.org/uniprot/P48061",
                     "ncbi": "https://identifiers.org/ncbigene:6387"}]


def test_ro_relations_are_reused(ontology: rdflib.Graph, store: OxigraphStore) -> None:
    binds = EVO.bindsReceptor
    assert (binds, RDFS.subPropertyOf, URIRef("http://purl.obolibrary.org/obo/RO_0002436")) in ontology
    assert bool(store.query("""ASK { ?l <http://purl.obolibrary.org/obo/RO_0002436> ?r }"""))


@pytest.mark.parametrize("name,fmt", [("evrdf.owl", "xml"), ("evrdf.ttl", "turtle"), ("evrdf.jsonld", "json-ld")])
def test_release_files_parse_and_agree(name: str, fmt: str, store: OxigraphStore, ontology: rdflib.Graph) -> None:
    parsed = rdflib.Graph().parse(store.files_dir() / name, format=fmt)
    assert len(parsed) == len(ontology)


@pytest.mark.reasoner
def test_owlready2_loads_the_released_owl_file(store: OxigraphStore) -> None:
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology((store.files_dir() / "evrdf.owl").as_uri()).load()
    assert onto.search_one(label="exosome") is not None


def test_sssom_mapping_table_parses(store: OxigraphStore) -> None:
    from sssom.parsers import parse_sssom_table

    msdf = parse_sssom_table(store.files_dir() / "evrdf.sssom.tsv")
    df = msdf.df
    assert len(df) > 50
    row = df[df["subject_id"] == "evo:Exosome"].iloc[0]
    assert row["object_id"] == "GO:0070062"
    assert row["predicate_id"] == "skos:exactMatch"


TABLE_CHECKS = [  # our table, its id column, the reference extract, its id column
    ("chemokines.tsv", "hgnc_id", "chemokines.tsv", "hgnc_id"),
    ("chemokines.tsv", "uniprot_accession", "chemokines.tsv", "uniprot_accession"),
    ("genes.tsv", "hgnc_id", "genes.tsv", "hgnc_id"),
]


def reference_lists(directory: Path = REFERENCE) -> dict[str, dict[str, str]]:
    """The project's shipped reference term lists, read here on their own (not through evrdf's loader, which is
    what this checks): prefix -> {identifier: label}."""
    lists: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        prefix = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("# prefix:"))
        rows = csv.DictReader([line for line in lines if not line.startswith("#")], delimiter="\t",
                              quoting=csv.QUOTE_NONE)
        lists[prefix] = {row["id"]: row["label"] for row in rows}
    return lists


def test_every_external_id_comes_from_the_reference_lists() -> None:
    """No identifier typed from memory: every CURIE in our tables, and every gene's HGNC, UniProt and NCBI Gene
    id, is in the project's verified reference list of its prefix (ontology/curated/reference, PROVENANCE.md)."""
    lists = reference_lists()
    ours = SOURCES / "curated"
    checked = 0
    for table in ("ev_types.tsv", "cell_types.tsv", "cancers.tsv", "drugs.tsv", "processes.tsv"):
        with (ours / table).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                for column in ("exact_match", "close_match", "broad_match", "definition_source"):
                    for curie in filter(lambda v: ":" in v, row[column].split("|")):  # not "curator"
                        prefix = curie.split(":", 1)[0]
                        assert prefix in lists, f"{table} {row['id']} {column}: {curie}: no reference list of {prefix}"
                        assert curie in lists[prefix], f"{table} {row['id']} {column}: {curie} not in {prefix} list"
                        checked += 1
    for table in ("chemokines.tsv", "genes.tsv"):
        with (ours / table).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                for column, prefix in GENE_IDS.items():
                    for value in filter(None, row[column].split("|")):
                        curie = value if value.startswith(prefix + ":") else f"{prefix}:{value}"
                        assert curie in lists[prefix], f"{table} {row['symbol']} {column}: {value} not in {prefix} list"
                        assert row["symbol"] in lists[prefix][curie].split("|"), \
                            f"{table} {row['symbol']} {column}: {value} is {lists[prefix][curie]}'s in the {prefix} list"
                        checked += 1
    assert checked > 300  # the tables' identifiers were really read
