"""`evrdf import`: Vesiclepedia and ExoCarta downloads, in their real column layouts, end to end into a release.

Bad lines are reported with file, line and column and either skipped or fail the import; a failed import (or a
build that cannot load a staged import) leaves the published release exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from evrdf.build.imports import staged
from evrdf.ingest import exocarta, vesiclepedia
from evrdf.pipeline.build import build
from evrdf.pipeline.imports import import_database
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import DATA, SOURCES, select

EVDB = DATA / "evdb"
CONTENT = EVDB / "VESICLEPEDIA_PROTEIN_MRNA_DETAILS_5.1.txt"
EXPERIMENTS = EVDB / "VESICLEPEDIA_EXPERIMENT_DETAILS_5.1.txt"
MALFORMED = EVDB / "VESICLEPEDIA_PROTEIN_MRNA_DETAILS_malformed.txt"
EXOCARTA = EVDB / "EXOCARTA_PROTEIN_MRNA_DETAILS_5.txt"
GRAPH = "https://w3id.org/evrdf/graph/vesiclepedia-5.1"
PREFIXES = """PREFIX evo: <https://w3id.org/evrdf/ontology/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX void: <http://rdfs.org/ns/void#>
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evrdf", *args], capture_output=True, text=True,
                          env={**os.environ, "EVRDF_SOURCES": str(SOURCES)})


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """Both fixtures imported and published by one build (no reasoner: test_ontology covers it)."""
    settings = Settings(store=tmp_path_factory.mktemp("imported"), sources=SOURCES)
    import_database(settings, vesiclepedia.DATABASE, CONTENT, EXPERIMENTS, "5.1")
    import_database(settings, exocarta.DATABASE, EXOCARTA, None, "5")
    build(settings, reason=False)
    return OxigraphStore(settings.store)


@pytest.mark.parametrize("entry,symbol,cargo,cargo_type,ev_type,species,pmid", [
    # a curated chemokine: the cargo is the curated HGNC-aligned gene
    ("101", "CXCL12", "https://w3id.org/evrdf/gene/HGNC_10672", "ProteinCargo", "Exosome", "NCBITaxon_9606",
     "30925930"),
    ("103", "PDCD6IP", "https://w3id.org/evrdf/gene/HGNC_8766", "MRNACargo", "Exosome", "NCBITaxon_9606",
     "30925930"),
    # not curated: named by its NCBI Gene IRI; the experiment says Microvesicles
    ("104", "Cd81", "https://identifiers.org/ncbigene:12520", "ProteinCargo", "Microvesicle", "NCBITaxon_10090",
     "30925930"),
    # a miRNA has no gene; an unknown vesicle type ("Exomeres") falls back to extracellular vesicle
    ("105", "hsa-miR-21-5p", None, "MiRNACargo", "Exosome", "NCBITaxon_9606", "30925930"),
    ("106", "PDCD6IP", "https://w3id.org/evrdf/gene/HGNC_8766", "ProteinCargo", "ExtracellularVesicle", None, None),
])
def test_each_entry_is_an_ev_sample_of_a_kind_carrying_a_molecule(
        imported: OxigraphStore, entry: str, symbol: str, cargo: str | None, cargo_type: str, ev_type: str,
        species: str | None, pmid: str | None) -> None:
    rows = select(imported, PREFIXES + f"""SELECT ?symbol ?cargo ?type ?ev ?species ?pmid ?sample WHERE {{
        GRAPH <{GRAPH}> {{
          <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/entry/{entry}> a evo:CargoRecord ;
              evo:cargoSymbol ?symbol ; evo:cargoType ?type ; evo:evType ?ev ; evo:fromSample ?sample .
          ?sample a evo:EVSample .
          OPTIONAL {{ <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/entry/{entry}> evo:carriesCargo ?cargo }}
          OPTIONAL {{ <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/entry/{entry}> evo:inSpecies ?species }}
          OPTIONAL {{ <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/entry/{entry}> evo:citedIn/evo:pmid ?pmid }}
        }} }}""")
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["symbol"] == symbol and row.get("cargo") == cargo
    assert row["type"].endswith("/" + cargo_type) and row["ev"].endswith("/" + ev_type)
    assert (row.get("species") or "").endswith(species or "") and ("species" in row) == (species is not None)
    assert row.get("pmid") == pmid


