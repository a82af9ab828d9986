"""The curated stage alone, in this process: read + check the tables, then build their RDF graphs.

Prints one JSON line: wall seconds per step, CPU seconds, triples, and the process's peak RSS (run it as a child so the peak is
this stage's only).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from evrdf.build.graphs import finding_graphs, gene_graph, pair_graphs, reference_graph
from evrdf.build.ontology import build_ontology, core_term_names, load_core
from evrdf.ingest.curated import load_curated
from evrdf.iris import Iris


def main(sources: Path) -> None:
    iris = Iris()
    started = time.perf_counter()
    core = load_core(sources, iris)
    curated = load_curated(sources / "curated", core_term_names(core, iris))
    read = time.perf_counter()
    ontology = build_ontology(core, curated, iris)
    graphs = [ontology, gene_graph(curated, iris), reference_graph(curated, iris),
              *pair_graphs(curated, iris).values(), *finding_graphs(curated, iris).values()]
    built = time.perf_counter()
    nt = sum(len(g.serialize(format="nt", encoding="utf-8")) for g in graphs)
    done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"findings": len(curated.findings), "read_check_s": round(read - started, 2),
                      "rdf_s": round(built - read, 2), "ntriples_s": round(done - built, 2),
                      "total_s": round(done - started, 2), "triples": sum(len(g) for g in graphs),
                      "ntriples_mb": round(nt / 1e6, 1),
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
