"""The findings table's data and exports (/findings/data.json, /findings/export.*): every count and every row set
is checked against SPARQL over the same store, on every backend; filters, scope and sort order are honoured by
the exports exactly as by the table."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
import rdflib

from evrdf.store.base import Store
from tests.conftest import select

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
EXOSOME, MICROVESICLE = EVO + "Exosome", EVO + "Microvesicle"
CXCL12 = BASE + "gene/HGNC_10672"
# the facets and the relations that feed them (as finding_rows.RELATIONS says; restated here as the spec)
FACET_PROPS = {"ev": ["evType"], "cancer": ["inDisease"],
               "molecule": ["carriesCargo", "inducesExpressionOf", "reducesExpressionOf", "higherLevelOf",
                            "lowerLevelOf", "releaseStimulatedBy", "actsThroughReceptor", "involvesMolecule",
                            "listsMolecule"],
               "cell": ["releasedBy", "recipientCellType", "producedByCellType"], "effect": ["affectsProcess"]}


def findings_where(store: Store, pattern: str) -> set[str]:
    rows = select(store, f"SELECT DISTINCT ?f WHERE {{ ?f a <{EVO}Finding> . {pattern} }}")
    return {row["f"] for row in rows}


def path(facet: str) -> str:
    return "|".join(f"<{EVO}{p}>" for p in FACET_PROPS[facet])


def data(client, **params) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/findings/data.json?" + urlencode(params, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_unfiltered_table_has_every_finding_once(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    table = data(client)
    every = findings_where(store, "")
    assert table["total"] == table["count"] == len(every) > 50
    assert len({row["iri"] for row in table["rows"]}) == len(table["rows"])
    assert {row["iri"] for row in table["rows"]} == every
    ids = [row["id"] for row in table["rows"]]
    assert ids.index("bian2019-t1-02") < ids.index("bian2019-t1-10")  # natural order, not string order


@pytest.mark.parametrize("facet", sorted(FACET_PROPS))
def test_each_facet_counts_the_findings_that_sparql_counts(facet: str, client, store: Store) -> None:  # type: ignore[no-untyped-def]
    table = data(client)
    values = next(f["values"] for f in table["facets"] if f["key"] == facet)
    expected = {row["o"]: int(row["n"]) for row in select(store, f"""SELECT ?o (COUNT(DISTINCT ?f) AS ?n) WHERE {{
        ?f a <{EVO}Finding> ; {path(facet)} ?o . FILTER(isIRI(?o)) }} GROUP BY ?o""")}
    assert {v["iri"]: v["count"] for v in values} == expected
    assert [v["count"] for v in values] == sorted((v["count"] for v in values), reverse=True)
    assert all(v["label"] and not v["selected"] for v in values)


def test_facet_filters_and_across_facets_or_within_one(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    exosomes = data(client, ev=EXOSOME)
    assert {r["iri"] for r in exosomes["rows"]} == findings_where(store, f"?f <{EVO}evType> <{EXOSOME}>")
    assert exosomes["total"] == data(client)["total"] and 0 < exosomes["count"] < exosomes["total"]
    either = data(client, ev=[EXOSOME, MICROVESICLE])
    assert {r["iri"] for r in either["rows"]} == findings_where(
        store, f"VALUES ?ev {{ <{EXOSOME}> <{MICROVESICLE}> }} ?f <{EVO}evType> ?ev")
    cancer = next(v["iri"] for f in exosomes["facets"] if f["key"] == "cancer" for v in f["values"])
    both = data(client, ev=EXOSOME, cancer=cancer)
    assert {r["iri"] for r in both["rows"]} == findings_where(
        store, f"?f <{EVO}evType> <{EXOSOME}> ; <{EVO}inDisease> <{cancer}>")
    # the EV facet's counts under a cancer filter are the other facets' view: the cancer's findings per EV type
    ev_counts = {v["iri"]: v["count"] for f in data(client, cancer=cancer)["facets"] if f["key"] == "ev"
                 for v in f["values"]}
    assert ev_counts[EXOSOME] == len(both["rows"])
    selected = [v for f in both["facets"] if f["key"] == "ev" for v in f["values"] if v["selected"]]
    assert [v["iri"] for v in selected] == [EXOSOME]


def test_molecule_and_cell_facets_join_their_relations(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    molecule = data(client, molecule=CXCL12)
    assert {r["iri"] for r in molecule["rows"]} == findings_where(store, f"?f {path('molecule')} <{CXCL12}>")
    assert molecule["count"] > 0
    cancer_cell = EVO + "CancerCell"
    cells = data(client, cell=cancer_cell)
    assert {r["iri"] for r in cells["rows"]} == findings_where(store, f"?f {path('cell')} <{cancer_cell}>")


def test_a_scope_takes_the_term_and_its_subclasses(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    scoped = data(client, about=MICROVESICLE)
    expected = findings_where(store, f"""{{ ?f ?p <{MICROVESICLE}> }} UNION {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <{MICROVESICLE}> . ?f ?p ?c }}""")
    assert {r["iri"] for r in scoped["rows"]} == expected
    assert scoped["total"] == len(expected)
    subclass_only = findings_where(store, f"?f <{EVO}evType> <{EVO}TumorDerivedMicrovesicle>")
    assert subclass_only and subclass_only <= expected


def test_the_text_filter_keeps_rows_that_say_it(client) -> None:  # type: ignore[no-untyped-def]
    table = data(client, q="glioblastoma")
    assert 0 < table["count"] < table["total"]
    for row in table["rows"]:
        text = row["statement"] + " " + " ".join(v["label"] for vs in row["values"].values() for v in vs)
        assert "glioblastoma" in text.lower()


def test_sorting_by_a_column_puts_rows_without_a_value_last(client) -> None:  # type: ignore[no-untyped-def]
    for order in ("asc", "desc"):
        rows = data(client, sort="cancer", order=order)["rows"]
        keys = ["; ".join(v["label"].lower() for v in r["values"].get("cancer", [])) for r in rows]
        filled = [k for k in keys if k]
        assert filled == sorted(filled, reverse=order == "desc")
        assert keys[len(filled):] == [""] * (len(keys) - len(filled))


def export(client, fmt: str, **params):  # type: ignore[no-untyped-def]
    response = client.get(f"/findings/export.{fmt}?" + urlencode(params, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert f'filename="findings.{fmt}"' in response.headers["Content-Disposition"]
    return response


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_exports_are_the_filtered_rows_in_the_tables_order(fmt: str, delimiter: str, client,
                                                                       store: Store) -> None:  # type: ignore[no-untyped-def]
    params = {"ev": EXOSOME, "sort": "cancer", "order": "desc"}
    response = export(client, fmt, **params)
    assert response.mimetype == ("text/csv" if fmt == "csv" else "text/tab-separated-values")
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True)), delimiter=delimiter,
                                quoting=csv.QUOTE_MINIMAL if fmt == "csv" else csv.QUOTE_NONE))
    table = data(client, **params)
    assert [line["finding"] for line in lines] == [row["iri"] for row in table["rows"]]
    assert {line["finding"] for line in lines} == findings_where(store, f"?f <{EVO}evType> <{EXOSOME}>")
    first = table["rows"][0]
    assert lines[0]["statement"] == first["statement"]
    assert lines[0]["cargo"] == "; ".join(v["label"] for v in first["values"].get("cargo", []))
    assert set(lines[0]) >= {"finding", "id", "statement", "ev_type", "released_by", "cancer", "cargo", "induces",
                             "recipient", "process", "direction", "blocked_by", "species", "evidence", "reference"}


def test_the_jsonld_export_states_only_what_the_store_states(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    params = {"molecule": CXCL12, "q": "CXCR4"}
    response = export(client, "jsonld", **params)
    assert response.mimetype == "application/ld+json"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    subjects = {str(s) for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(EVO + "Finding"))}
    assert subjects == {row["iri"] for row in data(client, **params)["rows"]} != set()
    assert subjects <= findings_where(store, f"?f {path('molecule')} <{CXCL12}>")
    values = " ".join(f"<{s}>" for s in sorted(subjects))
    stored = {(row["f"], row["p"], row["o"]) for row in select(
        store, f"SELECT ?f ?p ?o WHERE {{ VALUES ?f {{ {values} }} ?f ?p ?o }}")}
    exported = {(str(s), str(p), str(o)) for s, p, o in graph}
    assert exported <= stored
    assert any(p in {EVO + m for m in FACET_PROPS["molecule"]} and o == CXCL12 for _, p, o in exported)
    statements = list(graph.objects(None, rdflib.URIRef(EVO + "statement")))
    assert len(statements) == len(subjects) and all(s.language == "en" for s in statements)  # type: ignore[attr-defined]


def test_the_exports_honour_a_scope(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    lines = list(csv.DictReader(io.StringIO(export(client, "csv", about=CXCL12).get_data(as_text=True))))
    assert {line["finding"] for line in lines} == findings_where(store, f"?f ?p <{CXCL12}>")


@pytest.mark.parametrize("query,status,message", [
    ("sort=colour", 400, "parameter 'sort' must be one of"),
    ("order=up", 400, "parameter 'order' must be 'asc' or 'desc'"),
    ("ev=not%20an%20iri", 400, "parameter 'ev' must be an IRI"),
    ("about=%3Cx%3E", 400, "parameter 'about' must be an http(s) IRI"),
])
def test_a_bad_parameter_is_named_in_a_400(query: str, status: int, message: str, client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/findings/data.json?", "/findings/export.csv?"):
        response = client.get(url + query)
        assert response.status_code == status
        assert message in response.get_data(as_text=True)


def test_an_unknown_export_format_is_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/findings/export.xlsx")
    assert response.status_code == 404
    assert "csv, tsv, jsonld" in response.get_data(as_text=True)


def test_the_findings_page_embeds_the_table(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/findings", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-findings="/findings/data.json"' in page and "data-sync-url" in page
    assert 'href="/findings/export.csv"' in page


@pytest.mark.parametrize("accept,mimetype", [
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/ld+json", "application/ld+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser
    ("*/*", "text/html"),
])
def test_the_findings_page_negotiates_the_exports(accept: str, mimetype: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/findings?ev={EXOSOME}", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    if mimetype == "text/csv":
        assert response.get_data(as_text=True) == client.get(f"/findings/export.csv?ev={EXOSOME}").get_data(as_text=True)
