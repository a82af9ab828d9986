"""SHACL validation, data-driven: every file under tests/data/shapes/invalid/ fails with the message its
`# expect:` line names, every file under valid/ conforms, and both engines (SPARQL on Oxigraph, pySHACL) agree
on every file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from evrdf.identifiers import PREFIXES
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from evrdf.validate.report import Severity
from evrdf.validate.run import validate_files, validate_store
from evrdf.validate.shapes import default_shapes_dir, load_shapes
from tests.conftest import DATA, SOURCES

SHAPES_DATA = DATA / "shapes"
INVALID = sorted((SHAPES_DATA / "invalid").glob("*.ttl"))
VALID = sorted((SHAPES_DATA / "valid").glob("*.ttl"))
SETTINGS = Settings(sources=SOURCES)


def expectation(path: Path) -> tuple[Severity, str]:
    match = re.match(r"# expect: (\w+): (.*)", path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} must start with '# expect: Severity: message'"
    return Severity.parse(match.group(1)), match.group(2)


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_each_bad_input_fails_with_the_expected_message(path: Path) -> None:
    severity, message = expectation(path)
    report = validate_files([path], SETTINGS, fail_on=severity)
    assert not report.conforms
    found = [r for r in report.results if r.severity is severity and message in r.message]
    assert found, f"no {severity.value} containing {message!r}; got {[r.message for r in report.results]}"
    assert all(r.source_row == path.name for r in found)  # the report points back to the file


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_each_valid_input_conforms(path: Path) -> None:
    report = validate_files([path], SETTINGS, fail_on=Severity.WARNING)
    assert report.conforms, [r.message for r in report.results]


@pytest.mark.parametrize("path", INVALID + VALID, ids=[p.name for p in INVALID + VALID])
def test_sparql_engine_agrees_with_pyshacl(path: Path) -> None:
    fast = validate_files([path], SETTINGS, engine="oxigraph").results
    reference = validate_files([path], SETTINGS, engine="pyshacl").results
    assert [r.key for r in fast] == [r.key for r in reference]


def test_the_published_graph_conforms_and_flags_the_micrometre_diameter(settings: Settings) -> None:
    report = validate_store(settings, OxigraphStore(settings.store))
    assert report.conforms and report.count(Severity.VIOLATION) == 0 and report.count(Severity.WARNING) == 0
    flagged = [r for r in report.results if "ontology/Microvesicle>" in r.focus]
    assert [(r.severity, r.value) for r in flagged] == [(Severity.INFO, '"100–1000 μm"')]


def test_every_constraint_has_a_message_and_a_deliberate_severity() -> None:
    shapes = load_shapes()
    constrained = {s for s in shapes.subjects(SH.path, None)} | {s for s in shapes.subjects(SH.sparql, None)}
    assert len(constrained) > 40
    for shape in constrained:
        assert shapes.value(shape, SH.severity) is not None, f"{shape} has no sh:severity"
        owners = [shape] + list(shapes.objects(shape, SH.sparql))
        for owner in owners[1:] or owners:
            assert shapes.value(owner, SH.message) is not None, f"{owner} (shape {shape}) has no sh:message"


def test_one_shape_file_per_family() -> None:
    names = {p.stem for p in default_shapes_dir().glob("*.ttl")}
    assert {"genes", "pairs", "ev_types", "findings", "references", "terms", "ontology", "provenance",
            "identifiers"} <= names


def test_identifier_forms_in_the_shapes_match_evrdf_identifiers() -> None:
    text = (default_shapes_dir() / "identifiers.ttl").read_text(encoding="utf-8")

    def table(variable: str) -> dict[str, str]:  # namespace -> value, from BIND(IF(STRSTARTS(?iri, ns), value, ...))
        line = next(line for line in text.splitlines() if line.strip().endswith(f"AS ?{variable})"))
        return dict(re.findall(r'IF\(STRSTARTS\(\?iri, "([^"]+)"\), "((?:[^"\\]|\\.)*)"', line))

    prefixes, forms = table("prefix"), table("form")
    assert len(prefixes) >= 15 and set(prefixes) == set(forms) == set(table("namespace"))
    for namespace, prefix in prefixes.items():
        assert PREFIXES[prefix][0] == namespace and PREFIXES[prefix][2] == forms[namespace]


def test_shapes_follow_the_configured_base_iri(tmp_path: Path) -> None:
    moved = tmp_path / "finding.ttl"
    moved.write_text((SHAPES_DATA / "invalid" / "finding_without_reference.ttl").read_text(encoding="utf-8")
                     .replace("https://w3id.org/evrdf/", "http://example.org/ev/"), encoding="utf-8")
    report = validate_files([moved], Settings(sources=SOURCES, base_iri="http://example.org/ev/"))
    assert any("finding has no reference" in r.message for r in report.results)
    assert all(r.shape.startswith("http://example.org/ev/shapes/") for r in report.results)


def test_shapes_are_plain_shacl_that_pyshacl_accepts() -> None:
    shapes = load_shapes()
    assert len(set(shapes.subjects(RDF.type, SH.NodeShape))) >= 20
    assert isinstance(shapes, Graph)
