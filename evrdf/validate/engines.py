"""The two engines. Both take the data as an Oxigraph dataset (the default graph is the union of its named
graphs) and return Results in the same form, so they can be compared and rendered alike.

- ``oxigraph``: the shapes compiled to SPARQL (compile.py) and run on Oxigraph; the default.
- ``pyshacl``: pySHACL, the reference implementation, with inference off; for small inputs and the tests.
"""

from __future__ import annotations

from typing import Callable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from evrdf.results import serialized, solutions, triples
from evrdf.validate.compile import compile_shapes
from evrdf.validate.report import Result, Severity
from evrdf.validate.shacl_core import path_text

Engine = Callable[[ox.Store, Graph], list[Result]]


def term_text(term: object) -> str:
    """A term in N-Triples syntax, the same for rdflib and Oxigraph terms.

    >>> term_text(URIRef("http://x/a")), term_text(Literal("5", datatype=URIRef("http://x/t")))
    ('<http://x/a>', '"5"^^<http://x/t>')
    """
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return str(term)
    if isinstance(term, URIRef):
        return str(ox.NamedNode(str(term)))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        if term.language:
            return str(ox.Literal(str(term), language=term.language))
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return str(ox.Literal(str(term), datatype=datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def _plain(term: object) -> str:
    """A term as pySHACL substitutes it into a message: the IRI or the literal's lexical form."""
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def oxigraph_engine(data: ox.Store, shapes: Graph) -> list[Result]:
    results: list[Result] = []
    for check in compile_shapes(shapes):
        answers = solutions(data.query(check.query, use_default_graph_as_union=True))
        names = [v.value for v in answers.variables]
        for solution in answers:
            focus = solution["this"]
            value = solution["value"] if "value" in names else None
            if value is None and check.node_shape:
                value = focus
            message = check.message
            if check.node_shape:
                for name in names:
                    bound = solution[name]
                    if name == "value":
                        bound = value
                    if bound is not None:
                        message = message.replace("{?" + name + "}", _plain(bound)).replace(
                            "{$" + name + "}", _plain(bound))
            path = term_text(solution["path"]) if "path" in names and solution["path"] is not None else check.path
            results.append(Result(check.severity, check.shape, term_text(focus), message, check.component, path,
                                  term_text(value) if value is not None else None))
    return results


def pyshacl_engine(data: ox.Store, shapes: Graph) -> list[Result]:
    """pySHACL over the union of the dataset's graphs (pySHACL would otherwise check each graph alone)."""
    from pyshacl import validate

    union = Graph()
    everything = triples(data.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    union.parse(data=serialized(everything.serialize(format=ox.RdfFormat.N_TRIPLES)), format="nt")
    _, report, _ = validate(union, shacl_graph=shapes, inference="none", abort_on_first=False,
                            allow_infos=True, allow_warnings=True, advanced=False)
    results: list[Result] = []
    for node in report.subjects(SH.resultSeverity, None):
        shape = report.value(node, SH.sourceShape)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        path, value = report.value(node, SH.resultPath), report.value(node, SH.value)
        results.append(Result(
            Severity.parse(str(report.value(node, SH.resultSeverity))),
            str(shape) if isinstance(shape, URIRef) else f"_:{shape}",
            term_text(report.value(node, SH.focusNode)), messages[0] if messages else "",
            str(report.value(node, SH.sourceConstraintComponent)),
            (term_text(path) if isinstance(path, URIRef) else path_text(report, path)) if path is not None else None,
            term_text(value) if value is not None else None))
    return results


ENGINES: dict[str, Engine] = {"oxigraph": oxigraph_engine, "pyshacl": pyshacl_engine}
