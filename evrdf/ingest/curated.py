"""The curated tables (ontology/curated/*.tsv) → typed, cross-checked records.

Every check here exists because its failure would otherwise publish a wrong fact: an unknown gene symbol
would mint a gene that does not exist, a duplicated identifier with two labels would give one IRI two names.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from evrdf.errors import SourceError
from evrdf.identifiers import check_curie, check_local
from evrdf.ingest.kinds import check_findings, check_terms
from evrdf.ingest.records import Gene, Pair, Reference, Term
from evrdf.ingest.reference_terms import check_identifiers, read_reference_terms
from evrdf.ingest.review import Citation, DrugTarget, Exclusion, read_citations, read_drug_targets, read_exclusions
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
GENE_COLUMNS = ["symbol", "hgnc_id", "name", "alias_symbols", "prev_symbols", "entrez_id", "uniprot_accession",
                "ensembl_gene_id", "hgnc_snapshot", "note"]
CHEMOKINE_COLUMNS = GENE_COLUMNS[:3] + ["role", "family", "receptor_class"] + GENE_COLUMNS[3:]
PAIR_COLUMNS = ["ligand_symbol", "receptor_symbol", "source_resource", "source_evidence", "classification"]
REFERENCE_COLUMNS = ["id", "pmid", "doi", "pmcid", "title", "authors", "journal", "year", "type", "url", "note"]
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

REVIEW_TABLES = ("citations.tsv", "not_curated.tsv", "drug_targets.tsv")
FAMILIES = {"C", "CC", "CXC", "CX3C"}
PAIR_RESOURCES = {"CellPhoneDB v5.0.0": "cellphonedb", "connectomeDB2020": "connectomedb2020"}
SPECIES = {"human": "NCBITaxon:9606", "mouse": "NCBITaxon:10090", "rat": "NCBITaxon:10116"}
MODELS = {"in vitro", "in vivo", "patient samples", "in vitro and in vivo", "clinical trial"}
DIRECTIONS = {"increases", "decreases", "modulates"}
REFERENCE_TYPES = {"review", "article", "webpage", "database"}
_TERM_ID = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_REF_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_FINDING_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
_SYMBOL = re.compile(r"[A-Z0-9][A-Za-z0-9\-]*\Z")


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


@dataclass(frozen=True)
class Source:
    key: str
    file: str
    title: str
    graph: str
    license: str
    upstream: str
    citation: str
    references: tuple[str, ...] = ()


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
    sources = _read_sources(directory / "sources.toml")
    references = _read_references(directory / "references.tsv")
    genes = _read_genes(directory)
    terms = _read_terms(directory, core_terms, references, genes)
    pairs = _read_pairs(directory / "ligand_receptor_pairs.tsv", genes)
    findings = _read_findings(directory / "findings.tsv", set(terms) | core_terms, genes, references)
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


def _read_sources(path: Path) -> list[Source]:
    if not path.is_file():
        raise SourceError(path, "file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SourceError(path, "not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SourceError(path, f"TOML syntax error: {exc}", line=int(match.group(1)) if match else None) from None
    sources = []
    for index, entry in enumerate(data.get("source", []), start=1):
        for key in ("key", "file", "title", "graph", "license"):
            if not entry.get(key):
                raise SourceError(path, f"[[source]] number {index} has no '{key}'", field=key)
        if not str(entry["license"]).startswith(("http://", "https://")):
            raise SourceError(path, f"[[source]] {entry['key']}: license must be an IRI", field="license")
        sources.append(Source(entry["key"], entry["file"], entry["title"], entry["graph"], entry["license"],
                              entry.get("upstream", ""), entry.get("citation", ""),
                              tuple(entry.get("references", ()))))
    keys = [s.key for s in sources]
    for key in keys:
        if keys.count(key) > 1:
            raise SourceError(path, f"duplicate [[source]] key {key!r}", field="key")
    if not sources:
        raise SourceError(path, "no [[source]] entries")
    return sources


def _curie_list(row: Row, column: str) -> list[str]:
    values = row.list(column)
    for value in values:
        try:
            check_curie(value)
        except ValueError as exc:
            raise row.error(column, str(exc)) from None
    return values


def _number(row: Row, column: str) -> float | None:
    if not row[column]:
        return None
    try:
        return float(row[column])
    except ValueError:
        raise row.error(column, f"{row[column]!r} is not a number") from None


def _read_terms(directory: Path, core: set[str], references: dict[str, Reference],
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
                row.list("synonyms"), row.list("related_synonyms"), _curie_list(row, "exact_match"),
                _curie_list(row, "close_match"), _curie_list(row, "broad_match"), row["note"], row,
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
    try:
        check_curie(value)
    except ValueError as exc:
        raise row.error("definition_source", str(exc)) from None


def _ev_extras(row: Row, references: dict[str, Reference], genes: dict[str, "Gene"]) -> dict[str, object]:
    low, high = _number(row, "diameter_min"), _number(row, "diameter_max")
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


def _read_genes(directory: Path) -> dict[str, Gene]:
    genes: dict[str, Gene] = {}
    by_hgnc: dict[str, Gene] = {}
    for filename, columns in (("chemokines.tsv", CHEMOKINE_COLUMNS), ("genes.tsv", GENE_COLUMNS)):
        for row in read_table(directory / filename, columns, {"symbol", "hgnc_id", "name"}):
            gene = _gene(row, chemokine=filename == "chemokines.tsv")
            for key, index, label in ((gene.symbol, genes, "symbol"), (gene.hgnc_id, by_hgnc, "hgnc_id")):
                if key in index:
                    first = index[key]
                    if (first.symbol, first.hgnc_id) != (gene.symbol, gene.hgnc_id):
                        raise row.error(label, f"{key} is already used by {first.symbol} / {first.hgnc_id} "
                                               f"({first.row.path.name}:{first.row.line})")
                    raise row.error(label, f"duplicate {label} {key} (first at "
                                           f"{first.row.path.name}:{first.row.line})")
            genes[gene.symbol] = by_hgnc[gene.hgnc_id] = gene
    return genes


def _gene(row: Row, chemokine: bool) -> Gene:
    symbol = row["symbol"]
    if not _SYMBOL.match(symbol):
        raise row.error("symbol", f"{symbol!r} is not a gene symbol")
    for column, prefix in (("hgnc_id", "HGNC"), ("uniprot_accession", "UNIPROT"), ("entrez_id", "NCBIGENE"),
                           ("ensembl_gene_id", "ENSEMBL")):
        value = row[column]
        if not value:
            continue
        local = value.removeprefix("HGNC:") if column == "hgnc_id" else value
        if column == "hgnc_id" and not value.startswith("HGNC:"):
            raise row.error(column, f"{value!r} is not a valid HGNC identifier (expected HGNC:n)")
        try:
            check_local(prefix, local)
        except ValueError as exc:
            raise row.error(column, str(exc)) from None
    role = family = receptor_class = ""
    if chemokine:
        role, family, receptor_class = row["role"], row["family"], row["receptor_class"]
        if role not in ("ligand", "receptor"):
            raise row.error("role", f"role must be 'ligand' or 'receptor', found {role!r}")
        if family and family not in FAMILIES:
            raise row.error("family", f"family must be one of {', '.join(sorted(FAMILIES))}, found {family!r}")
        if role == "ligand" and not family:
            raise row.error("family", "a chemokine ligand needs a family")
        if role == "receptor" and receptor_class not in ("conventional", "atypical"):
            raise row.error("receptor_class", f"receptor_class must be conventional or atypical, "
                                              f"found {receptor_class!r}")
        if role == "ligand" and receptor_class:
            raise row.error("receptor_class", "a ligand has no receptor class")
    return Gene(symbol, row["hgnc_id"], row["name"], role, family, receptor_class, row.list("alias_symbols"),
                row.list("prev_symbols"), row["entrez_id"], row["uniprot_accession"], row["ensembl_gene_id"],
                row["hgnc_snapshot"], row["note"], row)


def _read_pairs(path: Path, genes: dict[str, Gene]) -> list[Pair]:
    pairs: list[Pair] = []
    seen: dict[tuple[str, str, str], Row] = {}
    for row in read_table(path, PAIR_COLUMNS, {"ligand_symbol", "receptor_symbol", "source_resource"}):
        for column in ("ligand_symbol", "receptor_symbol"):
            if row[column] not in genes:
                raise row.error(column, f"unknown gene symbol {row[column]!r} (not in chemokines.tsv or genes.tsv)")
        if row["source_resource"] not in PAIR_RESOURCES:
            raise row.error("source_resource", f"unknown resource {row['source_resource']!r} "
                                               f"(known: {', '.join(PAIR_RESOURCES)})")
        if row["source_evidence"].startswith("PMID:"):
            try:
                check_curie(row["source_evidence"])
            except ValueError as exc:
                raise row.error("source_evidence", str(exc)) from None
        key = (row["ligand_symbol"], row["receptor_symbol"], row["source_resource"])
        if key in seen:
            raise row.error(None, f"duplicate pair {key[0]}-{key[1]} from {key[2]} (first at line {seen[key].line})")
        seen[key] = row
        pairs.append(Pair(key[0], key[1], PAIR_RESOURCES[key[2]], key[2], row["source_evidence"],
                          row["classification"], row))
    return pairs


def _read_references(path: Path) -> dict[str, Reference]:
    references: dict[str, Reference] = {}
    for row in read_table(path, REFERENCE_COLUMNS, {"id", "title", "type"}):
        ref_id = row["id"]
        if not _REF_ID.match(ref_id):
            raise row.error("id", f"{ref_id!r} is not a lower-case reference id")
        if ref_id in references:
            raise row.error("id", f"duplicate reference id {ref_id!r} (first at line {references[ref_id].row.line})")
        for column, prefix in (("pmid", "PMID"), ("doi", "DOI"), ("pmcid", "PMCID")):
            if row[column]:
                try:
                    check_local(prefix, row[column])
                except ValueError as exc:
                    raise row.error(column, str(exc)) from None
        if row["type"] not in REFERENCE_TYPES:
            raise row.error("type", f"type must be one of {', '.join(sorted(REFERENCE_TYPES))}")
        if row["year"] and not re.fullmatch(r"(19|20)\d\d", row["year"]):
            raise row.error("year", f"{row['year']!r} is not a year")
        references[ref_id] = Reference(ref_id, row["pmid"], row["doi"], row["pmcid"], row["title"], row["authors"],
                                       row["journal"], row["year"], row["type"], row["url"], row["note"], row)
    return references


def _read_findings(path: Path, term_ids: set[str], genes: dict[str, Gene],
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
        _check_choice(row, "effect_direction", DIRECTIONS)
        _check_choice(row, "model", MODELS)
        if row["effect_direction"] and not row["processes"]:
            raise row.error("processes", "effect_direction is given but no process it applies to")
        for column in ("review_refs", "review_refs_corrected"):
            for number in row.list(column):
                if not number.isdigit():
                    raise row.error(column, f"{number!r} is not a reference number")
        for column, prefix in (("primary_pmid", "PMID"), ("primary_doi", "DOI")):
            if row[column]:
                try:
                    check_local(prefix, row[column])
                except ValueError as exc:
                    raise row.error(column, str(exc)) from None
        try:
            check_curie(row["evidence"])
        except ValueError as exc:
            raise row.error("evidence", str(exc)) from None
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


def _check_choice(row: Row, column: str, allowed: set[str]) -> None:
    if row[column] and row[column] not in allowed:
        raise row.error(column, f"{row[column]!r} is not one of: {', '.join(sorted(allowed))}")
