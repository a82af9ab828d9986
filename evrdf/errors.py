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

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
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
