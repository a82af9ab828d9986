"""A release → what its page, the index row and the feed entry show (plain values for the templates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evrdf.iris import Iris
from evrdf.release.changes import Changelog
from evrdf.release.index import DUMP, ReleaseIndex, ReleaseRecord
from evrdf.release.rdf import MEDIA_TYPES
from evrdf.settings import Settings
from evrdf.store.base import Store

FEED_SIZE = 100  # newest releases in /releases.atom; /releases lists them all
KIND_WORDS = {"added": "added", "removed": "removed", "relabelled": "relabelled", "reparented": "re-parented",
              "deprecated": "deprecated", "undeprecated": "no longer deprecated", "changed": "changed",
              "withdrawn": "withdrawn"}


@dataclass
class Item:
    href: str
    iri: str
    label: str
    kind: str
    detail: str = ""


@dataclass
class FileRow:
    name: str
    href: str
    title: str
    size: int | None


@dataclass
class ReleaseView:
    id: str
    iri: str
    href: str
    version_iri: str
    kind: str
    built: str
    current: bool
    has_store: bool
    previous: str | None
    next: str | None
    headline: str
    gate: dict[str, Any] | None
    runs: list[Any] = field(default_factory=list)  # validation runs of this release, newest first
    files: list[FileRow] = field(default_factory=list)
    graphs: list[Any] = field(default_factory=list)
    terms: list[Item] = field(default_factory=list)
    findings: list[Item] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def conforms(self) -> bool | None:
        """The newest validation run's verdict, else the publishing gate's (None: nothing recorded)."""
        if self.runs:
            return bool(self.runs[0].conforms)
        return bool(self.gate["conforms"]) if self.gate else None


def release_view(record: ReleaseRecord, current: str, index: ReleaseIndex, iris: Iris, store: Store,
                 settings: Settings, brief: bool = False) -> ReleaseView:
    from flask import request

    root = request.script_root
    data = record.changes()
    log = Changelog.from_json(data) if data else None
    view = ReleaseView(
        record.id, str(iris.release(record.id)), f"{root}/releases/{record.id}/",
        str(iris.version_iri(record.id)) if log is not None else str(record.info.get("version_iri", "")),
        record.kind, record.built, record.id == current, record.has_store, record.previous, None,
        log.headline() if log else "(made before changelogs were kept)", record.info.get("gate"),
        summary=log.summary() if log else {})
    if not view.version_iri:
        version = record.info.get("ontology_version")
        view.version_iri = str(iris.version_iri(str(version))) if version else ""
    from evrdf.validate.history import History

    view.runs = History(settings.store, settings.base_iri).runs_of(record.id)
    if brief:
        return view
    later = [r for r in index.records() if r.previous == record.id]
    view.next = later[-1].id if later else None
    sizes = dict(record.info.get("file_sizes") or {})
    for name in record.file_names() + ([DUMP] if record.file(DUMP) and DUMP not in record.file_names() else []):
        if name in MEDIA_TYPES:
            view.files.append(FileRow(name, f"{root}/releases/{record.id}/{name}", MEDIA_TYPES[name][1],
                                      sizes.get(name)))
    if log is not None:
        unlabelled = [t.iri for t in log.terms if not t.label] + [f.iri for f in log.findings if not f.label]
        labels = _labels(store, unlabelled)
        view.graphs = log.graphs
        for t in log.terms:
            detail = ""
            if t.kind in ("relabelled", "reparented"):
                old = ", ".join(_short(v, iris) for v in t.old) or "—"
                detail = f"{old} → {', '.join(_short(v, iris) for v in t.new) or '—'}"
            elif t.kind == "deprecated" and t.replaced_by:
                detail = "replaced by " + ", ".join(_short(v, iris) for v in t.replaced_by)
            elif t.kind == "changed":
                detail = ", ".join(_short(p, iris) for p in t.properties)
            view.terms.append(Item(_href(t.iri, iris, root), t.iri, t.label or labels.get(t.iri, _short(t.iri, iris)),
                                   KIND_WORDS[t.kind], detail))
        for f in log.findings:
            label = f.label or labels.get(f.iri, _short(f.iri, iris))
            view.findings.append(Item(_href(f.iri, iris, root), f.iri, label,
                                      KIND_WORDS[f.kind], ", ".join(_short(p, iris) for p in f.properties)))
    return view


def atom(records: list[ReleaseRecord], iris: Iris, host: str) -> bytes:
    """Atom 1.0 (RFC 4287): one entry per release, newest first, with its changelog's headline and links.

    Written with ElementTree: feedgen 1.0.0 drops the rel and type of entry links (a shadowed variable in
    FeedEntry.atom_entry), which leaves several rel="alternate" links per entry, invalid under RFC 4287 4.1.1."""
    from xml.etree import ElementTree as ET

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attributes)
        element.text = text
        return element

    feed = ET.Element(f"{{{ns}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    add(feed, "id", iris.base + "releases")
    add(feed, "title", "evrdf releases")
    add(feed, "subtitle", "Every release of evrdf (extracellular vesicles and chemokines in cancer), with what "
                          "changed")
    add(add(feed, "author"), "name", "evrdf developers")
    add(feed, "link", rel="self", type="application/atom+xml", href=f"{host}/releases.atom")
    add(feed, "link", rel="alternate", type="text/html", href=f"{host}/releases")
    add(feed, "updated", records[0].built if records else "1970-01-01T00:00:00+00:00")
    for record in records:
        data = record.changes()
        log = Changelog.from_json(data) if data else None
        entry = add(feed, "entry")
        add(entry, "id", str(iris.release(record.id)))
        add(entry, "title", f"evrdf release {record.id}")
        add(entry, "published", record.built)
        add(entry, "updated", record.built)
        page = f"{host}/releases/{record.id}/"
        add(entry, "link", rel="alternate", type="text/html", href=page)
        add(entry, "link", rel="related", type="text/turtle", href=page + "release.ttl",
            title="release and changelog (RDF)")
        add(entry, "link", rel="related", type="application/json", href=page + "changes.json", title="changelog (JSON)")
        add(entry, "link", rel="enclosure", type="application/n-quads", href=page + "evrdf.nq", title="N-Quads dump")
        add(entry, "summary", log.headline() if log else f"release {record.id} ({record.kind})")
        if log is not None and (log.terms or log.findings):
            lines = [f"{t.kind} term {t.label or t.iri}" for t in log.terms[:50]]
            lines += [f"{f.kind} finding {f.iri.rsplit('/', 1)[-1]}" for f in log.findings[:50]]
            add(entry, "content", "\n".join(lines), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _labels(store: Store, iris_: list[str]) -> dict[str, str]:
    """Current labels of the changed terms and findings whose changelog entry has none (one query)."""
    if not iris_:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(set(iris_))[:500])
    rows = store.query(f"SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?s {{ {values} }} "
                       "?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } GROUP BY ?s")
    return {row["s"].value: row["label"].value for row in rows if row["label"] is not None}


def _href(iri: str, iris: Iris, root: str) -> str:
    return root + "/" + iri[len(iris.base):] if iri.startswith(iris.base) else iri


def _short(value: str, iris: Iris) -> str:
    if value.startswith(iris.vocab):
        return value[len(iris.vocab):]
    if value.startswith(iris.base):
        return value[len(iris.base):]
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if "://" in value else value
