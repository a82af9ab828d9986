"""Production serving (what `evrdf serve` runs): gunicorn with several worker processes sharing one release.

Each gunicorn worker is a Flask app with threads (EvrdfWorker: gunicorn's gthread worker that hands a connection to
a thread only once its whole request has arrived, so idle or slow connections hold no thread, and closes those that
take longer than the request timeout); each request thread queries the embedded store itself
(serve/runner/inline.py RetiringRunner.run_inline: no hop to another thread or process). Oxigraph cannot stop a running
query, so a query past the timeout is answered 503 by a watchdog on its connection, and its worker retires: it
stops accepting, finishes its other requests and exits (taking the runaway query with it), and gunicorn's
arbiter starts a fresh worker while the others keep serving. Each worker keeps its own per-release result cache; the
per-client query-time budgets are one table in shared memory, created in the master before any worker forks, so a
client's budget holds for the whole server (serve/limits.py).

Where the release fits the memory budget (store/oxigraph.py), every worker holds its own in-memory copy: pages
forked from a master's copy do not stay shared (Oxigraph's in-memory store writes to every quad it reads, a
per-quad lock), so the master copies nothing, and each worker starts copying once booted, in a background thread,
while the release's disk store answers, and swaps the copy in with one assignment. How many workers: of the
default_workers(), as many as fit the budget with two copies each (the one serving and the next release's,
loaded beside it during a swap); where even two workers do not fit, ONE worker with the threads the others would
have had holds the one copy (pyoxigraph releases the GIL while it evaluates, so one process's threads use every
core for queries; what a single interpreter lock slows is the Python work: cached answers, pages). So a small
release (the curated graph, 1-2M quads) gets several workers, and with them a second one serving while a worker
retires after a runaway query and a cached-answer rate two interpreters give; a big one (5M quads) gets one copy
(bench/http/README.md and bench/release/README.md measure both). A worker retired after a runaway query is replaced
by one that answers from disk until its own copy is loaded. Past the budget, default_workers() workers serve from
disk. With ``--workers`` given, that many workers each load a copy (the budget counts one per worker). The master
counts the release's quads on disk to choose, and closes that store before the fork, so no RocksDB handle is ever
shared across one.
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import socket
import sys
import threading
import time
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

from evrdf.serve import limits, runner
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore

THREAD_STACK = 64 << 20  # bytes of stack per request thread: 8x the default, margin under the nesting limits
MAX_HEAD = 128 << 10  # bytes: a request head longer than this goes to gunicorn's parser, which refuses it


def _post_worker_init(worker: Any) -> None:
    """In the worker, before it accepts: an overrun query makes it leave gunicorn's loop (graceful stop); request
    threads (started later, on demand) get a deep stack."""
    threading.stack_size(THREAD_STACK)
    store = getattr(worker.app, "store", None)
    if isinstance(store, OxigraphStore):
        store.load_in_background()  # the disk store answers until the copy is complete
    from evrdf.serve import sparql_update

    sparql_update.IN_A_FORKED_WORKER = True  # updates write their release in a spawned process

    def retire() -> None:
        if worker.alive:
            worker.log.warning("a query overran the timeout and cannot be stopped; worker %s retires", worker.pid)
            worker.alive = False
            threading.Thread(target=_leave_when_only_runaways_remain, args=(worker,), daemon=True).start()

    runner.retire_on_overrun(retire)


def _leave_when_only_runaways_remain(worker: Any) -> None:
    """A runaway query evaluated in a request thread keeps its connection open (its client has had its 503) and
    would hold the worker for gunicorn's whole graceful timeout: once every other request is answered, leave."""
    end = time.monotonic() + worker.cfg.graceful_timeout
    while time.monotonic() < end and getattr(worker, "nr_conns", 0) > runner.inline_runaways():
        time.sleep(0.05)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _worker_int(worker: Any) -> None:
    """SIGINT or SIGQUIT in a worker (Ctrl-C reaches every process of the group): gunicorn's quick shutdown, so
    leave at once, as _worker_exit does, rather than through the teardown that crashes on the copied store."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _worker_exit(server: Any, worker: Any) -> None:
    """The worker is leaving (gunicorn calls this in its ``finally``, with its SystemExit in flight): end now, with
    that exit status, without the interpreter's teardown. A runaway query's thread would hold the teardown up, and
    freeing an in-memory store at teardown crashed it (SIGSEGV in every worker on SIGTERM, when the master made
    the copy before the fork);
    the process is ending, so nothing is lost by leaving its memory to the kernel."""
    pending = sys.exc_info()[1]
    status = pending.code if isinstance(pending, SystemExit) else 0
    if runner.runaway_queries():
        status = 0
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(status if isinstance(status, int) else 1)


def request_complete(data: bytes | bytearray, max_body: int) -> bool:
    """Whether ``data`` holds a whole HTTP/1.x request (head and body), or as much as is worth waiting for: a head
    past MAX_HEAD, a body announced past ``max_body`` (both refused by the parser or the app), ``Expect:
    100-continue`` (the client waits for the server), anything the parser should reject.

    >>> request_complete(b"GET / HTTP/1.1\\r\\nHost: a\\r\\n", 10), request_complete(b"GET / HTTP/1.1\\r\\n\\r\\n", 10)
    (False, True)
    >>> post = b"POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\n"
    >>> request_complete(post + b"abc", 10), request_complete(post + b"abcde", 10)
    (False, True)
    """
    end, gap = data.find(b"\r\n\r\n"), 4
    if end < 0:
        end, gap = data.find(b"\n\n"), 2
    if end < 0:
        return len(data) > MAX_HEAD
    head, body = bytes(data[:end]).lower(), len(data) - end - gap
    if re.search(rb"\nexpect:[ \t]*100-continue", head):
        return True
    if re.search(rb"\ntransfer-encoding:[^\n]*chunked", head):
        return body > max_body or _chunks_complete(bytes(data[end + gap:]))
    length = re.search(rb"\ncontent-length:[ \t]*([0-9]+)", head)
    if length is None:
        return True
    return int(length.group(1)) > max_body or body >= int(length.group(1))


def _chunks_complete(body: bytes) -> bool:
    """A chunked body up to its last chunk and the blank line after the trailers (or something malformed)."""
    pos = 0
    while True:
        line_end = body.find(b"\r\n", pos)
        if line_end < 0:
            return False
        try:
            size = int(body[pos:line_end].split(b";")[0].strip() or b"x", 16)
        except ValueError:
            return True  # malformed: the parser answers 400
        if size == 0:
            return b"\r\n\r\n" in body[line_end:] or body[line_end + 2:].startswith(b"\r\n")
        pos = line_end + 2 + size + 2
        if pos > len(body):
            return False


def _no_delay(sock: Any) -> None:
    """TCP_NODELAY on a TCP connection, whatever the listener had: a response goes out as two sends (head, then
    body), and with Nagle's algorithm on, the body waits for the client's delayed ACK of the head (measured: 44 ms
    per point lookup on a kept-alive connection, bench/http/README.md). gunicorn sets it on the TCP listeners it
    opens, and Linux copies it to the sockets they accept; a listener handed over by file descriptor may lack it."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class EvrdfWorker(ThreadWorker):
    """gunicorn's gthread worker, except that a connection is given to a request thread only once a whole request
    has arrived. gthread hands every accepted (or kept-alive, readable) connection to a thread, which then waits
    for the request: 4 idle connections per worker hold all its threads. Here the main loop reads each connection
    without blocking until its request is complete, and closes connections that have not delivered one within
    ``request_timeout_s``, so idle and slow clients cost a file descriptor, never a thread."""

    request_timeout = 10.0
    max_body = 1 << 20

    def init_process(self) -> None:
        self.buffering: dict[Any, float] = {}  # connection -> deadline for its request
        super().init_process()

    def accept(self, listener: Any) -> None:
        try:
            sock, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        _no_delay(sock)
        self._buffer(TConn(self.cfg, sock, address, listener.getsockname()))  # TConn makes it non-blocking

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        """A kept-alive connection has bytes: its next request is read the same way."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._buffer(conn)
        self._readable(conn, client)

    def _buffer(self, conn: Any) -> None:
        conn.evrdf_request = bytearray()
        self.buffering[conn] = time.monotonic() + self.request_timeout
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))

    def _readable(self, conn: Any, client: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client left
            self._drop(conn)
            return
        conn.evrdf_request += data
        if not request_complete(conn.evrdf_request, self.max_body):
            return
        self.poller.unregister(conn.sock)
        del self.buffering[conn]
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(bytes(conn.evrdf_request))
        conn.evrdf_request = bytearray()
        conn.data_ready = True
        self.enqueue_req(conn)

    def _drop(self, conn: Any) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.buffering.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also close connections whose request did not arrive in time (all of them once the worker stops)."""
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self.buffering.items()):
            if deadline <= now or not self.alive:
                self._drop(conn)


