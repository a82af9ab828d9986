"""The reference term lists shipped in ontology/curated/reference/: which identifiers exist, in which release.

A well-formed identifier can still name nothing (`CL:9999999`): the identifier patterns cannot see that, so every
aligned identifier of the curated tables is looked up in the list of its prefix, and a miss names the release the
list was copied from. The lists are small (what the project verified), so they are read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from evrdf.errors import SourceError
from evrdf.ingest.records import Gene, Term
from evrdf.ingest.tables import Row, read_table

DIRECTORY = "reference"
COLUMNS = ["id", "label", "origin"]
HEADER_KEYS = ("prefix", "release", "source", "license")


@dataclass(frozen=True)
class TermList:
    """One prefix's list: its identifiers with their labels, and the release they were read from."""

    prefix: str
    release: str
    source: str
    license: str
    labels: dict[str, str]
    path: Path


@dataclass(frozen=True)
class ReferenceTerms:
    """Every shipped list, by prefix."""

    lists: dict[str, TermList]
    directory: Path

    def check(self, row: Row, column: str, curie: str) -> None:
        """Raise, naming ``row``'s file, line and ``column``, unless ``curie`` is in its prefix's list."""
        prefix = curie.partition(":")[0]
        terms = self.lists.get(prefix)
        if terms is None:
            raise row.error(column, f"{curie}: no reference term list for prefix {prefix} is shipped "
                                    f"({self.directory.name}/{prefix.lower()}.tsv); add one with its release, "
                                    "source and licence before aligning to it")
        if curie not in terms.labels:
            raise row.error(column, f"no such {prefix} term {curie} in {prefix} release {terms.release} "
                                    f"({terms.path.parent.name}/{terms.path.name})")

    def label(self, curie: str) -> str:
        terms = self.lists.get(curie.partition(":")[0])
        return terms.labels.get(curie, "") if terms else ""


def read_reference_terms(curated: Path) -> ReferenceTerms:
    """Read ``<curated>/reference/*.tsv``; a list without its prefix, release, source or licence is an error."""
    directory = curated / DIRECTORY
    if not directory.is_dir():
        raise SourceError(directory, "reference term lists not found (one <prefix>.tsv per aligned ontology)")
    lists: dict[str, TermList] = {}
    for path in sorted(directory.glob("*.tsv")):
        header = _header(path)
        prefix = header["prefix"]
        if path.stem != prefix.lower():
            raise SourceError(path, f"list of prefix {prefix} must be named {prefix.lower()}.tsv", line=1)
        labels: dict[str, str] = {}
        for row in read_table(path, COLUMNS, {"id"}):
            if not row["id"].startswith(prefix + ":"):
                raise row.error("id", f"{row['id']!r} is not a {prefix} identifier")
            if row["id"] in labels:
                raise row.error("id", f"duplicate identifier {row['id']}")
            labels[row["id"]] = row["label"]
        lists[prefix] = TermList(prefix, header["release"], header["source"], header["license"], labels, path)
    return ReferenceTerms(lists, directory)


def _header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines before the column header."""
    found: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].partition(":")
            if sep and key.strip() in HEADER_KEYS:
                found[key.strip()] = value.strip()
    for key in HEADER_KEYS:
        if not found.get(key):
            raise SourceError(path, f"no '# {key}: ...' line before the header (every list says its prefix, "
                                    "release, source and licence)", line=1)
    return found


def check_identifiers(reference: ReferenceTerms, terms: Iterable[Term], genes: Iterable[Gene],
                      findings: Iterable[Row], species: dict[str, str]) -> None:
    """Every aligned identifier of the tables is in the reference lists (and a gene's HGNC id is its symbol's)."""
    for term in terms:
        for column in ("exact_match", "close_match", "broad_match"):
            for curie in getattr(term, column):
                reference.check(term.row, column, curie)
        if ":" in term.definition_source:
            reference.check(term.row, "definition_source", term.definition_source)
    for gene in genes:
        reference.check(gene.row, "hgnc_id", gene.hgnc_id)
        symbol = reference.label(gene.hgnc_id)
        if symbol and symbol != gene.symbol:
            hgnc = reference.lists["HGNC"]
            raise gene.row.error("hgnc_id", f"{gene.hgnc_id} is {symbol} in HGNC release {hgnc.release}, "
                                            f"not {gene.symbol}")
    for row in findings:
        reference.check(row, "evidence", row["evidence"])
        for column in ("species", "model_organisms"):
            for value in row.list(column):
                reference.check(row, column, species[value])
