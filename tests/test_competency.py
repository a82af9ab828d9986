"""Each competency question is a shipped example query; each answers what the literature says."""

from __future__ import annotations

import csv

import pytest

from evrdf.query import Example, examples
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import SOURCES, select

EXAMPLES = {e.name: e for e in examples()}


def _rows(store: OxigraphStore, name: str) -> list[dict[str, str]]:
    return select(store, EXAMPLES[name].sparql)


def test_every_competency_question_is_shipped_with_title_and_description() -> None:
    assert sorted(EXAMPLES) == [
        "coverage_of_the_review",
        "cq01_ev_subclasses", "cq02_chemokines_of_family", "cq03_receptors_of_chemokine",
        "cq04_review_table1", "cq05_chemokines_in_cancer", "cq06_tmv_recipient_cells",
        "cq07_drugs_blocking_axes", "cq08_stromal_chemokine_receptors", "cq09_drug_targets",
        "cq10_ev_subclass_cargo", "cq11_induced_in_recipient_cells", "cq12_levels_associated_with_evs",
        "cq13_ev_release_stimuli", "cq14_receptors_on_recipient_cells", "cq15_ev_effects_by_model",
        "cq16_reduced_in_recipient_cells", "cq17_chemokine_receptors_in_a_cancer", "cq18_obo_iris_only"]
    for example in EXAMPLES.values():
        assert isinstance(example, Example) and example.title and len(example.description) > 40


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_query_answers(name: str, store: OxigraphStore) -> None:
    assert _rows(store, name), f"{name} returned nothing"


def test_cq01_ev_subclasses(store: OxigraphStore) -> None:
    rows = {r["label"]: r for r in _rows(store, "cq01_ev_subclasses")}
    assert {"exosome", "microvesicle", "apoptotic body", "large oncosome", "exosome-mimetic nanovesicle"} <= set(rows)
    mv = rows["microvesicle"]
    assert (mv["parentLabel"], float(mv["minNm"]), float(mv["maxNm"])) == ("extracellular vesicle", 100, 1000)
    assert mv["biogenesisLabel"] == "microvesicle biogenesis"
    assert {"ARF6", "CD40"} <= set(mv["markers"].split("|"))
    assert "phosphatidylserine" in mv["otherMarkers"].split("|")
    assert mv["goTerm"] == "http://purl.obolibrary.org/obo/GO_1990742"
    exosome = rows["exosome"]
    assert (float(exosome["minNm"]), float(exosome["maxNm"])) == (30, 150)
    assert rows["large oncosome"]["markers"] == "ARF6"
    assert rows["apoptotic body"]["biogenesisLabel"] == "apoptotic process"


