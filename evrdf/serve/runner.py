"""Running a query with a deadline and a size limit, and serializing its results with the store's own writer.

Oxigraph cannot cancel a query it is evaluating, so the embedded store is queried in a small pool of worker
*processes*, each with the published release opened read-only: a query past its deadline is stopped by
killing its worker (its CPU is really freed) and a fresh worker takes its place. An answer up to STREAM_AFTER
crosses the pipe as one message (the hop costs ~0.25 ms of a point lookup; bench/http/README.md). Stores that
cannot be reopened in another process (e.g. a remote SPARQL store, which has its own HTTP timeouts) run in
threads instead, and the endpoint only stops waiting for them. Under gunicorn (serve/production.py) the
embedded store is queried in the request's own thread (RetiringRunner.run_inline: no hop at all; answers over
STREAM_AFTER are spooled to a temporary file and streamed from it). A query past its deadline is answered 503 by
a watchdog on the connection's socket and makes that worker retire, so the runaway query dies with its process.
Every runner returns an answer only once it is complete (in memory, or spooled to a temporary file past
STREAM_AFTER): a result over the size limit, or one that fails half-way, is refused before its first byte is sent,
and a spooled answer's length is known, so it is sent with Content-Length and a cut is visible to every client.

No Flask here and no HTTP status codes: the errors below are mapped to statuses by serve/sparql.py.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import queue
import socket
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from time import monotonic
from typing import Any, Callable, Iterator

from evrdf.errors import UnsupportedQuery

CHUNK = 64 << 10  # bytes per message from a worker
STREAM_AFTER = 1 << 20  # answers up to this size are sent whole (with Content-Length, cacheable); larger stream
WATCHDOG_TICK = 0.1  # seconds: how late past its deadline an inline query may be answered 503
_FENCED = ("the query tried to open a network connection (a SERVICE call), which this endpoint does not make: "
           "federated queries are off (the operator sets EVRDF_FEDERATION_ALLOW)")
TIMED_OUT = ("the query ran past the timeout and was stopped; make it more selective (LIMIT, fewer OPTIONALs, "
             "a narrower graph)")



class QueryFailed(Exception):
    """Base of the ways a query can fail; the message is meant for the client."""


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


class _Limited:
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


_RELEASES: dict[tuple[str, str], dict[str, Any]] = {}  # (store root, pointer target) -> its release.json


def release_info(store: Any) -> dict[str, Any]:
    """``store.release()``, remembered per release directory of an embedded store (a release directory never
    changes): reading the pointer is one readlink, where resolving it and reading release.json cost ~0.1 ms."""
    root = getattr(store, "root", None)
    if root is None or not hasattr(store, "release_dir"):
        return store.release()  # type: ignore[no-any-return]
    try:
        key = (str(root), os.readlink(f"{root}/current"))
    except OSError:  # not (yet) a symlink: let the store say what is wrong
        return store.release()  # type: ignore[no-any-return]
    info = _RELEASES.get(key)
    if info is None:
        info = _RELEASES[key] = store.release()
    return info


def _release_id(store: Any) -> str | None:
    try:
        return str(release_info(store)["release"])
    except Exception:  # a store without releases: answers are never cached
        return None


def evaluate(store: Any, job: Job, start: Callable[[str, str], None], emit: Callable[[bytes], None]) -> str | None:
    """Query, pick the format for the kind of result, serialize through the size limit; returns the release id
    the answer certainly comes from (read before and after: equal unless a publish happened in between)."""
    before = _release_id(store)
    if job.fenced:
        from evrdf import fence

        if fence.available():
            fence.fence_this_thread()  # once per thread; the thread only ever evaluates client SPARQL
    try:
        result = store.query(job.query, default_graphs=list(job.default_graphs) or None,
                             named_graphs=list(job.named_graphs) or None, base_iri=job.base_iri,
                             prefixes=dict(job.prefixes) or None)
    except SyntaxError as exc:
        from evrdf.syntax import explain

        raise QuerySyntaxError(explain(job.query, str(exc), dict(job.prefixes))) from None
    except UnsupportedQuery as exc:
        raise QueryUnsupported(str(exc)) from None
    except TimeoutError:  # a remote store's own deadline: the same answer as a stopped worker's
        raise QueryTimeout("the query ran past the timeout and was stopped; make it more selective "
                           "(LIMIT, fewer OPTIONALs, a narrower graph)") from None
    except PermissionError as exc:
        if job.fenced:
            raise Forbidden(_FENCED) from None
        raise StoreFailure(f"the store failed to answer: {exc}") from None
    except OSError as exc:
        raise StoreFailure(f"the store failed to answer: {exc}") from None
    except QueryFailed:
        raise
    except Exception as exc:  # e.g. StoreError: no published release
        raise StoreFailure(str(exc)) from None
    kind = "triples" if type(result).__name__ == "QueryTriples" else "results"
    from evrdf.formats import RDF_FORMATS, RESULT_FORMATS

    name = job.rdf_format if kind == "triples" else job.results_format
    if name is None:
        raise NotAcceptable(kind)
    fmt = (RDF_FORMATS if kind == "triples" else RESULT_FORMATS)[name]
    start(kind, fmt.media_type)
    sink = _Limited(job.max_bytes, emit)
    try:
        if kind == "triples" and job.distinct:
            import pyoxigraph

            pyoxigraph.serialize(list(dict.fromkeys(result)), sink, format=fmt)
        else:
            result.serialize(sink, format=fmt)
    except PermissionError as exc:
        if job.fenced:
            raise Forbidden(_FENCED) from None
        raise StoreFailure(f"the query failed while its results were written: {exc}") from None
    except OSError as exc:
        raise StoreFailure(f"the query failed while its results were written: {exc}") from None
    sink.flush()
    after = _release_id(store)
    return before if before == after else None


# -- inline evaluation in a gunicorn request thread, with a watchdog for the deadline ---------------------------
class _Spool:
    """An answer being written inline: in memory up to STREAM_AFTER, then in a temporary file, so a large answer
    costs disk, not memory, and is streamed to the client from there."""

    def __init__(self) -> None:
        self.kind, self.media, self.parts, self.size = "", "", [], 0
        self.file: Any = None

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


class _Watch:
    """One inline query under the watchdog: exactly one of the query's thread (``finish``) and the watchdog
    (past the deadline) answers the client."""

    def __init__(self, deadline: float, sock: Any, message: str):
        self.deadline, self.sock, self.message, self.state = deadline, sock, message, "running"


class _Watchdog:
    """Past its deadline an inline query cannot be stopped, so the watchdog answers its client 503 on the
    connection's socket (gunicorn puts it in the WSGI environ), shuts the socket, and retires the worker, which
    takes the query with it. The request thread, when the query ends, finds it was answered and writes nothing
    that reaches the client (the socket is shut; gunicorn ignores the broken pipe)."""

    def __init__(self, retire: Callable[[], None]):
        self.retire = retire
        self._watches: set[_Watch] = set()
        self._lock = threading.Condition()  # its wait() is the watchdog's tick
        self._thread: threading.Thread | None = None
        self.runaway = 0

    def watch(self, deadline: float, sock: Any, message: str) -> _Watch:
        watch = _Watch(deadline, sock, message)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True, name="evrdf-watchdog")
                self._thread.start()
            self._watches.add(watch)  # no notify: waking the watchdog per query would cost a context switch
        return watch

    def finish(self, watch: _Watch) -> bool:
        """The query ended: False if the watchdog already answered (the caller must not count on the client)."""
        with self._lock:
            self._watches.discard(watch)
            if watch.state == "running":
                watch.state = "done"
                return True
            self.runaway -= 1
            return False

    def _loop(self) -> None:
        while True:
            with self._lock:
                now = monotonic()
                due = [w for w in self._watches if w.deadline <= now]
                for watch in due:
                    self._watches.discard(watch)
                    watch.state = "answered"
                    self.runaway += 1
                if not due:
                    self._lock.wait(timeout=WATCHDOG_TICK)
                    continue
            for watch in due:
                _answer_503(watch.sock, watch.message)
            self.retire()


def _answer_503(sock: Any, message: str) -> None:
    body = (message + "\n").encode("utf-8")
    head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n\r\n")
    try:
        sock.sendall(head.encode("ascii") + body)
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client has gone already


# -- worker processes ------------------------------------------------------------------------------------------
class _Reply:
    """The worker's side of one answer: held back until it outgrows STREAM_AFTER, so a small answer (the common
    case) crosses the pipe as ONE message; a larger one is announced with its head and then streamed."""

    def __init__(self, conn: Connection):
        self.conn, self.kind, self.media, self.parts, self.size, self.streaming = conn, "", "", [], 0, False

    def start(self, kind: str, media: str) -> None:
        self.kind, self.media = kind, media

    def emit(self, data: bytes) -> None:
        if self.streaming:
            self.conn.send(("data", data))
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size >= STREAM_AFTER:
            self.conn.send(("start", self.kind, self.media, b"".join(self.parts)))
            self.parts, self.streaming = [], True

    def end(self, release: str | None) -> None:
        if self.streaming:
            self.conn.send(("end", release))
        else:
            self.conn.send(("whole", self.kind, self.media, release, b"".join(self.parts)))


def _worker(conn: Connection, factory: Callable[[], Any]) -> None:
    """A worker's life: open the store, answer jobs until the pipe closes."""
    store = factory()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        reply = _Reply(conn)
        try:
            reply.end(evaluate(store, job, reply.start, reply.emit))
        except QueryFailed as exc:
            conn.send(("error", exc))
        except Exception as exc:  # never let one query take the worker down
            conn.send(("error", StoreFailure(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Process:
    process: Any
    conn: Connection


@dataclass
class ProcessRunner:
    """A pool of query processes sharing one read-only release; one job per process at a time.

    A query still running after ``grow_after`` seconds is expensive: the pool starts one more process for the
    queries that come meanwhile (up to ``2 * size``), so a few expensive queries never hold every process; the
    extra processes end when they come back idle. An answer is read whole (spooled past STREAM_AFTER) before it is
    returned, so a result over the size limit, or a query that fails half-way, is refused before the client
    gets a byte."""

    factory: Callable[[], Any]
    size: int
    grow_after: float = 0.25
    _idle: "queue.SimpleQueue[_Process]" = field(default_factory=queue.SimpleQueue)
    _started: bool = False
    _count: int = 0  # processes alive (busy or idle)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker, args=(child, self.factory), daemon=True, name="evrdf-query")
        process.start()
        child.close()
        with self._lock:
            self._count += 1
        self._idle.put(_Process(process, parent))

    def _discard(self, worker: _Process) -> None:
        """Kill a worker (timed out, or its client left mid-answer); put a fresh one in its place unless the pool
        has grown past its size."""
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        with self._lock:
            self._count -= 1
            replace = self._count < self.size
        if replace:
            self._spawn()

    def _grow(self) -> None:
        with self._lock:
            grow = self._count < 2 * self.size
        if grow:
            threading.Thread(target=self._spawn, daemon=True, name="evrdf-query-spawn").start()

    def run(self, job: Job, deadline: float) -> Answer:
        with self._lock:
            start = not self._started
            self._started = True
        if start:
            for _ in range(self.size):
                self._spawn()
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - monotonic()))
        except queue.Empty:
            raise Busy(f"all {self._count} query workers stayed busy until the timeout; try again later") from None
        settled = False  # True once the worker is back in the pool or discarded
        try:
            worker.conn.send(job)
            message = self._receive(worker, deadline, grow=True)
            if message[0] == "whole":  # the common case: the whole answer in one message
                settled = self._put_back(worker)
                _, kind, media, release, body = message
                return Answer(kind, media, release, body)
            if message[0] == "error":
                settled = self._put_back(worker)
                raise message[1]
            _, kind, media, head = message
            spool = _Spool()
            spool.start(kind, media)
            spool.emit(head)
            while True:
                message = self._receive(worker, deadline)
                if message[0] == "data":
                    spool.emit(message[1])
                    continue
                settled = self._put_back(worker)
                if message[0] == "end":
                    return spool.answer(message[1])
                spool.discard()
                raise message[1]
        except (QueryTimeout, StoreFailure) as exc:
            settled = settled or getattr(exc, "discarded", False)
            if not settled:
                self._discard(worker)
            raise
        except BaseException:
            if not settled:
                self._discard(worker)
            raise

    def _put_back(self, worker: _Process) -> bool:
        with self._lock:
            surplus = self._count > self.size
            if surplus:
                self._count -= 1
        if surplus:  # an extra process started for an expensive query: the pool shrinks back
            worker.conn.close()
            worker.process.kill()
            worker.process.join(timeout=5)
        else:
            self._idle.put(worker)
        return True

    def _receive(self, worker: _Process, deadline: float, grow: bool = False) -> tuple[Any, ...]:
        remaining = deadline - monotonic()
        if grow and remaining > self.grow_after and not worker.conn.poll(self.grow_after):
            self._grow()  # an expensive query: keep a process free for the next ones
            remaining = deadline - monotonic()
        if remaining <= 0 or not worker.conn.poll(remaining):
            self._discard(worker)
            timeout = QueryTimeout("the query ran past the timeout and was stopped; make it more selective "
                                   "(LIMIT, fewer OPTIONALs, a narrower graph)")
            timeout.discarded = True  # type: ignore[attr-defined]
            raise timeout
        try:
            return worker.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            self._discard(worker)
            died = StoreFailure("the query worker died while answering")
            died.discarded = True  # type: ignore[attr-defined]
            raise died from None


# -- threads (stores that live in this process only) -----------------------------------------------------------
@dataclass
class ThreadRunner:
    """Runs each query in a thread; past the deadline the endpoint stops waiting (the thread runs on)."""

    store: Any
    size: int
    _pool: ThreadPoolExecutor | None = None

    def run(self, job: Job, deadline: float) -> Answer:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.size, thread_name_prefix="evrdf-query")
        future = self._pool.submit(self._answer, job)
        try:
            return future.result(timeout=max(0.0, deadline - monotonic()))
        except FutureTimeout:
            raise QueryTimeout("the query ran past the timeout; make it more selective") from None

    def _answer(self, job: Job) -> Answer:
        parts: list[bytes] = []
        started: list[str] = []
        try:
            release = evaluate(self.store, job, lambda kind, media: started.extend((kind, media)), parts.append)
        except QueryFailed as exc:  # pyoxigraph results may only be freed by the thread that made them: drop
            exc.__context__ = None  # the frames holding one here, not in the thread that re-raises the error
            raise exc.with_traceback(None) from None
        return Answer(started[0], started[1], release, b"".join(parts))


