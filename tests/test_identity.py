"""Term pages name their identifiers as a biologist expects: every cross-reference links to its resolver, species
by name, a "copy IRI" button, "cite this" (BibTeX and CSL-JSON naming the release, its version IRI and licence,
downloadable) and Bioschemas JSON-LD embedded in the page; all checked against SPARQL over the same store."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from evrdf.store.base import Store
from tests.conftest import select

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
CXCL12 = BASE + "gene/HGNC_10672"
OWL = "http://www.w3.org/2002/07/owl#"
DCT = "http://purl.org/dc/terms/"


class Links(HTMLParser):
    """Every <a href> with its text, and the bodies of <script type="application/ld+json">."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self._href: str | None = None
        self._text = ""
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self._href, self._text = a["href"], ""
        if tag == "script" and a.get("type") == "application/ld+json":
            self._script = True
            self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._text.strip(), self._href))
            self._href = None
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data
        if self._script:
            self.jsonld[-1] += data


def page(client, path: str) -> tuple[str, Links]:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    parsed = Links()
    parsed.feed(html)
    return html, parsed


def header(store: Store) -> dict[str, str]:
    rows = select(store, f"""SELECT ?v ?l ?t WHERE {{ <{BASE}ontology> <{OWL}versionIRI> ?v ; <{DCT}license> ?l ;
        <{DCT}title> ?t }}""")
    assert len(rows) == 1
    return rows[0]


def test_a_chemokines_cross_references_are_links_to_their_resolvers(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    row = select(store, f"""SELECT ?hgnc ?uniprot ?entrez ?ensembl WHERE {{ <{CXCL12}> <{EVO}hgncId> ?hgnc ;
        <{EVO}uniprotAccession> ?uniprot ; <{EVO}entrezId> ?entrez ; <{EVO}ensemblId> ?ensembl }}""")[0]
    _, parsed = page(client, "/gene/HGNC_10672")
    links = dict(parsed.links)
    assert links[row["hgnc"]] == "https://identifiers.org/hgnc:" + row["hgnc"].split(":")[1]
    assert links[row["uniprot"]] == "http://purl.uniprot.org/uniprot/" + row["uniprot"]
    assert links[row["entrez"]] == "https://identifiers.org/ncbigene:" + row["entrez"]
    assert links[row["ensembl"]] == "https://identifiers.org/ensembl:" + row["ensembl"]
    # the species is named, not shown as NCBITaxon_9606
    species = select(store, f"SELECT ?s WHERE {{ <{CXCL12}> <{EVO}inSpecies> ?s }}")[0]["s"]
    assert ("Homo sapiens", species) in parsed.links
    assert not any(text == "NCBITaxon_9606" for text, _ in parsed.links)


def test_pair_evidence_pmids_link_to_pubmed(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    rows = select(store, f"""SELECT ?pair ?e WHERE {{ ?pair <{EVO}pairEvidence> ?e FILTER STRSTARTS(?e, "PMID:") }}
        ORDER BY ?pair LIMIT 3""")
    assert rows
    for row in rows:
        _, parsed = page(client, "/" + row["pair"][len(BASE):])
        assert (row["e"], "https://identifiers.org/pubmed:" + row["e"].split(":")[1]) in parsed.links


def test_class_cross_references_link_to_the_obo_purl(client) -> None:  # type: ignore[no-untyped-def]
    _, parsed = page(client, "/ontology/Exosome")
    assert ("GO:0070062", "http://purl.obolibrary.org/obo/GO_0070062") in parsed.links


def test_copy_iri_and_cite_this_are_on_every_term_page(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    head = header(store)
    for path, iri in (("/gene/HGNC_10672", CXCL12), ("/ontology/Exosome", EVO + "Exosome")):
        html, parsed = page(client, path)
        assert f'data-copy="{iri}">Copy IRI</button>' in html
        assert head["v"] in html and head["l"] in html  # the cite box names the version IRI and licence
        downloads = {text: href for text, href in parsed.links if text.startswith("download .")}
        assert set(downloads) == {"download .bib", "download .json"}
        bib = client.get(downloads["download .bib"])
        assert bib.status_code == 200 and bib.mimetype == "application/x-bibtex"
        assert bib.headers["Content-Disposition"].startswith("attachment;")
        text = bib.get_data(as_text=True)
        assert re.match(r"@misc\{evrdf_\w+,\n", text) and text.rstrip().endswith("}")
        assert f"url = {{{iri}}}" in text and head["v"] in text and head["l"] in text
        assert text.count("{") == text.count("}")
        csl = client.get(downloads["download .json"])
        assert csl.mimetype == "application/vnd.citationstyles.csl+json"
        [item] = csl.get_json()
        assert item["URL"] == iri and item["type"] == "dataset" and item["license"] == head["l"]
        assert head["v"] in item["note"] and item["container-title"] == head["t"]
        assert item["version"] == store.release()["release"]


def test_the_citation_endpoints_reject_bad_iris(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/cite.bib").status_code == 400
    outside = client.get("/cite.json?iri=https://example.org/x")
    assert outside.status_code == 400 and "https://w3id.org/evrdf/" in outside.get_data(as_text=True)
    missing = client.get(f"/cite.bib?iri={EVO}NoSuchTerm")
    assert missing.status_code == 404 and "NoSuchTerm" in missing.get_data(as_text=True)


def test_term_pages_embed_bioschemas_json_ld(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    head = header(store)
    _, parsed = page(client, "/ontology/Exosome")
    [doc] = [json.loads(text) for text in parsed.jsonld]
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "DefinedTerm"
    assert doc["@id"] == EVO + "Exosome" and doc["name"] == "exosome" and doc["termCode"] == "Exosome"
    assert doc["inDefinedTermSet"]["@type"] == "DefinedTermSet"
    assert doc["inDefinedTermSet"]["@id"] == BASE + "ontology" and doc["inDefinedTermSet"]["license"] == head["l"]
    assert doc["sameAs"] == ["http://purl.obolibrary.org/obo/GO_0070062"]
    definition = select(store, f"SELECT ?d WHERE {{ <{EVO}Exosome> <http://purl.obolibrary.org/obo/IAO_0000115> ?d }}")
    assert doc["description"] == definition[0]["d"]
    assert DCT + "conformsTo" in doc
    # a gene product is a Bioschemas Protein with its species and entries
    _, parsed = page(client, "/gene/HGNC_10672")
    [gene] = [json.loads(text) for text in parsed.jsonld]
    assert gene["@type"] == "Protein" and gene["name"] == "CXCL12"
    assert "http://purl.uniprot.org/uniprot/P48061" in gene["sameAs"] and "P48061" in gene["identifier"]
    assert gene["taxonomicRange"] == [{"@type": "Taxon", "@id": "http://purl.obolibrary.org/obo/NCBITaxon_9606",
                                       "name": "Homo sapiens (human)"}]
    assert "SDF-1a" in gene["alternateName"]


def test_json_ld_cannot_close_its_script_element(client) -> None:  # type: ignore[no-untyped-def]
    from evrdf.serve.identity import script_json

    text = str(script_json({"name": "</script><b>x</b>"}))
    assert "</" not in text and json.loads(text) == {"name": "</script><b>x</b>"}
