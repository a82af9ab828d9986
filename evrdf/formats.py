"""Media types ↔ Oxigraph formats, one table shared by the CLI and the web layer."""

from __future__ import annotations

import pyoxigraph as ox

# short name -> format, for SELECT/ASK results
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

# short name -> format, for CONSTRUCT/DESCRIBE results and RDF documents
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
           "rdfxml": "rdf", "rdf/xml": "rdf", "owl": "rdf", "json-ld": "jsonld"}


def media_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The bare media type (Oxigraph adds '; charset=utf-8' to some), for matching against Accept.

    >>> media_type(ox.QueryResultsFormat.CSV)
    'text/csv'
    """
    return fmt.media_type.split(";")[0].strip()


def normalise(name: str) -> str:
    """A format name as users type it → the short name used in the tables above.

    >>> normalise("Turtle"), normalise("json-ld"), normalise("CSV")
    ('ttl', 'jsonld', 'csv')
    """
    lowered = name.lower()
    return ALIASES.get(lowered, lowered)
