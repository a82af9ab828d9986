"""`evrdf diff OLD NEW`: the changelog between any two releases of a store, as text, JSON or Turtle."""

from __future__ import annotations

import json

from evrdf.iris import Iris
from evrdf.release.changes import Changelog, summarize
from evrdf.release.diff import compare
from evrdf.release.dump import Dump
from evrdf.release.index import ReleaseRecord
from evrdf.release.rdf import add_changelog, rdf_graph

FORMATS = ("text", "json", "ttl")


def between(old: ReleaseRecord, new: ReleaseRecord) -> Changelog:
    """What changed from ``old`` to ``new`` (any two releases, in either order), read from their dumps."""
    base = str(new.info.get("base_iri") or old.info.get("base_iri"))
    iris = Iris(base)
    diff = compare(Dump.of(old), Dump.of(new), skip=frozenset({str(iris.graph("metadata"))}), vocab=iris.vocab)
    return summarize(diff, new.id, old.id, base)


def render(log: Changelog, fmt: str, base: str) -> str:
    if fmt == "json":
        return json.dumps(log.to_json(), indent=1, ensure_ascii=False) + "\n"
    if fmt == "ttl":
        iris = Iris(base)
        graph = rdf_graph(iris)
        add_changelog(graph, iris.release(log.release), log, iris)
        return str(graph.serialize(format="turtle"))
    if fmt == "text":
        return text(log)
    raise ValueError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


def text(log: Changelog) -> str:
    """For people: the counts, then every graph, term and finding that changed."""
    out = [f"changes from release {log.previous} to release {log.release}: {log.headline()}"]
    if log.graphs:
        out.append("graphs (triples before -> after, added, removed):")
        out += [f"  {g.before:>8} -> {g.after:<8} +{g.added:<7} -{g.removed:<7} {g.graph}" for g in log.graphs]
    if log.terms:
        out.append("terms:")
        for t in log.terms:
            detail = ""
            if t.kind in ("relabelled", "reparented"):
                detail = f"  {', '.join(t.old) or '(none)'} -> {', '.join(t.new) or '(none)'}"
            elif t.kind == "deprecated" and t.replaced_by:
                detail = f"  replaced by {', '.join(t.replaced_by)}"
            elif t.kind == "changed":
                detail = f"  ({', '.join(p.rsplit('/', 1)[-1].rsplit('#', 1)[-1] for p in t.properties)})"
            out.append(f"  {t.kind:<12} <{t.iri}>{f' {t.label!r}' if t.label else ''}{detail}")
    if log.findings:
        out.append("findings:")
        out += [f"  {f.kind:<12} <{f.iri}>" for f in log.findings]
    return "\n".join(out) + "\n"
