"""The curation gate: edits that are well-formed row by row but wrong are refused by the documented
`evrdf build`, with file, line and field, and the published release stays as it was.

The four edits are those a curator can make without breaking any identifier pattern: a CL id that names no CL
term, a table emptied to its header, a finding whose EV type is a cell type, a recipient cell type that is a drug.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from evrdf.ingest.reference_terms import read_reference_terms
from evrdf.store.oxigraph import OxigraphStore
from tests.conftest import SOURCES

Edit = Callable[[Path], tuple[str, int | None, str | None, str]]
FINDINGS = "curated/findings.tsv"


def _build(store: Path, sources: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store), "--no-reason",
                           "--sources", str(sources), *options], capture_output=True, text=True)


def _set_field(path: Path, row_id: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose first field is ``row_id``; returns its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = next(line for line in lines if line and not line.startswith("#")).split("\t")
    for number, line in enumerate(lines, start=1):
        cells = line.split("\t")
        if cells[0] == row_id:
            cells[header.index(column)] = value
            lines[number - 1] = "\t".join(cells)
            path.write_text("\n".join(lines), encoding="utf-8")
            return number
    raise AssertionError(f"test setup: no row {row_id} in {path.name}")


def _first_finding(sources: Path, column: str) -> str:
    """The id of the first finding with a value in ``column`` (so the edit changes a real value)."""
    lines = [line for line in (sources / FINDINGS).read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    header = lines[0].split("\t")
    return next(cells[0] for cells in (line.split("\t") for line in lines[1:]) if cells[header.index(column)])


def cell_type_aligned_to_no_cl_term(sources: Path) -> tuple[str, int | None, str | None, str]:
    release = read_reference_terms(SOURCES / "curated").lists["CL"].release
    assert "CL:9999999" not in read_reference_terms(SOURCES / "curated").lists["CL"].labels
    line = _set_field(sources / "curated/cell_types.tsv", "Macrophage", "exact_match", "CL:9999999")
    return "cell_types.tsv", line, "exact_match", f"no such CL term CL:9999999 in CL release {release}"


def findings_emptied_to_header(sources: Path) -> tuple[str, int | None, str | None, str]:
    path = sources / FINDINGS
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    header = next(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    path.write_text("\n".join(kept + [header]) + "\n", encoding="utf-8")
    return "findings.tsv", None, None, "0 data rows"


def ev_type_is_a_cell_type(sources: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_field(sources / FINDINGS, _first_finding(sources, "ev_type"), "ev_type", "Macrophage")
    return "findings.tsv", line, "ev_type", "'Macrophage' is a cell type (cell_types.tsv), but ev_type must name an EV type"


def recipient_is_a_drug(sources: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_field(sources / FINDINGS, _first_finding(sources, "recipient_cell_type"), "recipient_cell_type",
                      "Plerixafor")
    return ("findings.tsv", line, "recipient_cell_type",
            "'Plerixafor' is a drug (drugs.tsv), but recipient_cell_type must name a cell type")


EDITS: list[Edit] = [cell_type_aligned_to_no_cl_term, findings_emptied_to_header, ev_type_is_a_cell_type,
                     recipient_is_a_drug]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one good release built from the project's own tables."""
    store = tmp_path_factory.mktemp("gate") / "store"
    good = _build(store, SOURCES)
    assert good.returncode == 0, good.stderr
    return store


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_bad_edit_is_refused_and_nothing_is_published(edit: Edit, published: Path, sources: Path) -> None:
    store = OxigraphStore(published)
    before, count = store.release()["release"], store.count()
    filename, line, field, message = edit(sources)
    bad = _build(published, sources)
    assert bad.returncode == 1, bad.stdout
    where = re.escape(filename) + (f":{line}" if line else "") + (f": field '{field}'" if field else ":")
    assert re.search(rf"error: \S*{where}", bad.stderr), bad.stderr
    assert message in bad.stderr
    assert "Traceback" not in bad.stderr
    assert OxigraphStore(published).release()["release"] == before
    assert OxigraphStore(published).count() == count


def test_release_records_the_row_count_of_every_table(published: Path) -> None:
    rows = json.loads((published / "current" / "release.json").read_text(encoding="utf-8"))["curated_rows"]
    data = [line for line in (SOURCES / FINDINGS).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert rows["findings.tsv"] == len(data) - 1
    assert rows["ligand_receptor_pairs.tsv"] > 100


def test_a_shrink_needs_allow_shrink(sources: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _build(store, sources).returncode == 0
    first = OxigraphStore(store).release()["release"]
    pairs = sources / "curated/ligand_receptor_pairs.tsv"
    lines = pairs.read_text(encoding="utf-8").splitlines()
    pairs.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")  # header + 10 of the pairs

    refused = _build(store, sources)
    assert refused.returncode == 1
    assert "ligand_receptor_pairs.tsv: 10 data rows" in refused.stderr and "--allow-shrink" in refused.stderr
    assert OxigraphStore(store).release()["release"] == first

    allowed = _build(store, sources, "--allow-shrink")
    assert allowed.returncode == 0, allowed.stderr
    assert "allowed to shrink: ligand_receptor_pairs.tsv" in allowed.stderr
    assert OxigraphStore(store).release()["release"] != first
    assert OxigraphStore(store).release()["curated_rows"]["ligand_receptor_pairs.tsv"] == 10
    again = _build(store, sources)  # the shrunk release is now what later builds compare with
    assert again.returncode == 0, again.stderr


def test_first_build_has_nothing_to_compare_with(sources: Path, tmp_path: Path) -> None:
    pairs = sources / "curated/ligand_receptor_pairs.tsv"
    pairs.write_text("\n".join(pairs.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    assert _build(tmp_path / "store", sources).returncode == 0


def test_shipped_lists_say_release_source_and_licence() -> None:
    lists = read_reference_terms(SOURCES / "curated").lists
    assert {"CL", "GO", "MONDO", "CHEBI", "HGNC", "ECO", "RO", "NCBITaxon"} <= set(lists)
    for terms in lists.values():
        assert terms.release and terms.source and terms.license.startswith(("http", "https"))
    assert lists["CL"].labels["CL:0000235"] == "macrophage"
    assert lists["GO"].labels["GO:1903561"] == "extracellular vesicle"

