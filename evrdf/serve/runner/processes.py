"""The development server's and the tests' strategy for the embedded store: a small pool of worker *processes*,
each with the published release opened read-only. Oxigraph cannot cancel a query it is evaluating, so a query past
its deadline is stopped by killing its worker (its CPU is really freed) and a fresh worker takes its place. An
answer up to STREAM_AFTER crosses the pipe as one message (the hop costs ~0.25 ms of a point lookup;
bench/http/README.md); a larger one is streamed and spooled whole before it is returned."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from time import monotonic
from typing import Any, Callable

from evrdf.serve.runner.answers import (
    STREAM_AFTER,
    Answer,
    Busy,
    Job,
    QueryFailed,
    QueryTimeout,
    Spool,
    StoreFailure,
)
from evrdf.serve.runner.evaluate import evaluate


class _Reply:
    """The worker's side of one answer: held back until it outgrows STREAM_AFTER, so a small answer (the common
    case) crosses the pipe as ONE message; a larger one is announced with its head and then streamed."""

    def __init__(self, conn: Connection):
        self.conn, self.kind, self.media, self.size, self.streaming = conn, "", "", 0, False
        self.parts: list[bytes] = []

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
            spool = Spool()
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
            settled = settled or exc.discarded
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
            timeout.discarded = True
            raise timeout
        try:
            message: tuple[Any, ...] = worker.conn.recv()
            return message
        except (EOFError, OSError):
            self._discard(worker)
            died = StoreFailure("the query worker died while answering")
            died.discarded = True
            raise died from None
