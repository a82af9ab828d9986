"""Coverage of the review: every reference number its text cites is on a finding or deliberately not curated,
checked by a shape in every build; and the curated tables about the text (citations, exclusions, drug targets,
the new finding columns) refuse bad rows with file, line and field."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from evrdf.errors import SourceError, ValidationError
from evrdf.pipeline.build import build
from evrdf.query import examples
from evrdf.settings import Settings
from evrdf.store.base import Store
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import SOURCES, select

COVERAGE = next(e for e in examples() if e.name == "coverage_of_the_review")
EVO = "https://w3id.org/evrdf/ontology/"


def _table(name: str) -> list[dict[str, str]]:
    with (SOURCES / "curated" / name).open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_coverage_report_lists_every_cited_number_with_its_findings_or_reason(store: Store) -> None:
    rows = {int(r["number"]): r for r in select(store, COVERAGE.sparql)}
    cited = {int(r["reference_number"]) for r in _table("citations.tsv") if r["citing_reference"] == "bian2019"}
    assert set(rows) == cited == set(range(1, 97))  # the review's text cites [1] to [96]
    for number, row in rows.items():
        assert row.get("findings") or row.get("notCuratedBecause"), number
    # statements the issue found missing are now findings
    assert {"bian2019-tx-89", "bian2019-tx-90"} <= set(rows[69]["findings"].split())  # CXCR7, target of HIC1
    assert {"bian2019-tx-93", "bian2019-tx-94"} <= set(rows[72]["findings"].split())  # SDF-1 in ovarian cancer
    assert "bian2019-tx-85" in rows[46]["findings"].split()  # CXCL chemokines of the pancreatic TME
    # a Table 1 row counts under the text's (corrected) number, not the printed one
    assert "bian2019-t1-05" in rows[37]["findings"].split() and "bian2019-t1-05" not in rows[36]["findings"].split()
    assert "background" in rows[1]["notCuratedBecause"]


def _remove_row(path: Path, starts: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(starts)]
    assert len(kept) == len(lines) - 1, f"test setup: no single row starting {starts!r} in {path.name}"
    path.write_text("".join(kept), encoding="utf-8")
    return len(lines) - len(kept)


def test_a_cited_number_neither_curated_nor_excluded_fails_the_build_and_publishes_nothing(
        sources: Path, tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", sources=sources)
    first = build(settings, reason=False)
    _remove_row(sources / "curated" / "not_curated.tsv", "bian2019\t44\t")
    with pytest.raises(ValidationError) as caught:
        build(settings, reason=False)
    results = caught.value.report.results  # type: ignore[attr-defined]
    assert [r.message for r in results if "[44]" in r.message] == [
        "the text cites reference [44], which is on no finding and not in not_curated.tsv: curate a finding or "
        "say why not"]
    assert any("citations.tsv" in (r.source_row or "") for r in results if "[44]" in r.message)
    assert OxigraphStore(settings.store).release()["release"] == first.release  # the published store is unchanged


def test_removing_the_only_findings_of_a_number_fails_the_build(sources: Path, tmp_path: Path) -> None:
    path = sources / "curated" / "findings.tsv"
    for finding in ("bian2019-tx-89\t", "bian2019-tx-90\t"):
        _remove_row(path, finding)
    with pytest.raises(ValidationError) as caught:
        build(Settings(store=tmp_path / "store", sources=sources), reason=False)
    assert any("[69]" in r.message for r in caught.value.report.results)  # type: ignore[attr-defined]


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"test setup: {old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def _finding_line(path: Path, finding: str) -> tuple[int, list[str], list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith(finding + "\t"))
    return number, header, lines[number - 1].split("\t")


def _set_finding(path: Path, finding: str, **values: str) -> int:
    number, header, cells = _finding_line(path, finding)
    for column, value in values.items():
        cells[header.index(column)] = value
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


BAD = {
    "exclusion of a number the text does not cite": (
        "not_curated.tsv", "reference_number", "does not cite [97]",
        lambda c: _append(c / "not_curated.tsv", "bian2019\t97\tMetastasis\tA statement.\tbackground")),
    "a number listed twice in citations.tsv": (
        "citations.tsv", "reference_number", "is listed twice",
        lambda c: _append(c / "citations.tsv", "bian2019\t44\tStromal cells\t")),
    "a drug target whose drug is not a drug": (
        "drug_targets.tsv", "drug", "is not a term of drugs.tsv",
        lambda c: _edit(c / "drug_targets.tsv", "Plerixafor\tCXCR4", "Monocyte\tCXCR4")),
    "an axis that does not contain the target": (
        "drug_targets.tsv", "axis", "neither the ligand nor the receptor",
        lambda c: _edit(c / "drug_targets.tsv", "\tCCL18/CCR8\t", "\tCXCL12/CXCR4\t")),
    "an axis written receptor first": (
        "drug_targets.tsv", "axis", "is not a chemokine ligand",
        lambda c: _edit(c / "drug_targets.tsv", "\tCXCL12/CXCR4\t", "\tCXCR4/CXCL12\t")),
    "a table row detailed by an unknown finding": (
        "findings.tsv", "detailed_by", "unknown finding id 'bian2019-tx-999'",
        lambda c: _set_finding(c / "findings.tsv", "bian2019-t1-05", detailed_by="bian2019-tx-999")),
    "EV cargo on a finding without an EV type": (
        "findings.tsv", "cargo", "the finding has no ev_type",
        lambda c: _set_finding(c / "findings.tsv", "bian2019-tx-02", ev_type="")),
    "an unknown gene as a receptor": (
        "findings.tsv", "receptors", "unknown gene symbol 'CCR99'",
        lambda c: _set_finding(c / "findings.tsv", "bian2019-tx-33", receptors="CCR99")),
    "an unknown model organism": (
        "findings.tsv", "model_organisms", "'dog' is not one of",
        lambda c: _set_finding(c / "findings.tsv", "bian2019-tx-51", model_organisms="dog")),
    "a molecule listed by a finding that is not a table row": (
        "findings.tsv", "listed", "not a table row",
        lambda c: _set_finding(c / "findings.tsv", "bian2019-tx-11", listed="CCL2")),
}


def _append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rows_of_the_review_tables_name_file_line_and_field(case: str, sources: Path, tmp_path: Path) -> None:
    filename, field, message, breakage = BAD[case]
    line = breakage(sources / "curated")
    with pytest.raises(SourceError) as caught:
        build(Settings(store=tmp_path / "store", sources=sources), reason=False)
    error = caught.value
    assert (Path(error.path).name, error.line, error.field) == (filename, line, field)
    assert message in str(error)


def test_species_read_by_name_and_diseases_under_a_disease_property(store: Store) -> None:
    rows = select(store, f"""PREFIX evo: <{EVO}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?name WHERE {{ ?finding evo:inSpecies ?taxon . ?taxon rdfs:label ?name }}""")
    assert {r["name"] for r in rows} == {"Homo sapiens", "Mus musculus", "Rattus norvegicus"}
    label = select(store, f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label WHERE {{ <{EVO}inDisease> rdfs:label ?label }}""")
    assert [r["label"] for r in label] == ["in disease"]
    # "In the plasma of hemophilia A patients ..." [37]: haemophilia A is a disease, not a cancer
    haemophilia = select(store, f"""PREFIX evo: <{EVO}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?finding WHERE {{ ?finding evo:inDisease evo:HemophiliaA .
                                FILTER NOT EXISTS {{ evo:HemophiliaA rdfs:subClassOf* evo:Cancer }} }}""")
    assert len(haemophilia) == 3
    assert select(store, f"SELECT ?f WHERE {{ ?f <{EVO}inCancer> ?d }}") == []  # the old property is retired


def test_findings_whose_text_names_several_tumour_types_get_them_all(store: Store) -> None:
    rows = select(store, f"""PREFIX evo: <{EVO}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?finding (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?finding evo:inDisease ?d }} GROUP BY ?finding""")
    counts = {r["finding"].rsplit("/", 1)[1]: int(r["n"]) for r in rows}
    # [36] "non-small-cell lung carcinoma, pancreatic adenocarcinoma, and colorectal adenocarcinoma"; [57]
    # "MDA-MB-231 human breast cancer cell line and U87 glioblastoma"; [50] "B16 melanoma and CT26 colon cancer";
    # [80] "drug-sensitive breast cancer and lung cancer cells"
    assert (counts["bian2019-tx-06"], counts["bian2019-tx-34"], counts["bian2019-tx-71"], counts["bian2019-tx-60"]) \
        == (3, 2, 2, 2)
