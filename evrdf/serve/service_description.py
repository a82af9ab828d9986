"""The SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/) answered at /sparql
when it is dereferenced without a query: what the endpoint speaks, its default dataset (the union of the named
graphs, listed with their sizes) and, beyond the spec, the limits in force, in a small vocabulary of our own
(``<base>ns/service#``) since no standard one exists."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from evrdf.prefixes import predeclared
from evrdf.serve.describe import DEFAULT_MODE, MODES
from evrdf.serve.void import VOID, Statistics
from evrdf.settings import Settings

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENT = Namespace("http://www.w3.org/ns/entailment/")
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads"]


def limits_namespace(base_iri: str) -> Namespace:
    return Namespace(base_iri + "ns/service#")


def service_graph(settings: Settings, stats: Statistics, endpoint: str, root: str,
                  serving: tuple[str, str] | None = None) -> Graph:
    """``root`` is the site's URL (for the VoID and examples links); ``serving`` is the store's mode and why
    (Store.mode(), Store.memory_note), published as evs:servedFrom and evs:servingNote."""
    ev = limits_namespace(settings.base_iri)
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("evs", ev)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.federation_allow:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, SD.defaultEntailmentRegime, ENT.Simple))
    g.add((service, RDFS.seeAlso, URIRef(root + ".well-known/void")))
    g.add((service, RDFS.seeAlso, URIRef(root + ".well-known/sparql-examples")))

    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDFS.comment, Literal("The default graph is the union of all named graphs.", lang="en")))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(stats.triples)))
    for iri, count in sorted(stats.graphs.items()):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(count)))

    g.add((service, ev.queryTimeout, Literal(f"PT{settings.query_timeout_s:g}S", datatype=XSD.dayTimeDuration)))
    g.add((service, ev.maxResultBytes, Literal(settings.max_result_bytes)))
    g.add((service, ev.maxRequestBytes, Literal(settings.max_body_bytes)))
    _limits(g, ev, service, settings)
    if serving is not None:
        mode, note = serving
        g.add((service, ev.servedFrom, Literal(mode)))
        g.add((ev.servedFrom, RDFS.comment, Literal(
            "where the published release is answered from: 'memory' (an in-memory copy, when the release fits "
            "the memory budget), 'disk' (the release's on-disk store) or 'remote' (another SPARQL server)",
            lang="en")))
        g.add((service, ev.servingNote, Literal(note, lang="en")))
        g.add((service, ev.memoryBudget, Literal(settings.memory_budget_bytes)))
        g.add((ev.memoryBudget, RDFS.comment, Literal(
            "bytes a release may take in memory (estimated from its size) to be served from memory; 0 = always "
            "from disk", lang="en")))
    g.add((service, ev.queryWorkers, Literal(settings.query_workers)))
    if settings.update_token:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
        g.add((service, ev.update, Literal(
            "for the operator's token only (Authorization: Bearer): each update is published as a new release, "
            f"and may write only into <{settings.base_iri}graph/updates> (its default graph) and graphs under it")))
    else:
        g.add((service, ev.update, Literal("refused: releases are served read-only; publish changes with "
                                           "`evrdf build` or `evrdf update`")))
    for allowed in settings.federation_allow:
        g.add((service, ev.federationAllowed, URIRef(allowed)))
    for mode, meaning in MODES.items():
        node = BNode()
        g.add((service, ev.describeMode, node))
        g.add((node, RDFS.label, Literal(mode)))
        g.add((node, RDFS.comment, Literal(meaning, lang="en")))
    g.add((service, ev.defaultDescribeMode, Literal(DEFAULT_MODE)))
    # the predeclared prefixes, as SHACL prefix declarations (the form UniProt's endpoint publishes them in)
    g.bind("sh", SH)
    for prefix, namespace in predeclared(settings.base_iri).items():
        node = BNode()
        g.add((service, SH.declare, node))
        g.add((node, SH.prefix, Literal(prefix)))
        g.add((node, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    return g


def _limits(g: Graph, ev: Namespace, service: URIRef, settings: Settings) -> None:
    """What the endpoint refuses and the limits in force (README, "Security"), each with a comment saying what
    happens past it."""
    from evrdf import fence
    from evrdf.query_policy import MAX_DEPTH, MAX_NESTING

    def limit(name: str, value: Literal, comment: str) -> None:
        g.add((service, ev[name], value))
        g.add((ev[name], RDFS.comment, Literal(comment, lang="en")))

    seconds = lambda s: Literal(f"PT{s:g}S", datatype=XSD.dayTimeDuration)  # noqa: E731
    limit("queryTimeBudget", seconds(settings.budget_s),
          f"per client address: seconds of query evaluation allowed per window ({settings.budget_window_s:g} s), "
          "refilled continuously; a client past it gets 429 with Retry-After")
    limit("queryTimeBudgetWindow", seconds(settings.budget_window_s), "the window of the query-time budget")
    limit("uncharged", seconds(settings.budget_free_s),
          "the first seconds of every query's evaluation are not charged: cheap queries are never throttled")
    limit("maxExpensiveQueriesPerClient", Literal(settings.max_expensive),
          f"queries of one client evaluating longer than {settings.budget_free_s:g} s at once; one more gets 429")
    limit("maxNesting", Literal(MAX_NESTING),
          "levels of { }, ( ), [ ] inside one another; a deeper query or update gets 400 before it is parsed")
    limit("maxQueryDepth", Literal(MAX_DEPTH),
          "upper bound on the syntax-tree depth (nesting plus chains of UNION, OPTIONAL, FILTER, BIND or "
          "operators); a deeper query or update gets 400 before it is parsed")
    limit("requestTimeout", seconds(settings.request_timeout_s),
          "a connection must deliver its whole request within this time, else it is closed")
    if not settings.federation_allow:
        g.add((service, ev.networkFence, Literal(fence.describe(), lang="en")))
