"""External identifiers: their valid forms and their standard IRIs (one table, shared by ingest and build).

>>> expand("GO:1903561")
'http://purl.obolibrary.org/obo/GO_1903561'
>>> expand("HGNC:10618")
'https://identifiers.org/hgnc:10618'
>>> expand("UNIPROT:P13500")
'http://purl.uniprot.org/uniprot/P13500'
>>> check_curie("CL:57")
Traceback (most recent call last):
...
ValueError: 'CL:57' is not a valid CL identifier (expected CL:nnnnnnn, seven digits)
"""

from __future__ import annotations

import re

import curies

OBO = "http://purl.obolibrary.org/obo/"

# prefix -> (IRI prefix, local-id pattern, human description of the form)
PREFIXES: dict[str, tuple[str, str, str]] = {
    "GO": (OBO + "GO_", r"\d{7}", "GO:nnnnnnn, seven digits"),
    "CL": (OBO + "CL_", r"\d{7}", "CL:nnnnnnn, seven digits"),
    "MONDO": (OBO + "MONDO_", r"\d{7}", "MONDO:nnnnnnn, seven digits"),
    "DOID": (OBO + "DOID_", r"\d+", "DOID:n"),
    "NCIT": (OBO + "NCIT_", r"C\d+", "NCIT:Cn"),
    "CHEBI": (OBO + "CHEBI_", r"\d+", "CHEBI:n"),
    "RO": (OBO + "RO_", r"\d{7}", "RO:nnnnnnn, seven digits"),
    "BFO": (OBO + "BFO_", r"\d{7}", "BFO:nnnnnnn, seven digits"),
    "ECO": (OBO + "ECO_", r"\d{7}", "ECO:nnnnnnn, seven digits"),
    "NCBITaxon": (OBO + "NCBITaxon_", r"\d+", "NCBITaxon:n"),
    "HGNC": ("https://identifiers.org/hgnc:", r"[1-9]\d*", "HGNC:n"),
    "UNIPROT": ("http://purl.uniprot.org/uniprot/",
                r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2}",
                "a UniProt accession such as P48061"),
    "NCBIGENE": ("https://identifiers.org/ncbigene:", r"[1-9]\d*", "NCBIGENE:n"),
    "DRUGBANK": ("https://identifiers.org/drugbank:", r"DB\d{5}", "DRUGBANK:DBnnnnn"),
    "MESH": ("https://identifiers.org/mesh:", r"[CD]\d+", "MESH:Dn or MESH:Cn"),
    "PMID": ("https://identifiers.org/pubmed:", r"[1-9]\d*", "PMID:n"),
    "PMCID": ("https://identifiers.org/pmc:", r"PMC\d+", "PMCn"),
    "DOI": ("https://doi.org/", r"10\.\d{4,9}/\S+", "10.nnnn/suffix"),
    "ENSEMBL": ("https://identifiers.org/ensembl:", r"ENSG\d{11}", "ENSGnnnnnnnnnnn"),
}

CONVERTER = curies.Converter.from_prefix_map({p: iri for p, (iri, _, _) in PREFIXES.items()})
_PATTERNS = {p: re.compile(rf"(?:{pattern})\Z") for p, (_, pattern, _) in PREFIXES.items()}


def check_local(prefix: str, local: str) -> str:
    """Return ``local`` if it has the form ``prefix`` requires, else raise ValueError saying which form."""
    if prefix not in _PATTERNS:
        raise ValueError(f"unknown identifier prefix {prefix!r} (known: {', '.join(sorted(PREFIXES))})")
    if not _PATTERNS[prefix].match(local):
        raise ValueError(f"{local!r} is not a valid {prefix} identifier (expected {PREFIXES[prefix][2]})")
    return local


def check_curie(curie: str) -> str:
    """Validate a CURIE such as ``CL:0000576``; ``prefix:local`` with a known prefix and a well-formed local id."""
    prefix, sep, local = curie.partition(":")
    if not sep:
        raise ValueError(f"{curie!r} is not a CURIE (expected PREFIX:id)")
    try:
        check_local(prefix, local)
    except ValueError as exc:
        if "not a valid" in str(exc):
            raise ValueError(f"{curie!r} is not a valid {prefix} identifier (expected {PREFIXES[prefix][2]})") from None
        raise
    return curie


def expand(curie: str) -> str:
    """The standard IRI of a (valid) CURIE: OBO PURLs, identifiers.org, purl.uniprot.org, doi.org."""
    check_curie(curie)
    iri = CONVERTER.expand(curie)
    assert iri is not None
    return iri
