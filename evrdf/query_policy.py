"""What the endpoint refuses to run, decided on the request text before Oxigraph parses it.

- Nesting and depth. Oxigraph's parser and evaluator recurse once per nested ``{ }``, ``( )``, ``[ ]`` and per
  element of a chain (``1+1+...``, ``{} UNION {} ...``, a group's OPTIONALs); past a few thousand levels they
  overflow the thread's stack and the whole process dies (SIGSEGV; measured in bench/limits/README.md). A
  request nesting deeper than ``MAX_NESTING`` or with a syntax tree deeper than ``MAX_DEPTH`` (an upper bound
  computed by evrdf/sparql_text.py) is refused with 400 and the limit, before anything parses it.
- SERVICE outside ``EVRDF_FEDERATION_ALLOW`` (403), and every LOAD in an update (403): the server fetches no URL
  for a client. A word that may hide a SERVICE or LOAD keyword in Oxigraph's reading (``SERVICESILENT``,
  ``SERVICE:x``) is refused with 400 rather than guessed. These checks give clear answers; what guarantees that
  no request leaves the server is the network fence (evrdf/fence.py), under which Oxigraph cannot open a socket.

Used by /sparql (queries and updates), `evrdf update` and `evrdf query`.
"""

from __future__ import annotations

from evrdf.sparql_text import Scan, scan

MAX_NESTING = 64  # levels of { }, ( ), [ ], << >> inside one another: hand-written queries use under 10
MAX_DEPTH = 1000  # syntax-tree depth bound: nesting plus chains (UNIONs, OPTIONALs, FILTERs, operators) per scope


class Refused(Exception):
    """A request the endpoint will not run: ``status`` (400 or 403) and a message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def check(text: str, *, update: bool = False, federation_allow: tuple[str, ...] = (), network: bool = True,
          max_nesting: int = MAX_NESTING, max_depth: int = MAX_DEPTH) -> Scan:
    """The scan of ``text`` if the endpoint may run it, else raise Refused. ``network=False`` checks the limits
    only (`evrdf query`: the operator's own federated queries are theirs to run)."""
    kind = "update" if update else "query"
    found = scan(text, stop=max(max_nesting, max_depth))
    if found.nesting > max_nesting:
        deep = f"more than {found.nesting}" if found.depth > max(max_nesting, max_depth) else str(found.nesting)
        raise Refused(400, f"the {kind} nests {deep} levels deep ({{ }}, ( ), [ ] inside one another); "
                           f"this endpoint accepts at most {max_nesting} levels")
    if found.depth > max_depth:
        raise Refused(400, f"the {kind} is too deep: its syntax tree may have more levels (nesting plus chains of "
                           f"UNION, OPTIONAL, FILTER, BIND or operators in one group) than the limit of {max_depth}; "
                           "list alternatives with VALUES or IN instead of long chains")
    if not network:
        return found
    if update and found.loads:
        raise Refused(403, "LOAD is not allowed: the server fetches no URLs for an update; send the data in "
                           "INSERT DATA")
    hidden = [w for w in found.uncertain if "service" in w.lower() or (update and w.lower().startswith("load"))]
    if hidden:
        word = "SERVICE or LOAD" if update else "SERVICE"
        raise Refused(400, f"cannot tell whether this {kind} calls {word}: {hidden[0]!r} may be read as the keyword "
                           f"followed by more text; write {word} as a word of its own, and do not use prefix "
                           "names that contain 'service'")
    for service in found.services:
        if service not in federation_allow:
            policy = (f"allowed: {', '.join(federation_allow)}" if federation_allow
                      else "federated queries are off on this endpoint")
            raise Refused(403, f"SERVICE {service or '(no endpoint)'} is not allowed ({policy}; the operator sets "
                               "EVRDF_FEDERATION_ALLOW)")
    return found
