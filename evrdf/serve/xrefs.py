"""Cross-references as links and species by name, for the pages.

A page shows an identifier as its text (``P48061``, ``HGNC:10672``, ``PMID:15251452``) linked to its resolver:
the standard IRI of the CURIE in evrdf/identifiers.py (identifiers.org for HGNC, NCBI Gene, Ensembl and PubMed,
purl.uniprot.org for UniProt, the OBO PURLs, doi.org), so a link never depends on a hand-written URL pattern.
Species names are the taxa the curated tables use (ingest/curated.py SPECIES, ingest/evdb.py SPECIES_NAMES).
"""

from __future__ import annotations

import re

from evrdf.identifiers import PREFIXES, expand
from evrdf.ingest.curated import SPECIES
from evrdf.ingest.evdb import SPECIES_NAMES

# what an identifier row of a page is called (serve/view.py IDENTIFIER_NAMES) → the CURIE prefix of its value
KIND_PREFIXES = {"UniProt": "UNIPROT", "NCBI Gene": "NCBIGENE", "Ensembl": "ENSEMBL", "PubMed": "PMID",
                 "DOI": "DOI", "PMC": "PMCID"}
RESOLVER_NAMES = {"UNIPROT": "UniProt", "NCBIGENE": "NCBI Gene", "ENSEMBL": "Ensembl", "PMID": "PubMed",
                  "DOI": "DOI", "PMCID": "PubMed Central", "HGNC": "HGNC", "GO": "Gene Ontology",
                  "CL": "Cell Ontology", "MONDO": "MONDO", "DOID": "Disease Ontology", "NCIT": "NCI Thesaurus",
                  "CHEBI": "ChEBI", "DRUGBANK": "DrugBank", "MESH": "MeSH", "ECO": "ECO", "RO": "RO",
                  "NCBITaxon": "NCBI Taxonomy", "BFO": "BFO"}
_CURIE = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9]*):(?P<local>\S+)\Z")
_OBO_TAXON = PREFIXES["NCBITaxon"][0]


def _scientific() -> dict[str, str]:
    """NCBITaxon CURIE → 'Homo sapiens (human)', from the species names the importers accept."""
    common = {curie: name for name, curie in SPECIES.items()}
    names = {}
    for printed, curie in SPECIES_NAMES.items():
        if " " in printed:  # the binomial, as the databases print it
            genus, rest = printed.split(" ", 1)
            names[curie] = f"{genus.capitalize()} {rest}" + (f" ({common[curie]})" if curie in common else "")
    return names


SPECIES_LABELS = _scientific()


def species_name(iri: str) -> str | None:
    """'Homo sapiens (human)' for the OBO IRI of a taxon evrdf uses, else None."""
    if not iri.startswith(_OBO_TAXON):
        return None
    return SPECIES_LABELS.get("NCBITaxon:" + iri[len(_OBO_TAXON):])


def curie_href(curie: str) -> str | None:
    """The resolver IRI of a well-formed CURIE with a known prefix (PubMed's PMID:n, GO:n, …), else None."""
    match = _CURIE.match(curie.strip())
    if not match:
        return None
    prefix = next((p for p in PREFIXES if p.lower() == match["prefix"].lower()), None)
    if prefix is None:
        return None
    try:
        return expand(f"{prefix}:{match['local']}")
    except ValueError:
        return None


def xref(kind: str, text: str) -> tuple[str, str] | None:
    """(href, resolver name) for an identifier row of a page: its kind names the prefix, or the text is a CURIE."""
    prefix = KIND_PREFIXES.get(kind)
    if prefix is not None:
        local = text.strip()
        if prefix == "PMID":
            local = local.removeprefix("PMID:")
        try:
            return expand(f"{prefix}:{local}"), RESOLVER_NAMES[prefix]
        except ValueError:
            return None
    href = curie_href(text)
    if href is None:
        return None
    prefix = text.split(":", 1)[0]
    name = next((n for p, n in RESOLVER_NAMES.items() if p.lower() == prefix.lower()), prefix)
    return href, name
