"""Every row of Table 1 of Bian et al. 2019, read against the review's text.

The table's "Content of chemokines" column mixes molecules the EVs carry with molecules they induce in recipient
cells, molecules whose plasma level goes with them and receptors on the recipient cells. Each row keeps what the
table prints (evo:listsMolecule) and asserts cargo only where the text says the EVs carry the molecule; the text
findings it links to (evo:detailedBy) say what happens. The quotes are the review's own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from evrdf.store.base import Store
from tests.conftest import select

EVO = "https://w3id.org/evrdf/ontology/"
FINDING = "https://w3id.org/evrdf/finding/"


@dataclass(frozen=True)
class Row:
    id: str
    printed: set[str]  # what Table 1 prints in "Content of chemokines" (CCL12 corrected to CXCL12)
    quote: str  # what the text says, in its words
    cargo: set[str]  # what the text says the EVs carry: the only cargo the row may assert
    text: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # linked finding -> property -> symbols


ROWS = [
    Row("bian2019-t1-01", {"CCL5", "CCR6"},
        "CD44H, CD44v6 and CCR6 molecules may play a role in attachment of TMVs to cancer cells [5] ... Normal "
        "T-cells secrete CCL5, which stimulates the externalization of S100 calcium binding protein A4 (S100A4) via "
        "MVs [48] ... induces ... a number of cytokines in tumor cells including CCL5 [48]",
        {"CCR6"},
        {"bian2019-tx-28": {"carriesCargo": {"CCR6"}}, "bian2019-tx-16": {"releaseStimulatedBy": {"CCL5"}},
         "bian2019-tx-81": {"inducesExpressionOf": {"CCL5"}}}),
    Row("bian2019-t1-02", {"CCR6", "CX3CR1", "CCL2"},
        "TMVs can exert anti-apoptotic effect on monocytes and activate serine/threonine kinase (AKT) by "
        "transferring CCR6 and CD44v7/8 to monocytes [39] ... leading to release of chemokines including CCL2, from "
        "IECs [50]",
        {"CCR6"},
        {"bian2019-tx-10": {"carriesCargo": {"CCR6"}}, "bian2019-tx-18": {"inducesExpressionOf": {"CCL2"}}}),
    Row("bian2019-t1-03", {"CCR6"},
        "MVs of these patients exhibited an increased expression of CCR6 and HER-2/neu on the membrane [53]",
        {"CCR6"}, {"bian2019-tx-27": {"carriesCargo": {"CCR6", "ERBB2"}}}),
    Row("bian2019-t1-04", {"CCR8", "CCL18"},
        "CCR8 acts as an EV receptor on glioblastoma cells and binds to CCL18, which acts as a bridging molecule "
        "[54] ... pharmacological inhibition of CCR8 with the small molecule R243, inhibiting EV uptake by GBM cells",
        set(),
        {"bian2019-tx-33": {"actsThroughReceptor": {"CCR8"}, "involvesMolecule": {"CCL18"}},
         "bian2019-tx-55": {"actsThroughReceptor": {"CCR8"}, "involvesMolecule": {"CCL18"}}}),
    Row("bian2019-t1-05", {"CXCL8", "CXCL10", "CCL2"},
        "In the cohort of previously untreated hemophilia A patients, immunological profiles were distinct, higher "
        "levels of IL8, IL6, IL4, IL10, IL2, IL17A, and lower levels of CXCL10 and CCL2 were observed ... Also, higher "
        "levels of MVs ... were observed [37]",
        set(), {"bian2019-tx-19": {"higherLevelOf": {"CXCL8"}, "lowerLevelOf": {"CXCL10", "CCL2"}}}),
    Row("bian2019-t1-06", {"CCR7", "CCL19"},
        "DCs preferably ingest apoptotic blebs ... and are superior in migrating toward CCL19 [51]",
        set(), {"bian2019-tx-20": {"involvesMolecule": {"CCL19"}}}),
    Row("bian2019-t1-07", {"CCL3", "CCL4", "CXCR4"},
        "Exosomes and MVs purified from BM mesenchymal stromal cell were accessed to integrate into CLL B cells ... "
        "expression of CCL3/4, EGR1/2/3 and MYC increased, leading to cell survival and drug resistance [75]",
        set(), {"bian2019-tx-54": {"inducesExpressionOf": {"CCL3", "CCL4"}}}),
    Row("bian2019-t1-08", {"CXCR4", "CXCL12"},
        "MVs with NH(2)-terminal truncation of the CXCR4 molecule are capable of transferring the CXCR4 molecule to "
        "AML-derived HL-60 cells, enhancing their migration to SDF-1 in vitro [71]",
        {"CXCR4"},
        {"bian2019-tx-51": {"carriesCargo": {"CXCR4"}, "actsThroughReceptor": {"CXCR4"},
                            "involvesMolecule": {"CXCL12"}}}),
    Row("bian2019-t1-09", {"CCR6", "CX3CR1", "CXCR4"},
        "by transferring CCR6 and CD44v7/8 to monocytes [39] ... rats treated with patient-derived circulating MVs "
        "exhibit higher microvessel count, more CXCR4+ and VEGF+ cells [59]",
        {"CCR6"},
        {"bian2019-tx-10": {"carriesCargo": {"CCR6"}}, "bian2019-tx-37": {"higherLevelOf": {"CXCR4", "VEGFA"}}}),
    Row("bian2019-t1-10", {"CCL2", "CCL3", "CCL4", "CCL5", "CCL20"},
        "Heat stressed tumor cells produce chemokine-enriched exosomes which are termed HS-TEX ... The enriched "
        "chemokines include CCL2, CCL3, CCL4, CCL5, and CCL20 [52]",
        {"CCL2", "CCL3", "CCL4", "CCL5", "CCL20"},
        {"bian2019-tx-22": {"carriesCargo": {"CCL2", "CCL3", "CCL4", "CCL5", "CCL20"}}}),
    Row("bian2019-t1-11", {"CCL2", "CCL7"},
        "tumor cell-derived exosomes (TE) enhance the ability of mesenchymal stromal cells (MSCs) ... TE-MSCs produce "
        "a large amount of CCR2 ligands, CCL2 and CCL7, which are responsible for macrophage recruitment [43]",
        set(), {"bian2019-tx-13": {"inducesExpressionOf": {"CCL2", "CCL7"}}}),
    Row("bian2019-t1-12", {"CCL2", "CCL3", "CCL4", "CCL5", "CCL7", "CCL20"},
        "TE-MSCs produce ... CCL2 and CCL7 [43] ... The enriched chemokines include CCL2, CCL3, CCL4, CCL5, and "
        "CCL20 [52]",
        {"CCL2", "CCL3", "CCL4", "CCL5", "CCL20"},
        {"bian2019-tx-13": {"inducesExpressionOf": {"CCL2", "CCL7"}},
         "bian2019-tx-22": {"carriesCargo": {"CCL2", "CCL3", "CCL4", "CCL5", "CCL20"}}}),
    Row("bian2019-t1-13", {"CCL2"},
        "Taken up by IEC in intestinal lumen, TMVs activated NOD2 ... leading to chemokine releasing, including CCL2, "
        "from IECs [50]",
        set(), {"bian2019-tx-71": {"inducesExpressionOf": {"CCL2"}}}),
    Row("bian2019-t1-14", {"CCR6", "CX3CR1", "CCL2", "CCL3", "CCL4", "CCL5", "CXCL8"},
        "by transferring CCR6 and CD44v7/8 to monocytes [39]. TMVs induce expression of IL-8 (CXCL8), monocyte "
        "chemoattractant protein-1 (CCL2), ... (CCL3) ... (CCL4), and ... CCL5 chemokines ... in monocytes [40]",
        {"CCR6"},
        {"bian2019-tx-10": {"carriesCargo": {"CCR6"}},
         "bian2019-tx-11": {"inducesExpressionOf": {"CXCL8", "CCL2", "CCL3", "CCL4", "CCL5"}}}),
    Row("bian2019-t1-15", {"CXCL12"},
        "Large oncosomes can also potently stimulate expression of metastasis-associated factors, such as ... CXCL12 "
        "and osteopontin, in stromal cells [24]",
        set(), {"bian2019-tx-15": {"inducesExpressionOf": {"CXCL12"}}}),
]
NOT_CARGO = ("inducesExpressionOf", "reducesExpressionOf", "higherLevelOf", "lowerLevelOf", "releaseStimulatedBy",
             "involvesMolecule")


def _molecules(store: Store, finding: str) -> dict[str, set[str]]:
    rows = select(store, f"""PREFIX evo: <{EVO}>
        SELECT ?p ?symbol WHERE {{ <{FINDING}{finding}> ?p ?gene . ?gene evo:symbol ?symbol }}""")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["p"].removeprefix(EVO), set()).add(row["symbol"])
    return found


def test_every_table1_row_is_listed_here(store: Store) -> None:
    rows = select(store, f"""PREFIX evo: <{EVO}>
        SELECT ?finding WHERE {{ ?finding a evo:Finding ; evo:section "Table 1" }}""")
    assert sorted(r["finding"].removeprefix(FINDING) for r in rows) == [r.id for r in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_table1_row_keeps_the_table_and_asserts_only_what_the_text_says(row: Row, store: Store) -> None:
    found = _molecules(store, row.id)
    assert found.get("listsMolecule", set()) == row.printed  # what the table prints, kept
    assert found.get("carriesCargo", set()) == row.cargo, row.quote  # cargo only where the text says carried
    detailed = {r["text"].removeprefix(FINDING) for r in select(store, f"""PREFIX evo: <{EVO}>
        SELECT ?text WHERE {{ <{FINDING}{row.id}> evo:detailedBy ?text }}""")}
    assert set(row.text) <= detailed
    for text_finding, relations in row.text.items():
        said = _molecules(store, text_finding)
        for prop, symbols in relations.items():
            assert symbols <= said.get(prop, set()), (text_finding, prop, row.quote)
        otherwise = set().union(*(relations.get(p, set()) for p in NOT_CARGO))
        carried = relations.get("carriesCargo", set())
        assert not (otherwise - carried) & said.get("carriesCargo", set()), (text_finding, "cargo where the text "
                                                                              "says induction or association")


def test_no_finding_asserts_cargo_and_induction_or_association_of_one_molecule(store: Store) -> None:
    rows = select(store, f"""PREFIX evo: <{EVO}>
        SELECT ?finding ?symbol WHERE {{
          ?finding evo:carriesCargo ?gene ; evo:inducesExpressionOf|evo:levelAssociatedWith|evo:higherLevelOf|
                   evo:lowerLevelOf|evo:reducesExpressionOf ?gene .
          ?gene evo:symbol ?symbol }}""")
    assert rows == []


def test_the_receptor_of_54_is_on_the_recipient_cells_not_in_the_evs(store: Store) -> None:
    # "CCR8 acts as an EV receptor on glioblastoma cells and binds to CCL18, which acts as a bridging molecule."
    rows = select(store, f"""PREFIX evo: <{EVO}>
        SELECT DISTINCT ?finding ?cellLabel WHERE {{
          ?finding evo:actsThroughReceptor ?ccr8 ; evo:recipientCellType ?cell ; evo:inDisease evo:Glioblastoma .
          ?ccr8 evo:symbol "CCR8" . ?cell <http://www.w3.org/2000/01/rdf-schema#label> ?cellLabel }}""")
    assert {r["finding"].removeprefix(FINDING) for r in rows} == {"bian2019-tx-33", "bian2019-tx-55"}
    assert {r["cellLabel"] for r in rows} == {"cancer cell"}
    assert select(store, f"""PREFIX evo: <{EVO}>
        SELECT ?f WHERE {{ ?f evo:carriesCargo ?g . ?g evo:symbol "CCR8" }}""") == []
