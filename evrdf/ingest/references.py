"""references.tsv: the bibliographic references findings and terms cite."""

from __future__ import annotations

import re
from pathlib import Path

from evrdf.ingest.fields import local_id
from evrdf.ingest.records import Reference
from evrdf.ingest.tables import read_table

REFERENCE_COLUMNS = ["id", "pmid", "doi", "pmcid", "title", "authors", "journal", "year", "type", "url", "note"]
REFERENCE_TYPES = {"review", "article", "webpage", "database"}
_REF_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


def read_references(path: Path) -> dict[str, Reference]:
    references: dict[str, Reference] = {}
    for row in read_table(path, REFERENCE_COLUMNS, {"id", "title", "type"}):
        ref_id = row["id"]
        if not _REF_ID.match(ref_id):
            raise row.error("id", f"{ref_id!r} is not a lower-case reference id")
        if ref_id in references:
            raise row.error("id", f"duplicate reference id {ref_id!r} (first at line {references[ref_id].row.line})")
        for column, prefix in (("pmid", "PMID"), ("doi", "DOI"), ("pmcid", "PMCID")):
            if row[column]:
                local_id(row, column, prefix)
        if row["type"] not in REFERENCE_TYPES:
            raise row.error("type", f"type must be one of {', '.join(sorted(REFERENCE_TYPES))}")
        if row["year"] and not re.fullmatch(r"(19|20)\d\d", row["year"]):
            raise row.error("year", f"{row['year']!r} is not a year")
        references[ref_id] = Reference(ref_id, row["pmid"], row["doi"], row["pmcid"], row["title"], row["authors"],
                                       row["journal"], row["year"], row["type"], row["url"], row["note"], row)
    return references
