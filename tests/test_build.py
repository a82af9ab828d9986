"""The build: one named graph per source, provenance, --add files, atomic publishing, configurable base IRI."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from evrdf.errors import SourceError
from evrdf.pipeline.build import BuildReport, build
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import DATA, SOURCES, select

BASE = "https://w3id.org/evrdf/"
EXPECTED_GRAPHS = ["ontology", "hgnc", "references", "cellphonedb", "connectomedb2020", "bian2019", "biocell",
                   "metadata"]


def test_report_counts_match_the_store(report: BuildReport, store: OxigraphStore) -> None:
    assert report.findings == len(select(store, "SELECT ?f WHERE { ?f a <%sontology/Finding> }" % BASE))
    assert report.references == len(select(store, "SELECT ?r WHERE { ?r a <%sontology/Reference> }" % BASE))
    assert report.triples == store.count()
    assert report.seconds > 0
    assert report.reasoner_seconds is not None


@pytest.mark.parametrize("key", EXPECTED_GRAPHS)
def test_each_source_has_its_own_named_graph(key: str, store: OxigraphStore, report: BuildReport) -> None:
    graph = f"{BASE}graph/{key}"
    assert graph in store.named_graphs()
    assert store.count(graph) == report.graphs[graph] > 0


def test_default_graph_is_the_union_of_named_graphs(store: OxigraphStore) -> None:
    union = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(union) == store.count()


def test_findings_stay_in_their_source_graph(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?g (COUNT(?f) AS ?n) WHERE {{ GRAPH ?g {{ ?f a <{BASE}ontology/Finding> }} }}
                             GROUP BY ?g""")
    graphs = {r["g"]: int(r["n"]) for r in rows}
    assert set(graphs) == {f"{BASE}graph/bian2019", f"{BASE}graph/biocell"}
    assert graphs[f"{BASE}graph/biocell"] == 2


def test_every_finding_cites_a_reference_with_pmid_or_doi(store: OxigraphStore) -> None:
    missing = select(store, f"""PREFIX evo: <{BASE}ontology/>
        SELECT ?f WHERE {{ ?f a evo:Finding
          FILTER NOT EXISTS {{ ?f evo:citedIn ?r . {{ ?r evo:pmid ?id }} UNION {{ ?r evo:doi ?id }} }} }}""")
    assert missing == []


@pytest.mark.parametrize("curated_file", ["chemokines.tsv", "genes.tsv", "ligand_receptor_pairs.tsv",
                                          "findings.tsv", "references.tsv", "ev_types.tsv", "cell_types.tsv"])
def test_provenance_records_checksum_and_license_of_each_source(curated_file: str, store: OxigraphStore) -> None:
    rows = select(store, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?source ?sum ?license ?graph WHERE {{
          GRAPH <{BASE}graph/metadata> {{
            ?source <{BASE}ontology/sourceRow> "curated/{curated_file}" ;
                    spdx:checksum/spdx:checksumValue ?sum ; dcterms:license ?license .
            ?graph prov:wasDerivedFrom ?source .
          }} }}""")
    assert rows, f"no provenance for {curated_file}"
    expected = hashlib.sha256((SOURCES / "curated" / curated_file).read_bytes()).hexdigest()
    assert {r["sum"] for r in rows} == {expected}
    assert all(r["license"].startswith("http") for r in rows)


def test_build_activity_names_software_and_times(store: OxigraphStore) -> None:
    rows = select(store, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?version ?start ?end WHERE {{ <{BASE}dataset> prov:wasGeneratedBy ?a .
          ?a prov:startedAtTime ?start ; prov:endedAtTime ?end ; prov:wasAssociatedWith ?sw .
          ?sw <http://www.w3.org/2002/07/owl#versionInfo> ?version }}""")
    from evrdf import __version__

    assert rows and rows[0]["version"] == __version__
    assert rows[0]["start"] <= rows[0]["end"]


def test_void_triple_counts_are_true(store: OxigraphStore) -> None:
    rows = select(store, f"""PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?g ?n WHERE {{ <{BASE}dataset> void:subset ?g . ?g void:triples ?n }}""")
    for row in rows:
        if row["g"] != f"{BASE}graph/metadata":  # the metadata graph cannot count itself before it exists
            assert store.count(row["g"]) == int(row["n"]), row["g"]


def test_release_files_are_written(store: OxigraphStore) -> None:
    names = {p.name for p in store.files_dir().iterdir()}
    assert {"evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv", "evrdf.nq"} <= names


