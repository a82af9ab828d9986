"""The pictures' data (/network.json, /diagram.json) is the store's own: every edge, node and finding they hold is
checked against SPARQL over the same store, on every backend; term pages include the pictures that apply."""

from __future__ import annotations

import re

import pytest

from evrdf.store.base import Store
from tests.conftest import select

BASE = "https://w3id.org/evrdf/"
EVO = BASE + "ontology/"
CXCL12, CXCR4 = BASE + "gene/HGNC_10672", BASE + "gene/HGNC_2561"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


def get_json(client, url: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def pairs(store: Store, where: str = "") -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for row in select(store, f"""SELECT ?l ?r ?res WHERE {{ ?p a <{EVO}LigandReceptorPair> ; <{EVO}ligand> ?l ;
            <{EVO}receptor> ?r ; <{EVO}pairResource> ?res . {where} }}"""):
        found.setdefault((row["l"], row["r"]), set()).add(row["res"])
    return found


def test_the_whole_network_has_one_edge_per_curated_pair(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    network = get_json(client, "/network.json")
    expected = pairs(store)
    edges = {(e["data"]["source"], e["data"]["target"]): e["data"] for e in network["edges"]
             if e["data"]["kind"] == "pair"}
    assert set(edges) == set(expected) and len(edges) > 100
    assert {len(e["sources"]) for e in edges.values()} == {1, 2}  # some pairs are listed by both resources
    for key, edge in edges.items():
        assert len(edge["sources"]) == len(expected[key])
        assert edge["via"] == ("both" if len(expected[key]) > 1 else edge["sources"][0])
    assert sorted(network["resources"]) == ["CellPhoneDB v5.0.0", "connectomeDB2020"]
    kinds = {n["data"]["id"]: n["data"]["kind"] for n in network["nodes"]}
    assert {i for i, k in kinds.items() if k == "ligand"} == {ligand for ligand, _ in expected}
    assert {i for i, k in kinds.items() if k == "receptor"} == {r for _, r in expected}


def test_network_nodes_are_coloured_by_their_family(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    nodes = {n["data"]["id"]: n["data"] for n in get_json(client, "/network.json")["nodes"]}
    families = {row["g"]: row["label"] for row in select(store, f"""SELECT ?g ?label WHERE {{
        ?g <{EVO}inFamily> ?f . ?f <http://www.w3.org/2000/01/rdf-schema#label> ?label }}""")}
    assert nodes[CXCL12]["family"] == "CXC" and nodes[CXCR4]["family"] == "CXC"
    for iri, node in nodes.items():
        if iri in families:
            assert families[iri].startswith(node["family"] + " ")
    atypical = {row["g"] for row in select(store, f"SELECT ?g WHERE {{ ?g a <{EVO}AtypicalChemokineReceptor> }}")}
    assert atypical and all(nodes[g]["family"] == "atypical" for g in atypical if g in nodes)


def test_the_findings_ev_links_are_overlaid(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    network = get_json(client, "/network.json")
    molecules = {n["data"]["id"] for n in network["nodes"] if n["data"]["kind"] != "ev"}
    links = {(e["data"]["source"], e["data"]["target"]) for e in network["edges"] if e["data"]["kind"] == "ev"}
    expected = {(row["ev"], row["m"]) for row in select(store, f"""SELECT DISTINCT ?ev ?m WHERE {{
        ?f a <{EVO}Finding> ; <{EVO}evType> ?ev ; <{EVO}carriesCargo>|<{EVO}inducesExpressionOf> ?m }}""")
        if row["m"] in molecules}
    assert links == expected and links
    evs = {n["data"]["id"] for n in network["nodes"] if n["data"]["kind"] == "ev"}
    assert evs == {ev for ev, _ in expected}


def test_a_molecules_network_is_its_pairs_and_its_ev_links(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    network = get_json(client, f"/network.json?focus={CXCL12}")
    edges = {(e["data"]["source"], e["data"]["target"]) for e in network["edges"] if e["data"]["kind"] == "pair"}
    assert edges == set(pairs(store, f"FILTER(?l = <{CXCL12}> || ?r = <{CXCL12}>)")) and (CXCL12, CXCR4) in edges
    focus = [n["data"] for n in network["nodes"] if n["data"]["focus"]]
    assert [n["id"] for n in focus] == [CXCL12] and focus[0]["label"] == "CXCL12"
    evs = {e["data"]["source"] for e in network["edges"] if e["data"]["kind"] == "ev" and e["data"]["target"] == CXCL12}
    assert evs == {row["ev"] for row in select(store, f"""SELECT DISTINCT ?ev WHERE {{ ?f a <{EVO}Finding> ;
        <{EVO}evType> ?ev ; <{EVO}carriesCargo>|<{EVO}inducesExpressionOf> <{CXCL12}> }}""")}
    assert get_json(client, f"/network.json?focus={BASE}gene/HGNC_0")["nodes"] == []


def finding_terms(store: Store, finding: str, props: list[str]) -> set[str]:
    alternatives = "|".join(f"<{EVO}{p}>" for p in props)
    return {row["o"] for row in select(store, f"SELECT ?o WHERE {{ <{finding}> {alternatives} ?o }}")}


def test_a_findings_diagram_is_its_cells_ev_molecules_and_effects(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    finding = next(row["f"] for row in select(store, f"""SELECT ?f WHERE {{ ?f a <{EVO}Finding> ; <{EVO}releasedBy> ?a ;
        <{EVO}carriesCargo> ?m ; <{EVO}recipientCellType> ?r ; <{EVO}affectsProcess> ?e }} ORDER BY ?f LIMIT 1"""))
    diagram = get_json(client, f"/diagram.json?about={finding}")
    roles: dict[str, set[str]] = {}
    for node in diagram["nodes"]:
        roles.setdefault(node["data"]["role"], set()).add(node["data"]["iri"])
    assert roles == {"releasing": finding_terms(store, finding, ["releasedBy"]),
                     "ev": finding_terms(store, finding, ["evType"]),
                     "molecule": finding_terms(store, finding, ["carriesCargo", "inducesExpressionOf"]),
                     "recipient": finding_terms(store, finding, ["recipientCellType"]),
                     "effect": finding_terms(store, finding, ["affectsProcess"])}
    column = {n["data"]["id"]: n["data"]["column"] for n in diagram["nodes"]}
    assert diagram["edges"] and all(column[e["data"]["target"]] == column[e["data"]["source"]] + 1
                                    for e in diagram["edges"])
    xs = {n["data"]["column"]: n["position"]["x"] for n in diagram["nodes"]}
    assert [xs[c] for c in sorted(xs)] == sorted(xs.values())  # left to right
    assert diagram["findings"] == [finding.rsplit("/", 1)[-1]]


def test_a_diagram_skips_a_column_the_finding_leaves_empty(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    finding = next(row["f"] for row in select(store, f"""SELECT ?f WHERE {{ ?f a <{EVO}Finding> ; <{EVO}carriesCargo> ?m ;
        <{EVO}affectsProcess> ?e . FILTER NOT EXISTS {{ ?f <{EVO}recipientCellType> ?r }} }} ORDER BY ?f LIMIT 1"""))
    diagram = get_json(client, f"/diagram.json?about={finding}")
    roles = {n["data"]["id"]: n["data"]["role"] for n in diagram["nodes"]}
    assert "recipient" not in roles.values()
    assert any(roles[e["data"]["source"]] == "molecule" and roles[e["data"]["target"]] == "effect"
               for e in diagram["edges"])


def test_an_ev_types_diagram_draws_the_findings_of_it_and_its_subclasses(client, store: Store) -> None:  # type: ignore[no-untyped-def]
    microvesicle = EVO + "Microvesicle"
    diagram = get_json(client, f"/diagram.json?about={microvesicle}")
    expected = {row["f"].rsplit("/", 1)[-1] for row in select(store, f"""SELECT DISTINCT ?f WHERE {{
        ?f a <{EVO}Finding> . {{ ?f <{EVO}evType> <{microvesicle}> }} UNION
        {{ ?c {SUBCLASS}+ <{microvesicle}> . ?f <{EVO}evType> ?c }} }}""")}
    assert set(diagram["findings"]) == expected and len(expected) > 5
    evs = {n["data"]["iri"] for n in diagram["nodes"] if n["data"]["role"] == "ev"}
    assert microvesicle in evs and EVO + "TumorDerivedMicrovesicle" in evs


@pytest.mark.parametrize("url,message", [
    ("/diagram.json", "parameter 'about' is required"),
    ("/diagram.json?about=javascript:alert(1)", "parameter 'about' must be an http(s) IRI"),
    ("/network.json?focus=%3E%20%7D", "parameter 'focus' must be an http(s) IRI"),
])
def test_a_bad_parameter_is_named_in_a_400(url: str, message: str, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def widgets(client, path: str) -> set[str]:  # type: ignore[no-untyped-def]
    page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True).get_data(as_text=True)
    return set(re.findall(r"data-(network|diagram|findings)=", page))


@pytest.mark.parametrize("path,expected", [
    ("/gene/HGNC_10672", {"network", "findings"}),  # a chemokine
    ("/gene/HGNC_2561", {"network", "findings"}),  # a receptor
    ("/ontology/Exosome", {"diagram", "findings"}),  # an EV subclass
    ("/ontology/CancerCell", {"findings"}),  # a cell type
    ("/ontology/Glioblastoma", {"findings"}),  # a cancer
    ("/finding/bian2019-t1-01", {"diagram"}),  # a finding
    ("/ontology/CCFamily", set()),  # a family: none of them
])
def test_term_pages_include_the_pictures_that_apply(path: str, expected: set[str], client) -> None:  # type: ignore[no-untyped-def]
    assert widgets(client, path) == expected


def test_the_network_page_draws_the_whole_network(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/network", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-network="/network.json"' in page
    assert "/static/vendor/cytoscape/cytoscape.min.js" in page


@pytest.mark.parametrize("path", ["/", "/browse"])
def test_the_landing_and_browse_pages_link_the_table_and_the_network(path: str, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/findings"' in page and 'href="/network"' in page


def test_the_vendored_cytoscape_is_the_npm_release_it_says_it_is(client) -> None:  # type: ignore[no-untyped-def]
    import hashlib
    import json

    from evrdf.serve.app import web_dir

    vendor = web_dir() / "static" / "vendor" / "cytoscape"
    assert json.loads((vendor / "package.json").read_text())["version"] == "3.35.0"
    assert "Permission is hereby granted" in (vendor / "LICENSE").read_text()
    served = client.get("/static/vendor/cytoscape/cytoscape.min.js")
    assert served.status_code == 200
    assert hashlib.sha256(served.get_data()).hexdigest() == \
        "71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94"
    served.close()
