"""ontology/curated/deprecated.tsv: terms that are no longer current, and what replaces them.

A term is never deleted: once published, its IRI stays and says it is deprecated (OBO Foundry principle FP4).
This table is where a curator records why, and which term (an evrdf term id or an external CURIE such as
``GO:1990742``) replaces it. A term that disappears from the term tables without a row here is still published
as deprecated, carried forward from the previous release (evrdf.build.deprecated); the row makes it durable and
gives it a replacement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from evrdf.identifiers import check_curie
from evrdf.ingest.tables import Row, read_table

FILE = "deprecated.tsv"
COLUMNS = ["id", "label", "replaced_by", "reason"]
_TERM_ID = re.compile(r"[A-Z][A-Za-z0-9]*\Z")


@dataclass(frozen=True)
class DeprecatedTerm:
    id: str
    label: str  # the label it had while current
    replaced_by: list[str]  # evrdf term ids or external CURIEs
    reason: str
    row: Row | None = None


def read_deprecated(directory: Path, current: set[str]) -> dict[str, DeprecatedTerm]:
    """The table's rows, checked against ``current`` (the term ids of the tables and the core); no file, none."""
    path = directory / FILE
    if not path.is_file():
        return {}
    found: dict[str, DeprecatedTerm] = {}
    for row in read_table(path, COLUMNS, {"id", "label", "reason"}):
        term = row["id"]
        if not _TERM_ID.match(term):
            raise row.error("id", f"{term!r} is not a term id (UpperCamelCase local name, e.g. Microvesicle)")
        if term in found:
            raise row.error("id", f"{term} is listed twice")
        if term in current:
            raise row.error("id", f"{term} is still a current term (defined in a term table or the core); "
                                  "remove it there or drop this row")
        replacements = row.list("replaced_by")
        for replacement in replacements:
            if ":" in replacement:
                try:
                    check_curie(replacement)
                except ValueError as exc:
                    raise row.error("replaced_by", str(exc)) from None
            elif replacement not in current:
                raise row.error("replaced_by", f"unknown term {replacement!r} (a replacement must be a current "
                                               "term id or an external CURIE)")
        found[term] = DeprecatedTerm(term, row["label"], replacements, row["reason"], row)
    return found