@pytest.mark.parametrize("name,graphs", [
    ("extra.nt", ["graph/added/extra"]),
    ("extra.ttl", ["graph/added/extra"]),
    ("extra.nq", ["graph/added/extra", "http://example.org/g/quads"]),
    ("extra.trig", ["graph/added/extra", "http://example.org/g/trig"]),
])
def test_added_files_get_their_own_named_graph(name: str, graphs: list[str], tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    report = build(settings, add=[DATA / "add" / name], reason=False)
    store = OxigraphStore(settings.store)
    for graph in graphs:
        iri = graph if graph.startswith("http") else BASE + graph
        assert iri in store.named_graphs()
        assert store.count(iri) == report.graphs[iri] > 0
    ask = store.query("ASK { <http://example.org/thing/1> ?p ?o }")
    assert bool(ask)


def test_failed_build_leaves_previous_release_served(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    build(settings, reason=False)
    store = OxigraphStore(settings.store)
    before = store.release()["release"], store.count()
    # The bad file is read while the new release is being loaded: the failure happens mid-build.
    with pytest.raises(SourceError) as caught:
        build(settings, add=[DATA / "add" / "extra.nt", DATA / "add" / "broken.ttl"], reason=False)
    assert caught.value.line == 4
    assert (store.release()["release"], store.count()) == before
    releases = list((settings.store / "releases").iterdir())
    assert len(releases) == 1 and not releases[0].name.startswith(".tmp")


def test_reader_follows_a_new_release(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    build(settings, reason=False)
    store = OxigraphStore(settings.store)
    first = store.release()["release"]
    assert not bool(store.query("ASK { <http://example.org/thing/1> ?p ?o }"))
    build(settings, add=[DATA / "add" / "extra.ttl"], reason=False)
    assert store.release()["release"] != first
    assert bool(store.query("ASK { <http://example.org/thing/1> ?p ?o }"))


def test_old_releases_keep_their_files_when_their_store_is_pruned(tmp_path: Path) -> None:
    """The retention rule: only the newest 3 releases keep a store; every release keeps its files (the dump of a
    pruned one compressed), so its version IRI and downloads resolve forever."""
    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    built = [build(settings, reason=False).release for _ in range(5)]
    assert sorted(os.listdir(settings.store / "releases")) == sorted(built)
    for number, release in enumerate(built):
        directory = settings.store / "releases" / release
        assert (directory / "oxigraph").is_dir() == (number >= 2)
        assert {"evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv", "release.json"} <= \
            set(os.listdir(directory / "files")) | set(os.listdir(directory))
        assert (directory / "files" / ("evrdf.nq" if number >= 2 else "evrdf.nq.gz")).is_file()


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    base = "http://example.org/ev/"
    settings = Settings(store=tmp_path / "store", sources=SOURCES, base_iri=base)
    build(settings, reason=False)
    store = OxigraphStore(settings.store)
    leftovers = select(store, f"""SELECT DISTINCT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?x ?o }} UNION {{ ?s ?p ?x }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}""")
    assert leftovers == []
    assert bool(store.query(f"ASK {{ <{base}ontology> a <http://www.w3.org/2002/07/owl#Ontology> }}"))
    assert bool(store.query(f"ASK {{ ?f a <{base}ontology/Finding> }}"))


def test_bad_add_extension_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    bad = tmp_path / "data.csv"
    bad.write_text("a,b\n")
    with pytest.raises(SourceError, match="unknown RDF file extension '.csv'"):
        build(Settings(store=tmp_path / "store", sources=SOURCES), add=[bad], reason=False)
    assert not (tmp_path / "store").exists()


def test_later_builds_remove_what_a_killed_build_left(tmp_path: Path) -> None:
    """A build killed mid-publish leaves releases/.tmp-*; one killed mid-reasoning, its temporary folder."""
    import subprocess
    import sys

    from evrdf.build.reason import PREFIX, remove_stale_folders

    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    build(settings, reason=False)
    stale = settings.store / "releases" / ".tmp-20200101T000000-dead00"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "000001.sst").write_bytes(b"\0" * 4096)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    reasoner_tmp = tmp_path / "tmp" / f"{PREFIX}{int(gone.stdout)}-abc123"  # its process has exited
    running = tmp_path / "tmp" / f"{PREFIX}{os.getpid()}-def456"  # this process still runs
    for folder in (reasoner_tmp, running):
        folder.mkdir(parents=True)
        (folder / "evrdf.nt").write_text("<a:s> <a:p> <a:o> .\n")
    build(settings, reason=False)
    assert not stale.exists() and [p.name for p in (settings.store / "releases").glob(".tmp-*")] == []
    assert remove_stale_folders(str(tmp_path / "tmp")) == [reasoner_tmp] and running.is_dir()


def _limited_writes(limit: int):  # type: ignore[no-untyped-def]
    """For a child process: files may not grow past ``limit`` bytes (writes fail with EFBIG, as on a full
    disk, instead of the process being killed by SIGXFSZ)."""
    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_is_one_error_line_naming_the_path_and_publishes_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    store = tmp_path / "store"
    build(Settings(store=store, sources=SOURCES), reason=False)
    before = OxigraphStore(store).release()["release"]
    result = subprocess.run([sys.executable, "-m", "evrdf", "build", "--no-reason", "--store", str(store),
                             "--sources", str(SOURCES)], capture_output=True, text=True,
                            preexec_fn=_limited_writes(1 << 20))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(store / "releases") in lines[0] and "File too large" in lines[0], result.stderr
    assert OxigraphStore(store).release()["release"] == before
    assert [p.name for p in (store / "releases").glob(".tmp-*")] == []


def test_a_store_that_cannot_be_written_is_one_error_line_naming_the_path(tmp_path: Path) -> None:
    import subprocess
    import sys

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    for command in (["build", "--no-reason"], ["import", "exocarta", str(DATA / "evdb" / "EXOCARTA_PROTEIN_MRNA_DETAILS_5.txt")]):
        result = subprocess.run([sys.executable, "-m", "evrdf", *command, "--store", str(blocker / "store"),
                                 "--sources", str(SOURCES)], capture_output=True, text=True)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
        assert result.stderr.strip().splitlines()[-1].startswith(f"error: {blocker / 'store'}"), result.stderr
