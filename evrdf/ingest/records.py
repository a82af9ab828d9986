"""Typed records of the curated term, gene, pair and reference tables.

They sit apart from the readers (curated.py, review.py) so that every reader can name them without
importing another reader: the tables cross-check one another, their record types must not form a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evrdf.ingest.tables import Row


@dataclass(frozen=True)
class Term:
    id: str
    kind: str
    label: str
    parent: str
    definition: str
    definition_source: str
    synonyms: list[str]
    related_synonyms: list[str]
    exact_match: list[str]
    close_match: list[str]
    broad_match: list[str]
    note: str
    row: Row
    diameter: tuple[float, float] | None = None
    diameter_source_value: str = ""
    diameter_reference: str = ""
    diameter_note: str = ""
    biogenesis: str = ""
    marker_genes: list[str] = field(default_factory=list)
    other_markers: list[str] = field(default_factory=list)
    marker_reference: str = ""


@dataclass(frozen=True)
class Gene:
    symbol: str
    hgnc_id: str
    name: str
    role: str  # ligand | receptor | "" (other gene)
    family: str
    receptor_class: str
    aliases: list[str]
    previous: list[str]
    entrez_id: str
    uniprot: str
    ensembl: str
    snapshot: str
    note: str
    row: Row


@dataclass(frozen=True)
class Pair:
    ligand: str
    receptor: str
    resource: str  # slug: cellphonedb | connectomedb2020
    resource_name: str
    evidence: str
    classification: str
    row: Row


@dataclass(frozen=True)
class Reference:
    id: str
    pmid: str
    doi: str
    pmcid: str
    title: str
    authors: str
    journal: str
    year: str
    type: str
    url: str
    note: str
    row: Row
