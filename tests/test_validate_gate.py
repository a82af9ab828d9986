"""The publishing gate, `evrdf validate` as scheduled jobs call it, and the validation history, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from evrdf.errors import ValidationError
from evrdf.pipeline.build import build
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from evrdf.validate.history import History
from tests.conftest import DATA, SOURCES

INVALID = DATA / "shapes" / "invalid"
CMD = [sys.executable, "-m", "evrdf"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CMD + list(args), capture_output=True, text=True, env=dict(os.environ))


@pytest.fixture()
def published(tmp_path: Path) -> Settings:
    settings = Settings(store=tmp_path / "store", sources=SOURCES)
    build(settings, reason=False)
    return settings


def test_a_broken_curated_source_is_not_published(published: Settings, sources: Path) -> None:
    before = OxigraphStore(published.store).release()["release"]
    table = sources / "curated" / "ev_types.tsv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line.replace("\t30\t150\tnm\t", "\t30\t150000\tnm\t") for line in lines]  # exosomes of 150 µm
    table.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ValidationError) as failure:
        build(published.with_(sources=sources), reason=False)
    messages = [r.message for r in failure.value.report.results]  # type: ignore[attr-defined]
    assert any("implausible for an exosome" in m for m in messages), messages
    assert OxigraphStore(published.store).release()["release"] == before


def test_an_added_file_with_a_malformed_identifier_is_not_published(published: Settings) -> None:
    before = OxigraphStore(published.store).release()["release"]
    result = run("build", "--store", str(published.store), "--no-reason", "--add", str(INVALID / "cl_wrong_form.ttl"))
    assert result.returncode == 1
    assert "is not a valid CL identifier" in result.stderr and "cl_wrong_form.ttl" in result.stderr
    assert "nothing was published" in result.stderr
    assert OxigraphStore(published.store).release()["release"] == before


def test_an_added_files_other_results_are_reported_not_blocking(published: Settings) -> None:
    """evrdf's quality rules gate evrdf's own graphs; a third-party file is published with what they say of it."""
    before = OxigraphStore(published.store).release()["release"]
    result = run("build", "--store", str(published.store), "--no-reason", "--add",
                 str(INVALID / "finding_without_reference.ttl"))
    assert result.returncode == 0, result.stderr
    assert "not blocking" in result.stderr and "finding has no reference" in result.stderr
    assert OxigraphStore(published.store).release()["release"] != before


@pytest.mark.parametrize("options,published_", [
    ([], True), (["--fail-on", "warning"], False), (["--fail-on", "warning", "--allow-warnings"], True)])
def test_fail_on_decides_whether_warnings_block(options: list[str], published_: bool, published: Settings,
                                                sources: Path) -> None:
    core = sources / "evrdf-core.ttl"  # evrdf's own ontology without its title: a Warning on evrdf's own graph
    text = core.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines(keepends=True) if line.strip().startswith("dcterms:title \"evrdf"))
    core.write_text(text.replace(title, ""), encoding="utf-8")
    before = OxigraphStore(published.store).release()["release"]
    result = run("build", "--store", str(published.store), "--no-reason", "--sources", str(sources), *options)
    assert (result.returncode == 0) is published_, result.stderr
    assert (OxigraphStore(published.store).release()["release"] != before) is published_


@pytest.mark.parametrize("args,code", [
    ([str(DATA / "shapes" / "valid" / "finding.ttl")], 0),
    ([str(INVALID / "finding_human_ccl12.ttl")], 1),
    ([str(INVALID / "class_missing_definition.ttl")], 0),
    ([str(INVALID / "class_missing_definition.ttl"), "--fail-on", "warning"], 1),
    ([str(DATA / "add" / "broken.ttl")], 2),
    (["missing.ttl"], 2),
    (["file.xyz"], 2),
    (["--format", "yaml", "x.ttl"], 2),
])
def test_validate_exit_codes(args: list[str], code: int) -> None:
    assert run("validate", *args).returncode == code


def _parse(fmt: str, out: str) -> object:
    if fmt == "json":
        return json.loads(out)["conforms"]
    if fmt in ("ttl", "jsonld"):
        graph = rdflib.Graph().parse(data=out, format="turtle" if fmt == "ttl" else "json-ld")
        return next(graph.objects(None, SH.conforms)).toPython()
    suite = ET.fromstring(out)
    return suite.get("failures") == "0"


@pytest.mark.parametrize("fmt", ["json", "ttl", "jsonld", "junit"])
def test_every_report_format_parses_back(fmt: str) -> None:
    result = run("validate", str(INVALID / "finding_human_ccl12.ttl"), "--format", fmt)
    assert result.returncode == 1
    assert _parse(fmt, result.stdout) is False
    assert "CCL12" in result.stdout


def test_text_report_shows_severity_shape_focus_value_message_and_source() -> None:
    out = run("validate", str(INVALID / "finding_human_ccl12.ttl")).stdout
    assert "VIOLATION https://w3id.org/evrdf/shapes/FindingSpeciesGeneShape (1)" in out
    assert "finding_human_ccl12.ttl: https://w3id.org/evrdf/finding/test-01" in out
    assert "value:   https://w3id.org/evrdf/gene/MGI_103568" in out


@pytest.mark.parametrize("fmt", ["text", "ttl"])
def test_reports_are_deterministic(fmt: str) -> None:
    files = sorted(str(p) for p in INVALID.glob("*.ttl"))
    first, second = run("validate", *files, "--format", fmt), run("validate", *files, "--format", fmt)
    strip = lambda s: "\n".join(line for line in s.splitlines() if "engine oxigraph;" not in line)  # noqa: E731
    assert strip(first.stdout) == strip(second.stdout) and first.stdout


def test_history_records_runs_and_the_diff_between_them(published: Settings) -> None:
    """Every build's gate run is in the history (the fixture's build is the first run), as is `evrdf validate`."""
    store = str(published.store)
    assert run("validate", "--store", store).returncode == 0
    assert run("build", "--store", store, "--no-reason", "--add",
               str(INVALID / "class_missing_definition.ttl")).returncode == 0  # a warning: published
    history = History(published.store, published.base_iri)
    runs = history.runs()  # newest first: the second build's gate, the validate run, the first build's gate
    assert len(runs) == 3 and runs[0].warnings == 1 and runs[1].warnings == 0 and runs[2].warnings == 0
    assert runs[0].release != runs[1].release == runs[2].release
    assert all(r.conforms for r in runs)
    answer = history.query("PREFIX evs: <https://w3id.org/evrdf/shapes/> "
                           "SELECT (COUNT(?run) AS ?n) WHERE { GRAPH <https://w3id.org/evrdf/graph/validation-history> "
                           "{ ?run a evs:ValidationRun } }")
    assert int(next(iter(answer))["n"].value) == 3

    from evrdf.serve.app import create_app

    client = create_app(published, OxigraphStore(published.store)).test_client()
    page = client.get("/validation").get_data(as_text=True)
    assert page.index('id="status"') < page.index('id="diff"') < page.index('id="history"')
    diff = page[page.index('id="diff"'):page.index('id="latest"')]
    assert "New (1)" in diff and "TestCell" in diff and "Fixed (0)" in diff
    sparql = client.get("/validation/sparql", query_string={
        "query": "SELECT ?run WHERE { ?run a <https://w3id.org/evrdf/shapes/ValidationRun> }"})
    assert sparql.status_code == 200 and len(sparql.get_json()["results"]["bindings"]) == 3
    turtle = client.get("/validation", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert len(set(graph.subjects(rdflib.RDF.type, SH.ValidationReport))) == 3


def test_a_sparql_updates_gate_run_joins_the_history(published: Settings) -> None:
    from evrdf.pipeline.update import apply_update

    history = History(published.store, published.base_iri)
    assert len(history.runs()) == 1  # the build's gate
    done = apply_update(published, 'INSERT DATA { <https://w3id.org/evrdf/gene/HGNC_10672> '
                                   '<http://www.w3.org/2000/01/rdf-schema#comment> "a note from an update" }')
    runs = history.runs()
    assert len(runs) == 2 and runs[0].release == done.release and runs[1].release == done.previous
    assert runs[0].conforms
