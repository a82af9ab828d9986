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


def service_graph(settings: Settings, stats: Statistics, endpoint: str, root: str) -> Graph:
    """``root`` is the site's URL (for the VoID and examples links)."""
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
    g.add((service, ev.rateLimitPerSecond, Literal(settings.rate_per_s, datatype=XSD.decimal)))
    g.add((service, ev.rateLimitBurst, Literal(settings.rate_burst)))
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
