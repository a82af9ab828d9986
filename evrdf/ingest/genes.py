"""chemokines.tsv and genes.tsv: the human genes (HGNC) findings, markers and pairs name by symbol."""

from __future__ import annotations

import re
from pathlib import Path

from evrdf.ingest.fields import local_id
from evrdf.ingest.records import Gene
from evrdf.ingest.tables import Row, read_table

GENE_COLUMNS = ["symbol", "hgnc_id", "name", "alias_symbols", "prev_symbols", "entrez_id", "uniprot_accession",
                "ensembl_gene_id", "hgnc_snapshot", "note"]
CHEMOKINE_COLUMNS = GENE_COLUMNS[:3] + ["role", "family", "receptor_class"] + GENE_COLUMNS[3:]
FAMILIES = {"C", "CC", "CXC", "CX3C"}
_SYMBOL = re.compile(r"[A-Z0-9][A-Za-z0-9\-]*\Z")


def read_genes(directory: Path) -> dict[str, Gene]:
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
        local_id(row, column, prefix, local)
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
