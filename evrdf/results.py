"""Typed views of pyoxigraph's results: its stubs give every query all three result forms and every
serialization an optional return, where the caller knows which one it has."""

from __future__ import annotations

import pyoxigraph as ox


def solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """The result of a SELECT.

    >>> len(list(solutions(ox.Store().query("SELECT * WHERE { ?s ?p ?o }"))))
    0
    """
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"expected the solutions of a SELECT, got {type(result).__name__}")
    return result


def triples(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QueryTriples:
    """The result of a CONSTRUCT or DESCRIBE.

    >>> list(triples(ox.Store().query("CONSTRUCT WHERE { ?s ?p ?o }")))
    []
    """
    if not isinstance(result, ox.QueryTriples):
        raise TypeError(f"expected the triples of a CONSTRUCT or DESCRIBE, got {type(result).__name__}")
    return result


def serialized(data: bytes | None) -> bytes:
    """What ``serialize``/``dump`` return when given no output to write to: the bytes.

    >>> serialized(ox.serialize([], format=ox.RdfFormat.N_TRIPLES))
    b''
    """
    if data is None:
        raise TypeError("serialized to an output, not to bytes")
    return data
