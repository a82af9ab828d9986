"""Third-party files published with `evrdf build --add`, as their publishers ship them (issue 11, case 9).

evrdf's own quality rules (OBO header, ROBOT-style duplicate labels, ...) gate evrdf's own graphs only. An added
file is checked for what would make the release wrong: bad RDF, writes into evrdf's graphs, malformed
identifiers; the rest is reported and published. The files are a Cell Ontology and a Gene Ontology subset in the
ontologies' own RDF/XML shape (tests/data/add/obo): owl:Ontology headers without a licence, and the labels
"macrophage" and (as GO's synonym) "exosome" that evrdf's own classes have too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import DATA

OBO = DATA / "add" / "obo"
BASE = "https://w3id.org/evrdf/"


def build(store: Path, *add: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "evrdf", "build", "--store", str(store)]
    for path in add:
        command += ["--add", str(path)]
    return subprocess.run(command, capture_output=True, text=True)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    store = tmp_path_factory.mktemp("added") / "store"
    done = build(store)
    assert done.returncode == 0, done.stderr
    return store, OxigraphStore(store).release()["release"]


def test_obo_ontologies_are_published_as_they_are(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = build(store, OBO / "cl_subset.owl", OBO / "go_subset.owl")
    assert done.returncode == 0, done.stderr
    # what evrdf's rules say about them is reported, not blocking
    assert "not blocking" in done.stderr
    assert "ontology has no license" in done.stderr
    assert "label macrophage is also the label of" in done.stderr
    released = OxigraphStore(store)
    ask = (f"ASK {{ GRAPH <{BASE}graph/added/cl_subset> {{ <http://purl.obolibrary.org/obo/CL_0000235> "
           "<http://www.w3.org/2000/01/rdf-schema#label> \"macrophage\" } "
           f"GRAPH <{BASE}graph/added/go_subset> {{ <http://purl.obolibrary.org/obo/GO_0070062> "
           "<http://www.geneontology.org/formats/oboInOwl#hasExactSynonym> \"exosome\" } }")
    assert bool(released.query(ask))
    assert released.count(f"{BASE}graph/added/cl_subset") == 43


def test_a_malformed_identifier_in_an_added_file_is_not_published(published: tuple[Path, str]) -> None:
    store, before = published
    done = build(store, OBO / "cl_truncated_xref.owl")
    assert done.returncode == 1
    assert "cross-reference CL:236 is not a valid CL identifier" in done.stderr
    assert "nothing was published" in done.stderr
    assert OxigraphStore(store).release()["release"] == before


def test_an_added_file_may_not_write_into_evrdfs_graphs(published: tuple[Path, str], tmp_path: Path) -> None:
    store, before = published
    intruder = tmp_path / "intruder.trig"
    intruder.write_text(f"<{BASE}graph/hgnc> {{ <{BASE}gene/HGNC_10672> <http://www.w3.org/2000/01/rdf-schema#label> "
                        "\"not CXCL12\" }\n", encoding="utf-8")
    done = build(store, intruder)
    assert done.returncode == 1
    assert f"graph <{BASE}graph/hgnc> is published by evrdf itself" in done.stderr
    assert OxigraphStore(store).release()["release"] == before


def test_bad_rdf_in_an_added_file_is_not_published(published: tuple[Path, str]) -> None:
    store, before = published
    done = build(store, DATA / "add" / "broken.ttl")
    assert done.returncode == 1
    assert "broken.ttl:" in done.stderr and "RDF syntax error" in done.stderr
    assert OxigraphStore(store).release()["release"] == before


def test_two_added_files_keep_their_own_blank_nodes(tmp_path: Path) -> None:
    """RDF 1.1 Concepts, 3.4: blank node identifiers are local to a document; two files that both write _:b
    describe two nodes, not one."""
    for name, colour in (("first", "red"), ("second", "blue")):
        (tmp_path / f"{name}.ttl").write_text(f'_:b <http://example.org/colour> "{colour}" .\n', encoding="utf-8")
    store = tmp_path / "store"
    done = build(store, tmp_path / "first.ttl", tmp_path / "second.ttl")
    assert done.returncode == 0, done.stderr
    rows = list(OxigraphStore(store).query("SELECT ?b (COUNT(*) AS ?n) WHERE { ?b <http://example.org/colour> ?c } "
                                           "GROUP BY ?b"))
    assert len(rows) == 2 and all(int(r["n"].value) == 1 for r in rows)
