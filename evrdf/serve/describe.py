"""DESCRIBE, with a per-request choice of what a description contains (``describe=`` parameter on /sparql).

SPARQL 1.1 (section 16.4) leaves the content of a DESCRIBE result to the service, so evrdf lets the client
choose and documents each choice (also in the service description):

- ``cbd`` (default): the Concise Bounded Description (https://www.w3.org/submission/CBD/): the resource's own
  triples, following blank-node objects recursively. What Oxigraph, Jena and most linked-data clients expect;
  answered by Oxigraph's own DESCRIBE.
- ``own``: only the triples whose subject is the resource.
- ``scbd``: the symmetric CBD: the CBD plus the triples pointing *at* the resource (incoming links, with their
  blank-node subjects). Blank nodes are followed to depth 3 in this mode.

For ``own`` and ``scbd`` the targets are found by running the query's WHERE clause as a SELECT, then the
description is one CONSTRUCT over them: both run in the store, and Oxigraph serializes the result.
"""

from __future__ import annotations

from evrdf.sparql_text import Scan, Token, resolve

MODES = {"cbd": "concise bounded description: own triples, blank-node objects followed recursively",
         "own": "only the triples with the resource as subject",
         "scbd": "symmetric CBD: the CBD plus incoming triples (blank nodes followed to depth 3)"}
DEFAULT_MODE = "cbd"
MAX_TARGETS = 10_000


def selection_query(text: str, scan: Scan) -> str | None:
    """The SELECT that finds the resources a DESCRIBE names by variable (None when it names only IRIs).

    >>> from evrdf.sparql_text import scan
    >>> q = "PREFIX e: <http://e/> DESCRIBE ?x e:y WHERE { ?x a e:C } LIMIT 3"
    >>> selection_query(q, scan(q))
    'PREFIX e: <http://e/> SELECT DISTINCT ?x WHERE { ?x a e:C } LIMIT 3'
    """
    variables = [t for t in scan.describe_targets if t.startswith(("?", "$")) or t == "*"]
    if not variables:
        return None
    keyword = _describe_keyword(text)
    return f"{text[:keyword]}SELECT DISTINCT {' '.join(variables)} {text[scan.describe_rest:]}"


def _describe_keyword(text: str) -> int:
    from evrdf.sparql_text import tokens

    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() == "DESCRIBE":
            return tok.start
    return 0


def constant_targets(scan: Scan, predeclared: dict[str, str] | None = None, base: str | None = None) -> list[str]:
    """The IRIs a DESCRIBE names directly (prefixed names with the query's or the predeclared prefixes,
    relative IRIs against the query's BASE, else ``base``).

    >>> from evrdf.sparql_text import scan
    >>> constant_targets(scan("DESCRIBE <a> ex:b"), {"ex": "http://e/"}, "http://h/sparql")
    ['http://h/a', 'http://e/b']
    """
    from urllib.parse import urljoin

    out = []
    prefixes = {**(predeclared or {}), **scan.prefixes}
    base = scan.base or base
    for text in scan.describe_targets:
        if text.startswith("<"):
            out.append(urljoin(base, text[1:-1]) if base else text[1:-1])
        elif ":" in text and not text.startswith(("?", "$")):
            out.append(resolve(Token("pname", text, 0), prefixes))
    return out


def description_query(iris: list[str], mode: str) -> str:
    """One CONSTRUCT describing ``iris`` in ``mode`` ('own', 'scbd', or 'cbd' for stores whose own DESCRIBE
    means something else: Virtuoso adds incoming links; blank nodes are then followed to depth 3).

    >>> print(description_query(["http://e/a"], "own"))
    CONSTRUCT { ?r ?p ?o } WHERE { VALUES ?r { <http://e/a> } ?r ?p ?o }
    """
    values = " ".join(f"<{iri}>" for iri in iris[:MAX_TARGETS])
    if mode == "own":
        return f"CONSTRUCT {{ ?r ?p ?o }} WHERE {{ VALUES ?r {{ {values} }} ?r ?p ?o }}"
    if mode == "cbd":
        return ("CONSTRUCT { ?r ?p ?o . ?o ?p1 ?o1 . ?o1 ?p2 ?o2 } WHERE { "
                f"VALUES ?r {{ {values} }} ?r ?p ?o OPTIONAL {{ ?o ?p1 ?o1 FILTER(isBlank(?o)) "
                "OPTIONAL { ?o1 ?p2 ?o2 FILTER(isBlank(?o1)) } } }")
    return ("CONSTRUCT { ?r ?p ?o . ?o ?p1 ?o1 . ?o1 ?p2 ?o2 . ?s ?q ?r . ?s2 ?q2 ?s } WHERE { "
            f"VALUES ?r {{ {values} }} "
            "{ ?r ?p ?o OPTIONAL { ?o ?p1 ?o1 FILTER(isBlank(?o)) "
            "OPTIONAL { ?o1 ?p2 ?o2 FILTER(isBlank(?o1)) } } } "
            "UNION { ?s ?q ?r OPTIONAL { ?s2 ?q2 ?s FILTER(isBlank(?s)) } } }")