class EvrdfApplication(BaseApplication):
    def __init__(self, settings: Settings, store: Any, workers: int, threads: int):
        self.settings, self.store, self.workers, self.threads = settings, store, workers, threads
        from evrdf.serve.sparql import budget_policy

        limits.share_across_workers(budget_policy(settings))  # in the master: before the forks
        EvrdfWorker.request_timeout = settings.request_timeout_s
        EvrdfWorker.max_body = settings.max_body_bytes
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.workers)
        self.cfg.set("threads", self.threads)
        self.cfg.set("worker_class", "evrdf.serve.production.EvrdfWorker")
        self.cfg.set("worker_connections", 1000)  # open connections per worker, idle ones included
        # a query may take query_timeout_s; gunicorn must not kill the worker first
        self.cfg.set("timeout", int(self.settings.query_timeout_s) + 30)
        self.cfg.set("limit_request_line", 8190)  # long GET queries: gunicorn's maximum
        self.cfg.set("accesslog", "-")
        self.cfg.set("post_worker_init", _post_worker_init)
        self.cfg.set("worker_exit", _worker_exit)
        self.cfg.set("worker_int", _worker_int)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25.1: one fixed path in $HOME for every
            self.cfg.set("control_socket_disable", True)  # server of the user, and a management door not needed

    def load(self) -> Any:
        from evrdf.serve.app import create_app

        return create_app(self.settings, self.store)