# -- threads of a gunicorn worker that retires when a query overruns ---------------------------------------------
class _Task:
    """One query handed to a query thread; the reply travels back through a queue, at most 16 messages ahead of
    the reader (back-pressure for a streamed answer to a slow client)."""

    def __init__(self, job: Job, deadline: float):
        self.job, self.deadline = job, deadline
        self.replies: "queue.SimpleQueue[tuple[Any, ...]]" = queue.SimpleQueue()
        self.credits = threading.Semaphore(16)
        self.started = threading.Event()
        self.done = threading.Event()
        self.cancelled = False

    def send(self, message: tuple[Any, ...]) -> None:
        """_Reply's channel: gives up (and so stops serialize) once the caller has stopped listening."""
        while True:
            if self.cancelled or monotonic() > self.deadline:
                raise QueryTimeout("the query ran past the timeout and was stopped")
            if self.credits.acquire(timeout=0.25):
                self.replies.put(message)
                return


@dataclass
class RetiringRunner:
    """The embedded store queried in threads of the serving process (no hop, no pickling: pyoxigraph releases the
    GIL while it evaluates). Oxigraph cannot stop a query, so when one overruns its deadline the caller answers
    at once and ``retire`` is called: the gunicorn worker stops accepting, finishes its other requests and
    exits, taking the runaway query with it, and gunicorn starts a fresh worker (serve/production.py)."""

    store: Any
    size: int
    retire: Callable[[], None]
    _tasks: "queue.SimpleQueue[_Task]" = field(default_factory=queue.SimpleQueue)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    runaway: int = 0  # queries still evaluating past their deadline

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.size)
        self._watchdog = _Watchdog(self.retire)

    @property
    def runaways(self) -> int:
        return self.runaway + self._watchdog.runaway

    def run(self, job: Job, deadline: float) -> Answer:
        if len(self._threads) < self.size:
            with self._lock:
                while len(self._threads) < self.size:  # daemon threads: a runaway one never holds up the exit
                    thread = threading.Thread(target=self._serve, daemon=True, name="evrdf-query")
                    thread.start()
                    self._threads.append(thread)
        task = _Task(job, deadline)
        self._tasks.put(task)
        message = self._receive(task)
        if message[0] == "whole":
            _, kind, media, release, body = message
            return Answer(kind, media, release, body)
        if message[0] == "error":
            raise message[1]
        _, kind, media, head = message
        spool = _Spool()  # read whole before answering: over the size limit is refused before the first byte
        spool.start(kind, media)
        spool.emit(head)
        while True:
            message = self._receive(task)
            if message[0] == "data":
                spool.emit(message[1])
            elif message[0] == "end":
                return spool.answer(message[1])
            else:
                spool.discard()
                raise message[1]

    def run_inline(self, job: Job, deadline: float, sock: Any, timeout_message: str) -> Answer:
        """Evaluate in the calling (gunicorn request) thread: no hand-off to a query thread, ~0.2-0.3 ms less
        per query (bench/http/README.md). At most ``size`` at once, as with the query threads."""
        if not self._slots.acquire(timeout=max(0.0, deadline - monotonic())):
            raise Busy(f"all {self.size} query slots stayed busy until the timeout; try again later")
        watch = self._watchdog.watch(deadline, sock, timeout_message)
        try:
            spool = _Spool()
            release = evaluate(self.store, job, spool.start, spool.emit)
        except BaseException:
            if not self._watchdog.finish(watch):
                raise QueryTimeout("answered 503 by the watchdog") from None
            raise
        finally:
            self._slots.release()
        if not self._watchdog.finish(watch):
            raise QueryTimeout("answered 503 by the watchdog")
        return spool.answer(release)

    def _serve(self) -> None:
        while True:
            task = self._tasks.get()
            task.started.set()
            if task.cancelled:  # its caller gave up while it waited for a thread (checked after started is set:
                task.done.set()  # the caller sets cancelled, then looks at started)
                continue
            reply = _Reply(task)  # type: ignore[arg-type]
            try:
                reply.end(evaluate(self.store, task.job, reply.start, reply.emit))
            except QueryFailed as exc:
                self._offer(task, exc)
            except Exception as exc:  # never let one query take the thread down
                self._offer(task, StoreFailure(f"{type(exc).__name__}: {exc}"))
            finally:
                reply = None  # type: ignore[assignment]
                task.done.set()

    @staticmethod
    def _offer(task: _Task, exc: QueryFailed) -> None:
        exc.__context__ = exc.__cause__ = None  # pyoxigraph objects must be freed by this thread: keep no frames
        try:
            task.send(("error", exc.with_traceback(None)))
        except QueryTimeout:
            pass  # nobody listens any more

    def _receive(self, task: _Task) -> tuple[Any, ...]:
        try:
            message = task.replies.get(timeout=max(0.0, task.deadline - monotonic()))
            task.credits.release()
            return message
        except queue.Empty:
            pass
        task.cancelled = True
        if not task.started.is_set():
            raise Busy(f"all {self.size} query threads stayed busy until the timeout; try again later") from None
        self._overran(task)
        raise QueryTimeout("the query ran past the timeout and was stopped; make it more selective "
                           "(LIMIT, fewer OPTIONALs, a narrower graph)") from None

    def _overran(self, task: _Task) -> None:
        """The query is past its deadline: if it does not stop at its next write, this process must go."""
        if task.done.wait(0.05):
            return
        with self._lock:
            self.runaway += 1
        self.retire()


