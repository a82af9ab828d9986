"""`evrdf build` says how long each stage took: one line per stage as it ends, and a summary with the report."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from evrdf.cli import cli
from tests.conftest import SOURCES

BASE = "https://w3id.org/evrdf/"
# every build runs these, in this order (reason only with --reason; the staged imports load beside the gate)
STAGES = ["read", "compile", "prepare", "gate+import", "load", "add", "files", "dump", "changelog", "metadata",
          "publish", "history"]


def _build(tmp_path: Path, *extra: str) -> tuple[str, str]:
    added = tmp_path / "extra.nt"
    added.write_text('<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--store", str(tmp_path / "store"), "--base-iri", BASE,
                                      "--sources", str(SOURCES), "--add", str(added), "--no-reason", *extra])
    assert result.exit_code == 0, result.stderr + result.output
    return result.stdout, result.stderr


def test_every_stage_prints_its_time_when_it_ends(tmp_path: Path) -> None:
    stdout, stderr = _build(tmp_path)
    printed = re.findall(r"^  stage ([a-z+]+): ([0-9]+\.[0-9]{2}) s$", stderr, re.M)
    assert [name for name, _ in printed] == STAGES


def test_the_summary_lists_the_stages_with_their_times(tmp_path: Path) -> None:
    stdout, stderr = _build(tmp_path)
    summary = re.search(r"^  stages: (.*)$", stdout, re.M)
    assert summary is not None, stdout
    names = [part.rsplit(" ", 2)[0] for part in summary.group(1).split(", ")]
    assert names == STAGES
    took = float(re.search(r"^  took ([0-9.]+) s", stdout, re.M).group(1))  # type: ignore[union-attr]
    assert sum(float(part.rsplit(" ", 2)[1]) for part in summary.group(1).split(", ")) <= took + 0.1


def test_a_rebuild_reports_the_changelog_against_the_previous_release(tmp_path: Path) -> None:
    _build(tmp_path)
    stdout, stderr = _build(tmp_path)
    assert "comparing with the previous release" in stderr
    assert re.search(r"^  stage changelog: [0-9.]+ s$", stderr, re.M)
