"""What a query run is and what it gives back, whatever runs it: the job, the answer, the ways a query fails, the
size-limited sink the store serializes into, and the spool an answer is read into whole before it is sent.

An answer is returned only once it is complete (in memory, or spooled to a temporary file past STREAM_AFTER): a
result over the size limit, or one that fails half-way, is refused before its first byte is sent, and a spooled
answer's length is known, so it is sent with Content-Length and a cut is visible to every client.
No Flask here and no HTTP status codes: the errors are mapped to statuses by serve/sparql_answer.py.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator

from evrdf.storage import Store

CHUNK = 64 << 10  # bytes per message from a worker
STREAM_AFTER = 1 << 20  # answers up to this size are sent whole (with Content-Length, cacheable); larger stream
FENCED = ("the query tried to open a network connection (a SERVICE call), which this endpoint does not make: "
          "federated queries are off (the operator sets EVRDF_FEDERATION_ALLOW)")
TIMED_OUT = ("the query ran past the timeout and was stopped; make it more selective (LIMIT, fewer OPTIONALs, "
             "a narrower graph)")


class QueryFailed(Exception):
    """Base of the ways a query can fail; the message is meant for the client."""

    discarded = False  # set when the process pool has already replaced the worker that failed


class QuerySyntaxError(QueryFailed):
    pass


class QueryTimeout(QueryFailed):
    pass


class QueryUnsupported(QueryFailed):
    """Well-formed, but the backend cannot answer it exactly (it says which part)."""


class ResultTooLarge(QueryFailed):
    pass


class Busy(QueryFailed):
    pass


class NotAcceptable(QueryFailed):
    """The result's kind ('results' or 'triples') has no format the client accepts."""


class StoreFailure(QueryFailed):
    pass


class Forbidden(QueryFailed):
    """The query tried to reach the network from a fenced thread (evrdf/fence.py): a SERVICE the text checks
    did not see."""


@dataclass(frozen=True)
class Job:
    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = None  # short name (evrdf.formats) for SELECT/ASK, None = not acceptable
    rdf_format: str | None = None  # short name for CONSTRUCT/DESCRIBE, None = not acceptable
    max_bytes: int = 256 << 20
    base_iri: str | None = None  # resolves relative IRIs of a query without BASE (the endpoint's IRI)
    prefixes: tuple[tuple[str, str], ...] = ()  # predeclared prefixes (the query's own PREFIXes win)
    distinct: bool = False  # a graph answer written as a set (Oxigraph's DESCRIBE repeats a triple once per graph)
    fenced: bool = False  # evaluate in a thread that cannot open Internet sockets (federation off)


@dataclass
class Answer:
    """Serialized results: ``head`` is the whole body unless ``rest`` streams the remainder."""

    kind: str  # 'results' or 'triples'
    media_type: str
    release: str | None  # the release that answered, None if a new one landed meanwhile
    head: bytes
    rest: Iterator[bytes] | None = None
    length: int | None = None  # of head + rest, when known before sending (a spooled answer)


class Limited:
    """A binary sink for ``serialize(output=...)`` that refuses to grow past the result-size limit."""

    def __init__(self, limit: int, emit: Callable[[bytes], None]):
        self.limit, self.emit, self.size, self.buffer = limit, emit, 0, bytearray()

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge(f"the result is larger than the limit of {self.limit} bytes; "
                                 "ask for less (LIMIT, fewer variables) or page with OFFSET")
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.emit(bytes(self.buffer))
            self.buffer.clear()


class Spool:
    """An answer being written inline: in memory up to STREAM_AFTER, then in a temporary file, so a large answer
    costs disk, not memory, and is streamed to the client from there."""

    def __init__(self) -> None:
        self.kind, self.media, self.size = "", "", 0
        self.parts: list[bytes] = []
        self.file: IO[bytes] | None = None

    def start(self, kind: str, media: str) -> None:
        self.kind, self.media = kind, media

    def emit(self, data: bytes) -> None:
        self.size += len(data)
        if self.file is not None:
            self.file.write(data)
            return
        self.parts.append(data)
        if self.size >= STREAM_AFTER:
            self.file = tempfile.TemporaryFile(prefix="evrdf-answer-")
            self.file.write(b"".join(self.parts))
            self.parts = []

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
        self.parts = []

    def answer(self, release: str | None) -> Answer:
        if self.file is None:
            return Answer(self.kind, self.media, release, b"".join(self.parts))
        spool = self.file
        spool.seek(0)

        def rest() -> Iterator[bytes]:
            with spool:
                yield from iter(lambda: spool.read(CHUNK), b"")
        return Answer(self.kind, self.media, release, b"", rest(), self.size)


_RELEASES: dict[tuple[str, str], dict[str, Any]] = {}  # (store root, pointer target) -> its release.json


def release_info(store: Store) -> dict[str, Any]:
    """``store.release()``, remembered per release directory of an embedded store (a release directory never
    changes): reading the pointer is one readlink, where resolving it and reading release.json cost ~0.1 ms."""
    root = getattr(store, "root", None)
    if root is None or not hasattr(store, "release_dir"):
        return store.release()
    try:
        key = (str(root), os.readlink(f"{root}/current"))
    except OSError:  # not (yet) a symlink: let the store say what is wrong
        return store.release()
    info = _RELEASES.get(key)
    if info is None:
        info = _RELEASES[key] = store.release()
    return info
