"""SPARQL syntax errors in words: what is wrong, where (line:column) and the offending line with a caret.

Oxigraph (the parser of record) reports where its grammar stopped and what it would have accepted there, e.g.
``error at 1:26: expected one of OPTIONAL, Prefix not found, ['%'], ['-' | '0' ..= '9' | ...]``: a wall of
character classes for a missing PREFIX, or "expected OPTIONAL" for a misspelt FILTER. ``explain`` turns that
into a sentence by looking at the query's own tokens (evrdf/sparql_text.py) around the reported position:

>>> print(explain("SELECT * WHERE { ?s foo:p ?o }", "error at 1:26: expected one of Prefix not found, ['%']"))
SPARQL syntax error at line 1, column 21: prefix foo: is not declared; add PREFIX foo: <...> before the query
  1 | SELECT * WHERE { ?s foo:p ?o }
    |                     ^^^^^
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from evrdf.sparql_text import Token

KEYWORDS = """SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED OPTIONAL FILTER UNION MINUS
GRAPH SERVICE SILENT BIND AS VALUES UNDEF GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET EXISTS NOT IN SEPARATOR
STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW
UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL
ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT TRUE FALSE INSERT DELETE DATA LOAD CLEAR
CREATE DROP COPY MOVE ADD WITH USING INTO TO DEFAULT ALL""".split()
_KNOWN = set(KEYWORDS) | {"A", "LATERAL", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "LANGDIR",
                          "HASLANG", "HASLANGDIR", "STRLANGDIR", "ADJUST", "ISDIRLANG"}
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_CLASS = re.compile(r"\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]", re.DOTALL)  # a character class such as ['0'..='9']
_REWORDED = {
    "The SELECT contains a variable that is unbound": (
        "a selected variable is neither in GROUP BY nor inside an aggregate: with GROUP BY or an aggregate such "
        "as COUNT, select only grouped variables and aggregates (e.g. SAMPLE(?x))"),
}
_IRI_FORBIDDEN = {" ": "a space (write %20)", '"': 'a double quote (write %22)', "{": "'{'", "}": "'}'",
                  "|": "'|'", "^": "'^'", "`": "'`'", "\\": "a backslash", "<": "'<'", "\t": "a tab",
                  "\n": "a line break"}


@dataclass(frozen=True)
class Where:
    start: int  # character offset of the offending text
    length: int


def explain(query: str, message: str, prefixes: dict[str, str] | None = None) -> str:
    """The parser's ``message`` about ``query`` as a sentence with its position and a caret line. A message
    that carries no position (another engine's) comes back as it is, prefixed "SPARQL syntax error"."""
    found = _POSITION.match(message.strip())
    if not found:
        return f"SPARQL syntax error: {message.strip()}"
    line, column, expected_text = int(found.group(1)), int(found.group(2)), found.group(3)
    offset = _offset(query, line, column)
    expected = _expected(expected_text)
    what, where = _diagnose(query, offset, expected, prefixes or {})
    return render(query, where, what)


def render(query: str, where: Where, what: str) -> str:
    line_no, column = _line_column(query, where.start)
    lines = query.splitlines() or [""]
    text = lines[line_no - 1] if line_no <= len(lines) else ""
    lead = "".join("\t" if c == "\t" else " " for c in text[:column - 1])
    width = max(1, min(where.length, len(text) - column + 1 if len(text) >= column else 1))
    gutter = f"{line_no:>3}"
    return (f"SPARQL syntax error at line {line_no}, column {column}: {what}\n"
            f"{gutter} | {text}\n{' ' * len(gutter)} | {lead}{'^' * width}")


# -- reading the parser's message ------------------------------------------------------------------------------
def _expected(text: str) -> list[str]:
    """The alternatives the parser would have accepted, character classes dropped, in its order."""
    text = re.sub(r"^expected (one of )?", "", text.strip())
    text = text.replace("['0'..='9']", "a number")
    text = _CLASS.sub("", text)
    items, current, quoted = [], "", False
    for i, char in enumerate(text):
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        if char == "," and not quoted:
            items.append(current.strip())
            current = ""
            continue
        current += char
    items.append(current.strip())
    return [item for item in items if item]


def _offset(query: str, line: int, column: int) -> int:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", query)]
    if line - 1 >= len(starts):
        return len(query)
    return min(len(query), starts[line - 1] + max(column - 1, 0))


def _line_column(query: str, offset: int) -> tuple[int, int]:
    before = query[:offset]
    breaks = list(re.finditer(r"\r\n|\n|\r", before))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


# -- finding the cause -----------------------------------------------------------------------------------------
def _diagnose(query: str, offset: int, expected: list[str], prefixes: dict[str, str]) -> tuple[str, Where]:
    from evrdf.sparql_text import scan, tokens

    toks = tokens(query)
    if "Prefix not found" in expected:
        declared = set(scan(query).prefixes) | set(prefixes)
        undeclared = [t for t in toks if t.kind == "pname" and t.text.partition(":")[0] not in declared
                      and t.start < max(offset, 1)]
        if undeclared:
            token = undeclared[-1]
            prefix = token.text.partition(":")[0]
            return (f"prefix {prefix}: is not declared; add PREFIX {prefix}: <...> before the query",
                    Where(token.start, len(token.text)))
    if "IRI parsing failed" in expected:
        opening = query.rfind("<", 0, max(offset, 1))
        if opening >= 0:
            closing = query.find(">", opening)
            end = closing + 1 if closing >= 0 else len(query)
            iri = query[opening:end]
            bad = next((name for char, name in _IRI_FORBIDDEN.items() if char in iri[1:-1]), None)
            reason = f": it contains {bad}" if bad else ""
            return f"{iri} is not a valid IRI{reason}", Where(opening, len(iri))
    for sentence, words in _REWORDED.items():
        if sentence in expected:
            return words, _token_at(toks, offset, query)
    quote = next((t for t in toks if t.kind == "other" and t.text in "\"'"), None)
    if quote is not None:
        return "the string opened here is never closed", Where(quote.start, 1)
    unknown = _unknown_word(toks, query, offset)
    if unknown is not None:
        suggestion = difflib.get_close_matches(unknown.text.upper(), KEYWORDS, n=1, cutoff=0.6)
        hint = f"; did you mean {suggestion[0]}?" if suggestion else _alternatives(expected)
        return f"{unknown.text} is not a SPARQL keyword{hint}", Where(unknown.start, len(unknown.text))
    sentences = [e for e in expected if " " in e and not e.startswith('"')]
    if sentences:
        return "; ".join(sentences), _token_at(toks, offset, query)
    stray, unclosed = _brackets(toks)
    if stray is not None and unclosed is not None:
        line, column = _line_column(query, unclosed.start)
        return (f"this '{stray.text}' does not close the '{unclosed.text}' opened at line {line}, column {column}",
                Where(stray.start, 1))
    if stray is not None:
        return f"this '{stray.text}' closes nothing", Where(stray.start, 1)
    if not query[offset:].strip():
        if unclosed is not None:  # (no stray closer: the query really ends with a bracket open)
            closer = {"{": "}", "(": ")", "[": "]"}[unclosed.text]
            return (f"the query ends before the '{unclosed.text}' opened here is closed with '{closer}'",
                    Where(unclosed.start, 1))
        if not expected:  # the grammar matched, a rule checked after it did not
            rebound = _rebound(toks)
            if rebound is not None:
                return (f"BIND assigns {rebound.text}, which is already in use before it in the same group "
                        "(SPARQL 1.1, section 18.2.1); bind a new variable", Where(rebound.start, len(rebound.text)))
            return ("the query breaks a rule of SPARQL 1.1 checked after parsing (a variable bound twice by AS, "
                    "or a BIND of a variable already in use)"), Where(0, len(toks[0].text) if toks else 1)
        last = toks[-1] if toks else None
        return ("the query is incomplete or malformed near its end" + _alternatives(expected),
                Where(last.start, len(last.text)) if last else Where(0, 1))
    where = _token_at(toks, offset, query)
    shown = query[where.start:where.start + where.length]
    return f"unexpected {shown!r}" + _alternatives(expected), where


def _alternatives(expected: list[str]) -> str:
    words = [e.strip('"') if e.startswith('"') else e for e in expected
             if " " not in e or e.startswith('"') or e == "a number"]
    words = [w for w in words if w and w not in ("{|", "~", "<<", "<<(")]  # RDF-star extras: noise here
    if not words:
        return ""
    shown = ", ".join(w if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|a number", w) else f"'{w}'" for w in words[:12])
    return f"; expected {'one of ' if len(words) > 1 else ''}{shown}{', ...' if len(words) > 12 else ''}"


def _token_at(toks: list[Token], offset: int, query: str) -> Where:
    for token in toks:
        if token.start <= offset < token.start + len(token.text):
            return Where(token.start, len(token.text))
        if token.start > offset:
            return Where(token.start, len(token.text))
    return Where(min(offset, max(len(query) - 1, 0)), 1)


def _unknown_word(toks: list[Token], query: str, offset: int) -> Token | None:
    """The last bare word at or before the error that is no keyword, function or language tag: the misspelling
    the parser stumbled over (it reports its furthest position, often just after the word)."""
    line_start = query.rfind("\n", 0, offset) + 1
    candidates = []
    for token in toks:
        if token.start > offset:
            break
        if token.kind != "word" or token.text.upper() in _KNOWN:
            continue
        previous = query[token.start - 1] if token.start else " "
        if previous == "@" or previous.isdigit() or previous == ".":  # a language tag, or a number's exponent
            continue
        if token.start >= line_start or token is toks[-1]:
            candidates.append(token)
    return candidates[-1] if candidates else None


def _brackets(toks: list[Token]) -> tuple[Token | None, Token | None]:
    """(the first closing bracket that closes nothing or the wrong one, the innermost bracket left open)."""
    stack = []
    pairs = {"}": "{", ")": "(", "]": "["}
    for token in toks:
        if token.kind != "other":
            continue
        if token.text in "{([":
            stack.append(token)
        elif token.text in pairs:
            if not stack or stack[-1].text != pairs[token.text]:
                return token, (stack[-1] if stack else None)
            stack.pop()
    return None, (stack[-1] if stack else None)


def _rebound(toks: list[Token]) -> Token | None:
    """The variable of a ``BIND(... AS ?v)`` already used earlier in the same group, if any."""
    groups: list[set[str]] = [set()]
    in_bind = 0
    for i, token in enumerate(toks):
        if token.kind == "other" and token.text == "{":
            groups.append(set())
        elif token.kind == "other" and token.text == "}" and len(groups) > 1:
            inner = groups.pop()
            groups[-1] |= inner
        elif token.kind == "word" and token.text.upper() == "BIND":
            in_bind = i
        elif token.kind == "var":
            name = token.text[1:]
            after_as = i and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "AS"
            if in_bind and after_as:
                if name in groups[-1]:
                    return token
                in_bind = 0
            groups[-1].add(name)
    return None
