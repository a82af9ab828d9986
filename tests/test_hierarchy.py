"""The class tree (/tree.json, /tree and the tree on term pages) is the store's own hierarchy: children, parents,
ancestor chains and OBO alignments are checked against SPARQL over the same store, on every backend."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import DATA, select

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
CXCL12 = BASE + "gene/HGNC_10672"


def tree(client, iri: str = "") -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/tree.json" + (f"?iri={iri}" if iri else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def subclasses(store: Store, iri: str) -> set[str]:
    asserted = {r["c"] for r in select(store, f"SELECT ?c WHERE {{ ?c <{RDFS}subClassOf> <{iri}> FILTER isIRI(?c) }}")}
    defined = {r["c"] for r in select(store, f"""SELECT ?c WHERE {{ ?c <{OWL}equivalentClass> ?e .
        ?e <{OWL}intersectionOf> ?list . ?list <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <{iri}> }}""")}
    return (asserted | defined) - {iri}


def test_every_class_lists_its_asserted_and_defined_subclasses(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    parents = {r["p"] for r in select(store, f"""SELECT DISTINCT ?p WHERE {{ ?c <{RDFS}subClassOf> ?p
        FILTER(isIRI(?p) && STRSTARTS(STR(?p), "{EVO}")) }}""")}
    assert len(parents) > 15
    for parent in parents:
        data = tree(client, parent)
        children = {c["iri"] for c in data["children"]}
        assert children == subclasses(store, parent), parent
        assert data["node"]["children"] == len(children)
        for child in data["children"]:  # each child's own count is what expanding it will list
            assert child["children"] == len(subclasses(store, child["iri"])), child["iri"]
    # a class defined as an intersection sits under its named operand
    chemokine = {c["label"]: c for c in tree(client, EVO + "Chemokine")["children"]}
    assert {"C chemokine", "CC chemokine", "CXC chemokine", "CX3C chemokine"} <= set(chemokine)
    assert chemokine["CXC chemokine"]["instances"] == len(select(store, f"SELECT ?g WHERE {{ ?g a <{EVO}CXCChemokine> }}")) > 5


def test_roots_are_the_classes_with_no_named_parent(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    roots = {n["iri"] for n in tree(client)["roots"]}
    classes = {r["c"] for r in select(store, f"""SELECT ?c WHERE {{ ?c a <{OWL}Class>
        FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{EVO}")) }}""")}
    with_parent = {r["c"] for r in select(store, f"""SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf> ?p
        FILTER(isIRI(?p) && ?p != ?c) }}""")} | {c for p in classes for c in subclasses(store, p)}
    assert {r for r in roots if r.startswith(EVO)} == classes - with_parent
    assert EVO + "ExtracellularVesicle" in roots and EVO + "Exosome" not in roots
    assert "http://www.w3.org/ns/prov#Entity" in roots  # an outside class some class specialises


