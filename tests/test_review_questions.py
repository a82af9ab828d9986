"""Questions a biologist asks of each section of the review (Bian et al. 2019), answered by the shipped example
queries and checked against the review's own words (quoted), not against the curated tables."""

from __future__ import annotations

from evrdf.query import examples
from evrdf.store.base import Store
from tests.conftest import select

EXAMPLES = {e.name: e for e in examples()}
FINDING = "https://w3id.org/evrdf/finding/"


def _rows(store: Store, name: str) -> list[dict[str, str]]:
    return select(store, EXAMPLES[name].sparql)


def _split(value: str) -> set[str]:
    return set(value.split("|")) if value else set()


def test_stromal_cells_which_receptor_a_stromal_chemokine_binds_on_fibroblasts(store: Store) -> None:
    # "In the HIC1-deleted breast cancer cells, CXCL14 bound to its novel cognate receptor GPR85 on CAFs in the TME
    # and was responsible for activating these fibroblasts via the extracellular regulated MAP kinase1/2 (ERK1/2),
    # AKT, and neddylation pathways" [45]
    rows = _rows(store, "cq08_stromal_chemokine_receptors")
    cxcl14 = [r for r in rows if r["chemokine"] == "CXCL14"]
    assert [(r["receptor"], r["onCells"]) for r in cxcl14] == [("GPR85", "cancer-associated fibroblast")]
    assert {"MAPK-ERK signaling pathway", "AKT signaling pathway"} <= _split(cxcl14[0]["processes"])
    assert cxcl14[0]["diseases"] == "breast cancer"


