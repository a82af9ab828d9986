"""The curated tables (ontology/curated/*.tsv) → typed, cross-checked records.

One module per table on the shared strict reader (tables.py, fields.py): terms.py, genes.py, pairs.py,
references.py, findings.py, review.py, sources.py. This one reads them in dependency order and checks what spans
tables: every check exists because its failure would otherwise publish a wrong fact (an unknown gene symbol
would mint a gene that does not exist, a duplicated identifier with two labels would give one IRI two names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evrdf.errors import SourceError
from evrdf.ingest.findings import EV_ONLY_COLUMNS, FINDING_COLUMNS, MOLECULE_COLUMNS, SPECIES, Finding, read_findings
from evrdf.ingest.genes import read_genes
from evrdf.ingest.kinds import check_findings, check_terms
from evrdf.ingest.pairs import read_pairs
from evrdf.ingest.records import Gene, Pair, Reference, Term
from evrdf.ingest.reference_terms import check_identifiers, read_reference_terms
from evrdf.ingest.references import read_references
from evrdf.ingest.review import Citation, DrugTarget, Exclusion, read_citations, read_drug_targets, read_exclusions
from evrdf.ingest.sources import Source, read_sources
from evrdf.ingest.tables import Row
from evrdf.ingest.terms import TERM_TABLES, read_terms

__all__ = ["Curated", "EV_ONLY_COLUMNS", "FINDING_COLUMNS", "Finding", "MOLECULE_COLUMNS", "REVIEW_TABLES",
           "SPECIES", "Source", "TERM_TABLES", "load_curated"]

REVIEW_TABLES = ("citations.tsv", "not_curated.tsv", "drug_targets.tsv")


@dataclass
class Curated:
    """Everything the build needs from ontology/curated, already cross-checked."""

    directory: Path
    sources: list[Source]
    terms: dict[str, Term]
    genes: dict[str, Gene]
    pairs: list[Pair]
    references: dict[str, Reference]
    findings: list[Finding]
    citations: list[Citation] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    drug_targets: list[DrugTarget] = field(default_factory=list)

    def files(self) -> list[Path]:
        return sorted({self.directory / s.file for s in self.sources} | {self.directory / "sources.toml"})

    def sources_of(self, row: Row) -> list[Source]:
        return [s for s in self.sources if s.file == row.path.name]

    def finding_source(self, finding: "Finding") -> Source:
        return next(s for s in self.sources if finding.citing_reference in s.references)

    def source_for(self, file: str, reference: str) -> Source:
        """The [[source]] of ``file`` that lists ``reference`` (checked to exist by load_curated)."""
        return next(s for s in self.sources if s.file == file and reference in s.references)


def load_curated(directory: Path, core_terms: set[str]) -> Curated:
    """Read and cross-check every table; ``core_terms`` are the class names the hand-written core declares."""
    sources = read_sources(directory / "sources.toml")
    references = read_references(directory / "references.tsv")
    genes = read_genes(directory)
    terms = read_terms(directory, core_terms, references, genes)
    pairs = read_pairs(directory / "ligand_receptor_pairs.tsv", genes)
    findings = read_findings(directory / "findings.tsv", set(terms) | core_terms, genes, references)
    check_terms(terms)  # each field names a term of its kind, aligned into that kind's ontologies
    check_findings((f.row for f in findings), terms)
    check_identifiers(read_reference_terms(directory), terms.values(), genes.values(), (f.row for f in findings),
                      SPECIES)
    graphed = {ref for s in sources if s.file == "findings.tsv" for ref in s.references}
    for finding in findings:
        if finding.citing_reference not in graphed:
            raise finding.row.error("citing_reference", f"no findings.tsv [[source]] in sources.toml lists "
                                                        f"reference {finding.citing_reference!r}")
    declared = {s.file for s in sources}
    needed = set(TERM_TABLES) | {"chemokines.tsv", "genes.tsv", "ligand_receptor_pairs.tsv", "references.tsv",
                                 "findings.tsv"} | set(REVIEW_TABLES)
    missing = sorted(needed - declared)
    if missing:
        raise SourceError(directory / "sources.toml", f"no [[source]] entry for {', '.join(missing)}")
    citations = read_citations(directory / "citations.tsv", references)
    exclusions = read_exclusions(directory / "not_curated.tsv", references, citations)
    drug_targets = read_drug_targets(directory / "drug_targets.tsv", terms, genes, references)
    for file, rows in (("citations.tsv", [(c.reference, c.row) for c in citations]),
                       ("not_curated.tsv", [(e.reference, e.row) for e in exclusions]),
                       ("drug_targets.tsv", [(t.reference, t.row) for t in drug_targets])):
        listed = {ref for s in sources if s.file == file for ref in s.references}
        for ref, row in rows:
            if ref not in listed:
                raise row.error("citing_reference", f"no {file} [[source]] in sources.toml lists reference {ref!r}")
    return Curated(directory, sources, terms, genes, pairs, references, findings, citations, exclusions,
                   drug_targets)