def test_ancestor_chains_reach_a_root_through_named_parents(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    data = tree(client, EVO + "TumorDerivedMicrovesicle")
    assert data["paths"] == [[EVO + "ExtracellularVesicle", EVO + "Microvesicle", EVO + "TumorDerivedMicrovesicle"]]
    for path in data["paths"]:
        for child, parent in zip(path[1:], path, strict=False):
            assert child in subclasses(store, parent)
    assert [p["iri"] for p in data["parents"]] == [EVO + "Microvesicle"]
    # an individual sits under its most specific class
    gene = tree(client, CXCL12)
    assert gene["node"]["kind"] == "individual" and gene["node"]["label"] == "CXCL12"
    assert gene["paths"] == [[EVO + "MolecularEntity", EVO + "GeneProduct", EVO + "Chemokine", EVO + "CXCChemokine",
                              CXCL12]]


def test_nodes_carry_their_obo_alignments_and_aligned_parents(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    exosome = tree(client, EVO + "Exosome")
    expected = {r["m"] for r in select(store, f"""SELECT ?m WHERE {{ <{EVO}Exosome> <{SKOS}exactMatch> ?m
        FILTER STRSTARTS(STR(?m), "http://purl.obolibrary.org/obo/") }}""")}
    assert {a["iri"] for a in exosome["node"]["aligned"] if a["relation"] == "exact"} == expected
    assert {a["curie"] for a in exosome["node"]["aligned"]} == {"GO:0070062"}
    # the GO parent: the exact match of its parent, extracellular vesicle
    assert [(a["curie"], a["via"]) for a in exosome["aligned_parents"]] == [("GO:1903561", EVO + "ExtracellularVesicle")]
    # a class CL has no term for: its broader CL term is its aligned parent
    stem = tree(client, EVO + "CancerStemCell")
    broader = {r["m"] for r in select(store, f"SELECT ?m WHERE {{ <{EVO}CancerStemCell> <{SKOS}broadMatch> ?m }}")}
    assert {a["iri"] for a in stem["aligned_parents"] if a["relation"] == "broader"} == broader == {
        "http://purl.obolibrary.org/obo/CL_0001064"}
    cancer = {c["iri"]: c for c in tree(client, EVO + "Cancer")["children"]}
    assert {a["curie"].split(":")[0] for c in cancer.values() for a in c["aligned"]} >= {"MONDO", "DOID"}


def test_bad_or_unknown_iris_get_a_plain_error(client) -> None:  # type: ignore[no-untyped-def]
    bad = client.get("/tree.json?iri=not%20an%20iri")
    assert bad.status_code == 400 and "parameter 'iri'" in bad.get_data(as_text=True)
    unknown = client.get(f"/tree.json?iri={EVO}NoSuchClass")
    assert unknown.status_code == 404 and "NoSuchClass" in unknown.get_data(as_text=True)


def test_pages_draw_the_tree_open_on_the_chain_to_the_term(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/ontology/TumorDerivedMicrovesicle", headers={"Accept": "text/html"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    tree_html = html[html.index('id="tree"'):]
    for iri in (EVO + "ExtracellularVesicle", EVO + "Microvesicle"):
        assert re.search(rf'<details open data-iri="{re.escape(iri)}" data-loaded>', tree_html), iri
    assert 'aria-current="page">tumor-derived microvesicle</a>' in tree_html
    assert "≡ GO:1903561" in tree_html and "/static/tree.js" in tree_html
    # the index lists every root, closed, to be expanded
    index = client.get("/tree").get_data(as_text=True)
    assert f'<details data-iri="{EVO}ExtracellularVesicle">' in index and "<details open" not in index
    focused = client.get(f"/tree?iri={EVO}Exosome").get_data(as_text=True)
    assert f'<details open data-iri="{EVO}ExtracellularVesicle" data-loaded>' in focused


@pytest.fixture(scope="module")
def with_obo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A release that also publishes GO and CL subsets (`evrdf build --add`), served by the test client."""
    store = tmp_path_factory.mktemp("with-obo") / "store"
    done = subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store),
                           "--add", str(DATA / "add" / "obo" / "go_subset.owl"),
                           "--add", str(DATA / "add" / "obo" / "cl_subset.owl")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    app = create_app(Settings(store=store), OxigraphStore(store))
    return app.test_client(), OxigraphStore(store)


@pytest.mark.oxigraph_only("a release built with added OBO files, on its own store")
def test_an_added_obo_ontology_gives_the_aligned_parents_their_own_ancestors(with_obo) -> None:  # type: ignore[no-untyped-def]
    client, store = with_obo
    exosome = tree(client, EVO + "Exosome")
    assert exosome["node"]["aligned"][0]["label"] == "extracellular exosome"  # GO's own label, from the store
    assert [(a["curie"], a["label"], a["relation"]) for a in exosome["aligned_parents"]] == [
        ("GO:1903561", "extracellular vesicle", "exact"), ("GO:0031982", "vesicle", "above")]
    # the ancestors are GO's own subClassOf chain, as the store has it
    chain = select(store, f"""SELECT ?a WHERE {{ <http://purl.obolibrary.org/obo/GO_0070062> <{RDFS}subClassOf> ?p .
        ?p <{RDFS}subClassOf> ?a }}""")
    assert [r["a"] for r in chain] == ["http://purl.obolibrary.org/obo/GO_0031982"]
    tam = tree(client, EVO + "TumorAssociatedMacrophage")
    above = {a["label"] for a in tam["aligned_parents"] if a["relation"] == "above"}
    cl_parents = {r["l"] for r in select(store, f"""SELECT ?l WHERE {{ <http://purl.obolibrary.org/obo/CL_0000235>
        <{RDFS}subClassOf> ?p . ?p <{RDFS}label> ?l }}""")}
    assert above == cl_parents == {"mononuclear phagocyte", "myeloid leukocyte"}
    page = client.get(f"/tree?iri={EVO}Exosome").get_data(as_text=True)
    assert "GO:0031982 vesicle</a> <small>(ancestor of GO_0070062)" in page
