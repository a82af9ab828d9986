"""rdflib-endpoint serving one N-Triples file on 127.0.0.1 (started by bench.py as a separate process).

.venv/bin/python bench/http/rdflib_server.py FILE.nt PORT
"""

from __future__ import annotations

import sys

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    path, port = sys.argv[1], int(sys.argv[2])
    graph = rdflib.Graph()
    graph.parse(path, format="nt")
    uvicorn.run(SparqlEndpoint(graph=graph, path="/sparql"), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