def test_imported_cargo_joins_the_curated_chemokines(imported: OxigraphStore) -> None:
    rows = select(imported, PREFIXES + """SELECT DISTINCT ?symbol WHERE {
        ?record a evo:CargoRecord ; evo:carriesCargo ?gene . ?gene a evo:Chemokine ; evo:symbol ?symbol }""")
    assert rows == [{"symbol": "CXCL12"}]


def test_uncurated_genes_are_described_once_with_their_ncbi_gene_iri(imported: OxigraphStore) -> None:
    rows = select(imported, PREFIXES + """SELECT ?label ?entrez ?species WHERE { GRAPH ?g {
        <https://identifiers.org/ncbigene:12520> evo:symbol ?label ; evo:entrezId ?entrez ;
        evo:inSpecies ?species } }""")
    assert rows == [{"label": "Cd81", "entrez": "12520", "species": "http://purl.obolibrary.org/obo/NCBITaxon_10090"}]


def test_experiment_records_keep_sample_methods_and_printed_values(imported: OxigraphStore) -> None:
    sample = "<https://w3id.org/evrdf/evdb/vesiclepedia/5.1/sample/2>"
    rows = select(imported, PREFIXES + f"""SELECT ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ {sample} ?p ?o }} }}""")
    values = {(r["p"].rsplit("/", 1)[-1], r["o"]) for r in rows}
    assert ("isolationMethod", "Sucrose density gradient") in values
    assert ("isolationMethod", "Ultracentrifugation") in values
    assert ("vesicleTypeSourceValue", "Microvesicles") in values
    assert ("sampleDescription", "Serum") in values
    assert ("description", 'Serum EVs of tumour-bearing mice, "crude" prep (10\\% loss)') in values  # escaped
    unknown = select(imported, PREFIXES + """SELECT ?name ?taxon WHERE {
        <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/sample/3> evo:speciesName ?name
        OPTIONAL { <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/sample/3> evo:inSpecies ?taxon } }""")
    assert unknown == [{"name": "Bos taurus"}]


def test_provenance_names_the_database_release_and_file_checksums(imported: OxigraphStore) -> None:
    rows = select(imported, PREFIXES + f"""SELECT ?version ?homepage ?file ?sha WHERE {{ GRAPH <{GRAPH}> {{
        <{GRAPH}> prov:wasDerivedFrom ?source ; prov:wasGeneratedBy ?activity .
        ?source dcterms:hasVersion ?version ; dcterms:source ?homepage .
        ?activity a prov:Activity ; prov:used ?f . ?f rdfs:label ?file ; spdx:checksum/spdx:checksumValue ?sha
        }} }}""".replace("rdfs:label", "<http://www.w3.org/2000/01/rdf-schema#label>"))
    assert {(r["file"], r["sha"]) for r in rows} == {
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in (CONTENT, EXPERIMENTS)}
    assert {(r["version"], r["homepage"]) for r in rows} == {("5.1", "http://microvesicles.org/")}


def test_each_import_has_its_own_graph_listed_in_the_metadata(imported: OxigraphStore) -> None:
    assert {GRAPH, "https://w3id.org/evrdf/graph/exocarta-5"} <= set(imported.named_graphs())
    rows = select(imported, PREFIXES + f"""SELECT ?n WHERE {{ GRAPH ?m {{ <{GRAPH}> void:triples ?n }} }}""")
    assert rows and int(rows[0]["n"]) == imported.count(GRAPH)


def test_exocarta_entries_without_experiments_are_exosome_cargo(imported: OxigraphStore) -> None:
    rows = select(imported, PREFIXES + """SELECT ?record ?symbol ?ev WHERE {
        GRAPH <https://w3id.org/evrdf/graph/exocarta-5> { ?record evo:cargoSymbol ?symbol ; evo:evType ?ev } }
        ORDER BY ?record""")
    assert [r["symbol"] for r in rows] == ["CXCL12", "CD63", "TSG101"]
    assert {r["ev"] for r in rows} == {"https://w3id.org/evrdf/ontology/Exosome"}
    assert rows[0]["record"] == "https://w3id.org/evrdf/evdb/exocarta/5/entry/line-2"


