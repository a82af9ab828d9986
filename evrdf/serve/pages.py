"""Server-rendered pages for browsing: one page per resource, and paged index pages per kind of thing."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from rdflib import Graph

from evrdf.formats import DOCUMENT_LABELS, serialize_triples
from evrdf.natural import natural_key
from evrdf.release.ids import sort_key
from evrdf.serve.resource_graph import resource_triples, source_graphs
from evrdf.serve.resources import local_href
from evrdf.serve.view import resource_view
from evrdf.settings import Settings
from evrdf.store.base import Store

PAGE_SIZE = 50
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


@dataclass(frozen=True)
class Index:
    """An index page: the instances (or subclasses) of one class, optionally grouped by a property."""

    title: str
    cls: str  # local name under the vocabulary
    subclasses: bool = False  # list subclasses (transitively) instead of instances
    group_by: str = ""  # local name of the property whose value's label groups the rows
    blurb: str = ""


INDEXES = {
    "chemokines": Index("Chemokines by family", "Chemokine", group_by="inFamily",
                        blurb="Every human chemokine (HGNC), grouped by structural family."),
    "receptors": Index("Chemokine receptors by family", "ChemokineReceptor", group_by="inFamily",
                       blurb="Conventional and atypical chemokine receptors (HGNC)."),
    "ev-types": Index("Extracellular vesicle subclasses", "ExtracellularVesicle", subclasses=True,
                      blurb="The EV subclasses of the ontology, with their parents."),
    "cell-types": Index("Cell types", "Cell", subclasses=True,
                        blurb="Tumour-microenvironment cell types that release or receive EVs."),
    "cancers": Index("Cancers", "Cancer", subclasses=True, blurb="Cancers the findings are about."),
    "drugs": Index("Drugs", "Drug", subclasses=True, blurb="Drugs and agents that block an EV-chemokine axis."),
    "processes": Index("Processes and pathways", "BiologicalProcess", subclasses=True,
                       blurb="Biological processes and signalling pathways EVs affect."),
    "findings": Index("Findings", "Finding", group_by="citedIn",
                      blurb="Curated findings, each with its EV type, molecules, effect, evidence and citation."),
    "pairs": Index("Ligand-receptor pairs", "LigandReceptorPair", group_by="pairResource",
                   blurb="Chemokine ligand-receptor pairs from CellPhoneDB and connectomeDB2020."),
    "references": Index("References", "Reference", blurb="The papers findings are cited in."),
}


def term_page(store: Store, iri: str) -> str:
    """The HTML page of one resource, from the same description its RDF documents carry."""
    settings: Settings = current_app.config["EVRDF_SETTINGS"]
    base = settings.base_iri
    graph = Graph().parse(data=serialize_triples(resource_triples(store, iri, base + "ontology/"), "nt"), format="nt")
    view = resource_view(graph, iri, base, lambda i: local_href(i, base))
    href = local_href(iri, base)
    formats = [(label, f"{href}.{ext}") for ext, label in DOCUMENT_LABELS.items() if ext != "html"]
    sparql = f"SELECT ?predicate ?object WHERE {{\n  <{iri}> ?predicate ?object\n}}"
    graphs = [{"href": local_href(g.iri, base), "title": g.title} for g in source_graphs(store, iri)]
    view.history = release_history(store, iri, base)
    return render_template("term.html", view=view, graphs=graphs, release=store.release(),
                           formats=formats, sparql=sparql, href=href)


def release_history(store: Store, iri: str, base: str) -> list[tuple[str, str, str]]:
    """What the releases' changelogs (in the metadata graph) say happened to a resource, oldest first."""
    evc = base + "changes/"
    rows = store.query(f"""SELECT ?id ?kind WHERE {{ ?change <{evc}subject> <{iri}> ; <{evc}kind> ?kind .
        ?log <{evc}change> ?change . ?release <{evc}changelog> ?log ; <http://purl.org/dc/terms/identifier> ?id }}""")
    found = sorted({(row["id"].value, row["kind"].value.rsplit("/", 1)[-1].lower()) for row in rows},
                   key=lambda item: sort_key(item[0]))
    return [(release, f"{request.script_root}/releases/{release}/", kind) for release, kind in found]


def pages_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("pages", __name__)
    vocab = settings.base_iri + "ontology/"

    @bp.get("/browse")
    def browse() -> str:
        return render_template("browse.html", indexes=INDEXES)

    @bp.get("/browse/<kind>")
    def index(kind: str) -> str:
        if kind not in INDEXES:
            abort(404)
        spec = INDEXES[kind]
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            abort(400, "parameter 'page' must be a whole number")
        total, rows = _rows(store, spec, vocab, page)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:
            abort(404)
        for row in rows:
            row["href"] = local_href(row["iri"], settings.base_iri)
        return render_template("browse_index.html", kind=kind, spec=spec, rows=rows, page=page, pages=pages,
                               total=total, page_size=PAGE_SIZE)

    return bp


def _rows(store: Store, spec: Index, vocab: str, page: int) -> tuple[int, list[dict[str, str]]]:
    """One page of an index, ordered by group then label in natural order (CCL2 before CCL11), with the total
    for the pager. SPARQL orders by code point only, so the rows are ordered here, then paged."""
    # the transitive path in a sub-select: Virtuoso 7.2 otherwise loses rows to the FILTERed OPTIONAL below
    where = (f"{{ SELECT DISTINCT ?x WHERE {{ ?x <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ "
             f"<{vocab}{spec.cls}> . FILTER(isIRI(?x)) }} }}" if spec.subclasses else f"?x a <{vocab}{spec.cls}> .")
    parent = (f"OPTIONAL {{ ?x <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?p . FILTER(isIRI(?p)) "
              f"?p {RDFS_LABEL} ?plabel }}" if spec.subclasses else "")
    group = (f"OPTIONAL {{ ?x <{vocab}{spec.group_by}> ?g . ?g {RDFS_LABEL} ?glabel }}" if spec.group_by else "")
    result = store.query(f"""SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?glabel) AS ?group)
        (GROUP_CONCAT(DISTINCT ?plabel; separator=", ") AS ?parents) (SAMPLE(?d) AS ?note) WHERE {{
          {where} OPTIONAL {{ ?x {RDFS_LABEL} ?l }} {group} {parent}
          OPTIONAL {{ ?x <http://purl.obolibrary.org/obo/IAO_0000115>|<{vocab}fullName>|<{vocab}statement> ?d }}
        }} GROUP BY ?x""")
    rows = []
    for solution in result:
        row = {name: solution[name].value for name in ("x", "label", "group", "parents", "note")
               if solution[name] is not None}
        row["iri"] = row.pop("x")
        row.setdefault("label", row["iri"].rsplit("/", 1)[-1])
        rows.append(row)
    rows.sort(key=lambda r: ("group" not in r if spec.group_by else False, natural_key(r.get("group", "")),
                             natural_key(r["label"]), r["iri"]))
    return len(rows), rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
