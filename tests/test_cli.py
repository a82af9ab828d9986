"""The `evrdf` command as scripts use it: stable options, exit codes, every output format parsed back."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from evrdf.settings import Settings

CMD = [sys.executable, "-m", "evrdf"]
COUNT = "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/evrdf/ontology/Finding> }"
CONSTRUCT = ("CONSTRUCT { ?f <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE "
             "{ ?f a <https://w3id.org/evrdf/ontology/Finding> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CMD + list(args), capture_output=True, text=True, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("command,options", [
    ("build", ["--store", "--base-iri", "--add"]),
    ("serve", ["--store", "--host", "--port"]),
    ("query", ["--store", "--format"]),
    ("stats", ["--store"]),
])
def test_stable_options_are_documented(command: str, options: list[str]) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    for option in options:
        assert option in result.stdout


def test_build_prints_counts_and_time(tmp_path: Path) -> None:
    result = run("build", "--store", str(tmp_path / "s"), "--no-reason")
    assert result.returncode == 0, result.stderr
    assert "triples in" in result.stdout and "findings" in result.stdout and "references" in result.stdout
    assert "took" in result.stdout


def test_environment_gives_defaults(tmp_path: Path) -> None:
    store = tmp_path / "s"
    env = {"EVRDF_STORE": str(store), "EVRDF_BASE_IRI": "http://example.org/ev/"}
    assert run("build", "--no-reason", env=env).returncode == 0
    result = run("query", "ASK { <http://example.org/ev/ontology> ?p ?o }", env=env)
    assert result.stdout.strip() == "true"


@pytest.mark.parametrize("fmt", ["table", "json", "xml", "csv", "tsv"])
def test_query_formats_for_select(fmt: str, settings: Settings, report) -> None:  # type: ignore[no-untyped-def]
    result = run("query", COUNT, "--store", str(settings.store), "--format", fmt)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    if fmt == "table":
        value = out.splitlines()[2].strip()
    elif fmt == "json":
        value = json.loads(out)["results"]["bindings"][0]["n"]["value"]
    elif fmt == "xml":
        from xml.etree import ElementTree

        value = ElementTree.fromstring(out).find(".//{http://www.w3.org/2005/sparql-results#}literal").text
    elif fmt == "csv":
        value = list(csv.DictReader(io.StringIO(out)))[0]["n"]
    else:
        value = out.splitlines()[1].split("^^")[0].strip('"')
    assert int(value) == report.findings


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_query_formats_for_construct(fmt: str, parser: str, settings: Settings, report) -> None:  # type: ignore[no-untyped-def]
    result = run("query", CONSTRUCT, "--store", str(settings.store), "--format", fmt)
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(data=result.stdout, format=parser)
    assert len(graph) == report.findings


def test_query_from_file(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(COUNT)
    assert run("query", "--file", str(path), "--store", str(settings.store)).returncode == 0


@pytest.mark.parametrize("args,code,message", [
    (["query", "SELEC nothing"], 1, "SPARQL syntax error"),
    (["query", COUNT, "--format", "ttl"], 1, "cannot be written as 'ttl'"),
    (["query"], 2, "give a query"),
    (["build", "--base-iri", "not-an-iri"], 2, "base IRI must be"),
    (["frobnicate"], 2, "No such command"),
])
def test_errors_exit_non_zero_with_a_message(args: list[str], code: int, message: str, settings: Settings) -> None:
    extra = ["--store", str(settings.store)] if args[0] == "query" else []
    result = run(*args, *extra)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_query_without_a_published_store_fails_clearly(tmp_path: Path) -> None:
    result = run("query", COUNT, "--store", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "no published release" in result.stderr


def test_stats(settings: Settings, report, store, serve_options: list[str]) -> None:  # type: ignore[no-untyped-def]
    """On every backend (--backend remote reads Virtuoso): the same counts, and where they come from."""
    result = run("stats", "--store", str(settings.store), *serve_options)
    assert result.returncode == 0, result.stderr
    head, *rest = result.stdout.splitlines()[1:]
    # the embedded release fits the default memory budget: served from memory (tests/test_memory_serving.py)
    assert head.strip().startswith("serving from " + ("remote" if serve_options else "memory"))
    lines = dict(line.strip().rsplit(None, 1) for line in rest)
    assert int(lines["findings"]) == report.findings
    assert int(lines["triples"]) == report.triples


def test_query_reads_the_chosen_backend(settings: Settings, report, store,  # type: ignore[no-untyped-def]
                                        serve_options: list[str]) -> None:
    result = run("query", COUNT, "--store", str(settings.store), "--format", "json", *serve_options)
    assert result.returncode == 0, result.stderr
    assert int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"]) == report.findings


def test_query_on_an_unreachable_remote_store_fails_clearly(settings: Settings) -> None:
    """--backend is honoured: a remote store that does not answer is an error, not a silent local answer."""
    result = run("query", COUNT, "--store", str(settings.store), "--backend", "remote", "--remote",
                 "http://127.0.0.1:9")
    assert result.returncode != 0
    assert "127.0.0.1:9" in result.stderr