def default_workers() -> int:
    """As many gunicorn workers as CPUs this process may run on, at least 2 (a worker retiring after an overrun
    query leaves another serving while gunicorn replaces it) and at most 4 (each worker keeps its own result cache,
    and its threads already overlap the waits on the network)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(2, min(cpus, 4))


def layout(store: Any, workers: int | None, threads: int) -> tuple[int, int]:
    """(workers, threads per worker) for ``store``. With ``workers`` None and one in-memory copy within the memory
    budget: as many of default_workers() workers as fit it with two copies each (serving + loading the next
    release), else one worker; the threads are default_workers() x ``threads`` in all. Past the budget,
    default_workers() x ``threads`` on disk. The store learns how many copies the budget must hold and what serves
    them (for its note)."""
    if workers is None:
        workers = default_workers()
        if isinstance(store, OxigraphStore) and store.fits_in_memory(1):
            total = workers * threads
            workers = next((n for n in range(workers, 1, -1) if store.fits_in_memory(2 * n)), 1)
            threads = total // workers
    if isinstance(store, OxigraphStore):
        store.copies = workers  # each worker loads its own copy; the master none
        store.layout = f"{workers} gunicorn worker{'s' if workers > 1 else ''} x {threads} threads"
    return workers, threads


def serve(settings: Settings, workers: int | None, threads: int = 4) -> None:
    """Every request thread may evaluate a query: as many query slots per worker as threads."""
    from evrdf.store import open_store

    store = open_store(settings)  # in the master; the workers inherit it unopened and copy the release themselves
    workers, threads = layout(store, workers, threads)
    print(f"serving {settings.store} at http://{settings.host}:{settings.port}/ with {workers} gunicorn "
          f"worker{'s' if workers > 1 else ''} x {threads} threads (SPARQL: /sparql)", file=sys.stderr, flush=True)
    EvrdfApplication(settings.with_(query_workers=threads), store, workers, threads).run()