_RETIRE: Callable[[], None] | None = None


def retire_on_overrun(retire: Callable[[], None] | None) -> None:
    """Called in a gunicorn worker: query the embedded store in threads of this process and call ``retire`` when a
    query overruns (None goes back to query processes)."""
    global _RETIRE
    _RETIRE = retire
    with _RUNNERS_LOCK:
        _BY_STORE.clear()


def runaway_queries() -> int:
    """How many queries of this process's runners are still evaluating past their deadline."""
    return sum(r.runaways for r in list(_RUNNERS.values()) if isinstance(r, RetiringRunner))


def inline_runaways() -> int:
    """How many of those were evaluated inline, each still holding its client's connection."""
    return sum(r._watchdog.runaway for r in list(_RUNNERS.values()) if isinstance(r, RetiringRunner))


_RUNNERS: dict[tuple[Any, ...], Any] = {}
_RUNNERS_LOCK = threading.Lock()
_BY_STORE: dict[tuple[int, int], tuple[Any, Any]] = {}


def runner_for(store: Any, size: int) -> ProcessRunner | ThreadRunner | RetiringRunner:
    """One runner per store and size in this process (apps created for the same store share their workers)."""
    known = _BY_STORE.get((id(store), size))
    if known is not None and known[0] is store:  # fast path: no path resolution per request
        return known[1]  # type: ignore[no-any-return]
    from evrdf.store.oxigraph import OxigraphStore

    retire = _RETIRE
    if type(store) is OxigraphStore and retire is not None:
        key: tuple[Any, ...] = ("retiring", id(store), size)
        make: Callable[[], Any] = functools.partial(RetiringRunner, store, size, retire)
    elif type(store) is OxigraphStore:
        store.serve_from_disk("the development server's query processes open the release on disk (serve with "
                              "--workers N to serve it from memory)")
        key = ("process", str(store.root.resolve()), size)
        make = functools.partial(ProcessRunner, functools.partial(OxigraphStore, store.root), size)
    else:
        key = ("thread", id(store), size)
        make = functools.partial(ThreadRunner, store, size)
    with _RUNNERS_LOCK:
        if key not in _RUNNERS:
            _RUNNERS[key] = make()
        _BY_STORE[(id(store), size)] = (store, _RUNNERS[key])  # holds the store, so its id is not reused
        return _RUNNERS[key]
