"""Bad input: every kind of broken source stops the build with a message naming file, line and field,
exits non-zero, and leaves the published graph exactly as it was."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from evrdf.errors import SourceError
from evrdf.pipeline.build import build
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def _append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")
    return len(path.read_text(encoding="utf-8").splitlines())


def malformed_row(src: Path) -> tuple[str, int | None, str | None, str]:
    line = _append(src / "curated/findings.tsv", "bian2019-zz-01\tbian2019\tTable 1")
    return "findings.tsv", line, None, "malformed row: 3 tab-separated fields"


def unknown_column(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/drugs.tsv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    _edit(path, header, header.replace("\tnote", "\tnotes"))
    return "drugs.tsv", 1, "notes", "unknown column"


def missing_required(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/findings.tsv"
    line = _line_of(path, "bian2019-t1-03\t")
    cells = path.read_text(encoding="utf-8").splitlines()[line - 1].split("\t")
    _edit(path, "\t".join(cells), "\t".join(cells[:3] + [""] + cells[4:]))  # statement
    return "findings.tsv", line, "statement", "required field is empty"


def bad_cl_id(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/cell_types.tsv"
    line = _line_of(path, "CL:0000576")
    _edit(path, "CL:0000576", "CL:576", count=-1)
    return "cell_types.tsv", line, "exact_match", "'CL:576' is not a valid CL identifier"


def bad_hgnc_id(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/chemokines.tsv"
    line = _line_of(path, "HGNC:10672\t")
    _edit(path, "HGNC:10672\t", "HGNC10672\t")
    return "chemokines.tsv", line, "hgnc_id", "not a valid HGNC identifier"


def bad_uniprot(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/chemokines.tsv"
    line = _line_of(path, "\tP48061\t")
    _edit(path, "\tP48061\t", "\tP4806\t")
    return "chemokines.tsv", line, "uniprot_accession", "not a valid UNIPROT identifier"


def bad_pmid(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/references.tsv"
    line = _line_of(path, "30925930")
    _edit(path, "30925930", "PMID30925930")
    return "references.tsv", line, "pmid", "not a valid PMID identifier"


def bad_doi(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/references.tsv"
    line = _line_of(path, "10.1186/s12943-019-0973-7")
    _edit(path, "\t10.1186/s12943-019-0973-7", "\tdoi:s12943-019-0973-7")
    return "references.tsv", line, "doi", "not a valid DOI identifier"


def duplicate_hgnc_two_labels(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/genes.tsv"
    line = _append(path, "SDF1X\tHGNC:10672\tstromal cell derived factor\t\t\t\t\t\t\t")
    return "genes.tsv", line, "hgnc_id", "HGNC:10672 is already used by CXCL12"


def duplicate_term_two_labels(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/cancers.tsv"
    line = _append(path, "Melanoma\tskin melanoma\tCancer\tA second definition.\tcurator\t\t\t\t\t\t")
    return "cancers.tsv", line, "id", "duplicate term id 'Melanoma'"


def non_utf8(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/processes.tsv"
    raw = path.read_bytes().splitlines(keepends=True)
    raw[3] = raw[3].replace(b"The ", b"Th\xe9 ", 1)
    assert b"\xe9" in raw[3]
    path.write_bytes(b"".join(raw))
    return "processes.tsv", 4, None, "not valid UTF-8"


def turtle_syntax_error(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "evrdf-core.ttl"
    line = _line_of(path, 'evo:Finding a owl:Class ; rdfs:label "finding"@en ;')
    _edit(path, 'evo:Finding a owl:Class ; rdfs:label "finding"@en ;', 'evo:Finding a owl:Class ; rdfs:label "finding@en ;')
    return "evrdf-core.ttl", line, None, "Turtle syntax error"


def unknown_gene_in_finding(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/findings.tsv"
    line = _line_of(path, "bian2019-t1-08\t")
    _edit(path, "CXCR4|CXCL12", "CXCR4|CCL12")
    return "findings.tsv", line, "listed", "unknown gene symbol 'CCL12'"


def unknown_term(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/findings.tsv"
    line = _line_of(path, "bian2019-t1-01\t")
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    _edit(path, text, text.replace("\tBreastCancer\t", "\tBreastCarcinomaX\t"))
    return "findings.tsv", line, "diseases", "unknown term id 'BreastCarcinomaX'"


def wrong_diameter_unit(src: Path) -> tuple[str, int | None, str | None, str]:
    path = src / "curated/ev_types.tsv"
    line = _line_of(path, "Microvesicle\tmicrovesicle")
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    _edit(path, text, text.replace("\tnm\t", "\tμm\t"))
    return "ev_types.tsv", line, "diameter_unit", "diameter unit must be 'nm'"


CASES: list[Callable[[Path], tuple[str, int | None, str | None, str]]] = [
    malformed_row, unknown_column, missing_required, bad_cl_id, bad_hgnc_id, bad_uniprot, bad_pmid, bad_doi,
    duplicate_hgnc_two_labels, duplicate_term_two_labels, non_utf8, turtle_syntax_error,
    unknown_gene_in_finding, unknown_term, wrong_diameter_unit,
]


@pytest.mark.parametrize("breakage", CASES, ids=[c.__name__ for c in CASES])
def test_bad_source_names_file_line_and_field(breakage, sources: Path, tmp_path: Path) -> None:
    filename, line, field, message = breakage(sources)
    with pytest.raises(SourceError) as caught:
        build(Settings(store=tmp_path / "store", sources=sources), reason=False)
    error = caught.value
    assert Path(error.path).name == filename
    assert error.line == line
    assert error.field == field
    assert message in str(error)
    rendered = str(error)
    assert rendered.startswith(f"{error.path}:{line}" if line else str(error.path))


@pytest.mark.parametrize("breakage", [malformed_row, non_utf8, turtle_syntax_error, duplicate_hgnc_two_labels],
                         ids=lambda c: c.__name__)
def test_cli_fails_and_published_graph_is_untouched(breakage, sources: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    good = subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store_dir), "--no-reason",
                           "--sources", str(sources)], capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    store = OxigraphStore(store_dir)
    before_release, before_count = store.release()["release"], store.count()

    filename, line, field, message = breakage(sources)
    bad = subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store_dir), "--no-reason",
                          "--sources", str(sources)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert re.search(rf"error: \S*{re.escape(filename)}(:{line})?", bad.stderr), bad.stderr
    assert message in bad.stderr
    assert "Traceback" not in bad.stderr
    assert store.release()["release"] == before_release
    assert store.count() == before_count
    assert not [p for p in (store_dir / "releases").iterdir() if p.name.startswith(".tmp")]
