"""The curated tables about a source's text as a whole, beyond its findings: the reference numbers its text
cites (citations.tsv), the cited statements deliberately not curated (not_curated.tsv), and the drug targets it
states (drug_targets.tsv).

They exist so that coverage can be checked: a reviewer (and the build, through shapes/coverage.ttl) can see for
every reference number of the text whether it is on a finding, and if not, why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evrdf.ingest.tables import Row, read_table

if TYPE_CHECKING:
    from evrdf.ingest.records import Gene, Reference, Term

CITATION_COLUMNS = ["citing_reference", "reference_number", "sections", "note"]
EXCLUSION_COLUMNS = ["citing_reference", "reference_number", "section", "statement", "reason"]
DRUG_TARGET_COLUMNS = ["drug", "target", "action", "axis", "citing_reference", "reference_number", "statement",
                       "note"]
ACTIONS = {"antagonist", "inhibitor"}


@dataclass(frozen=True)
class Citation:
    reference: str
    number: int
    sections: list[str]
    note: str
    row: Row


@dataclass(frozen=True)
class Exclusion:
    reference: str
    number: int
    section: str
    statement: str
    reason: str
    row: Row


@dataclass(frozen=True)
class DrugTarget:
    drug: str
    target: str
    action: str
    axis: tuple[str, str] | None  # (ligand symbol, receptor symbol)
    reference: str
    number: int | None
    statement: str
    note: str
    row: Row


def _number(row: Row, column: str, required: bool = True) -> int | None:
    value = row[column]
    if not value and not required:
        return None
    if not value.isdigit() or int(value) < 1:
        raise row.error(column, f"{value!r} is not a reference number (a positive integer)")
    return int(value)


def _reference(row: Row, references: dict[str, "Reference"]) -> str:
    if row["citing_reference"] not in references:
        raise row.error("citing_reference", f"unknown reference id {row['citing_reference']!r}")
    return row["citing_reference"]


def read_citations(path: Path, references: dict[str, "Reference"]) -> list[Citation]:
    citations: list[Citation] = []
    seen: dict[tuple[str, int], Row] = {}
    for row in read_table(path, CITATION_COLUMNS, {"citing_reference", "reference_number", "sections"}):
        key = (_reference(row, references), _number(row, "reference_number"))
        if key in seen:
            raise row.error("reference_number", f"reference [{key[1]}] of {key[0]} is listed twice "
                                                f"(first at line {seen[key].line})")
        seen[key] = row
        citations.append(Citation(key[0], key[1], row.list("sections"), row["note"], row))  # type: ignore[arg-type]
    return citations


def read_exclusions(path: Path, references: dict[str, "Reference"], citations: list[Citation]) -> list[Exclusion]:
    cited = {(c.reference, c.number) for c in citations}
    exclusions: list[Exclusion] = []
    for row in read_table(path, EXCLUSION_COLUMNS,
                          {"citing_reference", "reference_number", "section", "statement", "reason"}):
        key = (_reference(row, references), _number(row, "reference_number"))
        if key not in cited:
            raise row.error("reference_number", f"{key[0]}'s text does not cite [{key[1]}] "
                                                "(not in citations.tsv): nothing to exclude")
        exclusions.append(Exclusion(key[0], key[1], row["section"], row["statement"],  # type: ignore[arg-type]
                                    row["reason"], row))
    return exclusions


def read_drug_targets(path: Path, terms: dict[str, "Term"], genes: dict[str, "Gene"],
                      references: dict[str, "Reference"]) -> list[DrugTarget]:
    targets: list[DrugTarget] = []
    for row in read_table(path, DRUG_TARGET_COLUMNS, {"drug", "target", "action", "citing_reference", "statement"}):
        term = terms.get(row["drug"])
        if term is None or term.kind != "drug":
            raise row.error("drug", f"{row['drug']!r} is not a term of drugs.tsv")
        if row["target"] not in genes:
            raise row.error("target", f"unknown gene symbol {row['target']!r} (not in chemokines.tsv or genes.tsv)")
        if row["action"] not in ACTIONS:
            raise row.error("action", f"{row['action']!r} is not one of: {', '.join(sorted(ACTIONS))}")
        axis = None
        if row["axis"]:
            parts = row["axis"].split("/")
            if len(parts) != 2 or not all(parts):
                raise row.error("axis", f"{row['axis']!r} is not LIGAND/RECEPTOR (e.g. CXCL12/CXCR4)")
            for symbol in parts:
                if symbol not in genes:
                    raise row.error("axis", f"unknown gene symbol {symbol!r}")
            if genes[parts[0]].role != "ligand":
                raise row.error("axis", f"{parts[0]} is not a chemokine ligand (the axis is LIGAND/RECEPTOR)")
            if row["target"] not in parts:
                raise row.error("axis", f"the target {row['target']} is neither the ligand nor the receptor of "
                                        f"the axis {row['axis']}")
            axis = (parts[0], parts[1])
        targets.append(DrugTarget(row["drug"], row["target"], row["action"], axis,
                                  _reference(row, references), _number(row, "reference_number", required=False),
                                  row["statement"], row["note"], row))
    return targets
