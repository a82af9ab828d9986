"""Releases other databases can follow (issue 16): every release is citable and resolves forever, has a
changelog against the previous one (RDF in the metadata graph, an HTML page, the /releases index, an Atom feed,
`evrdf diff`), and a term that leaves the curated tables is deprecated, not deleted.

One store, five successive builds of a private copy of the sources:

1. the sources as they are;
2. a new finding;
3. a relabelled term, a term removed from its table (no replacement recorded), a term renamed (removed, its
   successor added, and the replacement curated in deprecated.tsv), and a finding withdrawn;
4. and 5. no change: they push the stores of releases 1 and 2 out (only the newest 3 stores are kept), whose
   files must still resolve.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from evrdf.pipeline.build import BuildReport, build
from evrdf.serve.app import create_app
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import SOURCES

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
EVC = BASE + "changes/"
OWL = rdflib.OWL
IAO_REPLACED_BY = rdflib.URIRef("http://purl.obolibrary.org/obo/IAO_0100001")
TERM_TABLES = ["ev_types.tsv", "cell_types.tsv", "cancers.tsv", "drugs.tsv", "processes.tsv"]
FILES = {"evrdf.owl": "xml", "evrdf.ttl": "turtle", "evrdf.jsonld": "json-ld"}


@dataclass
class History:
    settings: Settings
    reports: list[BuildReport]
    relabelled: str  # term ids
    removed: str
    renamed: str
    successor: str
    new_finding: str  # finding ids
    withdrawn: str

    @property
    def ids(self) -> list[str]:
        return [r.release for r in self.reports]


def _rows(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _unused_leaf_terms(curated: Path) -> list[tuple[str, str]]:
    """(table, id) of terms nothing else mentions: removing one breaks no reference."""
    text = "".join(p.read_text(encoding="utf-8") for p in curated.glob("*.tsv"))
    found = []
    for table in TERM_TABLES:
        for line in _rows(curated / table)[1:]:
            term = line.split("\t", 1)[0]
            if term and not term.startswith("#") and len(re.findall(rf"(?<![A-Za-z0-9]){term}(?![A-Za-z0-9])", text)) == 1:
                found.append((table, term))
    return found


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("releases")
    sources = root / "ontology"
    import shutil

    shutil.copytree(SOURCES, sources)
    curated = sources / "curated"
    settings = Settings(store=root / "store", sources=sources)
    reports = [build(settings, reason=False)]

    findings = _rows(curated / "findings.tsv")
    data = [line for line in findings[1:] if line.strip() and not line.startswith("#")]
    cells = data[-1].rstrip("\n").split("\t")
    new_finding = cells[0] + "-followup"
    cells[0], cells[3] = new_finding, "A follow-up observation, added to test releases."
    (curated / "findings.tsv").write_text("".join(findings) + "\t".join(cells) + "\n", encoding="utf-8")
    reports.append(build(settings, reason=False))

    (removed_table, removed), (renamed_table, renamed) = _unused_leaf_terms(curated)[:2]
    table = _rows(curated / removed_table)
    (curated / removed_table).write_text("".join(row for row in table if not row.startswith(removed + "\t")), encoding="utf-8")
    table = _rows(curated / renamed_table)
    successor = renamed + "Renamed"
    table = [row.replace(renamed + "\t", successor + "\t", 1) if row.startswith(renamed + "\t") else row for row in table]
    (curated / renamed_table).write_text("".join(table), encoding="utf-8")
    with (curated / "deprecated.tsv").open("a", encoding="utf-8") as out:
        out.write(f"{renamed}\t{renamed.lower()} (old name)\t{successor}\trenamed to {successor}\n")
    cell_types = _rows(curated / "cell_types.tsv")
    relabelled = next(row.split("\t", 1)[0] for row in cell_types[1:] if row.split("\t", 1)[0] not in (removed, renamed))
    cell_types = [row.replace(f"{relabelled}\t", f"{relabelled}\trelabelled ", 1) if row.startswith(relabelled + "\t")
                  else row for row in cell_types]  # the label is the second column
    (curated / "cell_types.tsv").write_text("".join(cell_types), encoding="utf-8")
    findings = _rows(curated / "findings.tsv")
    withdrawn = data[0].split("\t", 1)[0]
    (curated / "findings.tsv").write_text("".join(row for row in findings if not row.startswith(withdrawn + "\t")),
                                          encoding="utf-8")
    reports.append(build(settings, reason=False))
    reports += [build(settings, reason=False), build(settings, reason=False)]
    return History(settings, reports, relabelled, removed, renamed, successor, new_finding, withdrawn)


class Client:
    """The Flask test client, reading and closing every response (release files are sent from open files)."""

    def __init__(self, client: Any):
        self.client = client

    def get(self, *args: Any, **kwargs: Any) -> Any:
        response = self.client.get(*args, **kwargs)
        response.get_data()
        response.close()
        return response


@pytest.fixture(scope="module")
def api(history: History) -> Client:
    app = create_app(history.settings, OxigraphStore(history.settings.store))
    app.testing = True
    return Client(app.test_client())


def _dump(store: Path, release: str) -> bytes:
    files = store / "releases" / release / "files"
    if (files / "evrdf.nq").is_file():
        return (files / "evrdf.nq").read_bytes()
    return gzip.decompress((files / "evrdf.nq.gz").read_bytes())


def _graphs(nquads: bytes) -> dict[str, rdflib.Graph]:
    """Each named graph of an N-Quads dump (split by Oxigraph's parser) as an rdflib graph."""
    triples: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        triples.setdefault(quad.graph_name.value, []).append(quad.triple)
    return {graph: rdflib.Graph().parse(data=ox.serialize(found, format=ox.RdfFormat.N_TRIPLES), format="nt")
            for graph, found in triples.items()}


# -- every release is citable and resolves forever ----------------------------------------------------------
def test_each_release_has_its_own_version_iri_naming_data_and_ontology(history: History, api) -> None:  # type: ignore[no-untyped-def]
    assert len(set(history.ids)) == 5
    onto = rdflib.URIRef(BASE + "ontology")
    published = set()
    for release in history.ids:  # the files each build wrote: two releases never share a version IRI
        ontology = rdflib.Graph().parse(history.settings.store / "releases" / release / "files" / "evrdf.ttl")
        published.add(ontology.value(onto, OWL.versionIRI))
    assert published == {rdflib.URIRef(f"{BASE}releases/{release}/evrdf.owl") for release in history.ids}
    for release in history.ids:  # and each resolves, naming its release
        response = api.get(f"/releases/{release}/evrdf.ttl")
        assert response.status_code == 200
        ontology = rdflib.Graph().parse(data=response.data, format="turtle")
        assert str(ontology.value(onto, OWL.versionIRI)) == f"{BASE}releases/{release}/evrdf.owl"
        assert str(ontology.value(onto, OWL.versionInfo)) == release


@pytest.mark.parametrize("name", ["evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv", "evrdf.nq",
                                  "changes.json", "release.ttl"])
def test_every_file_of_every_release_resolves_even_after_its_store_is_pruned(name: str, history: History,
                                                                             api) -> None:  # type: ignore[no-untyped-def]
    for release in history.ids:
        response = api.get(f"/releases/{release}/{name}", headers={"Accept": "*/*"})  # as curl asks
        assert response.status_code == 200, (release, name)
        body = response.get_data()
        if name in FILES:
            graph = rdflib.Graph().parse(data=body, format=FILES[name])
            assert (rdflib.URIRef(BASE + "ontology"), OWL.versionIRI,
                    rdflib.URIRef(f"{BASE}releases/{release}/evrdf.owl")) in graph
        elif name == "evrdf.sssom.tsv":
            assert f"#mapping_set_id: {BASE}releases/{release}/evrdf.sssom.tsv" in body.decode()
        elif name == "evrdf.nq":
            assert body == _dump(history.settings.store, release)
            info = json.loads((history.settings.store / "releases" / release / "release.json").read_text())
            assert len(list(ox.parse(body, format=ox.RdfFormat.N_QUADS))) == info["triples"]
        elif name == "changes.json":
            assert json.loads(body)["release"] == release
        else:
            assert (rdflib.URIRef(f"{BASE}releases/{release}/"), rdflib.RDF.type,
                    rdflib.URIRef(EVC + "Release")) in rdflib.Graph().parse(data=body, format="turtle")
        assert response.headers["Cache-Control"].endswith("immutable")
    stores = [(history.settings.store / "releases" / release / "oxigraph").is_dir() for release in history.ids]
    assert stores == [False, False, True, True, True]  # only the newest 3 keep a store


def test_the_version_iri_of_an_earlier_release_answers_every_format(history: History, api) -> None:  # type: ignore[no-untyped-def]
    first = history.ids[0]
    for accept, parser in [("application/rdf+xml", "xml"), ("text/turtle", "turtle"),
                           ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]:
        response = api.get(f"/releases/{first}/evrdf.owl", headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == accept and response.headers["Vary"] == "Accept"
        graph = rdflib.Graph().parse(data=response.data, format=parser)
        assert (rdflib.URIRef(BASE + "ontology"), OWL.versionInfo, rdflib.Literal(first)) in graph
    page = api.get(f"/releases/{first}/evrdf.owl", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "pyLODE" in page.get_data(as_text=True)


def test_an_unknown_release_is_404(api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/releases/2001-01-01.1/").status_code == 404
    assert api.get("/releases/2001-01-01.1/evrdf.owl").status_code == 404
    assert api.get("/releases/../../etc/passwd").status_code == 404


# -- the changelog ------------------------------------------------------------------------------------------
def _direct(store: Path, old: str, new: str) -> dict[str, tuple[int, int]]:
    """Triples added and removed per graph, by comparing the two dumps as RDF graphs (rdflib isomorphism)."""
    before, after = _graphs(_dump(store, old)), _graphs(_dump(store, new))
    counts = {}
    for graph in (set(before) | set(after)) - {BASE + "graph/metadata"}:
        _, only_old, only_new = graph_diff(to_isomorphic(before.get(graph, rdflib.Graph())),
                                           to_isomorphic(after.get(graph, rdflib.Graph())))
        if len(only_old) or len(only_new):
            counts[graph] = (len(only_new), len(only_old))
    return counts


@pytest.mark.parametrize("pair", [(0, 1), (1, 2), (0, 2), (2, 0)], ids=["1-2", "2-3", "1-3", "3-1"])
def test_diff_counts_match_a_direct_comparison_of_the_dumps(pair: tuple[int, int], history: History) -> None:
    old, new = history.ids[pair[0]], history.ids[pair[1]]
    done = subprocess.run([sys.executable, "-m", "evrdf", "diff", old, new, "--store", str(history.settings.store),
                           "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    assert {g["graph"]: (g["added"], g["removed"]) for g in log["graphs"]} == _direct(history.settings.store, old, new)
    if pair[1] == pair[0] + 1:  # consecutive: the changelog stored at build time says the same
        stored = json.loads((history.settings.store / "releases" / new / "files" / "changes.json").read_text())
        assert stored["graphs"] == log["graphs"] and stored["previous"] == old


def test_the_changelog_names_the_term_and_finding_changes(history: History) -> None:
    second, third = (history.reports[1].changes, history.reports[2].changes)
    assert second is not None and third is not None
    assert [(f.iri, f.kind) for f in second.findings] == [(f"{BASE}finding/{history.new_finding}", "added")]
    assert second.terms == []
    kinds = {(t.iri.removeprefix(EVO), t.kind) for t in third.terms}
    assert kinds == {(history.relabelled, "relabelled"), (history.removed, "deprecated"),
                     (history.renamed, "deprecated"), (history.successor, "added")}
    renamed = next(t for t in third.terms if t.iri == EVO + history.renamed)
    assert renamed.replaced_by == [EVO + history.successor]
    relabelled = next(t for t in third.terms if t.kind == "relabelled")
    assert relabelled.new[0] == "relabelled " + relabelled.old[0]
    assert [(f.iri, f.kind) for f in third.findings] == [(f"{BASE}finding/{history.withdrawn}", "withdrawn")]
    assert history.reports[3].changes.terms == [] and history.reports[3].changes.findings == []  # type: ignore[union-attr]


def test_sparql_over_the_metadata_graph_finds_what_changed_between_the_first_and_the_third(history: History) -> None:
    first, third = (f"{BASE}releases/{history.ids[i]}/" for i in (0, 2))
    store = OxigraphStore(history.settings.store)
    answer = store.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX evc: <{EVC}>
        SELECT ?release ?kind ?subject WHERE {{ GRAPH <{BASE}graph/metadata> {{
          <{third}> prov:wasRevisionOf* ?release . ?release prov:wasRevisionOf+ <{first}> .
          ?release evc:changelog/evc:change ?change . ?change evc:kind ?kind ; evc:subject ?subject }} }}""")
    found = {(row["kind"].value.removeprefix(EVC), row["subject"].value) for row in answer}
    assert found == {("Added", f"{BASE}finding/{history.new_finding}"), ("Relabelled", EVO + history.relabelled),
                     ("Deprecated", EVO + history.removed), ("Deprecated", EVO + history.renamed),
                     ("Added", EVO + history.successor), ("Withdrawn", f"{BASE}finding/{history.withdrawn}")}
    totals = store.query(f"""PREFIX evc: <{EVC}> SELECT (SUM(?n) AS ?added) WHERE {{
        <{third}> evc:changelog/evc:triplesAdded ?n }}""")
    assert int(next(iter(totals))["added"].value) == history.reports[2].changes.triples_added  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["text", "ttl"])
def test_evrdf_diff_speaks_text_and_turtle(fmt: str, history: History) -> None:
    done = subprocess.run([sys.executable, "-m", "evrdf", "diff", history.ids[0], "current", "--store",
                           str(history.settings.store), "--format", fmt], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    if fmt == "text":
        assert f"relabelled   <{EVO}{history.relabelled}>" in done.stdout
        assert f"withdrawn    <{BASE}finding/{history.withdrawn}>" in done.stdout
    else:
        graph = rdflib.Graph().parse(data=done.stdout, format="turtle")
        changes = rdflib.URIRef(f"{BASE}releases/{history.ids[-1]}/#changes")
        assert (changes, rdflib.URIRef(EVC + "since"), rdflib.URIRef(f"{BASE}releases/{history.ids[0]}/")) in graph
    bad = subprocess.run([sys.executable, "-m", "evrdf", "diff", "2001-01-01.1", "current", "--store",
                          str(history.settings.store)], capture_output=True, text=True)
    assert bad.returncode == 1 and "no release '2001-01-01.1'" in bad.stderr


# -- deprecation, not deletion ------------------------------------------------------------------------------
def test_a_removed_term_resolves_as_deprecated(history: History, api) -> None:  # type: ignore[no-untyped-def]
    for term, replacement in ((history.removed, None), (history.renamed, history.successor)):
        see_other = api.get(f"/ontology/{term}", headers={"Accept": "text/turtle"})
        assert see_other.status_code == 303
        graph = rdflib.Graph().parse(data=api.get(f"/ontology/{term}.ttl").data, format="turtle")
        node = rdflib.URIRef(EVO + term)
        assert (node, OWL.deprecated, rdflib.Literal(True)) in graph
        assert str(graph.value(node, rdflib.RDFS.label)).startswith("obsolete ")
        assert graph.value(node, rdflib.RDFS.subClassOf) is None  # an obsolete class has no axioms
        assert graph.value(node, IAO_REPLACED_BY) == (rdflib.URIRef(EVO + replacement) if replacement else None)
        page = api.get(f"/ontology/{term}.html").get_data(as_text=True)
        assert 'id="deprecated"' in page and f"Deprecated in release <a href=\"/releases/{history.ids[2]}/\">" in page
        if replacement:
            assert f'href="/ontology/{replacement}"' in page[page.index('id="deprecated"'):]
    # two releases later (deprecated.tsv lists only the renamed term), both are still published as deprecated
    assert history.reports[-1].deprecated == [EVO + history.removed]


def test_a_withdrawn_finding_answers_410_naming_the_releases(history: History, api) -> None:  # type: ignore[no-untyped-def]
    for path in (f"/finding/{history.withdrawn}", f"/finding/{history.withdrawn}.ttl"):
        response = api.get(path)
        assert response.status_code == 410
        text = response.get_data(as_text=True)
        assert f"withdrawn in release {history.ids[2]}" in text and f"last published in release {history.ids[1]}" in text
    assert api.get("/finding/never-existed").status_code == 404


# -- /releases, the release pages, the feed, VoID ------------------------------------------------------------
def test_the_release_index_lists_every_release_newest_first(history: History, api) -> None:  # type: ignore[no-untyped-def]
    page = api.get("/releases").get_data(as_text=True)
    positions = [page.index(f'href="/releases/{release}/"') for release in reversed(history.ids)]
    assert positions == sorted(positions)
    assert "1 finding added" in page and "Retention:" in page
    graph = rdflib.Graph().parse(data=api.get("/releases", headers={"Accept": "text/turtle"}).data, format="turtle")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    nodes = [rdflib.URIRef(f"{BASE}releases/{release}/") for release in history.ids]
    for older, newer in itertools.pairwise(nodes):
        assert (newer, prov.wasRevisionOf, older) in graph


def test_a_release_page_shows_its_changelog_files_and_validation(history: History, api) -> None:  # type: ignore[no-untyped-def]
    third = history.ids[2]
    page = api.get(f"/releases/{third}/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="/ontology/{history.relabelled}"' in page and "relabelled" in page and "withdrawn" in page
    assert f'href="/releases/{history.ids[1]}/"' in page and f'href="/releases/{history.ids[3]}/"' in page
    assert "Validation: conforms" in page and "Publishing gate" in page
    assert f'href="/releases/{third}/evrdf.nq"' in page
    done = subprocess.run([sys.executable, "-m", "evrdf", "validate", "--store", str(history.settings.store)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    current = history.ids[-1]
    page = api.get(f"/releases/{current}/").get_data(as_text=True)
    assert "Validation runs of this release (2" in page  # its publishing gate run, then this validate run
    from evrdf.validate.history import History as Runs

    linked = Runs(history.settings.store, BASE).query(
        f"ASK {{ ?run <http://www.w3.org/ns/prov#used> <{BASE}releases/{current}/> }}")
    assert bool(linked)
    turtle = rdflib.Graph().parse(data=api.get(f"/releases/{third}/", headers={"Accept": "text/turtle"}).data,
                                  format="turtle")
    assert (rdflib.URIRef(f"{BASE}releases/{third}/"), rdflib.URIRef(EVC + "changelog"),
            rdflib.URIRef(f"{BASE}releases/{third}/#changes")) in turtle


def test_the_atom_feed_parses_and_lists_every_release(history: History, api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/releases.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo and feed.version == "atom10"
    assert [e.id for e in feed.entries] == [f"{BASE}releases/{r}/" for r in reversed(history.ids)]
    third = next(e for e in feed.entries if e.id.endswith(f"/{history.ids[2]}/"))
    assert "1 term relabelled" in third.summary and "1 finding withdrawn" in third.summary
    alternate = next(link.href for link in third.links if link.rel == "alternate")
    assert api.get(alternate.removeprefix("http://localhost")).status_code == 200


def test_void_describes_every_release_with_its_distributions(history: History, api) -> None:  # type: ignore[no-untyped-def]
    graph = rdflib.Graph().parse(data=api.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                 format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dataset = rdflib.URIRef(BASE + "dataset")
    for release in history.ids:
        node = rdflib.URIRef(f"{BASE}releases/{release}/")
        assert (dataset, dcat.hasVersion, node) in graph
        assert (node, dcat.distribution, rdflib.URIRef(f"{BASE}releases/{release}/evrdf.owl")) in graph
        assert (node, dcat.distribution, rdflib.URIRef(f"{BASE}releases/{release}/evrdf.nq")) in graph
    assert (dataset, dcat.hasCurrentVersion, rdflib.URIRef(f"{BASE}releases/{history.ids[-1]}/")) in graph
    policy = str(graph.value(dataset, rdflib.URIRef(EVC + "retentionPolicy")))
    assert "forever" in policy and "newest 3" in policy


def test_a_sparql_update_publishes_a_release_with_its_changelog(tmp_path: Path) -> None:
    from evrdf.pipeline.update import apply_update
    from evrdf.release.index import ReleaseIndex

    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    built = build(settings, reason=False)
    done = apply_update(settings, f'INSERT DATA {{ <{BASE}note/1> <http://www.w3.org/2000/01/rdf-schema#comment> "x" }}')
    record = ReleaseIndex(settings.store).get(done.release)
    assert record is not None and record.kind == "update" and record.previous == built.release
    changes = record.changes()
    assert changes is not None and changes["previous"] == built.release
    graphs = {g["graph"]: (g["added"], g["removed"]) for g in changes["graphs"]}
    assert graphs[BASE + "graph/updates"] == (1, 0)
    assert graphs[BASE + "graph/ontology"] == (2, 2)  # the ontology names the new release's version IRI
    ontology = rdflib.Graph().parse(record.files / "evrdf.ttl", format="turtle")
    assert str(ontology.value(rdflib.URIRef(BASE + "ontology"), OWL.versionIRI)) == \
        f"{BASE}releases/{done.release}/evrdf.owl"
    store = OxigraphStore(settings.store)
    assert bool(store.query(f"ASK {{ <{BASE}releases/{done.release}/> <http://www.w3.org/ns/prov#wasRevisionOf> "
                            f"<{BASE}releases/{built.release}/> ; <{EVC}changelog> ?log }}"))


def test_the_remote_backend_publishes_releases_with_their_changelogs(tmp_path: Path, virtuoso, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two releases built under a base IRI of their own (so their graphs in the shared Virtuoso are theirs), each
    published to the real Virtuoso as `evrdf build --backend remote` does: SPARQL on Virtuoso answers what
    changed, and the release pages, files and feed answer from the files directory the web workers share."""
    import shutil

    from evrdf.store.publish_remote import publish
    from evrdf.store.remote import RemoteStore

    base = "https://example.org/evrdf-releases-test/"
    monkeypatch.setenv("EVRDF_REMOTE_USER", virtuoso.user)
    monkeypatch.setenv("EVRDF_REMOTE_PASSWORD", virtuoso.password)
    sources = tmp_path / "ontology"
    shutil.copytree(SOURCES, sources)
    settings = Settings(store=tmp_path / "store", sources=sources, base_iri=base, backend="remote",
                        remote_url=virtuoso.url)
    remote = RemoteStore.from_settings(settings)
    first = build(settings, reason=False)
    publish(remote, settings.store / "releases" / first.release)
    findings = sources / "curated" / "findings.tsv"
    last = [line for line in _rows(findings) if line.strip() and not line.startswith("#")][-1].split("\t")
    last[0] += "-remote"
    findings.write_text("".join(_rows(findings)) + "\t".join(last), encoding="utf-8")
    second = build(settings, reason=False)
    publish(remote, settings.store / "releases" / second.release)
    remote.published(fresh=True)
    answer = remote.query(f"""SELECT ?kind ?subject WHERE {{
        <{base}releases/{second.release}/> <http://www.w3.org/ns/prov#wasRevisionOf> <{base}releases/{first.release}/> ;
            <{base}changes/changelog>/<{base}changes/change> ?change .
        ?change <{base}changes/kind> ?kind ; <{base}changes/subject> ?subject }}""")
    assert {(row["kind"].value, row["subject"].value) for row in answer} == \
        {(f"{base}changes/Added", f"{base}finding/{last[0]}")}
    app = create_app(settings, remote)
    app.testing = True
    api = Client(app.test_client())
    page = api.get(f"/releases/{second.release}/").get_data(as_text=True)
    assert "1 finding added" in page and "The current release" in page
    for release in (first.release, second.release):
        assert api.get(f"/releases/{release}/evrdf.owl", headers={"Accept": "text/turtle"}).status_code == 200
    feed = feedparser.parse(api.get("/releases.atom").data)
    assert [e.id for e in feed.entries] == [f"{base}releases/{second.release}/", f"{base}releases/{first.release}/"]


@pytest.mark.parametrize("row,field,message", [
    ("Exosome\texosome\t\tgone", "id", "still a current term"),
    ("GoneTerm\tgone term\tNoSuchTerm\tmerged", "replaced_by", "unknown term 'NoSuchTerm'"),
    ("GoneTerm\tgone term\tGO:12\tmerged", "replaced_by", "not a valid GO identifier"),
    ("GoneTerm\tgone term\t\t", "reason", "required field is empty"),
])
def test_a_bad_deprecated_row_fails_the_build_naming_file_line_and_field(row: str, field: str, message: str,
                                                                         sources: Path, tmp_path: Path) -> None:
    from evrdf.errors import SourceError

    with (sources / "curated" / "deprecated.tsv").open("a", encoding="utf-8") as out:
        out.write(row + "\n")
    line = len(_rows(sources / "curated" / "deprecated.tsv"))
    with pytest.raises(SourceError) as failure:
        build(Settings(store=tmp_path / "store", sources=sources), reason=False)
    assert (Path(failure.value.path).name, failure.value.line, failure.value.field) == ("deprecated.tsv", line, field)
    assert message in failure.value.message
    assert not (tmp_path / "store" / "current").exists()


def test_a_store_of_releases_made_before_changelogs_upgrades(sources: Path, tmp_path: Path) -> None:
    """A release as earlier versions of evrdf wrote it (a timestamp id, no dump index, changelog or description)
    stays listed and served, and the next build compares against it by scanning its dump."""
    import os
    import shutil

    settings = Settings(store=tmp_path / "store", sources=sources)
    first = build(settings, reason=False)
    legacy = "20261122T101530-abc123"
    releases = settings.store / "releases"
    os.rename(releases / first.release, releases / legacy)
    info = json.loads((releases / legacy / "release.json").read_text())
    for key in ("dump", "changes", "kind", "previous", "file_sizes", "gate", "version_iri"):
        info.pop(key, None)
    info["release"] = legacy
    (releases / legacy / "release.json").write_text(json.dumps(info))
    for name in ("changes.json", "release.ttl"):
        (releases / legacy / "files" / name).unlink()
    (settings.store / "current").unlink()
    (settings.store / "current").symlink_to(Path("releases") / legacy)
    shutil.rmtree(settings.store / "history", ignore_errors=True)

    findings = sources / "curated" / "findings.tsv"
    last = _rows(findings)[-1].rstrip("\n").split("\t")
    last[0] += "-again"
    findings.write_text("".join(_rows(findings)) + "\t".join(last) + "\n", encoding="utf-8")
    second = build(settings, reason=False)
    assert second.previous == legacy and second.changes is not None
    assert {g.graph: (g.added, g.removed) for g in second.changes.graphs} == \
        _direct(settings.store, legacy, second.release) != {}
    assert [(f.iri, f.kind) for f in second.changes.findings] == [(f"{BASE}finding/{last[0]}", "added")]
    app = create_app(settings, OxigraphStore(settings.store))
    api = Client(app.test_client())
    page = api.get("/releases").get_data(as_text=True)
    assert page.index(f"/releases/{second.release}/") < page.index(f"/releases/{legacy}/")
    assert "made before changelogs were kept" in api.get(f"/releases/{legacy}/").get_data(as_text=True)
    assert api.get(f"/releases/{legacy}/evrdf.nq").status_code == 200
    graph = rdflib.Graph().parse(data=api.get("/releases", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert (rdflib.URIRef(f"{BASE}releases/{second.release}/"), rdflib.URIRef("http://www.w3.org/ns/prov#wasRevisionOf"),
            rdflib.URIRef(f"{BASE}releases/{legacy}/")) in graph
