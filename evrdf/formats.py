"""Media types ↔ Oxigraph formats, one table shared by the CLI and the web layer."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from evrdf.results import serialized

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


# The representations of a described resource, by file extension (HTML first: what a bare */* gets).
DOCUMENT_TYPES: dict[str, str] = {
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
DOCUMENT_LABELS = {"html": "HTML", "ttl": "Turtle", "nt": "N-Triples", "rdf": "RDF/XML", "jsonld": "JSON-LD"}


def document_extension(name: str) -> str | None:
    """A ``?format=`` value or a media type → the extension of that representation, None if unknown.

    >>> document_extension("Turtle"), document_extension("application/ld+json"), document_extension("png")
    ('ttl', 'jsonld', None)
    """
    by_type = {media: ext for ext, media in DOCUMENT_TYPES.items()} | {"application/xhtml+xml": "html"}
    if name.lower() in by_type:
        return by_type[name.lower()]
    short = normalise(name)
    return short if short in DOCUMENT_TYPES else None


def serialize_triples(triples: Iterable[ox.Triple], ext: str, prefixes: dict[str, str] | None = None) -> bytes:
    """CONSTRUCT results (or any iterable of Oxigraph triples) as bytes in an RDF format named by extension."""
    fmt = RDF_FORMATS[ext]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG):
        return serialized(ox.serialize(triples, format=fmt, prefixes=prefixes or {}))
    return serialized(ox.serialize(triples, format=fmt))
