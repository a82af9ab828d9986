"""Reading a SPARQL Protocol request (https://www.w3.org/TR/sparql11-protocol/, sections 2.1.1-2.1.3 and 2.2):
the operation, its dataset and format parameters, from the query string or the body; and the refusal every
/sparql view raises for a request the protocol says to refuse (its status, message and headers)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from flask import Response, request, url_for

from evrdf.serve import describe as describing

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


class Refusal(Exception):
    """A request the protocol says to refuse: status, message and extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class Params:
    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    describe: str = describing.DEFAULT_MODE
    using_graphs: list[str] = field(default_factory=list)  # using-graph-uri (updates)
    using_named_graphs: list[str] = field(default_factory=list)  # using-named-graph-uri (updates)


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain", headers=headers or {})


# -- reading the request (Protocol section 2.1.1 - 2.1.3, 2.2) ------------------------------------------------
def _parse(raw: bytes, where: str) -> dict[str, list[str]]:
    try:
        pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refusal(400, f"the {where} is not valid UTF-8 (percent-encode UTF-8 bytes)") from None
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _one(values: dict[str, list[str]], name: str) -> str | None:
    """The parameter's first value (the caller refuses more than one), None when it is absent."""
    given = values.get(name)
    return given[0] if given else None


def read_request() -> Params:
    url = _parse(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):
        values = url
    elif not request.content_type:
        raise Refusal(400, f"a POST needs a Content-Type: {FORM} (query=... or update=...), {QUERY} or {UPDATE}")
    elif request.mimetype == FORM:
        values = _parse(request.get_data(), "form body")
        for name in ("format", "describe"):
            values.setdefault(name, url.get(name, []))
    elif request.mimetype in (QUERY, UPDATE):
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise Refusal(415, f"{request.mimetype} must be UTF-8, not charset={charset}")
        try:
            body = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "the query body is not valid UTF-8") from None
        values = dict(url)
        values["query" if request.mimetype == QUERY else "update"] = [body]
        if "query" in url or "update" in url:
            raise Refusal(400, f"a {request.mimetype} POST carries the operation in its body; "
                               "do not also pass query= or update= in the URL")
    else:
        raise Refusal(415, f"unsupported Content-Type {request.mimetype!r}: POST a query as {FORM} or {QUERY}, "
                           f"an update as {FORM} or {UPDATE}")
    for name in ("query", "update", "format", "describe"):
        if len(values.get(name, [])) > 1:
            raise Refusal(400, f"more than one '{name}' parameter (the protocol allows exactly one)")
    if values.get("query") and values.get("update"):
        raise Refusal(400, "a request carries either 'query' or 'update', not both")
    if request.method != "POST" and values.get("update"):
        raise Refusal(400, "SPARQL Update must be sent by POST (SPARQL 1.1 Protocol, section 2.2)")
    mode = (values.get("describe") or [describing.DEFAULT_MODE])[0]
    if mode not in describing.MODES:
        raise Refusal(400, f"unknown describe={mode!r}; use one of: " +
                      "; ".join(f"{m} ({what})" for m, what in describing.MODES.items()))
    return Params(query=_one(values, "query"), update=_one(values, "update"),
                  default_graphs=values.get("default-graph-uri", []), named_graphs=values.get("named-graph-uri", []),
                  format=_one(values, "format"), describe=mode,
                  using_graphs=values.get("using-graph-uri", []),
                  using_named_graphs=values.get("using-named-graph-uri", []))


def endpoint_iri() -> str:
    return url_for("sparql.sparql", _external=True)