def test_cq01_keeps_the_printed_micrometre_value(store: OxigraphStore) -> None:
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?printed WHERE { evo:Microvesicle evo:diameterSourceValue ?printed }""")
    assert rows and "μm" in rows[0]["printed"]


def test_cq02_cxc_chemokines(store: OxigraphStore) -> None:
    rows = _rows(store, "cq02_chemokines_of_family")
    with (SOURCES / "curated" / "chemokines.tsv").open(encoding="utf-8") as handle:
        expected = {r["symbol"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                    if r["role"] == "ligand" and r["family"] == "CXC"}
    assert {r["symbol"] for r in rows} == expected
    cxcl12 = next(r for r in rows if r["symbol"] == "CXCL12")
    assert cxcl12["hgnc"] == "https://identifiers.org/hgnc:10672"
    assert cxcl12["uniprot"] == "http://purl.uniprot.org/uniprot/P48061"
    assert not any(r["symbol"].startswith("CCL") for r in rows)


def test_cq03_receptors_of_ccl5(store: OxigraphStore) -> None:
    rows = {r["receptorSymbol"]: r for r in _rows(store, "cq03_receptors_of_chemokine")}
    assert {"CCR1", "CCR3", "CCR5"} <= {s for s, r in rows.items() if r["receptorClass"] == "conventional"}
    assert {"ACKR1", "ACKR2"} <= {s for s, r in rows.items() if r["receptorClass"] == "atypical"}
    assert "CellPhoneDB" in rows["CCR5"]["resources"] and "connectomeDB2020" in rows["CCR5"]["resources"]


def test_cq04_reproduces_table1(store: OxigraphStore) -> None:
    rows = _rows(store, "cq04_review_table1")
    # The extracted text of Table 1 has 15 data rows (tumour types with continuation rows).
    assert len(rows) == 15
    tumours = [r.get("tumorType") for r in rows]
    assert tumours.count("leukemia") == 3 and tumours.count("melanoma") == 2 and tumours.count("lung carcinoma") == 2
    corrected = next(r for r in rows if r.get("asPrinted") == "CCL12")
    assert set(corrected["chemokines"].split(", ")) == {"CXCR4", "CXCL12"}
    assert [r["evTypeAsPrinted"] for r in rows if r.get("evTypeAsPrinted") == "Exsomoes"] == ["Exsomoes"] * 2
    pancreatic = next(r for r in rows if r.get("tumorType") == "pancreatic adenocarcinoma")
    assert pancreatic["references"] == "38, 39" and pancreatic["correctedReferences"] == "39, 40"


def test_cq05_chemokines_in_pancreatic_adenocarcinoma(store: OxigraphStore) -> None:
    rows = _rows(store, "cq05_chemokines_in_cancer")
    listed = {r["symbol"] for r in rows if r["relation"] == "table lists molecule"}
    assert {"CCR6", "CX3CR1", "CCL2", "CCL3", "CCL4", "CCL5", "CXCL8"} <= listed  # what Table 1 prints
    # "TMVs can ... activate serine/threonine kinase (AKT) by transferring CCR6 and CD44v7/8 to monocytes [39]";
    # the chemokines of [40] are induced in monocytes, so they are not cargo here
    assert {r["symbol"] for r in rows if r["relation"] == "EVs carry"} == {"CCR6"}
    # "Most members of the chemokine family, including CXCL1, CXCL2, CXCL5, CXCL9, CXCL10 and CXCL13, where they
    # are secreted by cancer or stromal cells" (pancreatic TME, [46]): no EVs, involved
    assert {"CXCL1", "CXCL2", "CXCL5", "CXCL9", "CXCL10", "CXCL13"} <= \
        {r["symbol"] for r in rows if r["relation"] == "involves molecule"}
    assert {r["pmid"] for r in rows} == {"30925930"}
    assert {r["doi"] for r in rows} == {"10.1186/s12943-019-0973-7"}


def test_cq06_recipients_of_tumour_microvesicles(store: OxigraphStore) -> None:
    rows = _rows(store, "cq06_tmv_recipient_cells")
    recipients = {r["recipient"] for r in rows}
    assert {"monocyte", "endothelial cell", "dendritic cell", "fibroblast", "intestinal epithelial cell",
            "leukocyte"} <= recipients
    monocyte = [r for r in rows if r["recipient"] == "monocyte"]
    assert any("anti-apoptotic" in r.get("effect", "") for r in monocyte)
    assert any("angiogenesis" in r.get("processes", "") for r in rows if r["recipient"] == "endothelial cell")


def test_cq07_plerixafor_blocks_cxcr4_in_aml(store: OxigraphStore) -> None:
    rows = _rows(store, "cq07_drugs_blocking_axes")
    plerixafor = [r for r in rows if r["drug"] == "plerixafor"]
    assert plerixafor, rows
    assert "AMD3100" in plerixafor[0]["synonyms"].split("|")
    assert "CXCR4" in plerixafor[0]["axis"].split("|")
    assert plerixafor[0]["disease"] == "acute myeloid leukemia"
    # "This phenomenon could be reversed by pharmacological inhibition of CCR8 with the small molecule R243" [54]
    r243 = [r for r in rows if r["drug"] == "R243"]
    assert r243 and all(set(r["axis"].split("|")) == {"CCL18", "CCR8"} for r in r243)


def test_cq18_obo_iris_alone_find_what_tumour_mvs_induce_in_monocytes(store: OxigraphStore) -> None:
    """Asked with GO:1903561 and CL:0000576 only. The review: TMVs "induce production of ... TNF, interleukin
    (IL)-10, IL-12p40 [36]" and "TMVs induce expression of IL-8 (CXCL8), monocyte chemoattractant protein-1
    (CCL2), macrophage inflammatory protein-1a (CCL3) and ... (CCL4), and ... CCL5 chemokines ... in monocytes [40]"."""
    assert "evo:Monocyte" not in EXAMPLES["cq18_obo_iris_only"].sparql
    rows = _rows(store, "cq18_obo_iris_only")
    induced = {symbol for r in rows for symbol in r["induced"].split("|")}
    assert {"CXCL8", "CCL2", "CCL3", "CCL4", "CCL5", "TNF", "IL10"} <= induced
    assert {r["evType"] for r in rows} == {"tumor-derived microvesicle"}
