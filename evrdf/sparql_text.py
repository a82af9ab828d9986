"""A lexical scan of a SPARQL request: its prologue prefixes, its form, the SERVICE endpoints it calls, for
DESCRIBE its targets, and how deeply it nests. Enough to decide *before* running anything (content negotiation,
federation policy, DESCRIBE mode, the nesting limits); Oxigraph remains the parser of record and reports real
syntax errors. The network fence (evrdf/fence.py), not this scan, is what keeps a query from reaching the network.

Tokens follow the grammar terminals of SPARQL 1.1 Query, section 19.8, as the installed Oxigraph reads them
(checked against pyoxigraph, tests/test_query_limits.py): string literals in all four quote styles, IRIREF,
prefixed names with ``\\``-escapes (``ex:a\\#`` is a name, not a comment) and Oxigraph's one-dot-group rule for
local names (``ex:a.b.SERVICE`` is ``ex:a.b`` ``.`` ``SERVICE``), comments, variables, numbers, language tags.
Two things no context-free tokenizer decides the way Oxigraph does, so the scan reads the text both ways and
keeps the union: ``<`` after an operand inside parentheses is "less than" in an expression (``FILTER(?a<?b)``) but
starts an IRI in a collection or a VALUES row; and Oxigraph matches keywords without a word boundary
(``SERVICESILENT<...>`` is ``SERVICE SILENT <...>``), so a word or prefix that merely contains ``service`` is
reported as ``uncertain`` rather than guessed.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# Character classes of SPARQL 1.1, section 19.8, as Oxigraph implements them (no characters beyond U+FFFD).
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F"
         "\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PREFIX = f"[{_BASE}][{_CHARS}]*(?:\\.+[{_CHARS}]+)*"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\\.+(?:[{_CHARS}:]|{_PLX})+)?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_PATTERNS = [
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("string", r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
               r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\''),
    ("iri", f'<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*>'),
    ("var", f"[?$][{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"),
    ("bnode", f"_:[{_U}0-9][{_CHARS}]*(?:\\.+[{_CHARS}]+)*"),
    ("pname", f"(?:{_PREFIX})?:(?:{_LOCAL})?"),
    ("number", r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("other", r"\|\||&&|!=|<=|>=|\^\^|<<|>>|\{\||\|\}|."),
]
# whitespace and comments skipped in the same match as the token after them: one match per significant token
_TOKEN = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*(?:" + "|".join(
    f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS if name not in ("ws", "comment")) + r"|\Z)", re.DOTALL)
_LESS = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*(<=?)")

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
OPENERS = {"{": "}", "(": ")", "[": "]", "<<": ">>", "{|": "|}"}
CLOSERS = {v: k for k, v in OPENERS.items()}
# Operators that build a chain (a left- or right-deep tree in Oxigraph's algebra) when repeated in one scope.
CHAIN = {"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "!", "|", "^", "?"}
CHAIN_WORDS = {"FILTER", "BIND", "VALUES", "IN"}  # a group's FILTERs join in one AND; BINDs extend one by one
_OPERAND_END = {"var", "number", "string", "langtag", "iri", "pname", "bnode", "word"}


class Token(NamedTuple):  # a tuple: a megabyte of query is some 100,000 of them
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
    loads: int = 0  # LOAD operations (an update's)
    nesting: int = 0  # the deepest nesting of { }, ( ), [ ], << >>
    depth: int = 0  # an upper bound on the depth of the syntax tree: nesting plus the chains inside each scope
    uncertain: list[str] = field(default_factory=list)  # words that may hide SERVICE or LOAD (Oxigraph's reading)


def tokens(text: str, expression_less: bool = False) -> list[Token]:
    """The significant tokens (no whitespace, no comments). With ``expression_less``, a ``<`` that follows an
    operand inside parentheses is read as the operator (Oxigraph's reading in expressions)."""
    return _tokens(text, expression_less)[0]


_STOP = 1 << 62


def _tokens(text: str, expression_less: bool, stop: int = _STOP) -> tuple[list[Token], int, int, bool]:
    """Tokens, the deepest nesting and the depth bound of one reading of ``text``, and whether the other
    reading of ``<`` could differ (an IRI right after an operand inside parentheses). Reading stops once the
    nesting or the depth passes ``stop`` (the request is refused anyway)."""
    out: list[Token] = []
    stack: list[list[Any]] = []  # [opener, chain items in this scope, is a group?, is data (VALUES, INSERT DATA)?]
    chained = nesting = depth = 0
    values_pending = ambiguous = False
    pos, end = 0, len(text)
    match = _TOKEN.match
    less = _LESS.match
    while pos < end:
        m = None
        if (expression_less and stack and stack[-1][0] == "(" and out
                and (out[-1].kind in _OPERAND_END or out[-1].text in (")", "]", ">>"))):
            m = less(text, pos)
        if m is not None:
            kind, value, start = "other", m.group(1), m.start(1)
        else:
            m = match(text, pos)  # always matches: "other" takes any one character, and the pattern ends in |\Z
            if m is None or m.lastgroup is None:  # only whitespace and comments were left
                break
            kind = m.lastgroup
            value, start = m.group(kind), m.start(kind)
        pos = m.end()
        if (kind == "iri" and not ambiguous and stack and stack[-1][0] == "(" and out
                and (out[-1].kind in _OPERAND_END or out[-1].text in (")", "]", ">>"))):
            ambiguous = True
        out.append(Token(kind, value, start))
        if kind == "other" and value in OPENERS:
            if stack and stack[-1][2] and value == "{":  # a group in a group joins the chain of its parent
                stack[-1][1] += 1
                chained += 1
            data = (bool(stack) and stack[-1][3]) or (value == "{" and (
                values_pending or (len(out) > 1 and out[-2].text.upper() == "DATA")))
            values_pending = values_pending and value == "("
            stack.append([value, 0, value == "{" and not data, data])
        elif kind == "other" and value in CLOSERS:
            if stack:
                chained -= stack.pop()[1]
        elif stack and not stack[-1][3] and (
                (kind == "other" and value in CHAIN) or (kind == "word" and value.upper() in CHAIN_WORDS)):
            stack[-1][1] += 1
            chained += 1
        if kind == "word" and value.upper() == "VALUES":
            values_pending = True
        if len(stack) > nesting:
            nesting = len(stack)
        if len(stack) + chained > depth:
            depth = len(stack) + chained
            if depth > stop:
                break
    return out, nesting, depth, ambiguous


def scan(text: str, stop: int = _STOP) -> Scan:
    """Scan a query or update; reading stops past ``stop`` levels of nesting or depth (see _tokens).

    >>> s = scan('PREFIX ex: <http://e/> # SELECT in a comment\\nASK { SERVICE ex:s { ?a ?b "SERVICE <x>" } }')
    >>> s.form, s.prefixes, s.services, s.nesting
    ('ASK', {'ex': 'http://e/'}, ['http://e/s'], 2)
    >>> d = scan("DESCRIBE ?x <http://e/y> WHERE { ?x ?p ?o }")
    >>> d.form, d.describe_targets, d.describe_rest
    ('DESCRIBE', ['?x', '<http://e/y>'], 25)
    >>> scan("PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a\\\\# . SERVICE <http://h/> {} }").services
    ['http://h/']
    """
    toks, nesting, depth, ambiguous = _tokens(text, False, stop)
    result = Scan(form=None, nesting=nesting, depth=depth)
    _read(toks, result, len(text))
    readings = [(text, True)] if ambiguous else []  # Oxigraph's reading of '<' in expressions, where it differs
    if re.search(r"\\[uU]", text):  # a parser that decodes \u escapes first (SPARQL 1.1, section 19.2) reads this
        decoded = _unescape(text)
        readings += [(decoded, False), (decoded, True)]
    for reading, expression_less in readings:
        if result.depth > stop:
            break
        other_toks, other_nesting, other_depth, _ = _tokens(reading, expression_less, stop)
        other = Scan(form=None)
        _read(other_toks, other, len(reading))
        result.nesting = max(result.nesting, other_nesting)
        result.depth = max(result.depth, other_depth)
        result.services += [s for s in other.services if s not in result.services]
        result.uncertain += [u for u in other.uncertain if u not in result.uncertain]
        result.loads = max(result.loads, other.loads)
    return result


def _read(toks: list[Token], result: Scan, length: int) -> None:
    i = 0
    base: str | None = None
    while i < len(toks):  # Prologue: (BASE IRIREF | PREFIX PNAME_NS IRIREF)*
        word = toks[i].text.upper()
        if word == "BASE" and i + 1 < len(toks):
            result.base = toks[i + 1].text[1:-1]
            if toks[i + 1].kind == "iri":
                base = toks[i + 1].text[1:-1]
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
        result.describe_rest = toks[j].start if j < len(toks) else length
    for k, tok in enumerate(toks):
        upper = tok.text.upper()
        if tok.kind == "word" and upper == "PREFIX" and k + 2 < len(toks) and toks[k + 2].kind == "iri":
            result.prefixes[toks[k + 1].text.rstrip(":")] = toks[k + 2].text[1:-1]  # an update's later operations
        if tok.kind == "word" and upper == "BASE" and k + 1 < len(toks) and toks[k + 1].kind == "iri":
            base = toks[k + 1].text[1:-1]
        if tok.kind == "word" and upper == "LOAD":
            result.loads += 1
        elif tok.kind == "word" and upper == "SERVICE":
            k += 1
            if k < len(toks) and toks[k].text.upper() == "SILENT":
                k += 1
            if k < len(toks):
                result.services.append(resolve(toks[k], result.prefixes, base))
            else:
                result.services.append("")
        elif tok.kind in ("word", "pname", "bnode"):  # Oxigraph may read a keyword at its start: SERVICESILENT,
            head = tok.text.split(":", 1)[0].lower()  # trueSERVICE, SERVICE:x, LOADSILENT ...
            if "service" in head or head.startswith("load"):
                result.uncertain.append(tok.text)


def resolve(token: Token, prefixes: dict[str, str], base: str | None = None) -> str:
    """An IRI token or prefixed name as an absolute IRI (variables and unknown prefixes are kept as written)."""
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urllib.parse.urljoin(base, iri) if base else iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return token.text


def _unescape(text: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters, as SPARQL 1.1 (section 19.2) decodes them
    before parsing."""
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group()
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", char, text)
