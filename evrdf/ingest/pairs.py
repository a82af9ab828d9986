"""ligand_receptor_pairs.tsv: chemokine ligand-receptor pairs as CellPhoneDB and connectomeDB2020 list them."""

from __future__ import annotations

from pathlib import Path

from evrdf.ingest.fields import curie
from evrdf.ingest.records import Gene, Pair
from evrdf.ingest.tables import Row, read_table

PAIR_COLUMNS = ["ligand_symbol", "receptor_symbol", "source_resource", "source_evidence", "classification"]
PAIR_RESOURCES = {"CellPhoneDB v5.0.0": "cellphonedb", "connectomeDB2020": "connectomedb2020"}


def read_pairs(path: Path, genes: dict[str, Gene]) -> list[Pair]:
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
            curie(row, "source_evidence", row["source_evidence"])
        key = (row["ligand_symbol"], row["receptor_symbol"], row["source_resource"])
        if key in seen:
            raise row.error(None, f"duplicate pair {key[0]}-{key[1]} from {key[2]} (first at line {seen[key].line})")
        seen[key] = row
        pairs.append(Pair(key[0], key[1], PAIR_RESOURCES[key[2]], key[2], row["source_evidence"],
                          row["classification"], row))
    return pairs
