"""What kind of term each field names, checked before anything is built.

Every term id exists is not enough: a finding whose EV type is a cell type, or whose recipient cell type is a
drug, names known terms and would publish a false statement. Each term table holds one kind of term; a field
may name only terms of its kind, and a term's parent must be of its own kind.
"""

from __future__ import annotations

from typing import Iterable

from evrdf.ingest.records import Term
from evrdf.ingest.tables import Row

# the core classes a table row or a field may name directly, by kind (evrdf-core.ttl)
CORE_KINDS = {"ExtracellularVesicle": "ev", "Cell": "cell", "Disease": "disease", "Cancer": "disease",
              "Drug": "drug", "BiologicalProcess": "process", "SignalingPathway": "process", "CellLine": "cell line"}
KIND_NAMES = {"ev": "an EV type (ev_types.tsv)", "cell": "a cell type (cell_types.tsv)",
              "disease": "a disease (cancers.tsv)", "drug": "a drug (drugs.tsv)",
              "process": "a process (processes.tsv)", "cell line": "a cell line (cell_lines.tsv)"}
# findings.tsv field -> the kind of term it names
FINDING_FIELDS = {"ev_type": "ev", "source_cell_type": "cell", "recipient_cell_type": "cell",
                  "producer_cell_types": "cell", "diseases": "disease", "cell_lines": "cell line",
                  "processes": "process", "blocked_by": "drug"}
# the ontologies a term of each kind may be aligned to (exact, close or broad match)
ALIGNED_TO = {"ev": ("GO",), "cell": ("CL",), "disease": ("MONDO", "DOID", "NCIT"),
              "drug": ("CHEBI", "DRUGBANK", "MESH"), "process": ("GO",), "cell line": ()}
MATCH_COLUMNS = ("exact_match", "close_match", "broad_match")


def kind_of(term_id: str, terms: dict[str, Term]) -> str | None:
    term = terms.get(term_id)
    return term.kind if term else CORE_KINDS.get(term_id)


def check_field(row: Row, column: str, values: Iterable[str], kind: str, terms: dict[str, Term]) -> None:
    """Each of ``values`` (known term ids) must be a term of ``kind``."""
    for value in values:
        found = kind_of(value, terms)
        if found != kind:
            what = KIND_NAMES.get(found or "", "a core class of another kind")
            raise row.error(column, f"{value!r} is {what}, but {column} must name {KIND_NAMES[kind]}")


def check_terms(terms: dict[str, Term]) -> None:
    """A term's parent is of its own kind; its alignments point into the ontologies of its kind."""
    for term in terms.values():
        check_field(term.row, "parent", [term.parent], term.kind, terms)
        if term.biogenesis:
            check_field(term.row, "biogenesis", [term.biogenesis], "process", terms)
        for column in MATCH_COLUMNS:
            for curie in getattr(term, column):
                prefix = curie.partition(":")[0]
                if prefix not in ALIGNED_TO[term.kind]:
                    allowed = ", ".join(ALIGNED_TO[term.kind]) or "no ontology (no extract is shipped)"
                    raise term.row.error(column, f"{curie} is not a term for {KIND_NAMES[term.kind]}: "
                                                 f"align it to {allowed}")


def check_findings(rows: Iterable[Row], terms: dict[str, Term]) -> None:
    for row in rows:
        for column, kind in FINDING_FIELDS.items():
            check_field(row, column, row.list(column), kind, terms)
