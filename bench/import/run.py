"""Benchmark: Vesiclepedia-format downloads at several sizes → `evrdf import` → `evrdf build` → queries.

    .venv/bin/python bench/import/run.py [--sizes 10000 100000 600000] [--work var/bench/import] [--repeat 20]

Per size it measures, each in a fresh store: import and build wall time and peak RSS (os.wait4 on the child),
the store size on disk, SHACL validation time of the import graph (evrdf.validate, SPARQL-compiled engine),
and the median latency of the query mix (the competency questions plus three import queries) in-process and
over HTTP against a live `evrdf serve`. Prints a Markdown table and the growth exponent between sizes
(1.0 = linear), and writes results.json next to this file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]  # bench/import is not a package ("import" is a keyword)

from generate import generate  # noqa: E402

from evrdf.settings import Settings  # noqa: E402
from evrdf.store.oxigraph import OxigraphStore  # noqa: E402

EVRDF = [sys.executable, "-m", "evrdf"]
IMPORT_QUERIES = {
    "imp_cargo_of_gene": """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?record ?ev ?pmid WHERE { ?gene evo:symbol "CXCL12" . ?record evo:carriesCargo ?gene ;
        evo:evType ?ev . OPTIONAL { ?record evo:citedIn/evo:pmid ?pmid } } LIMIT 100""",
    "imp_cargo_of_sample": """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?symbol ?type WHERE { ?record evo:fromSample
        <https://w3id.org/evrdf/evdb/vesiclepedia/5.1/sample/7> ; evo:cargoSymbol ?symbol ; evo:cargoType ?type }""",
    "imp_count_by_type (full scan)": """PREFIX evo: <https://w3id.org/evrdf/ontology/>
        SELECT ?type (COUNT(*) AS ?n) WHERE { ?record evo:cargoType ?type } GROUP BY ?type""",
}


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the child, and its stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    seconds = time.perf_counter() - started
    peak_mb = float(out.strip().splitlines()[-1].split("peak_rss_kb=")[1]) / 1024
    return seconds, peak_mb, out


def _child(cmd: list[str]) -> list[str]:
    """Wrap ``cmd`` so it reports its own peak RSS (Linux: ru_maxrss in KB) on the last line of stdout."""
    code = ("import os,subprocess,sys;p=subprocess.Popen(sys.argv[1:]);_,s,r=os.wait4(p.pid,0);"
            "print('peak_rss_kb=%d'%r.ru_maxrss);sys.exit(os.waitstatus_to_exitcode(s))")
    return [sys.executable, "-c", code, *cmd]


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def queries() -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "evrdf" / "queries").glob("*.rq"))}
    return {**found, **IMPORT_QUERIES}


def median_ms(run, repeat: int) -> float:  # type: ignore[no-untyped-def]
    run()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def in_process(store: OxigraphStore, repeat: int) -> dict[str, float]:
    return {name: median_ms(lambda q=q: list(store.query(q)), repeat) for name, q in queries().items()}


