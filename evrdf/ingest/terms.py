"""The term tables (ev_types, cell_types, cancers, drugs, processes, cell_lines): one OWL class per row."""

from __future__ import annotations

import re
from pathlib import Path

from evrdf.ingest.fields import curie, curie_list, number
from evrdf.ingest.records import Gene, Reference, Term
from evrdf.ingest.tables import Row, read_table

TERM_TABLES = {
    "ev_types.tsv": "ev",
    "cell_types.tsv": "cell",
    "cancers.tsv": "disease",
    "drugs.tsv": "drug",
    "processes.tsv": "process",
    "cell_lines.tsv": "cell line",
}
TERM_COLUMNS = ["id", "label", "parent", "definition", "definition_source", "synonyms", "related_synonyms",
                "exact_match", "close_match", "broad_match", "note"]
EV_COLUMNS = TERM_COLUMNS + ["diameter_min", "diameter_max", "diameter_unit", "diameter_source_value",
                             "diameter_reference", "diameter_note", "biogenesis", "marker_genes", "other_markers",
                             "marker_reference"]
_TERM_ID = re.compile(r"[A-Z][A-Za-z0-9]*\Z")


def read_terms(directory: Path, core: set[str], references: dict[str, Reference],
                genes: dict[str, "Gene"]) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for filename, kind in TERM_TABLES.items():
        columns = EV_COLUMNS if kind == "ev" else TERM_COLUMNS
        for row in read_table(directory / filename, columns, {"id", "label", "parent", "definition"}):
            term_id = row["id"]
            if not _TERM_ID.match(term_id):
                raise row.error("id", f"{term_id!r} is not an UpperCamelCase term id")
            if term_id in terms or term_id in core:
                first = terms[term_id].row if term_id in terms else None
                where = f" (first at {first.path.name}:{first.line})" if first else " (declared in the core ontology)"
                raise row.error("id", f"duplicate term id {term_id!r}{where}")
            extra: dict[str, object] = {}
            if kind == "ev":
                extra = _ev_extras(row, references, genes)
            terms[term_id] = Term(
                term_id, kind, row["label"], row["parent"], row["definition"], row["definition_source"],
                row.list("synonyms"), row.list("related_synonyms"), curie_list(row, "exact_match"),
                curie_list(row, "close_match"), curie_list(row, "broad_match"), row["note"], row,
                **extra,  # type: ignore[arg-type]
            )
            _check_definition_source(row, references)
    labels: dict[str, Term] = {}
    for term in terms.values():
        if term.parent not in terms and term.parent not in core:
            raise term.row.error("parent", f"unknown parent term {term.parent!r}")
        if term.label.lower() in labels:
            other = labels[term.label.lower()]
            raise term.row.error("label", f"label {term.label!r} is already used by {other.id} "
                                          f"({other.row.path.name}:{other.row.line})")
        labels[term.label.lower()] = term
        if term.biogenesis and term.biogenesis not in terms and term.biogenesis not in core:
            raise term.row.error("biogenesis", f"unknown process term {term.biogenesis!r}")
    _check_acyclic(terms)
    return terms


def _check_definition_source(row: Row, references: dict[str, Reference]) -> None:
    """A definition's source is `curator`, a reference id, or an external term's CURIE."""
    value = row["definition_source"]
    if not value or value == "curator" or value in references:
        return
    if ":" not in value:
        raise row.error("definition_source", f"{value!r} is neither 'curator', a reference id nor a CURIE")
    curie(row, "definition_source", value)


def _ev_extras(row: Row, references: dict[str, Reference], genes: dict[str, "Gene"]) -> dict[str, object]:
    low, high = number(row, "diameter_min"), number(row, "diameter_max")
    diameter = None
    if low is not None or high is not None:
        if low is None or high is None:
            raise row.error("diameter_max" if high is None else "diameter_min", "give both ends of the range")
        if row["diameter_unit"] != "nm":
            raise row.error("diameter_unit", f"diameter unit must be 'nm', found {row['diameter_unit']!r}")
        if not row["diameter_reference"]:
            raise row.error("diameter_reference", "a diameter range needs a reference")
        diameter = (low, high)
    for column in ("diameter_reference", "marker_reference"):
        if row[column] and row[column] not in references:
            raise row.error(column, f"unknown reference id {row[column]!r}")
    markers = row.list("marker_genes")
    for symbol in markers:
        if symbol not in genes:
            raise row.error("marker_genes", f"unknown gene symbol {symbol!r} (not in chemokines.tsv or genes.tsv)")
    return dict(diameter=diameter, diameter_source_value=row["diameter_source_value"],
                diameter_reference=row["diameter_reference"], diameter_note=row["diameter_note"],
                biogenesis=row["biogenesis"], marker_genes=markers, other_markers=row.list("other_markers"),
                marker_reference=row["marker_reference"])


def _check_acyclic(terms: dict[str, Term]) -> None:
    for term in terms.values():
        seen = {term.id}
        parent = term.parent
        while parent in terms:
            if parent in seen:
                raise term.row.error("parent", f"parent chain of {term.id} loops back to {parent}")
            seen.add(parent)
            parent = terms[parent].parent
