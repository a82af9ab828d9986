"""findings.tsv: one row per result a source reports, each molecule column the relation the text states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from evrdf.ingest.fields import choice, curie, local_id
from evrdf.ingest.records import Gene, Reference
from evrdf.ingest.tables import Row, read_table

FINDING_COLUMNS = ["id", "citing_reference", "section", "statement", "ev_type", "ev_type_source_value",
                   "source_cell_type", "diseases", "cell_lines", "listed", "cargo", "induced", "reduced",
                   "higher_level", "lower_level", "stimuli", "receptors", "mediators", "producer_cell_types",
                   "recipient_cell_type", "processes", "effect_direction", "effect", "blocked_by", "species",
                   "model_organisms", "model", "review_refs", "review_refs_corrected", "detailed_by",
                   "primary_pmid", "primary_doi", "evidence", "source_value", "correction", "curator_note"]
# molecule columns of findings.tsv -> what the source says about the molecule (the property each becomes)
MOLECULE_COLUMNS = {"listed": "listsMolecule", "cargo": "carriesCargo", "induced": "inducesExpressionOf",
                    "reduced": "reducesExpressionOf", "higher_level": "higherLevelOf",
                    "lower_level": "lowerLevelOf", "stimuli": "releaseStimulatedBy",
                    "receptors": "actsThroughReceptor", "mediators": "involvesMolecule"}
# columns that describe EVs: a finding without an EV type may name molecules only as receptors, mediators or levels
EV_ONLY_COLUMNS = ("cargo", "induced", "reduced", "stimuli", "listed", "source_cell_type")
SPECIES = {"human": "NCBITaxon:9606", "mouse": "NCBITaxon:10090", "rat": "NCBITaxon:10116"}
MODELS = {"in vitro", "in vivo", "patient samples", "in vitro and in vivo", "clinical trial"}
DIRECTIONS = {"increases", "decreases", "modulates"}
_FINDING_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")


@dataclass(frozen=True)
class Finding:
    id: str
    row: Row

    def __getattr__(self, column: str) -> str:
        if column in FINDING_COLUMNS:
            return self.row[column]
        raise AttributeError(column)

    def list(self, column: str) -> list[str]:
        return self.row.list(column)


def read_findings(path: Path, term_ids: set[str], genes: dict[str, Gene],
                   references: dict[str, Reference]) -> list[Finding]:
    required = {"id", "citing_reference", "section", "statement", "evidence"}
    findings: list[Finding] = []
    seen: dict[str, Row] = {}
    for row in read_table(path, FINDING_COLUMNS, required):
        fid = row["id"]
        if not _FINDING_ID.match(fid):
            raise row.error("id", f"{fid!r} is not a lower-case finding id such as bian2019-t1-01")
        if fid in seen:
            raise row.error("id", f"duplicate finding id {fid!r} (first at line {seen[fid].line})")
        seen[fid] = row
        reference = references.get(row["citing_reference"])
        if reference is None:
            raise row.error("citing_reference", f"unknown reference id {row['citing_reference']!r}")
        if not (reference.pmid or reference.doi):
            raise row.error("citing_reference", f"reference {reference.id!r} has neither PMID nor DOI; "
                                                "a finding must cite a reference that has one")
        for column in ("ev_type", "source_cell_type", "recipient_cell_type"):
            if row[column] and row[column] not in term_ids:
                raise row.error(column, f"unknown term id {row[column]!r}")
        for column in ("diseases", "cell_lines", "producer_cell_types", "processes", "blocked_by"):
            for value in row.list(column):
                if value not in term_ids:
                    raise row.error(column, f"unknown term id {value!r}")
        for column in MOLECULE_COLUMNS:
            for symbol in row.list(column):
                if symbol not in genes:
                    raise row.error(column, f"unknown gene symbol {symbol!r} (not an approved human symbol in "
                                            "chemokines.tsv or genes.tsv)")
        if not row["ev_type"]:
            for column in EV_ONLY_COLUMNS:
                if row[column]:
                    raise row.error(column, "this column describes EVs, but the finding has no ev_type")
        if row["listed"] and not row["section"].startswith("Table "):
            raise row.error("listed", "listed is for what a source table prints; this finding is not a table row")
        for column in ("species", "model_organisms"):
            for value in row.list(column):
                if value not in SPECIES:
                    raise row.error(column, f"{value!r} is not one of: {', '.join(sorted(SPECIES))}")
        choice(row, "effect_direction", DIRECTIONS)
        choice(row, "model", MODELS)
        if row["effect_direction"] and not row["processes"]:
            raise row.error("processes", "effect_direction is given but no process it applies to")
        for column in ("review_refs", "review_refs_corrected"):
            for number in row.list(column):
                if not number.isdigit():
                    raise row.error(column, f"{number!r} is not a reference number")
        for column, prefix in (("primary_pmid", "PMID"), ("primary_doi", "DOI")):
            if row[column]:
                local_id(row, column, prefix)
        curie(row, "evidence", row["evidence"])
        if not row["evidence"].startswith("ECO:"):
            raise row.error("evidence", "evidence must be an ECO term")
        if row["review_refs_corrected"] and not row["correction"]:
            raise row.error("correction", "corrected reference numbers need a correction note")
        findings.append(Finding(fid, row))
    for finding in findings:
        for target in finding.list("detailed_by"):
            if target not in seen:
                raise finding.row.error("detailed_by", f"unknown finding id {target!r}")
            if target == finding.id:
                raise finding.row.error("detailed_by", "a finding cannot detail itself")
    return findings
