"""The build's stopwatch: how long each stage took (printed by `evrdf build`, kept in its report, read by
bench/release/scale.py). Stages run one after another, so one clock suffices: starting a stage ends the one
before. The times are always reported; the progress bars of the long stages are evrdf/progress.py's.
"""

from __future__ import annotations

import time
from typing import Callable


class Stages:
    """Sequential stage timer: ``begin(name)`` ends the running stage (reporting its time) and starts ``name``."""

    def __init__(self, report: Callable[[str], None] = lambda message: None):
        self.seconds: dict[str, float] = {}
        self._report = report
        self._running: tuple[str, float] | None = None

    def begin(self, name: str) -> None:
        self.end()
        self._running = (name, time.perf_counter())

    def end(self) -> None:
        if self._running is None:
            return
        name, started = self._running
        self._running = None
        took = time.perf_counter() - started
        self.seconds[name] = self.seconds.get(name, 0.0) + took
        self._report(f"stage {name}: {took:.2f} s")

    def add(self, name: str, seconds: float) -> None:
        """A stage timed by someone else (the changelog, measured inside the dump writer's step)."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self._report(f"stage {name}: {seconds:.2f} s")