def test_stromal_cells_the_ccl17_ccr4_axis_drives_emt(store: Store) -> None:
    # "promoting cancer progression via the induction of the epithelial-mesenchymal transition (EMT) by the
    # CCL17/CCR4 axis [45]"
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?finding WHERE { ?finding evo:involvesMolecule ?l ; evo:actsThroughReceptor ?r ;
            evo:affectsProcess evo:EpithelialToMesenchymalTransition .
          ?l evo:symbol "CCL17" . ?r evo:symbol "CCR4" }""")
    assert rows


def test_drug_resistance_which_drug_blocks_which_receptor(store: Store) -> None:
    # "These effects could be reduced by the CXCR4 antagonist AMD3100 [71]"; "pharmacological inhibition of CCR8
    # with the small molecule R243, inhibiting EV uptake by GBM cells, resulting in sensitization of glioblastoma
    # cells to TMZ [54]"
    rows = {r["drug"]: r for r in _rows(store, "cq09_drug_targets")}
    assert (rows["plerixafor"]["target"], rows["plerixafor"]["axis"]) == ("CXCR4", "CXCL12/CXCR4 axis")
    assert "antagonist" in rows["plerixafor"]["action"]
    assert (rows["R243"]["target"], rows["R243"]["axis"]) == ("CCR8", "CCL18/CCR8 axis")
    assert FINDING + "bian2019-tx-51" in rows["plerixafor"]["blocks"].split()
    assert FINDING + "bian2019-tx-55" in rows["R243"]["blocks"].split()


def test_biogenesis_which_ev_subclass_carries_which_marker(store: Store) -> None:
    rows = _rows(store, "cq10_ev_subclass_cargo")
    carried: dict[str, set[str]] = {}
    for r in rows:
        carried.setdefault(r["evType"], set()).add(r["symbol"])
    # "Several proteins have been proposed MVs-specific, including selectins, integrins, CD40, matrix
    # metalloproteinase (MMP), phosphatidylserine (PS), ADP-ribosylation factor 6 (ARF6) and Rho family members"
    assert {"CD40", "ARF6"} <= carried["microvesicle"]
    # large oncosomes: "similar to MVs, these particles express ARF6 [23, 24]"
    assert "ARF6" in carried["large oncosome"]
    # "The enriched chemokines include CCL2, CCL3, CCL4, CCL5, and CCL20" (HS-TEX [52])
    assert {"CCL2", "CCL3", "CCL4", "CCL5", "CCL20"} <= carried["heat-stressed tumor-derived exosome"]
    # "DC-derived exosomes contain series of costimulatory molecules including B7-1 (CD80), B7-2 (CD86),
    # programmed death 1-ligand (PD-L1) and PD-L2 [92]"
    assert {"CD80", "CD86", "CD274", "PDCD1LG2"} <= carried["exosome"]
    # the haemophilia A chemokines are plasma levels, so no EV subclass carries CXCL10
    assert not any("CXCL10" in symbols for symbols in carried.values())


def test_macrophage_monocyte_what_tumour_mvs_induce_in_monocytes(store: Store) -> None:
    # "TMVs induce expression of IL-8 (CXCL8), monocyte chemoattractant protein-1 (CCL2), macrophage inflammatory
    # protein-1α (CCL3) and ... (CCL4), and regulate on activation normal T-cells expressed and secreted CCL5
    # chemokines and accumulation of their mRNA in monocytes [40]"; "increased human leukocyte antigen-DR isotype
    # (HLA-DR) expression ... and mRNA accumulation and protein secretion of TNF, interleukin (IL)-10 [36]"
    rows = [r for r in _rows(store, "cq11_induced_in_recipient_cells") if r["recipient"] == "monocyte"]
    induced = set().union(*(_split(r["induced"]) for r in rows))
    assert {"CXCL8", "CCL2", "CCL3", "CCL4", "CCL5"} <= induced
    assert {"HLA-DRA", "TNF", "IL10"} <= induced
    assert {r["evType"] for r in rows} == {"tumor-derived microvesicle"}


def test_macrophage_monocyte_tumour_exosomes_make_mscs_secrete_ccr2_ligands(store: Store) -> None:
    # "In B16-F0 melanoma or EL-4 lymphoma cell lines, tumor cell-derived exosomes (TE) enhance the ability of
    # mesenchymal stromal cells (MSCs) to promote macrophage infiltration ... TE-MSCs produce a large amount of CCR2
    # ligands, CCL2 and CCL7 [43]"
    rows = [r for r in _rows(store, "cq11_induced_in_recipient_cells") if r["recipient"] == "mesenchymal stem cell"]
    assert rows and {"CCL2", "CCL7"} <= _split(rows[0]["induced"])
    models = {r["finding"]: r for r in _rows(store, "cq15_ev_effects_by_model")}
    tx13 = models[FINDING + "bian2019-tx-13"]
    assert _split(tx13["cellLines"]) == {"B16-F0", "EL-4"}
    assert _split(tx13["diseases"]) == {"melanoma", "lymphoma"}


def test_angiogenesis_what_endothelial_cells_make_after_taking_up_mvs(store: Store) -> None:
    # "Endothelial cells that receive CD138 from multiple myeloma derived MVs are significantly stimulated so as to
    # proliferate, secrete IL-6 and VEGF [60]"; "TMVs harboring activated EGFR ... increased expression of
    # endogenous vascular endothelial growth factor (VEGF) and the autocrine activation of VEGF-2 [58]"
    rows = [r for r in _rows(store, "cq11_induced_in_recipient_cells") if r["recipient"] == "endothelial cell"]
    assert {"IL6", "VEGFA"} <= set().union(*(_split(r["induced"]) for r in rows))
    receptors = {(r["receptor"], r["recipient"]) for r in _rows(store, "cq14_receptors_on_recipient_cells")}
    assert ("KDR", "endothelial cell") in receptors


def test_peripheral_blood_haemophilia_levels_are_associations_with_direction(store: Store) -> None:
    # "higher levels of IL8, IL6, IL4, IL10, IL2, IL17A, and lower levels of CXCL10 and CCL2 were observed compared
    # with non-haemophiliac cohorts. Also, higher levels of MVs ... were observed [37]"
    rows = [r for r in _rows(store, "cq12_levels_associated_with_evs") if r["diseases"] == "hemophilia A"]
    levels = {(r["symbol"], r["direction"]) for r in rows}
    assert {("CXCL8", "higher"), ("IL6", "higher"), ("IL10", "higher"), ("CXCL10", "lower"), ("CCL2", "lower")} \
        == levels


def test_peripheral_blood_what_stimulates_ev_release(store: Store) -> None:
    # "Both chemoattractant protein-11 (CCL11) and tumor necrosis factor-α (TNF-α) induce significant increase of
    # MVs compared with non-activated cells [38]"; "Normal T-cells secrete CCL5, which stimulates the
    # externalization of S100 calcium binding protein A4 (S100A4) via MVs [48]"
    rows = _rows(store, "cq13_ev_release_stimuli")
    eosinophil = {r["stimulus"] for r in rows if r.get("releasingCells") == "eosinophil"}
    assert eosinophil == {"CCL11", "TNF"}
    ccl5 = [r for r in rows if r["stimulus"] == "CCL5"]
    assert ccl5 and all(r["cargo"] == "S100A4" for r in ccl5)


def test_peripheral_blood_tmvs_from_three_tumour_types_attract_leukocytes(store: Store) -> None:
    # "Vesicles shed by cell lines of non-small-cell lung carcinoma, pancreatic adenocarcinoma, and colorectal
    # adenocarcinoma stimulated chemotaxis of granulocytes, lymphocytes, and monocytes in vitro [36]"
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label WHERE { ?f evo:affectsProcess evo:LeukocyteChemotaxis ; evo:sourceReferenceNumber 36 ;
                                 evo:inDisease ?d . ?d rdfs:label ?label }""")
    assert {r["label"] for r in rows} == {"non-small cell lung carcinoma", "pancreatic adenocarcinoma",
                                          "colorectal adenocarcinoma"}


