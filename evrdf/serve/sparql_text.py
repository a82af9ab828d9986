"""A light lexical scan of a SPARQL request: its prologue prefixes, its form, the SERVICE endpoints it calls
and, for DESCRIBE, its targets. Enough to decide *before* running anything (content negotiation, federation
policy, DESCRIBE mode); Oxigraph remains the parser of record and reports real syntax errors.

Tokens follow SPARQL 1.1 Query, section 19.8 (grammar): IRIREF, PNAME_LN/PNAME_NS, VAR1/VAR2, string
literals (all four quote styles) and comments, so that keywords inside strings, IRIs or comments are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<bnode>_:[\w\u00B7-\uFFFF](?:[\w.\-\u00B7-\uFFFF]*[\w\-\u00B7-\uFFFF])?)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass
class Scan:
    """What the scan found. ``form`` is None when the text starts with something that is no query form."""

    form: str | None
    prefixes: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)  # resolved IRIs, or '?var' for a variable endpoint
    describe_targets: list[str] = field(default_factory=list)  # DESCRIBE: '*', '?var', '<iri>' or 'pfx:name'
    describe_rest: int = 0  # DESCRIBE: offset where the dataset/WHERE clauses start
    base: str | None = None  # the prologue's (last) BASE, as written


def tokens(text: str) -> list[Token]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append(Token(kind, match.group(), match.start()))
    return out


def scan(text: str) -> Scan:
    """Scan a query.

    >>> s = scan('PREFIX ex: <http://e/> # SELECT in a comment\\nASK { SERVICE ex:s { ?a ?b "SERVICE <x>" } }')
    >>> s.form, s.prefixes, s.services
    ('ASK', {'ex': 'http://e/'}, ['http://e/s'])
    >>> d = scan("DESCRIBE ?x <http://e/y> WHERE { ?x ?p ?o }")
    >>> d.form, d.describe_targets, d.describe_rest
    ('DESCRIBE', ['?x', '<http://e/y>'], 25)
    """
    toks = tokens(text)
    result = Scan(form=None)
    i = 0
    while i < len(toks):  # Prologue: (BASE IRIREF | PREFIX PNAME_NS IRIREF)*
        word = toks[i].text.upper()
        if word == "BASE" and i + 1 < len(toks):
            result.base = toks[i + 1].text[1:-1]
            i += 2
        elif word == "PREFIX" and i + 2 < len(toks):
            result.prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            i += 3
        else:
            break
    if i < len(toks) and toks[i].kind == "word":
        word = toks[i].text.upper()
        if word in FORMS:
            result.form = word
        elif word in UPDATE_WORDS:
            result.form = "UPDATE"
    if result.form == "DESCRIBE":
        j = i + 1
        while j < len(toks) and (toks[j].kind in ("var", "iri", "pname") or toks[j].text == "*"):
            result.describe_targets.append(toks[j].text)
            j += 1
        result.describe_rest = toks[j].start if j < len(toks) else len(text)
    for k, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and k + 2 < len(toks) and toks[k + 2].kind == "iri":
            result.prefixes[toks[k + 1].text.rstrip(":")] = toks[k + 2].text[1:-1]  # an update's later operations
        if tok.kind == "word" and tok.text.upper() == "SERVICE":
            k += 1
            if k < len(toks) and toks[k].text.upper() == "SILENT":
                k += 1
            if k < len(toks):
                result.services.append(resolve(toks[k], result.prefixes))
    return result


def resolve(token: Token, prefixes: dict[str, str]) -> str:
    """An IRI token or prefixed name as an absolute IRI (variables and unknown prefixes are kept as written)."""
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return token.text
