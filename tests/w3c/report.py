"""docs/conformance.md from a run of the suites: `make conformance` (pytest tests/w3c --conformance-report FILE).

The pytest hooks in tests/conftest.py hand every test outcome of tests/w3c to ``Collector``; ``write`` groups them
by suite, runner and manifest, as implementation reports list them (Oxigraph's, Jena's), and lists every entry
that did not pass with its reason.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

OUTCOMES = ("passed", "failed", "skipped", "xfailed")
SUITES = {  # test function -> (suite, runner)
    "test_protocol": ("SPARQL 1.1 Protocol", "evrdf over HTTP"),
    "test_service_description": ("SPARQL 1.1 Service Description", "evrdf over HTTP"),
    "test_bad_updates_with_the_operators_token": ("SPARQL 1.1 Protocol, bad updates with the operator's token",
                                                  "evrdf over HTTP (gunicorn)"),
    "test_updates_without_the_token_are_refused_by_name": (
        "SPARQL 1.1 Protocol, bad updates with the operator's token", "evrdf over HTTP (gunicorn)"),
    "test_update_entry_as_written": ("SPARQL 1.1 Protocol, updates with the operator's token",
                                     "evrdf over HTTP (gunicorn, a throwaway store per entry)"),
    "test_update_entry_in_the_updates_graphs": (
        "SPARQL 1.1 Protocol, updates with the operator's token, graphs under `<base>graph/updates/`",
        "evrdf over HTTP (gunicorn, a throwaway store per entry)"),
    "test_pyoxigraph_in_process": ("SPARQL 1.0 and 1.1 query tests", "pyoxigraph in process"),
    "test_through_evrdf": ("SPARQL 1.0 and 1.1 query tests", "evrdf over HTTP"),
    "test_compiled_engine": ("SHACL Core", "evrdf compiled engine (SHACL → SPARQL on Oxigraph)"),
    "test_pyshacl_reference": ("SHACL Core", "pySHACL (reference)"),
    "test_things_see_other_to_the_negotiated_document": ("Linked-data recipes", "evrdf over HTTP"),
    "test_documents_answer_in_the_negotiated_format": ("Linked-data recipes", "evrdf over HTTP"),
    "test_the_vocabulary_namespace_sees_other_to_the_ontology": ("Linked-data recipes", "evrdf over HTTP"),
    "test_an_iri_nobody_uses_is_404": ("Linked-data recipes", "evrdf over HTTP"),
    "test_every_kind_is_minted": ("Linked-data recipes", "evrdf over HTTP"),
}
SERVERS = {"dev": "development server", "workers2": "--workers 2"}
MANIFESTS = {"test_protocol": "sparql11/protocol", "test_service_description": "sparql11/service-description",
             "test_bad_updates_with_the_operators_token": "sparql11/protocol",
             "test_updates_without_the_token_are_refused_by_name": "sparql11/protocol",
             "test_update_entry_as_written": "sparql11/protocol",
             "test_update_entry_in_the_updates_graphs": "sparql11/protocol"}


@dataclass
class Outcome:
    suite: str
    runner: str
    manifest: str  # the manifest's folder (sparql11/aggregates), or the kind of request
    entry: str
    outcome: str
    reason: str = ""
    note: str = ""  # a passed entry's remark (e.g. that it passed by an explicit refusal)


@dataclass
class Collector:
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, nodeid: str, outcome: str, reason: str, note: str = "") -> None:
        found = re.match(r".*::(\w+)(?:\[(.*)\])?$", nodeid)
        if not found or found.group(1) not in SUITES:
            return
        suite, runner = SUITES[found.group(1)]
        params = found.group(2) or ""
        server, _, rest = params.partition("-")
        if server in SERVERS:
            runner = f"{runner} ({SERVERS[server]})"
        else:
            rest = params
        manifest, _, entry = rest.partition("#")
        if not entry:
            manifest, entry = MANIFESTS.get(found.group(1), found.group(1).removeprefix("test_").replace("_", " ")), rest
        self.outcomes.append(Outcome(suite, runner, manifest, entry, outcome, _short(reason), note))


def _short(reason: str) -> str:
    reason = re.sub(r"^(Skipped|XFAIL|reason): ", "", reason.strip())
    return " ".join(reason.split())[:500]


def write(collector: Collector, path: Path) -> None:
    by_suite: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_manifest: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for o in collector.outcomes:
        by_suite[(o.suite, o.runner)][o.outcome] += 1
        by_manifest[(o.suite, o.manifest, o.runner)][o.outcome] += 1
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("evrdf", "pyoxigraph", "pyshacl", "rdflib"))
    lines = [
        "# Conformance report",
        "",
        "The W3C test suites and the linked-data recipes, run from outside against evrdf: a live server started with",
        "the documented CLI only (`evrdf build --store S --base-iri http://127.0.0.1:PORT/ --add suites.nq`, then",
        "`evrdf serve --store S --host 127.0.0.1 --port PORT`, and again with `--workers 2`), and the compiled SHACL",
        "engine. One test per manifest entry. Regenerate with `make conformance` (this file is written by",
        "tests/w3c/report.py from that run; the suites also run in `make test`).",
        "",
        f"Generated {date.today().isoformat()} with {versions}. Test files: tests/w3c (PROVENANCE.md says where",
        "each came from).",
        "",
        "## Summary",
        "",
        "| suite | run by | passed | failed | skipped | xfailed |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (suite, runner), counts in sorted(by_suite.items(), key=lambda item: (item[0][0], item[0][1])):
        lines.append(f"| {suite} | {runner} | " + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    lines += ["", "*xfailed*: the entry fails in the engine itself (pyoxigraph in process, or the store), and evrdf",
              "hands on exactly the engine's answer, or (the protocol's update entries) evrdf refuses it by its own",
              "documented rule for updates; *skipped*: the entry is withdrawn by the W3C working group, or",
              "asks for an operation the standard lets a service leave out; each is listed below with its reason.",
              "", "## How the suites are run", "", *_method(), "", "## Per manifest", "",
              "Each cell: passed / failed / skipped / xfailed."]
    for suite in sorted({o.suite for o in collector.outcomes}):
        runners = sorted({o.runner for o in collector.outcomes if o.suite == suite})
        manifests = sorted({o.manifest for o in collector.outcomes if o.suite == suite})
        lines += ["", f"### {suite}", "", "| manifest | " + " | ".join(runners) + " |",
                  "| --- |" + " --- |" * len(runners)]
        for manifest in manifests:
            cells = [" / ".join(str(by_manifest[(suite, manifest, runner)][o]) for o in OUTCOMES) for runner in runners]
            lines.append(f"| {manifest} | " + " | ".join(cells) + " |")
    notes = sorted({(o.suite, o.manifest, o.entry, o.note) for o in collector.outcomes if o.note})
    if notes:
        lines += ["", "## Entries passed by a refusal", "",
                  "These pass because the engine refuses them as it must: an ill-formed shapes graph (sht:Failure),",
                  "or a feature it does not implement, refused with an error that names it.", "",
                  "| suite | entry | how |", "| --- | --- | --- |"]
        lines += [f"| {suite} | {manifest}#{entry} | {note} |" for suite, manifest, entry, note in notes]
    for kind in ("failed", "skipped", "xfailed"):
        entries: dict[tuple[str, str, str], tuple[set[str], str]] = {}
        for o in collector.outcomes:
            if o.outcome == kind:
                runners, reason = entries.setdefault((o.suite, o.manifest, o.entry), (set(), ""))
                runners.add(o.runner)
                cause = o.reason.split(" Cause: ", 1)[-1]
                entries[(o.suite, o.manifest, o.entry)] = (runners, reason or cause)
        if not entries:
            continue
        lines += ["", f"## Entries {kind}", "", "| suite | entry | run by | reason |", "| --- | --- | --- | --- |"]
        for (suite, manifest, entry), (runners, reason) in sorted(entries.items()):
            reason = reason.replace("|", "\\|")
            lines.append(f"| {suite} | {manifest}#{entry} | {'; '.join(sorted(runners))} | {reason} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _method() -> list[str]:
    return [
        "- **SPARQL 1.1 Protocol**: each manifest entry's HTTP request, written out in",
        "  tests/w3c/test_w3c_sparql_protocol.py from the test's description, is sent with http.client exactly so (a",
        "  POST without Content-Type has none) to `/sparql`; the status class, result format and boolean are checked.",
        "  The three graphs the dataset tests read are published in the store (`--add`). The update tests run",
        "  with the operator's token, each on a fresh throwaway store: as written (upstream's requests) they are",
        "  xfailed, refused by evrdf's rule that an update writes only into its updates graphs (they CLEAR/DROP",
        "  ALL or write graphs of their own), and with their graphs under `<base>graph/updates/` they must pass;",
        "  the bad-update tests run as written and once more with the token, for the protocol's own statuses.",
        "- **Query tests** (SPARQL 1.0 data-r2 and SPARQL 1.1 query, CSV/TSV and JSON results suites): every entry",
        "  runs in process on pyoxigraph (its data in the default graph, its named graphs under their file IRIs, the",
        "  query parsed against its file's IRI), then through evrdf over HTTP. There, every test file is a named graph",
        "  of the store under its file IRI, and the test's dataset is given the protocol's way: `default-graph-uri`",
        "  for each qt:data file (an empty graph when there is none) and `named-graph-uri` for each qt:graphData file",
        "  (SPARQL 1.1 Protocol 2.1.4: the endpoint's union default graph is then not used); a query with its own",
        "  FROM / FROM NAMED is sent without them. The query's base is its file's IRI: over HTTP a `BASE <file IRI>`",
        "  line goes in front of the query. The answer is asked for in the expected file's format (SPARQL XML, JSON,",
        "  TSV, CSV; N-Triples for graphs) and compared with the expected results: solutions as multisets, or as",
        "  sequences when the query orders them (ties by ORDER BY key may come in any order), blank nodes up to a",
        "  consistent renaming, graphs up to isomorphism, REDUCED (mf:LaxCardinality) between DISTINCT and all.",
        "  Literals are compared as RDF terms (lexical form and datatype). Where pyoxigraph itself fails an entry,",
        "  evrdf's answer must equal pyoxigraph's own (the HTTP layer adds nothing) and the entry is xfailed.",
        "- **SHACL Core**: each entry's data and shapes graphs (read with literals exactly as written) are validated",
        "  by evrdf's compiled engine and by pySHACL; the report must match the expected one in conformance and in",
        "  each result's focus node, path, value, severity, source constraint component and source shape, compared",
        "  as a set (evrdf's report holds each distinct result once) with numeric literals by value (the store keeps",
        "  numbers in canonical form: \"4.0\"^^xsd:decimal reads back as \"4\"). An entry whose shapes use a feature",
        "  the engine does not implement passes only if the engine refuses it with an error naming that feature.",
        "- **Linked-data recipes** (Best Practice Recipes for Publishing RDF Vocabularies, recipe 5; Cool URIs for",
        "  the Semantic Web, 4.3): for one IRI of every kind the server mints (found by asking it), the Recipes' test",
        "  requests (browser, no Accept, each RDF format, q-values, XHTML, nothing acceptable): 303 to the negotiated",
        "  document, which answers 200 in that format and describes the IRI; documents (the ontology, the version",
        "  IRI) answer 200 directly; Vary: Accept everywhere; 406 when nothing fits; 404 for an unused IRI.",
    ]
