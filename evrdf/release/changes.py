"""The changelog of a release: triples added and removed per named graph, and what they mean for the terms and
findings (terms added, removed, relabelled, re-parented, deprecated; findings added, changed, withdrawn).

Derived from the triple-level diff alone, so it is the same for a build, a SPARQL Update and ``evrdf diff`` of
any two releases. A *term* is an ontology class or property or a named individual (a gene); a *finding* is an
instance of the Finding class. ``evo:sourceRow`` (a file:line pointer) is provenance, not content: a row that
moves down a table when another is inserted above it is not a change of its term or finding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from evrdf.release.diff import RDF_TYPE, TERM_TYPES, GraphDiff, TripleDiff

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
LABEL, SUBCLASS = RDFS + "label", RDFS + "subClassOf"
OBO = "http://purl.obolibrary.org/obo/"
DEPRECATED, REPLACED_BY = OWL + "deprecated", OBO + "IAO_0100001"
TYPE = RDF_TYPE.decode()[1:-1]
TERM_KINDS = ("added", "removed", "relabelled", "reparented", "deprecated", "undeprecated", "changed")
FINDING_KINDS = ("added", "changed", "withdrawn")


@dataclass
class TermChange:
    iri: str
    kind: str  # one of TERM_KINDS
    label: str = ""
    old: list[str] = field(default_factory=list)  # relabelled: old label; reparented: old parents
    new: list[str] = field(default_factory=list)  # relabelled: new label; reparented: new parents
    replaced_by: list[str] = field(default_factory=list)  # deprecated: the replacement terms (IAO:0100001)
    properties: list[str] = field(default_factory=list)  # changed: the properties whose values changed


@dataclass
class FindingChange:
    iri: str
    kind: str  # one of FINDING_KINDS
    label: str = ""
    properties: list[str] = field(default_factory=list)


@dataclass
class Changelog:
    release: str
    previous: str | None
    graphs: list[GraphDiff] = field(default_factory=list)  # changed graphs only
    terms: list[TermChange] = field(default_factory=list)
    findings: list[FindingChange] = field(default_factory=list)

    @property
    def triples_added(self) -> int:
        return sum(g.added for g in self.graphs)

    @property
    def triples_removed(self) -> int:
        return sum(g.removed for g in self.graphs)

    def summary(self) -> dict[str, int]:
        counts = {"triples_added": self.triples_added, "triples_removed": self.triples_removed}
        counts |= {f"terms_{kind}": sum(1 for t in self.terms if t.kind == kind) for kind in TERM_KINDS}
        counts |= {f"findings_{kind}": sum(1 for f in self.findings if f.kind == kind) for kind in FINDING_KINDS}
        return counts

    def headline(self) -> str:
        """One line for feeds and listings: '+12 −3 triples; 1 finding added; 1 term relabelled'."""
        parts = [f"+{self.triples_added} −{self.triples_removed} triples"]
        for key, count in self.summary().items():
            if count and not key.startswith("triples"):
                what, kind = key.split("_", 1)
                parts.append(f"{count} {what[:-1] if count == 1 else what} {kind}")
        return "; ".join(parts) if self.previous is not None else "first release; " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"release": self.release, "previous": self.previous, "summary": self.summary(),
                "graphs": [asdict(g) for g in self.graphs], "terms": [asdict(t) for t in self.terms],
                "findings": [asdict(f) for f in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Changelog":
        return cls(data["release"], data.get("previous"), [GraphDiff(**g) for g in data.get("graphs", [])],
                   [TermChange(**t) for t in data.get("terms", [])],
                   [FindingChange(**f) for f in data.get("findings", [])])


def summarize(diff: TripleDiff, release: str, previous: str | None, base: str) -> Changelog:
    vocab = base + "ontology/"
    finding_class, source_row = vocab + "Finding", vocab + "sourceRow"
    added, removed = _parse(diff.added), _parse(diff.removed)
    terms_before, findings_before = _typed(_parse(sorted(diff.typed_before)), finding_class)
    terms_after, findings_after = _typed(_parse(sorted(diff.typed_after)), finding_class)
    roots = _roots(added + removed)

    def is_term(s: str) -> bool:
        # an aligned OBO class (obo:CL_...) is declared only as the other side of an evrdf class's
        # owl:equivalentClass: it comes and goes with that class, which the changelog already names
        if s.startswith(OBO):
            return False
        return s in terms_before or s in terms_after or s.startswith((vocab, base + "gene/"))

    def is_finding(s: str) -> bool:
        return s in findings_before or s in findings_after or s.startswith(base + "finding/")

    changed: dict[str, dict[str, list[tuple[str, str]]]] = {}  # subject -> {"+"/"-": [(predicate, object)]}
    for sign, quads in (("+", added), ("-", removed)):
        for s, p, o in quads:
            if p == source_row:
                continue
            # a blank node's statements (an OWL restriction, a list) are changes of the subject it hangs from
            changed.setdefault(roots.get(s, s), {"+": [], "-": []})[sign].append((p, o))
    log = Changelog(release, previous, sorted(diff.graphs.values(), key=lambda g: g.graph))
    for subject in sorted(changed):
        if subject.startswith("_:"):  # a blank node no named subject reaches among the changes
            continue
        plus, minus = changed[subject]["+"], changed[subject]["-"]
        if is_finding(subject):
            log.findings.extend(_finding(subject, plus, minus, finding_class, findings_before, findings_after))
        elif is_term(subject):
            log.terms.extend(_term(subject, plus, minus, terms_before, terms_after))
    return log


def _term(s: str, plus: list[tuple[str, str]], minus: list[tuple[str, str]], before: set[str],
          after: set[str]) -> list[TermChange]:
    typed_plus = any(p == TYPE and o in _TERM_TYPE_IRIS for p, o in plus)
    typed_minus = any(p == TYPE and o in _TERM_TYPE_IRIS for p, o in minus)
    label = next((o for p, o in plus if p == LABEL), next((o for p, o in minus if p == LABEL), ""))
    if typed_plus and s not in before:
        return [TermChange(s, "added", label)]
    if typed_minus and s not in after:
        return [TermChange(s, "removed", label)]
    if (DEPRECATED, "true") in plus:
        return [TermChange(s, "deprecated", label, replaced_by=sorted(o for p, o in plus if p == REPLACED_BY))]
    out = []
    if (DEPRECATED, "true") in minus:
        out.append(TermChange(s, "undeprecated", label))
    old_labels, new_labels = sorted(o for p, o in minus if p == LABEL), sorted(o for p, o in plus if p == LABEL)
    if old_labels and new_labels:
        out.append(TermChange(s, "relabelled", new_labels[0], old=old_labels, new=new_labels))
    old_parents = sorted(o for p, o in minus if p == SUBCLASS and "://" in o)
    new_parents = sorted(o for p, o in plus if p == SUBCLASS and "://" in o)
    if old_parents or new_parents:
        out.append(TermChange(s, "reparented", label, old=old_parents, new=new_parents))
    explained = {LABEL, SUBCLASS, DEPRECATED} if out else set()
    others = sorted({p for p, _ in plus + minus if p not in explained})
    if others and not (old_labels and new_labels and set(others) <= {LABEL}):
        out.append(TermChange(s, "changed", label, properties=others))
    return out


def _finding(s: str, plus: list[tuple[str, str]], minus: list[tuple[str, str]], finding_class: str,
             before: set[str], after: set[str]) -> list[FindingChange]:
    label = next((o for p, o in plus if p == LABEL), next((o for p, o in minus if p == LABEL), ""))
    if (TYPE, finding_class) in plus and s not in before:
        return [FindingChange(s, "added", label)]
    if (TYPE, finding_class) in minus and s not in after:
        return [FindingChange(s, "withdrawn", label)]
    return [FindingChange(s, "changed", label, sorted({p for p, _ in plus + minus}))]


_TERM_TYPE_IRIS = {t.decode()[1:-1] for t in TERM_TYPES}


def _parse(lines: list[bytes]) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) of N-Quads lines; IRIs and blank nodes as their id, literals as their value."""
    if not lines:
        return []
    out = []
    for quad in ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS):
        subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else f"_:{quad.subject.value}"
        obj = quad.object
        value = obj.value if not isinstance(obj, ox.BlankNode) else f"_:{obj.value}"
        out.append((subject, quad.predicate.value, value))
    return out


def _typed(quads: list[tuple[str, str, str]], finding_class: str) -> tuple[set[str], set[str]]:
    terms = {s for s, p, o in quads if p == TYPE and o in _TERM_TYPE_IRIS}
    findings = {s for s, p, o in quads if p == TYPE and o == finding_class}
    return terms, findings


def _roots(quads: list[tuple[str, str, str]]) -> dict[str, str]:
    """Blank node → the named subject it hangs from (through other blank nodes), among the changed statements."""
    parent = {o: s for s, _, o in quads if o.startswith("_:")}
    roots: dict[str, str] = {}
    for node in parent:
        seen, at = {node}, parent[node]
        while at.startswith("_:") and at in parent and parent[at] not in seen:
            seen.add(at)
            at = parent[at]
        if not at.startswith("_:"):
            roots[node] = at
    return roots
