"""The validation report: results in a deterministic order, counts by severity, conformance, and diffs."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum

from evrdf.errors import ValidationError

SH = "http://www.w3.org/ns/shacl#"


class Severity(str, Enum):
    """SHACL severities (SHACL 1.0, section 2.1.4), ordered from the most to the least severe."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def rank(self) -> int:
        return {"Violation": 0, "Warning": 1, "Info": 2}[self.value]

    @property
    def iri(self) -> str:
        return SH + self.value

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """From 'violation', 'Warning' or the sh: IRI.

        >>> Severity.parse("warning"), Severity.parse("http://www.w3.org/ns/shacl#Info")
        (<Severity.WARNING: 'Warning'>, <Severity.INFO: 'Info'>)
        """
        name = text.removeprefix(SH).capitalize()
        try:
            return cls(name)
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (use violation, warning or info)") from None


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult. Terms are kept in N-Triples syntax (<iri>, "literal"^^<dt>, _:b) so that both
    engines, the renderers and the history agree on them."""

    severity: Severity
    shape: str
    focus: str
    message: str
    component: str = ""
    path: str | None = None
    value: str | None = None
    source_row: str | None = None

    @property
    def key(self) -> tuple[int, str, str, str, str, str]:
        return (self.severity.rank, self.shape, self.focus, self.path or "", self.value or "", self.message)

    @property
    def identity(self) -> str:
        """A stable id for the same problem across runs (the source row may move; the problem is the same)."""
        return hashlib.sha256("\x1f".join(map(str, self.key)).encode("utf-8")).hexdigest()[:20]


@dataclass
class Report:
    """What a run found. ``conforms`` is relative to ``fail_on``: results below it are reported, not failing
    (pySHACL's --allow-warnings / ROBOT's --fail-on)."""

    results: list[Result]
    fail_on: Severity = Severity.VIOLATION
    engine: str = "oxigraph"
    triples: int = 0
    seconds: float = 0.0
    data: str = ""  # what was validated (files, a store, an endpoint)
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.results = sorted(set(self.results), key=lambda r: r.key)

    @property
    def conforms(self) -> bool:
        return not any(r.severity.rank <= self.fail_on.rank for r in self.results)

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity is severity)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Severity}

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms, "fail_on": self.fail_on.value, "engine": self.engine,
            "triples": self.triples, "seconds": round(self.seconds, 3), "data": self.data, "counts": self.counts,
            **({"about": dict(sorted(self.extra.items()))} if self.extra else {}),
            "results": [{k: (v.value if isinstance(v, Severity) else v) for k, v in asdict(r).items()
                         if v is not None} for r in self.results],
        }


@dataclass(frozen=True)
class Diff:
    """Results that appeared and disappeared between two runs."""

    new: list[Result]
    fixed: list[Result]


def carried(exc: ValidationError) -> Report:
    """The report a failed validation carries (errors.py, on the floor, cannot name the Report type)."""
    if not isinstance(exc.report, Report):
        raise TypeError(f"a ValidationError carries a Report, not {type(exc.report).__name__}")
    return exc.report


def diff(current: list[Result], previous: list[Result]) -> Diff:
    before = {r.identity: r for r in previous}
    now = {r.identity: r for r in current}
    return Diff(new=sorted((r for i, r in now.items() if i not in before), key=lambda r: r.key),
                fixed=sorted((r for i, r in before.items() if i not in now), key=lambda r: r.key))
