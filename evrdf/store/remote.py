"""A store on a remote RDF engine (Virtuoso, Fuseki, GraphDB), spoken to only through the standard protocols:
SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/) for queries and updates, and the Graph Store HTTP
Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/) for loading whole graphs.

Releases are versioned inside the remote store. Each release's graphs are stored under *physical* names (the
published, *logical* name plus ``?evrdf-release=ID``), and a small pointer graph names the current release, its
graphs and its metadata. Readers see only the graphs of the release the pointer names, under their logical names:
every query is rewritten on its tokens (remote_query.py) so that the remote engine answers exactly what the
embedded store answers, whatever the query's spelling. So a publish is atomic for readers (publish_remote.py), and
clients see the same graph names and the same answers on every backend.

Results are handed back as real pyoxigraph objects (QuerySolutions, QueryBoolean, QueryTriples), so the web layer
and the CLI serialize them exactly as they do for the embedded store.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from evrdf.errors import StoreError, UnsupportedQuery
from evrdf.release.ids import sort_key
from evrdf.store.naming import logical
from evrdf.store.remote_query import rewrite

NS = "https://w3id.org/evrdf/store#"  # the pointer graph's vocabulary
CURRENT, GRAPH, INFO = NS + "current", NS + "graph", NS + "info"
POINTER_TTL_S = 1.0  # how long a worker trusts its copy of the pointer; old graphs live one more release


# Errors by which Virtuoso says it cannot evaluate a well-formed query: the client gets 400 naming the limitation.
_UNSUPPORTED = [
    (re.compile(r"transitive start not given", re.I),
     "property paths with + or * between two variables (e.g. ?a rdfs:subClassOf+ ?b, neither end bound): the "
     "remote engine (Virtuoso) cannot evaluate them; bind one end, e.g. VALUES ?a { <...> }"),
]


class RemoteError(StoreError, ConnectionError):
    """The remote store is unreachable, refused our credentials, or failed to answer."""


class RemoteTimeout(StoreError, TimeoutError):
    """The remote store did not answer within the configured timeout."""


@dataclass(frozen=True)
class Endpoints:
    """Where the remote store answers. Virtuoso's defaults derive from one base URL (``for_virtuoso``)."""

    query: str          # public, read-only SPARQL query endpoint
    update: str         # authenticated SPARQL Update endpoint
    graph_store: str    # authenticated Graph Store HTTP Protocol endpoint
    user: str | None = None
    password: str | None = None

    @classmethod
    def for_virtuoso(cls, base_url: str, user: str | None = None, password: str | None = None) -> "Endpoints":
        base = base_url.rstrip("/")
        return cls(f"{base}/sparql", f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth", user, password)

    @classmethod
    def from_env(cls, base_url: str) -> "Endpoints":
        """Credentials only from the environment (EVRDF_REMOTE_USER, EVRDF_REMOTE_PASSWORD), never from files;
        EVRDF_REMOTE_QUERY_URL / _UPDATE_URL / _GSP_URL override the Virtuoso paths (for Fuseki, GraphDB)."""
        default = cls.for_virtuoso(base_url, os.environ.get("EVRDF_REMOTE_USER"),
                                   os.environ.get("EVRDF_REMOTE_PASSWORD"))
        return cls(os.environ.get("EVRDF_REMOTE_QUERY_URL") or default.query,
                   os.environ.get("EVRDF_REMOTE_UPDATE_URL") or default.update,
                   os.environ.get("EVRDF_REMOTE_GSP_URL") or default.graph_store,
                   default.user, default.password)


@dataclass(frozen=True)
class Published:
    """What the pointer graph says is current."""

    release: str
    info: dict[str, Any]
    graphs: dict[str, str]  # logical -> physical


# Virtuoso's SQL built-ins and procedure calls reachable from its SPARQL dialect, and federation (which would let
# a client make the store fetch arbitrary URLs). Checked on the query with strings and comments removed.
_FORBIDDEN = [
    (re.compile(r"<\s*(bif|sql|virtrdf)\s*:", re.I), "Virtuoso built-in functions (bif:, sql:) are not allowed"),
    (re.compile(r"\bDB\s*\.\s*DBA\s*\.", re.I), "Virtuoso procedures (DB.DBA.*) are not allowed"),
    (re.compile(r"\bSERVICE\b", re.I), "federated queries (SERVICE) are not allowed on this endpoint"),
]
_STRINGS = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')
_COMMENTS = re.compile(r"#[^\n]*")
_IRIS = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def check_query(sparql: str, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> type:
    """Refuse anything but one standard SPARQL 1.1 query; return its result class (QuerySolutions, ...).

    Parsing with Oxigraph (over an empty store) rejects updates and Virtuoso's non-standard syntax (DEFINE,
    OPTION, ...) with a SyntaxError, so both backends report malformed queries the same way.
    """
    code = _COMMENTS.sub(" ", _IRIS.sub(lambda m: m.group(0).replace("#", "%23"), _STRINGS.sub('""', sparql)))
    for pattern, message in _FORBIDDEN:
        if pattern.search(code):
            raise SyntaxError(message)
    from evrdf import fence  # the empty store would still call a SERVICE: evaluate where no socket opens

    if fence.available():
        return fence.run_fenced(_result_class, sparql, base_iri, prefixes)
    return _result_class(sparql, base_iri, prefixes)


def _result_class(sparql: str, base_iri: str | None, prefixes: dict[str, str] | None) -> type:
    return type(ox.Store().query(sparql, base_iri=base_iri, prefixes=prefixes or None))


class RemoteStore:
    """Read side of a remote store; the write side (publishing a release) is publish_remote.publish."""

    def __init__(self, endpoints: Endpoints, pointer_graph: str, timeout_s: float = 30.0,
                 files_root: Path | None = None):
        self.endpoints = endpoints
        self.pointer_graph = pointer_graph
        self.timeout_s = timeout_s
        self.files_root = Path(files_root) if files_root else None
        self._lock = threading.Lock()
        self._published: tuple[float, Published] | None = None
        self._opener = _opener(endpoints)

    @classmethod
    def from_settings(cls, settings: Any) -> "RemoteStore":
        if not settings.remote_url:
            raise StoreError("the remote backend needs a URL (EVRDF_REMOTE_URL or --remote URL)")
        return cls(Endpoints.from_env(settings.remote_url), pointer_graph(settings.base_iri),
                   settings.query_timeout_s, settings.store)

    # -- the Store protocol -----------------------------------------------------------------------
    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> Any:
        """Forward one query with the release's graphs as its dataset (the union, unless the client names some)."""
        kind = check_query(sparql, base_iri, prefixes)
        current = self.published()
        sent = rewrite(sparql, current.graphs, current.release, base_iri=base_iri, prefixes=prefixes,
                       default_graphs=default_graphs, named_graphs=named_graphs)
        form = ([("query", sent.text)] + [("default-graph-uri", g) for g in sent.default_graphs]
                + [("named-graph-uri", g) for g in sent.named_graphs])
        if kind is ox.QueryTriples:
            return _triples(self._post(self.endpoints.query, form, "application/n-triples"))
        return _solutions(self._post(self.endpoints.query, form, "application/sparql-results+json"), sent.hidden)

    def named_graphs(self) -> list[str]:
        return sorted(self.published().graphs)

    def release(self) -> dict[str, Any]:
        return dict(self.published().info)

    def release_dir(self) -> Path:
        """The served release's directory in the build store beside the remote one (its release.json, files/)."""
        if self.files_root is None:
            raise StoreError("this remote store has no files directory (set EVRDF_STORE)")
        return self.files_root / "releases" / self.published().release

    def files_dir(self) -> Path:
        """Release files (downloads) are not RDF: they stay on disk, shared by the web workers."""
        return self.release_dir() / "files"

    def preload(self) -> str:
        """Nothing to load here: the remote engine holds the data. Reads the pointer once, so a missing
        release fails now."""
        self.published(fresh=True)
        return "remote"

    def mode(self) -> str:
        return "remote"

    @property
    def memory_note(self) -> str:
        return f"queries are answered by {self.endpoints.query}"

    # -- the pointer ------------------------------------------------------------------------------
    def published(self, fresh: bool = False) -> Published:
        with self._lock:
            cached = self._published
            if cached and not fresh and time.monotonic() - cached[0] < POINTER_TTL_S:
                return cached[1]
        found = self.read_pointer()
        if found is None:
            raise StoreError(f"no release is published in {self.endpoints.query} "
                             f"(pointer graph <{self.pointer_graph}> is empty; run `evrdf build --backend remote`)")
        with self._lock:
            self._published = (time.monotonic(), found)
        return found

    def read_pointer(self) -> Published | None:
        """The current release; while a publish switches, two may be current for a moment: the newest wins."""
        sparql = (f"SELECT ?r ?info ?g WHERE {{ <{self.pointer_graph}> <{CURRENT}> ?r . "
                  f"?r <{INFO}> ?info . OPTIONAL {{ ?r <{GRAPH}> ?g }} }}")
        body = self._post(self.endpoints.query, [("query", sparql), ("default-graph-uri", self.pointer_graph)],
                          "application/sparql-results+json")
        rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]
        if not rows:
            return None
        newest = max(rows, key=lambda r: sort_key(r["r"].rsplit("/", 1)[-1]))["r"]
        info = json.loads(next(r["info"] for r in rows if r["r"] == newest))
        graphs = {logical(r["g"]): r["g"] for r in rows if r["r"] == newest and "g" in r}
        return Published(info["release"], info, graphs)

    # -- HTTP -------------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        """SPARQL 1.1 Update over the authenticated endpoint (publishing only; never reachable from /sparql)."""
        self._post(self.endpoints.update, [("update", sparql)], "*/*")

    def put_graph(self, graph: str, ntriples: bytes, replace: bool = False) -> None:
        """Graph Store Protocol: POST (append) or PUT (replace) a whole N-Triples document into ``graph``."""
        url = f"{self.endpoints.graph_store}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, data=ntriples, method="PUT" if replace else "POST",
                                         headers={"Content-Type": "application/n-triples"})
        self._send(request, timeout_s=max(self.timeout_s, 600.0))

    def _post(self, url: str, form: list[tuple[str, str]], accept: str) -> bytes:
        data = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        return self._send(request, self.timeout_s)

    def _send(self, request: urllib.request.Request, timeout_s: float) -> bytes:
        where = request.full_url.split("?")[0]
        try:
            with self._opener.open(request, timeout=timeout_s) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            message = _message(exc.read())
            for pattern, limitation in _UNSUPPORTED:
                if pattern.search(message):
                    raise UnsupportedQuery(limitation) from None
            if exc.code == 400:
                raise SyntaxError(f"the remote store refused the query: {message}") from None
            if exc.code in (401, 403):
                raise RemoteError(f"{where} refused our credentials (HTTP {exc.code}; check EVRDF_REMOTE_USER "
                                  f"and EVRDF_REMOTE_PASSWORD): {message}") from None
            raise RemoteError(f"{where} answered HTTP {exc.code}: {message}") from None
        except (socket.timeout, TimeoutError):
            raise RemoteTimeout(f"{where} did not answer within {timeout_s:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise RemoteTimeout(f"{where} did not answer within {timeout_s:g} s") from None
            raise RemoteError(f"cannot reach {where}: {exc.reason}") from None


def pointer_graph(base_iri: str) -> str:
    return f"{base_iri}graph/published"


def _opener(endpoints: Endpoints) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if endpoints.user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (endpoints.update, endpoints.graph_store):
            passwords.add_password(None, url, endpoints.user, endpoints.password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def _message(body: bytes) -> str:
    """Virtuoso's error text without the echoed query (first line, e.g. 'SP030: SPARQL compiler, line 1: ...')."""
    text = body.decode("utf-8", "replace").strip()
    head = text.split("\n\nSPARQL query:")[0].strip()
    return re.sub(r"\s+", " ", head)[:500] or "(no message)"


def _solutions(body: bytes, hidden: AbstractSet[str] = frozenset()) -> ox.QuerySolutions | ox.QueryBoolean:
    if hidden or b'"bnode"' in body:
        document = json.loads(body)
        # the rewrite's helper variables (physical graph names) are not part of the answer
        document["head"]["vars"] = [v for v in document["head"].get("vars", []) if v not in hidden]
        for row in document.get("results", {}).get("bindings", []):
            for name in hidden & set(row):
                del row[name]
            for cell in row.values():  # Virtuoso labels blank nodes nodeID://b123: not a valid label
                if cell.get("type") == "bnode":
                    cell["value"] = re.sub(r"[^A-Za-z0-9_]", "_", cell["value"])
        body = json.dumps(document).encode("utf-8")
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QuerySolutions) and [v.value for v in result.variables] == ["__ASK_RETVAL"]:
        # Virtuoso answers ASK with a one-row SELECT; turn it into the boolean result the standard specifies.
        answer = any(s["__ASK_RETVAL"] is not None and s["__ASK_RETVAL"].value not in ("0", "false")
                     for s in result)
        return ox.parse_query_results(json.dumps({"head": {}, "boolean": answer}).encode(),
                                      format=ox.QueryResultsFormat.JSON)
    return result


def _triples(body: bytes) -> Any:
    """A real QueryTriples (so callers serialize it like Oxigraph's): the answer replayed from a scratch store."""
    scratch = ox.Store()
    try:
        scratch.bulk_load(body, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise RemoteError(f"the remote store sent malformed N-Triples: {exc}") from None
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
