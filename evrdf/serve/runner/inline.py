"""Production's strategy (gunicorn, serve/production.py): the embedded store queried in the request's own thread
(RetiringRunner.run_inline: no hop at all; answers over STREAM_AFTER are spooled to a temporary file and streamed
from it). A query past its deadline is answered 503 by a watchdog on the connection's socket and makes that worker
retire, so the runaway query dies with its process and gunicorn starts a fresh one."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from time import monotonic
from typing import Any, Callable

from evrdf.serve.runner.answers import Answer, Busy, Job, QueryTimeout, Spool
from evrdf.serve.runner.evaluate import evaluate

WATCHDOG_TICK = 0.1  # seconds: how late past its deadline an inline query may be answered 503


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
    if sock is None:  # no connection to answer on (not under gunicorn): the request thread answers, late
        return
    body = (message + "\n").encode("utf-8")
    head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n\r\n")
    try:
        sock.sendall(head.encode("ascii") + body)
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client has gone already


@dataclass
class RetiringRunner:
    """The embedded store queried in the request's own thread (no hop, no pickling: pyoxigraph releases the GIL
    while it evaluates), at most ``size`` at once. Oxigraph cannot stop a query, so when one overruns its deadline
    the watchdog answers its client and ``retire`` is called: the gunicorn worker stops accepting, finishes its
    other requests and exits, taking the runaway query with it, and gunicorn starts a fresh worker
    (serve/production.py)."""

    store: Any
    size: int
    retire: Callable[[], None]

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.size)
        self._watchdog = _Watchdog(self.retire)

    @property
    def runaways(self) -> int:
        """Queries still evaluating past their deadline, each holding its client's connection."""
        return self._watchdog.runaway

    def run_inline(self, job: Job, deadline: float, sock: Any, timeout_message: str) -> Answer:
        """Evaluate in the calling (gunicorn request) thread: no hand-off to a query thread, ~0.2-0.3 ms less
        per query (bench/http/README.md). ``sock`` is the connection the watchdog answers 503 on past the deadline
        (None: the caller answers once the query ends)."""
        if not self._slots.acquire(timeout=max(0.0, deadline - monotonic())):
            raise Busy(f"all {self.size} query slots stayed busy until the timeout; try again later")
        watch = self._watchdog.watch(deadline, sock, timeout_message)
        try:
            spool = Spool()
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
