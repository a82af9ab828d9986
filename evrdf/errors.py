"""Errors that reach users: each names where the problem is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class EvrdfError(Exception):
    """Base class: the CLI turns these into a message and a non-zero exit, never a traceback."""


@dataclass
class SourceError(EvrdfError):
    """A problem in an input file, located as precisely as we can (file, line, field)."""

    path: Path | str
    message: str
    line: int | None = None
    field: str | None = None
    column: int | None = None  # 1-based character position in the line

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


class ReasonerError(EvrdfError):
    """The ontology is inconsistent or has unsatisfiable classes, or the reasoner could not run."""


class StoreError(EvrdfError):
    """The store is missing, unreadable or could not be published."""


class UnsupportedQuery(StoreError):
    """A well-formed query this backend cannot answer exactly (a known limitation of the engine behind it): the
    client's to change, so the endpoint answers 400 naming the limitation, never a 500 or a different answer."""


class ValidationError(EvrdfError):
    """The data does not conform to the SHACL shapes; carries the report (evrdf.validate.report.Report)."""

    def __init__(self, report: object):
        super().__init__(report)
        self.report = report

    def __str__(self) -> str:
        counts = getattr(self.report, "counts", {})
        fail_on = getattr(getattr(self.report, "fail_on", None), "value", "Violation").lower()
        summary = ", ".join(f"{n} {s.lower()}" for s, n in counts.items())
        return f"SHACL validation failed ({summary}; fail on {fail_on}); nothing was published"


def os_message(exc: OSError, path: Path | str | None = None) -> str:
    """An OSError in words, naming the file: its own ``filename`` when it has one, else ``path`` (a write to
    an open file, e.g. disk full, carries no name).

    >>> os_message(PermissionError(13, "Permission denied", "/srv/store/current"))
    '/srv/store/current: Permission denied'
    >>> os_message(OSError(28, "No space left on device"), "/srv/store/releases/.tmp-1")
    '/srv/store/releases/.tmp-1: No space left on device'
    """
    name = exc.filename if exc.filename is not None else path
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename2 is not None:
        return f"{name} -> {exc.filename2}: {reason}"
    return f"{name}: {reason}" if name is not None else reason
