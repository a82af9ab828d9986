"""Namespaces used by the build (rdflib side)."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

OBO = Namespace("http://purl.obolibrary.org/obo/")
OIO = Namespace("http://www.geneontology.org/formats/oboInOwl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DEFINITION = OBO.IAO_0000115
DEFINITION_SOURCE = OBO.IAO_0000119

__all__ = ["DCAT", "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SKOS", "VOID", "XSD", "OBO", "OIO", "SPDX",
           "DEFINITION", "DEFINITION_SOURCE"]
