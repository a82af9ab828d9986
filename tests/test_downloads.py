"""The dataset as a whole can be downloaded, and VoID/DCAT say where."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCAT

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DATASET = rdflib.URIRef("https://w3id.org/evrdf/dataset")


@pytest.fixture()
def void(client) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    body = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return rdflib.Graph().parse(data=body, format="turtle")


def test_void_names_the_dump_and_every_download(void: rdflib.Graph, client) -> None:  # type: ignore[no-untyped-def]
    dumps = list(void.objects(DATASET, VOID.dataDump))
    assert [str(d).rsplit("/", 1)[-1] for d in dumps] == ["evrdf.nq"]
    distributions = {str(d).rsplit("/", 1)[-1]: d for d in void.objects(DATASET, DCAT.distribution)}
    assert {"evrdf.nq", "evrdf.owl", "evrdf.ttl", "evrdf.jsonld", "evrdf.sssom.tsv"} <= set(distributions)
    for name, node in distributions.items():
        assert void.value(node, DCAT.mediaType) is not None
        response = client.get(urlsplit(str(node)).path)
        assert response.status_code == 200, name
        response.close()


def test_the_dump_holds_every_named_graph(client, store) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/downloads/evrdf.nq")
    body = response.data
    response.close()
    graphs = {q.graph_name.value for q in ox.parse(body, format=ox.RdfFormat.N_QUADS)
              if isinstance(q.graph_name, ox.NamedNode)}
    assert set(store.named_graphs()) <= graphs


def test_landing_page_links_the_downloads(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    for name in ("evrdf.nq", "evrdf.owl", "evrdf.sssom.tsv"):
        assert f"/downloads/{name}" in page
