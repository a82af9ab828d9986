"""The prefixes the endpoint (and `evrdf query`) predeclare, as UniProt's and Virtuoso's endpoints do: a query may
use them without PREFIX lines, and its own PREFIX declarations win. Listed in the service description.

The standard vocabularies are fixed; evrdf's own namespaces follow the base IRI of the release being served.
"""

from __future__ import annotations

STANDARD = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "sh": "http://www.w3.org/ns/shacl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "obo": "http://purl.obolibrary.org/obo/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "hgnc": "https://identifiers.org/hgnc:",
    "ncbigene": "https://identifiers.org/ncbigene:",
    "uniprot": "http://purl.uniprot.org/uniprot/",
}
MINTED = ("gene", "pair", "finding", "reference", "source", "graph")  # namespaces of the IRIs evrdf mints


def predeclared(base: str) -> dict[str, str]:
    """Every predeclared prefix for a release built under ``base``.

    >>> p = predeclared("http://127.0.0.1:5000/")
    >>> p["evo"], p["gene"], p["rdfs"]
    ('http://127.0.0.1:5000/ontology/', 'http://127.0.0.1:5000/gene/', 'http://www.w3.org/2000/01/rdf-schema#')
    """
    return {"evo": base + "ontology/", "evs": base + "shapes/", **{n: f"{base}{n}/" for n in MINTED}, **STANDARD}