MALFORMED_LINES = [  # line, column named in the message, what it says
    (3, None, "malformed line: 6 tab-separated fields, the header has 7"),
    (4, "ENTREZ GENE ID", "'CD63' is not an NCBI Gene ID"),
    (5, "CONTENT TYPE", "unknown content type 'peptide'"),
    (6, "EXPERIMENT ID", "experiment '99' is not in the experiments file"),
    (8, "ENTREZ GENE ID", "required for protein entries, but empty"),
    (9, "GENE SYMBOL", "not valid UTF-8 (byte 0xe9"),
]


def test_skip_mode_reports_every_bad_line_and_loads_the_rest(tmp_path: Path) -> None:
    result = run("import", "vesiclepedia", str(MALFORMED), "--experiments", str(EXPERIMENTS), "--release", "5.1",
                 "--on-error", "skip", "--store", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert "read 12 lines, loaded 3 entries and 3 experiments" in result.stdout
    assert "rejected 6 lines" in result.stdout
    for line, column, message in MALFORMED_LINES:
        where = f"{MALFORMED}:{line}" + (f": field '{column}'" if column else "")
        assert f"{where}: {message}" in result.stderr, (line, result.stderr)
    assert [s.manifest["rejected"] for s in staged(tmp_path / "s")] == [6]


def test_fail_mode_stops_at_the_first_bad_line_and_stages_nothing(tmp_path: Path) -> None:
    result = run("import", "vesiclepedia", str(MALFORMED), "--experiments", str(EXPERIMENTS), "--release", "5.1",
                 "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    assert f"error: {MALFORMED}:3: malformed line" in result.stderr
    assert list((tmp_path / "s" / "imports").iterdir()) == []


@pytest.mark.parametrize("drop,database", [("GENE SYMBOL", "vesiclepedia"), ("ENTREZ GENE ID", "exocarta")])
@pytest.mark.parametrize("mode", ["skip", "fail"])
def test_a_missing_column_fails_naming_file_line_and_column(tmp_path: Path, drop: str, database: str,
                                                            mode: str) -> None:
    source = CONTENT if database == "vesiclepedia" else EXOCARTA
    lines = [line.rstrip("\r\n").split("\t") for line in source.read_text(encoding="utf-8").splitlines()]
    index = lines[0].index(drop)
    broken = tmp_path / source.name
    broken.write_text("".join("\t".join(c for i, c in enumerate(row) if i != index) + "\n" for row in lines),
                      encoding="utf-8")
    result = run("import", database, str(broken), "--on-error", mode, "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    assert f"{broken}:1: field '{drop}': missing column(s) in the content header: {drop}" in result.stderr


def test_release_comes_from_the_file_name_or_the_option(tmp_path: Path) -> None:
    unnamed = tmp_path / "cargo.txt"
    shutil.copy(EXOCARTA, unnamed)
    result = run("import", "exocarta", str(unnamed), "--store", str(tmp_path / "s"))
    assert result.returncode == 2 and "give --release" in result.stderr
    result = run("import", "exocarta", str(unnamed), "--release", "6", "--store", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert [s.graph for s in staged(tmp_path / "s")] == ["https://w3id.org/evrdf/graph/exocarta-6"]


def test_a_failed_import_leaves_the_published_release_and_staged_file_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run("import", "vesiclepedia", str(CONTENT), "--experiments", str(EXPERIMENTS), "--store", str(store)
               ).returncode == 0
    assert run("build", "--no-reason", "--store", str(store)).returncode == 0
    published = OxigraphStore(store)
    before, triples = published.release()["release"], published.count(GRAPH)
    staged_file = store / "imports" / "vesiclepedia-5.1.nq"
    staged_bytes = staged_file.read_bytes()

    result = run("import", "vesiclepedia", str(MALFORMED), "--experiments", str(EXPERIMENTS), "--release", "5.1",
                 "--store", str(store))
    assert result.returncode == 1
    assert staged_file.read_bytes() == staged_bytes
    assert sorted(p.name for p in (store / "imports").iterdir()) == ["vesiclepedia-5.1.nq"]
    assert OxigraphStore(store).release()["release"] == before

    # a staged file damaged after the import: the build refuses it and keeps the release
    with staged_file.open("a", encoding="utf-8") as handle:
        handle.write("<https://example.org/s> <https://example.org/p> \"unterminated <https://example.org/g> .\n")
    result = run("build", "--no-reason", "--store", str(store))
    assert result.returncode == 1 and "vesiclepedia-5.1.nq" in result.stderr and "syntax error" in result.stderr
    assert OxigraphStore(store).release()["release"] == before
    assert OxigraphStore(store).count(GRAPH) == triples


def test_a_build_under_another_base_iri_refuses_the_staged_import(tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run("import", "exocarta", str(EXOCARTA), "--store", str(store)).returncode == 0
    result = run("build", "--no-reason", "--store", str(store), "--base-iri", "http://example.org/ev/")
    assert result.returncode == 1 and "base IRI" in result.stderr and "exocarta-5.nq" in result.stderr


def test_the_release_dump_holds_the_imported_graphs_exactly(imported: OxigraphStore) -> None:
    """The dump copies staged imports verbatim; parsed back it must equal the store, quad for quad."""
    dump = imported.files_dir() / "evrdf.nq"
    parsed = list(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
    assert len(parsed) == imported.count()
    graphs = {q.graph_name.value for q in parsed}
    assert {s for s in imported.named_graphs() if "vesiclepedia" in s or "exocarta" in s} <= graphs
    for quad in parsed[-50:]:
        assert bool(imported.query(f"ASK {{ GRAPH {quad.graph_name} {{ {quad.subject} {quad.predicate} {quad.object} }} }}"))


def test_a_file_cut_short_is_refused_whatever_the_error_mode(tmp_path: Path) -> None:
    """A download cut inside its last field ends without a newline: 'Western' would be staged for 'Western
    blotting', and the lines after the cut would be missing without a word."""
    text = CONTENT.read_bytes()
    cut = tmp_path / CONTENT.name
    cut.write_bytes(text[: text.index(b"Western blotting") + len(b"Western")])
    line = cut.read_bytes().count(b"\n") + 1
    for mode in ("skip", "fail"):
        result = run("import", "vesiclepedia", str(cut), "--experiments", str(EXPERIMENTS), "--on-error", mode,
                     "--store", str(tmp_path / "s"))
        assert result.returncode == 1, result.stdout
        assert f"error: {cut}:{line}: the file ends inside line {line}, without a newline" in result.stderr
        assert list((tmp_path / "s" / "imports").iterdir()) == []


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_with_file_line_and_column(tmp_path: Path, char: str) -> None:
    lines = CONTENT.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("CD63", f"CD{char}63")
    broken = tmp_path / CONTENT.name
    broken.write_text("".join(lines), encoding="utf-8")
    column = lines[2].index(char) + 1
    result = run("import", "vesiclepedia", str(broken), "--experiments", str(EXPERIMENTS), "--store",
                 str(tmp_path / "s"))
    assert result.returncode == 1
    assert (f"error: {broken}:3:{column}: field 'GENE SYMBOL': control character U+{ord(char):04X} in the text"
            in result.stderr), result.stderr
    assert list((tmp_path / "s" / "imports").iterdir()) == []
    result = run("import", "vesiclepedia", str(broken), "--experiments", str(EXPERIMENTS), "--on-error", "skip",
                 "--store", str(tmp_path / "s"))
    assert result.returncode == 0 and "rejected 1 lines" in result.stdout
    staged_text = (tmp_path / "s" / "imports" / "vesiclepedia-5.1.nq").read_text(encoding="utf-8")
    assert char not in staged_text and "%00" not in staged_text and "%1B" not in staged_text
