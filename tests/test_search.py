"""Search over labels, synonyms and identifiers: the JSON API and the page."""

from __future__ import annotations

import pytest

from evrdf.serve.search import Entry, Indexes, SearchIndex, normalise

CXCL12 = "https://w3id.org/evrdf/gene/HGNC_10672"


def results(client, query: str, **params: object) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    response = client.get("/api/search", query_string={"q": query, **params})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()["results"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("query,match", [
    ("SDF-1", "synonym"),  # the HGNC alias is "SDF1": punctuation and case do not matter
    ("sdf1", "synonym"),
    ("CXCL12", "label"),
    ("cxcl12", "label"),
    ("HGNC:10672", "identifier"),
    ("P48061", "identifier"),
    ("SDF-1α", "synonym"),  # Greek letters, their names and their Latin letters are one spelling
    ("SDF-1 alpha", "synonym"),
    ("SDF-1a", "synonym"),
    (CXCL12, "iri"),  # its own IRI, exactly
])
def test_cxcl12_is_found_by_name_alias_and_identifier(query: str, match: str, client) -> None:  # type: ignore[no-untyped-def]
    first = results(client, query)[0]
    assert first["iri"] == CXCL12 and first["label"] == "CXCL12" and first["match"] == match
    assert first["url"] == "/gene/HGNC_10672"


def test_exosome_finds_the_class_and_its_synonyms(client) -> None:  # type: ignore[no-untyped-def]
    hits = results(client, "exosome")
    assert hits[0]["iri"] == "https://w3id.org/evrdf/ontology/Exosome" and hits[0]["match"] == "label"
    assert "extracellular exosome" in hits[0]["synonyms"]
    assert "https://w3id.org/evrdf/ontology/TumorDerivedExosome" in {h["iri"] for h in hits}


@pytest.mark.parametrize("query", ["GO:1903561", "http://purl.obolibrary.org/obo/GO_1903561"])
def test_an_aligned_classs_curie_or_iri_finds_ours(query: str, client) -> None:  # type: ignore[no-untyped-def]
    first = results(client, query)[0]
    assert first["iri"] == "https://w3id.org/evrdf/ontology/ExtracellularVesicle" and first["match"] == "iri"


def test_british_and_american_spellings_find_the_same_terms(client) -> None:  # type: ignore[no-untyped-def]
    british, american = results(client, "tumour-associated macrophage"), results(client, "tumor associated macrophage")
    assert british and british[0]["iri"] == american[0]["iri"] and british[0]["label"] == "tumor-associated macrophage"


def test_iris_match_only_exactly(client) -> None:  # type: ignore[no-untyped-def]
    """Every IRI contains "gene" or "evrdf": they must not make every resource a substring match."""
    assert not [h for h in results(client, "w3id", limit=100) if h["match"] == "iri"]
    assert len(results(client, "gene", limit=100)) < 50


def test_exact_matches_rank_before_prefixes_and_substrings(client) -> None:  # type: ignore[no-untyped-def]
    labels = [h["label"] for h in results(client, "CCL2", limit=5)]
    assert labels[0] == "CCL2" and all(label.startswith("CCL2") or "CCL2" in label for label in labels[:3])


def entry(iri: str, label: str, *synonyms: str) -> Entry:
    names = [(normalise(label), label, "label")] + [(normalise(s), s, "synonym") for s in synonyms]
    return Entry(iri, label, [], list(synonyms), names)


def test_ranking_is_exact_then_synonym_then_substring() -> None:
    """An exact label first, then an exact synonym, then names that start with the query, then names that
    contain it: a synonym spelled exactly as asked beats every partial match, even of a label."""
    index = SearchIndex([entry("x:contains", "big kinase thing"), entry("x:prefix", "kinase inhibitor"),
                         entry("x:synonym", "MAPK", "kinase"), entry("x:exact", "Kinase"),
                         entry("x:synonym-prefix", "ERK", "kinase 2"), entry("x:none", "cytokine")])
    hits = index.search("kinase")
    assert [(h.iri, h.match) for h in hits] == [("x:exact", "label"), ("x:synonym", "synonym"),
                                               ("x:prefix", "label"), ("x:synonym-prefix", "synonym"),
                                               ("x:contains", "label")]


def test_the_releases_hits_come_exact_then_prefix_then_substring(client) -> None:  # type: ignore[no-untyped-def]
    hits = results(client, "CCL2", limit=100)
    wanted = normalise("CCL2")

    def quality(hit: dict) -> tuple[int, int]:  # type: ignore[type-arg]
        name = normalise(hit["matched"])
        closeness = 0 if name == wanted else 1 if name.startswith(wanted) else 2
        return closeness, ["label", "identifier", "synonym"].index(hit["match"])
    assert hits[0]["label"] == "CCL2"
    assert {quality(h)[0] for h in hits} == {0, 1, 2}  # exact, prefix (CCL20) and substring matches
    assert [quality(h) for h in hits] == sorted(quality(h) for h in hits)


def test_facets_count_the_types_and_filter_the_hits(client) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/search", query_string={"q": "CC", "limit": 100}).get_json()
    facets = {f["type"]: f["count"] for f in everything["facets"]}
    assert len(facets) >= 2, facets  # genes and something else share "CC"
    counts = [f["count"] for f in everything["facets"]]
    assert counts == sorted(counts, reverse=True)
    for kind, count in facets.items():
        answer = client.get("/api/search", query_string={"q": "CC", "type": kind, "limit": 100}).get_json()
        assert answer["total"] == count and answer["type"] == kind
        assert all(kind in hit["types"] for hit in answer["results"])
        assert answer["facets"] == everything["facets"]  # facets describe the query, not the chosen facet
    assert everything["total"] >= max(facets.values())


def test_the_search_page_shows_facets_as_links(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search", query_string={"q": "CXCL"}).get_data(as_text=True)
    facets = client.get("/api/search", query_string={"q": "CXCL"}).get_json()["facets"]
    assert '<nav class="facets"' in html
    first = facets[0]["type"]
    page = client.get("/search", query_string={"q": "CXCL", "type": first}).get_data(as_text=True)
    assert f"of type <b>{first}</b>" in page and 'aria-current="true">' + first in page


@pytest.mark.parametrize("params,status", [({"q": "x", "limit": "0"}, 400), ({"q": "x", "limit": "many"}, 400),
                                           ({"q": "x", "limit": "101"}, 400), ({"q": ""}, 200)])
def test_bad_parameters(params: dict, status: int, client) -> None:  # type: ignore[no-untyped-def,type-arg]
    response = client.get("/api/search", query_string=params)
    assert response.status_code == status
    if status == 400:
        assert "limit" in response.get_json()["error"]
    else:
        assert response.get_json()["results"] == []


def test_limit_is_honoured(client) -> None:  # type: ignore[no-untyped-def]
    assert len(results(client, "CC", limit=3)) == 3


def test_search_page_works_without_javascript(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search", query_string={"q": "SDF-1"}).get_data(as_text=True)
    assert 'href="/gene/HGNC_10672"' in html and "CXCL12" in html and "SDF1" in html
    assert "Nothing found" in client.get("/search", query_string={"q": "zzzzqqq"}).get_data(as_text=True)


def test_the_index_is_built_once_per_release(store, settings) -> None:  # type: ignore[no-untyped-def]
    indexes = Indexes(store, settings.base_iri)
    first = indexes.get()
    assert indexes.get() is first
    assert first.search("CXCL12")[0].iri == CXCL12
