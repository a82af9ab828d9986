"""Browsing without JavaScript: the landing page, term pages and paged index pages, as HTML a reader gets."""

from __future__ import annotations

import pytest


def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_landing_page_says_what_size_and_version_and_offers_queries_downloads_and_search(client, report) -> None:  # type: ignore[no-untyped-def]
    html = page(client, "/")
    assert "extracellular vesicles" in html and report.release in html and report.version in html
    assert f"<th>findings</th><td>{report.findings}</td>" in html
    assert 'action="/search"' in html and 'name="q"' in html
    for name in ["evrdf.nq", "evrdf.owl", "evrdf.sssom.tsv"]:
        assert f'href="/downloads/{name}"' in html
    assert "/sparql?query=" in html and 'href="/browse/chemokines"' in html


@pytest.mark.parametrize("path,expected", [
    ("/gene/HGNC_10672", [  # CXCL12: label, name, synonyms, identifiers, types, alignments, findings, provenance
        "<h1>CXCL12</h1>", "C-X-C motif chemokine ligand 12", "SDF1", "HGNC:10672", "P48061",
        'href="/ontology/CXCChemokine"', 'href="https://identifiers.org/hgnc:10672"',
        'href="http://purl.uniprot.org/uniprot/P48061"', 'href="/reference/bian2019"',
        "Human chemokines, chemokine receptors and other genes (HGNC nomenclature)",
        'href="/gene/HGNC_10672.ttl"', 'href="/gene/HGNC_10672.jsonld"', "/sparql?query=", "Incoming links"]),
    ("/ontology/Exosome", [  # a class: definition, parents, children, GO alignment, synonyms
        "<h1>exosome</h1>", 'href="/ontology/ExtracellularVesicle"', 'href="/ontology/TumorDerivedExosome"',
        'href="http://purl.obolibrary.org/obo/GO_0070062"', "extracellular exosome", "Gene Ontology"]),
    ("/finding/bian2019-t1-01", [  # a finding: its sentence, its parts as links, its citation with PubMed/DOI
        "microvesicles with CCL5 and CCR6", 'href="/ontology/Microvesicle"', 'href="/ontology/BreastCancer"',
        'href="/gene/HGNC_10632"', 'href="/reference/bian2019"', 'href="https://doi.org/10.1186/s12943-019-0973-7"']),
    ("/ontology/CellMigration", ['href="/ontology/BiologicalProcess"']),
])
def test_term_pages_show_labels_and_links(path: str, expected: list[str], client) -> None:  # type: ignore[no-untyped-def]
    html = page(client, path)
    missing = [text for text in expected if text not in html]
    assert not missing


def test_findings_on_a_term_page_read_as_sentences_with_citations(client) -> None:  # type: ignore[no-untyped-def]
    html = page(client, "/ontology/BreastCancer")
    assert "In breast cancer, microvesicles with CCL5 and CCR6" in html
    assert 'class="cite"' in html and "Bian" in html


@pytest.mark.parametrize("kind,expected", [
    ("chemokines", ["CC chemokine family", "CXC chemokine family", 'href="/gene/HGNC_10672"']),
    ("receptors", ["CXCR4"]),
    ("ev-types", ['href="/ontology/Exosome"', 'href="/ontology/Microvesicle"', "tumor-derived exosome"]),
    ("cell-types", ['href="/ontology/Macrophage"']),
    ("cancers", ['href="/ontology/BreastCancer"']),
    ("drugs", ['href="/ontology/Plerixafor"']),
    ("findings", ['href="/finding/bian2019-t1-01"', "page 1 of 3", 'rel="next"']),
    ("pairs", ['href="/pair/', " binds ", "page 1 of"]),
    ("references", ['href="/reference/bian2019"']),
])
def test_index_pages(kind: str, expected: list[str], client) -> None:  # type: ignore[no-untyped-def]
    html = page(client, f"/browse/{kind}")
    assert [text for text in expected if text not in html] == []


def test_index_pages_are_paged(client, report) -> None:  # type: ignore[no-untyped-def]
    pages = -(-report.findings // 50)
    first, last = page(client, "/browse/findings"), page(client, f"/browse/findings?page={pages}")
    assert pages > 1 and first.count('href="/finding/') == 50
    assert last.count('href="/finding/') == report.findings - 50 * (pages - 1) and 'rel="prev"' in last
    assert client.get(f"/browse/findings?page={pages + 1}").status_code == 404
    assert client.get("/browse/findings?page=x").status_code == 400
    assert client.get("/browse/nothing").status_code == 404


def test_browse_lists_every_index(client) -> None:  # type: ignore[no-untyped-def]
    html = page(client, "/browse")
    for kind in ["chemokines", "ev-types", "cell-types", "cancers", "drugs", "findings"]:
        assert f'href="/browse/{kind}"' in html


def test_pages_work_without_javascript(client) -> None:  # type: ignore[no-untyped-def]
    """Everything the page says is in the server's HTML (the findings too); scripts only add the autocomplete, the
    pictures and the findings table, and are all this server's own files, loaded deferred."""
    import re

    html = page(client, "/gene/HGNC_10672")
    assert "C-X-C motif chemokine ligand 12" in html and 'href="/finding/bian2019-t1-08"' in html
    tags = re.findall(r"<script\b[^>]*>", html)
    scripts = [tag for tag in tags if 'type="application/ld+json"' not in tag]  # JSON-LD is data, never run
    assert len(tags) - len(scripts) == 1 and any("search.js" in tag for tag in scripts)
    assert all(re.search(r'src="/static/[^"]+"', tag) and " defer" in tag for tag in scripts), scripts