def over_http(store_dir: Path, repeat: int) -> dict[str, float] | None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ}  # the default query-time budget never throttles cheap queries
    server = subprocess.Popen([*EVRDF, "serve", "--store", str(store_dir), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            return None

        counter = iter(range(10**9))

        def get(q: str) -> None:
            # a unique comment per request defeats the server's response cache: these are uncached latencies
            unique = f"{q}\n# bench request {next(counter)}"
            request = urllib.request.Request(base + "?" + urllib.parse.urlencode({"query": unique}),
                                             headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()

        return {name: median_ms(lambda q=q: get(q), repeat) for name, q in queries().items()}
    finally:
        server.terminate()
        server.wait(timeout=30)


def validation_seconds(staged: Path) -> float | None:
    try:
        from evrdf.validate.run import validate_files
    except ImportError:
        return None
    started = time.perf_counter()
    validate_files([staged], Settings())
    return time.perf_counter() - started


def bench(entries: int, work: Path, repeat: int) -> dict[str, object]:
    data, store = work / f"data-{entries}", work / f"store-{entries}"
    shutil.rmtree(store, ignore_errors=True)
    if not (data / "VESICLEPEDIA_PROTEIN_MRNA_DETAILS_5.1.txt").is_file():
        generate(entries, data)
    content = data / "VESICLEPEDIA_PROTEIN_MRNA_DETAILS_5.1.txt"
    experiments = data / "VESICLEPEDIA_EXPERIMENT_DETAILS_5.1.txt"
    import_s, import_mb, out = timed(_child([*EVRDF, "import", "vesiclepedia", str(content), "--experiments",
                                             str(experiments), "--store", str(store)]))
    quads = int(out.split("(")[1].split(" quads")[0])
    build_s, build_mb, _ = timed(_child([*EVRDF, "build", "--no-reason", "--store", str(store)]))
    published = OxigraphStore(store)
    release = published.release_dir()
    staged = store / "imports" / "vesiclepedia-5.1.nq"
    result: dict[str, object] = {
        "entries": entries, "quads": quads, "triples_total": published.release()["triples"],
        "import_s": round(import_s, 1), "import_peak_mb": round(import_mb), "build_s": round(build_s, 1),
        "build_peak_mb": round(build_mb), "total_s": round(import_s + build_s, 1),
        "staged_mb": round(staged.stat().st_size / 2**20), "oxigraph_mb": round(du(release / "oxigraph") / 2**20),
        "files_mb": round(du(release / "files") / 2**20),
    }
    result["query_ms_in_process"] = {k: round(v, 2) for k, v in in_process(published, repeat).items()}
    http = over_http(store, repeat)
    result["query_ms_http"] = {k: round(v, 2) for k, v in http.items()} if http else None
    seconds = validation_seconds(staged) if os.environ.get("EVRDF_BENCH_VALIDATE", "1") == "1" else None
    result["validation_s"] = round(seconds, 1) if seconds is not None else None
    return result


def growth(a: dict[str, object], b: dict[str, object], key: str) -> str:
    x = math.log(float(b[key]) / max(float(a[key]), 1e-9)) / math.log(float(b["entries"]) / float(a["entries"]))
    return f"{x:.2f}"


def report(results: list[dict[str, object]]) -> str:
    lines = ["| entries | quads | import s | import MB | build s | build MB | import+build s | staged MB | "
             "store MB | release files MB | validation s |", "|" + "---|" * 11]
    for r in results:
        lines.append(f"| {r['entries']:,} | {r['quads']:,} | {r['import_s']} | {r['import_peak_mb']} | "
                     f"{r['build_s']} | {r['build_peak_mb']} | {r['total_s']} | {r['staged_mb']} | "
                     f"{r['oxigraph_mb']} | {r['files_mb']} | {r['validation_s']} |")
    names = list(results[0]["query_ms_in_process"])  # type: ignore[arg-type]
    lines += ["", "Median query latency, ms (in-process / HTTP, uncached):", "",
              "| query | " + " | ".join(f"{r['entries']:,}" for r in results) + " |",
              "|---|" + "---|" * len(results)]
    for name in names:
        cells = []
        for r in results:
            http = r["query_ms_http"]
            cells.append(f"{r['query_ms_in_process'][name]} / {http[name] if http else 'n/a'}")  # type: ignore[index]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if len(results) > 1:
        lines += ["", "Growth exponent between consecutive sizes (time ∝ entries^x; 1.0 = linear):", ""]
        for a, b in itertools.pairwise(results):
            parts = [f"{key} {growth(a, b, key)}" for key in ("import_s", "build_s", "total_s", "oxigraph_mb")
                     if a[key] and b[key]]
            lines.append(f"- {a['entries']:,} → {b['entries']:,}: " + ", ".join(parts))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 600_000])
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "import")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for entries in args.sizes:
        print(f"== {entries:,} entries", file=sys.stderr, flush=True)
        results.append(bench(entries, args.work, args.repeat))
        print(json.dumps(results[-1], indent=1), file=sys.stderr, flush=True)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))


if __name__ == "__main__":
    main()
