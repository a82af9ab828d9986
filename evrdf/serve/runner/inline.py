"""Production's strategy (gunicorn, serve/production.py): the embedded store queried in the request's own thread
(RetiringRunner.run_inline: no hop at all; answers over STREAM_AFTER are spooled to a temporary file and streamed
from it). A query past its deadline is answered 503 by a watchdog on the connection's socket and makes that worker
retire, so the runaway query dies with its process and gunicorn starts a fresh one."""

from __future__ import annotations

import queue
import socket
import threading
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, Callable

from evrdf.serve.runner.answers import Answer, Busy, Job, QueryFailed, QueryTimeout, Spool, StoreFailure
from evrdf.serve.runner.evaluate import evaluate
from evrdf.serve.runner.processes import _Reply

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
    body = (message + "\n").encode("utf-8")
    head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n\r\n")
    try:
        sock.sendall(head.encode("ascii") + body)
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client has gone already


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
        spool = Spool()  # read whole before answering: over the size limit is refused before the first byte
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