def test_proliferation_and_immunomodulation_receptors_on_recipient_cells(store: Store) -> None:
    rows = _rows(store, "cq14_receptors_on_recipient_cells")
    by_receptor = {r["receptor"]: r for r in rows}
    # "CCR8 acts as an EV receptor on glioblastoma cells and binds to CCL18, which acts as a bridging molecule [54]"
    assert (by_receptor["CCR8"]["ligands"], by_receptor["CCR8"]["diseases"]) == ("CCL18", "glioblastoma")
    assert by_receptor["CCR8"]["alsoCargo"] == "no"
    # "MVs ... are capable of transferring the CXCR4 molecule to AML-derived HL-60 cells, enhancing their migration
    # to SDF-1 [71]": carried, and then the receptor on the recipients
    assert by_receptor["CXCR4"]["alsoCargo"] == "yes" and "CXCL12" in _split(by_receptor["CXCR4"]["ligands"])
    # "PD-L1 was expressed on the surface of some glioblastoma-derived EVs, with the potential to directly bind to
    # programmed death-1 (PD1). These EVs block T cell activation [93]"
    assert (by_receptor["PDCD1"]["recipient"], by_receptor["PDCD1"]["ligands"]) == ("T cell", "CD274")


def test_proliferation_cell_lines_of_the_transglutaminase_mvs(store: Store) -> None:
    # "MVs released by MDA-MB-231 human breast cancer cell line and U87 glioblastoma cell lines contain tissue
    # transglutaminase (tTG) ... and FN [57]"
    rows = {r["finding"]: r for r in _rows(store, "cq15_ev_effects_by_model")}
    tx34 = rows[FINDING + "bian2019-tx-34"]
    assert _split(tx34["cellLines"]) == {"MDA-MB-231", "U87"}
    assert _split(tx34["diseases"]) == {"breast cancer", "glioblastoma"}
    assert _split(tx34["cargo"]) == {"TGM2", "FN1"}


