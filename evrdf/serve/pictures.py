"""Pictures drawn from the store: the chemokine–receptor network (/network, /network.json) and the finding
diagrams (/diagram.json: releasing cell → EV type → cargo or induced molecule → recipient cell → effect).

Both JSON views are Cytoscape.js elements computed by SPARQL over the published store; the pages draw them
with the vendored Cytoscape.js (web/static/vendor/cytoscape), so nothing is fetched from another host.
A term page asks `pictures_for(iri)` which pictures apply to it and includes them (_pictures.html).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from evrdf.serve.finding_rows import RELATIONS, FindingRow, in_scope, subclasses
from evrdf.serve.findings_table import RowCache
from evrdf.serve.resources import local_href
from evrdf.settings import Settings
from evrdf.store.base import Store

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
# the diagram's columns, left to right; a relation joins one through its `role` in finding_rows.RELATIONS
ROLES = [("releasing", "Releasing cell"), ("ev", "EV type"), ("molecule", "Cargo / induced molecule"),
         ("recipient", "Recipient cell"), ("effect", "Effect")]
IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _iri_arg(name: str, required: bool = False) -> str:
    value = (request.args.get(name) or "").strip()
    if required and not value:
        abort(Response(f"parameter {name!r} is required (an IRI)\n", 400, mimetype="text/plain"))
    if value and not IRI.match(value):
        abort(Response(f"parameter {name!r} must be an http(s) IRI, not {value!r}\n", 400, mimetype="text/plain"))
    return value


def resource_short_name(title: str, iri: str) -> str:
    """'… from CellPhoneDB v5.0.0 (files)' → 'CellPhoneDB v5.0.0'; else the IRI's last segment.

    >>> resource_short_name("Chemokine ligand-receptor pairs from connectomeDB2020 (NATMI lrdbs/lrc2p.csv)", "x")
    'connectomeDB2020'
    """
    match = re.search(r"\bfrom (.+?)(?: \(|$)", title)
    return match.group(1) if match else iri.rstrip("/").rsplit("/", 1)[-1]


def network_elements(store: Store, rows: list[FindingRow], base: str, focus: str = "") -> dict[str, object]:
    """The curated ligand–receptor pairs (one edge per ligand and receptor, listing every resource that states
    it), the molecules coloured by family, and the EV types the findings link to those molecules."""
    vocab = base + "ontology/"
    listed: dict[tuple[str, str], set[str]] = {}  # (ligand, receptor) -> the resources that list the pair
    resources: dict[str, str] = {}
    for s in store.query(f"""SELECT ?l ?r ?res ?title WHERE {{ ?pair a <{vocab}LigandReceptorPair> ;
            <{vocab}ligand> ?l ; <{vocab}receptor> ?r ; <{vocab}pairResource> ?res .
            OPTIONAL {{ ?res <{DCTERMS}title> ?title }} }}"""):
        res = s["res"].value
        resources[res] = resource_short_name(s["title"].value if s["title"] is not None else "", res)
        listed.setdefault((s["l"].value, s["r"].value), set()).add(res)
    if focus:
        listed = {pair: by for pair, by in listed.items() if focus in pair}
    ligands = {ligand for ligand, _ in listed} | ({focus} if focus else set())
    receptors = {r for _, r in listed}
    molecules = ligands | receptors
    info = _molecule_info(store, vocab, molecules)
    if focus and focus not in info:
        return {"nodes": [], "edges": [], "resources": [], "families": []}
    nodes: list[dict[str, object]] = []
    for iri in sorted(molecules, key=lambda i: info.get(i, {}).get("label", i)):
        item = info.get(iri, {"label": iri.rsplit("/", 1)[-1], "family": "other"})
        kind = "ligand" if iri in ligands and iri not in receptors else "receptor"
        nodes.append({"data": {"id": iri, "label": item["label"], "kind": kind, "family": item["family"],
                               "href": local_href(iri, base), "focus": iri == focus}})
    edges: list[dict[str, object]] = []
    for (ligand, receptor), by in sorted(listed.items()):
        names = sorted(resources[r] for r in by)
        edges.append({"data": {"id": f"pair|{ligand}|{receptor}", "source": ligand, "target": receptor,
                               "kind": "pair", "sources": names, "via": "both" if len(names) > 1 else names[0]}})
    # the findings' EV links: an EV type to each molecule its findings say it carries or induces
    links: dict[tuple[str, str, str], set[str]] = {}
    ev_labels: dict[str, str] = {}
    for row in rows:
        for ev in row.values.get("ev_type", []):
            for relation in RELATIONS:
                if relation.role != "molecule":
                    continue
                for term in row.values.get(relation.key, []):
                    if term.iri in molecules:
                        ev_labels[ev.iri] = ev.label
                        links.setdefault((ev.iri, term.iri, relation.title), set()).add(row.iri)
    for iri, label in sorted(ev_labels.items(), key=lambda item: item[1]):
        nodes.append({"data": {"id": iri, "label": label, "kind": "ev", "family": "EV",
                               "href": local_href(iri, base), "focus": False}})
    for (ev_iri, molecule, title), findings in sorted(links.items()):
        edges.append({"data": {"id": f"ev|{ev_iri}|{molecule}|{title}", "source": ev_iri, "target": molecule,
                               "kind": "ev", "relation": title, "findings": len(findings),
                               "via": "finding"}})
    families = sorted({info[m]["family"] for m in molecules if m in info})
    return {"nodes": nodes, "edges": edges, "families": families,
            "resources": sorted({resources[r] for by in listed.values() for r in by})}


def _molecule_info(store: Store, vocab: str, molecules: set[str]) -> dict[str, dict[str, str]]:
    """Label and family of each molecule: its chemokine family, 'atypical' for atypical receptors, else 'other'."""
    if not molecules:
        return {}
    values = " ".join(f"<{m}>" for m in sorted(molecules))
    info: dict[str, dict[str, str]] = {}
    for s in store.query(f"""SELECT ?g ?label ?flabel ?atypical WHERE {{ VALUES ?g {{ {values} }}
            OPTIONAL {{ ?g <{RDFS}label> ?label }}
            OPTIONAL {{ ?g <{vocab}inFamily> ?family . ?family <{RDFS}label> ?flabel }}
            OPTIONAL {{ ?g a ?atypical . FILTER(?atypical = <{vocab}AtypicalChemokineReceptor>) }} }}"""):
        iri = s["g"].value
        if s["label"] is None and iri not in info:
            continue
        family = (s["flabel"].value.replace(" chemokine family", "") if s["flabel"] is not None
                  else "atypical" if s["atypical"] is not None else "other")
        item = info.setdefault(iri, {"label": s["label"].value if s["label"] is not None else iri, "family": family})
        if item["family"] == "other" and family != "other":
            item["family"] = family
    return info


def diagram_elements(rows: list[FindingRow], base: str) -> dict[str, object]:
    """The findings as one left-to-right flow; each finding links the columns it fills, skipping empty ones."""
    by_role = {role: [r for r in RELATIONS if r.role == role] for role, _ in ROLES}
    nodes: dict[str, dict[str, Any]] = {}  # Cytoscape.js elements: {"data": {...}, "position": {...}}
    edges: dict[str, dict[str, Any]] = {}
    for row in rows:
        direction = ", ".join(t.label for t in row.values.get("direction", []))
        columns: list[list[str]] = []
        for index, (role, _) in enumerate(ROLES):
            ids = []
            for relation in by_role[role]:
                for term in row.values.get(relation.key, []):
                    node_id = f"{role}|{term.iri}"
                    ids.append(node_id)
                    node = nodes.setdefault(node_id, {"data": {"id": node_id, "label": term.label, "role": role,
                                                               "column": index, "iri": term.iri,
                                                               "href": local_href(term.iri, base),
                                                               "findings": 0}})
                    node["data"]["findings"] += 1
            if ids:
                columns.append(sorted(set(ids)))
        for left, right in zip(columns, columns[1:], strict=False):
            for a in left:
                for b in right:
                    edge_id = f"{a}->{b}"
                    edge = edges.setdefault(edge_id, {"data": {"id": edge_id, "source": a, "target": b,
                                                               "findings": [], "direction": ""}})
                    edge["data"]["findings"].append(row.id)
                    if b.startswith("effect|") and direction:
                        edge["data"]["direction"] = direction
    # a layered layout: each column's nodes stacked, columns left to right
    for index, _ in enumerate(ROLES):
        column = sorted((n for n in nodes.values() if n["data"]["column"] == index),
                        key=lambda n: str(n["data"]["label"]).lower())
        for position, node in enumerate(column):
            node["position"] = {"x": index * 230, "y": (position - (len(column) - 1) / 2) * 56}
    return {"nodes": list(nodes.values()), "edges": list(edges.values()),
            "columns": [{"role": role, "title": title} for role, title in ROLES],
            "findings": [row.id for row in rows]}


def pictures_blueprint(store: Store, settings: Settings, cache: RowCache) -> Blueprint:
    bp = Blueprint("pictures", __name__)
    base, vocab = settings.base_iri, settings.base_iri + "ontology/"

    @bp.get("/network")
    def network_page() -> str:
        return render_template("network.html")

    @bp.get("/network.json")
    def network() -> Response:
        return jsonify(network_elements(store, cache.rows(), base, _iri_arg("focus")))

    @bp.get("/diagram.json")
    def diagram() -> Response:
        about = _iri_arg("about", required=True)
        rows = cache.rows()
        own = [row for row in rows if row.iri == about]
        return jsonify(diagram_elements(own or in_scope(rows, subclasses(store, about)), base))

    @bp.app_template_global()
    def pictures_for(iri: str) -> dict[str, bool]:
        """Which pictures a term page shows: the network for a ligand or receptor, the diagram for a finding or
        an EV subclass, the findings table for anything findings name (EVs, cells, cancers, molecules)."""
        if not IRI.match(iri):
            return {"network": False, "diagram": False, "table": False, "finding": False}
        rows = cache.rows()
        is_finding = any(row.iri == iri for row in rows)
        ask = f"ASK {{ {{ ?p <{vocab}ligand> <{iri}> }} UNION {{ ?p <{vocab}receptor> <{iri}> }} }}"
        in_pairs = bool(store.query(ask))
        # the EV subclasses (the root class's diagram would be every finding at once: its table is there)
        is_ev = bool(store.query(f"ASK {{ <{iri}> <{RDFS}subClassOf>+ <{vocab}ExtracellularVesicle> }}"))
        named = not is_finding and bool(in_scope(rows, subclasses(store, iri)))
        return {"network": in_pairs, "diagram": is_finding or is_ev, "table": named, "finding": is_finding}

    return bp
