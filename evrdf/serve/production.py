"""Production serving: gunicorn with several worker processes sharing one read-only release on disk.

Each gunicorn worker is a Flask app with threads; each keeps its own small pool of query processes
(serve/runner.py), its own per-release result cache and its own rate-limit buckets. Nothing is preloaded in
the master, so no RocksDB handle or pipe is ever shared across a fork.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from evrdf.settings import Settings


class EvrdfApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, workers: int, threads: int):
        self.settings, self.workers, self.threads = settings, workers, threads
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.workers)
        self.cfg.set("threads", self.threads)
        self.cfg.set("worker_class", "gthread")
        # a query may take query_timeout_s; gunicorn must not kill the worker first
        self.cfg.set("timeout", int(self.settings.query_timeout_s) + 30)
        self.cfg.set("limit_request_line", 8190)  # long GET queries: gunicorn's maximum
        self.cfg.set("accesslog", "-")

    def load(self) -> Any:
        from evrdf.serve.app import create_app
        from evrdf.store import open_store

        return create_app(self.settings, open_store(self.settings))


def serve(settings: Settings, workers: int, threads: int = 4) -> None:
    EvrdfApplication(settings, workers, threads).run()