def test_immunomodulation_what_melanoma_mvs_lower_in_dendritic_cells(store: Store) -> None:
    # "melanoma-derived MVs compromised the maturation process of DCs, the latter exhibiting significantly decreased
    # expression of CD83, CD86, migratory chemokines MIP-1, and Th1 polarizing chemokines Flt3L and IL15 [88]"
    rows = [r for r in _rows(store, "cq16_reduced_in_recipient_cells") if r["recipient"] == "dendritic cell"]
    # MIP-1 is both MIP-1α (CCL3) and MIP-1β (CCL4), as the text expands them for [40]
    assert rows and {"CD83", "CD86", "CCL3", "CCL4", "FLT3LG", "IL15"} == _split(rows[0]["reduced"])
    assert rows[0]["diseases"] == "melanoma"


def test_metastasis_chemokine_receptors_in_prostate_cancer(store: Store) -> None:
    # "CXCR7 is a chemokine that has been proven responsible for PCa progression. As a direct downstream target of
    # hypermethylated in cancer 1 gene (HIC1) ... [69]"; "alterations in CXCR7/RDC1, receptor for SDF-1/CXCL12, are
    # associated with enhanced adhesive and invasive activities [70]"
    rows = _rows(store, "cq17_chemokine_receptors_in_a_cancer")
    assert {r["receptor"] for r in rows} == {"ACKR3"}  # CXCR7 is ACKR3 in HGNC
    assert {r["finding"].removeprefix(FINDING) for r in rows} >= {"bian2019-tx-89", "bian2019-tx-90",
                                                                 "bian2019-tx-91"}


def test_metastasis_sdf1_in_epithelial_ovarian_cancer(store: Store) -> None:
    # "in epithelial ovarian cancer, expression of SDF-1/CXCL12 and the genes controlling alternative splicing are
    # elevate, leading to an increased formation of SDF-1 variant 1. No changes in CXCR4 and CXCR7 expression level
    # are observed [72]"
    rows = [r for r in _rows(store, "cq12_levels_associated_with_evs") if r["diseases"] == "ovarian carcinoma"]
    assert {(r["symbol"], r["direction"]) for r in rows} == {("CXCL12", "higher")}


_MOLECULE_PROPERTIES = ("evo:carriesCargo|evo:inducesExpressionOf|evo:reducesExpressionOf|evo:higherLevelOf|"
                        "evo:lowerLevelOf|evo:releaseStimulatedBy|evo:actsThroughReceptor|evo:involvesMolecule")


def _molecules_by_property(store: Store, number: int) -> set[tuple[str, str]]:
    """(property local name, symbol) for every molecule the text findings citing ``number`` name."""
    rows = select(store, f"""PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?p ?symbol WHERE {{ ?f a evo:Finding ; evo:sourceReferenceNumber {number} ; ?p ?gene .
          VALUES ?p {{ {_MOLECULE_PROPERTIES.replace("|", " ")} }} ?gene evo:symbol ?symbol }}""")
    return {(r["p"].rsplit("/", 1)[-1], r["symbol"]) for r in rows}


def test_immunomodulation_what_dendritic_cell_exosomes_carry(store: Store) -> None:
    # "DC-derived exosomes contain series of costimulatory molecules including B7–1 (CD80), B7–2 (CD86), programmed
    # death 1-ligand (PD-L1) and PD-L2 [92]"
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?symbol ?source WHERE { ?f evo:evType evo:Exosome ; evo:sourceReferenceNumber 92 ;
            evo:releasedBy ?cell ; evo:carriesCargo ?g . ?g evo:symbol ?symbol . ?cell rdfs:label ?source }""")
    assert {r["source"] for r in rows} == {"dendritic cell"}
    assert {r["symbol"] for r in rows} == {"CD80", "CD86", "CD274", "PDCD1LG2"}


def test_metastasis_arf1_regulates_mmp9_and_is_not_said_to_be_cargo(store: Store) -> None:
    # "In TMVs ARF, modulation of ARF1 expression dramatically impairs the ability of MDA-MB-231 cells to degrade the
    # extracellular matrix by adjusting MMP9 activity, to inhibit invasiveness and metastasis [66, 67]"
    named = _molecules_by_property(store, 66)
    assert {("involvesMolecule", "ARF1"), ("involvesMolecule", "MMP9")} <= named
    assert not {m for m in named if m[0] == "carriesCargo"}


def test_metastasis_unchanged_receptors_in_ovarian_cancer_are_not_named_as_acting(store: Store) -> None:
    # "expression of SDF-1/CXCL12 and the genes controlling alternative splicing are elevate ... No changes in CXCR4
    # and CXCR7 expression level are observed [72]"
    assert _molecules_by_property(store, 72) == {("higherLevelOf", "CXCL12")}


def test_metastasis_ccl5_released_s100a4_mvs_raise_fibronectin_in_fibroblasts(store: Store) -> None:
    # "CCL5 stimulates the externalization of S100A4 via TMVs shedding from the plasma membrane of these tumor and
    # stroma cells, which in its turn induces the upregulation of FN in fibroblasts and a number of cytokines in
    # tumor cells including CCL5 [48]"
    named = _molecules_by_property(store, 48)
    assert {("releaseStimulatedBy", "CCL5"), ("carriesCargo", "S100A4"), ("inducesExpressionOf", "FN1"),
            ("inducesExpressionOf", "CCL5")} <= named
    assert ("carriesCargo", "CCL5") not in named
    fibroblast = [r for r in _rows(store, "cq11_induced_in_recipient_cells") if r["recipient"] == "fibroblast"]
    assert "FN1" in set().union(*(_split(r["induced"]) for r in fibroblast))


def test_angiogenesis_human_renal_cancer_stem_cell_mvs_in_scid_mice(store: Store) -> None:
    # "MVs shed from CD105+ human renal cancer stem cells confer an activated angiogenic phenotype to normal
    # epithelial cells, stimulate blood vessel formation after in vivo implantation in severe combined
    # immunodeficient (SCID) mice [63]"
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?species ?host ?source WHERE { ?f evo:sourceReferenceNumber 63 ; evo:inSpecies ?s ;
            evo:inModelOrganism ?o ; evo:releasedBy ?c . ?s rdfs:label ?species . ?o rdfs:label ?host .
            ?c rdfs:label ?source }""")
    assert [(r["species"], r["host"], r["source"]) for r in rows] == [("Homo sapiens", "Mus musculus",
                                                                        "cancer stem cell")]


def test_immunomodulation_mvs_act_on_myeloid_cells_not_on_suppressor_cells(store: Store) -> None:
    # "this immunosuppressive effect of MVs can be achieved by promoting the differentiation of myeloid cells toward
    # myeloid-derived suppressor cells [89]": the suppressor cells are the outcome, not the cells the MVs reach
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?recipient WHERE { ?f evo:sourceReferenceNumber 89 ; evo:recipientCellType ?c .
            ?c rdfs:label ?recipient }""")
    assert [r["recipient"] for r in rows] == ["leukocyte"]  # the nearest listed term for myeloid cells


def test_tme_chemokines_exchanged_with_endothelial_cells_and_fibroblasts_recruit_immune_cells(store: Store) -> None:
    # "increasing studies have exhibited the property of chemokines in facilitating information exchanging between
    # cancer cells and TME cells such as endothelial cells and fibroblasts, which in turn promotes the infiltration
    # and activation of immune cells such as neutrophils and tumor-associated macrophages (TAMs) [28]"
    rows = select(store, """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?producer ?process WHERE { ?f evo:sourceReferenceNumber 28 ; evo:producedByCellType ?c ;
            evo:affectsProcess ?p . ?c rdfs:label ?producer . ?p rdfs:label ?process }""")
    assert {r["producer"] for r in rows} == {"cancer cell", "endothelial cell", "fibroblast"}
    assert {r["process"] for r in rows} == {"neutrophil chemotaxis", "macrophage chemotaxis"}
