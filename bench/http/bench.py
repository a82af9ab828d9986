"""/sparql over HTTP: evrdf against in-memory pyoxigraph in-process (the floor), Virtuoso and rdflib-endpoint, on
one generated EV graph, over the query shapes of issue 13, in ONE command.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/http/bench.py --triples 1000000 --runs 3

What it does, once: writes the generated graph as N-Triples; publishes it with the documented CLI
(`evrdf build --store S --base-iri B --add generated.nt`); starts the documented `evrdf serve --store S --host H --port P` twice
(`--workers N` gives N workers x 4 threads instead)
(caches off: EVRDF_CACHE_BYTES=0 and a unique comment per request; caches on: the per-release result cache, the
same text each time), a private Virtuoso (tests/virtuoso_server.py) bulk-loaded with the same file, and
rdflib-endpoint on its first --rdflib-triples triples; loads the file into an in-memory pyoxigraph store in this
process. Then, per run (--runs): per-shape median latency of sequential requests (shape by shape, every endpoint in turn), and mixed throughput of --clients
threads cycling through every shape for --seconds; ratios to the floor and to Virtuoso; and the issue's targets,
met or not. Every HTTP client is urllib with a new connection per request (as SPARQLWrapper), SELECT/ASK as
SPARQL JSON results, CONSTRUCT/DESCRIBE as Turtle. The per-client query-time budget is off in evrdf
(EVRDF_BUDGET_S=0, EVRDF_MAX_EXPENSIVE=0): all four clients share one address, and Virtuoso has no such limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout: tests/ holds the Virtuoso launcher
sys.path.insert(0, str(Path(__file__).resolve().parent))  # shapes.py, report.py beside this file
from report import print_run, print_summary  # noqa: E402

from shapes import GRAPH, SHAPES, is_answer, kind, triples  # noqa: E402
from tests.virtuoso_server import VirtuosoServer, bulk_load  # noqa: E402  (test plumbing, from the checkout)

HERE = Path(__file__).resolve().parent
ACCEPT = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
          "graph": "text/turtle"}
BASE_IRI = "https://w3id.org/evrdf/"


def write_nt(path: Path, n: int) -> None:
    ox.serialize(triples(n), output=str(path), format=ox.RdfFormat.N_TRIPLES)


def timed(fn: Callable[[], object], repeat: int, budget_s: float = 20.0) -> float:
    """Median seconds of up to ``repeat`` calls (at least 3) within ``budget_s``, after one warm-up call."""
    fn()
    samples: list[float] = []
    end = time.monotonic() + budget_s
    while len(samples) < repeat and (len(samples) < 3 or time.monotonic() < end):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def wait_for(url: str, proc: subprocess.Popen[bytes] | None, timeout_s: float) -> None:
    end = time.monotonic() + timeout_s
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(probe, timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def evrdf_build(store: Path, nt: Path) -> float:
    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store), "--base-iri", BASE_IRI,
                    "--add", str(nt)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t


def evrdf_server(store: Path, port: int, cache: bool, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], float]:
    """The documented `evrdf serve --store S --host H --port P` (with ``workers`` > 0: `--workers N --threads 4`),
    and the seconds from its start to its first answered query; returned once the service description says it
    answers from memory (or after 300 s)."""
    env = dict(os.environ, EVRDF_CACHE_BYTES=str(64 << 20 if cache else 0), EVRDF_BUDGET_S="0",
               EVRDF_MAX_EXPENSIVE="0")
    t = time.monotonic()
    layout = ["--workers", str(workers), "--threads", "4"] if workers > 0 else []
    proc = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(store), "--host", "127.0.0.1",
                             "--port", str(port), *layout], env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}/sparql"
    wait_for(url, proc, 300)
    first = time.monotonic() - t
    end, in_a_row = time.monotonic() + 300, 0  # each worker copies the release after booting, answering from disk
    while in_a_row < 6 and time.monotonic() < end:  # meanwhile: measure once (any worker asked) says memory
        in_a_row = in_a_row + 1 if served_from(url) == "memory" else 0
        time.sleep(0.1)
    return proc, first


def layout_text(workers: int) -> str:
    return f"{workers} gunicorn workers x 4 threads" if workers > 0 else "evrdf serve's own layout"


def served_from(url: str) -> str:
    """evs:servedFrom of evrdf's service description: memory or disk."""
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    for line in urllib.request.urlopen(request, timeout=30).read().decode().splitlines():
        if line.startswith(f"<{url}> ") and "/ns/service#servedFrom>" in line:
            return line.split('"')[1]
    return "?"


def tree_pss_mib(pid: int) -> float:
    """Proportional set size of a process and its descendants (shared pages counted once overall), MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total / 1024


class Target:
    """One SPARQL endpoint over HTTP; ``unique`` adds a fresh comment per request so no result cache can help."""

    def __init__(self, name: str, url: str, unique: bool):
        self.name, self.url, self.unique, self._n = name, url, unique, count()
        self.errors: dict[str, list[str]] = {}  # shape -> failed requests: counted and reported, never retried

    def get(self, shape: str) -> bytes:
        query = SHAPES[shape]
        if self.unique:
            query = f"{query}\n# {next(self._n)}"
        request = urllib.request.Request(self.url + "?" + urllib.parse.urlencode({"query": query}),
                                         headers={"Accept": ACCEPT[kind(shape)]})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                body = response.read()
        except OSError as exc:
            self.errors.setdefault(shape, []).append(f"{type(exc).__name__}: {exc}")
            return b""
        if not is_answer(shape, body):
            self.errors.setdefault(shape, []).append(f"not an answer: {body[:120]!r}")
        return body


class Floor:
    """In-memory pyoxigraph in this process: query and serialization, no HTTP (the floor)."""

    name = "floor"

    def __init__(self, nt: Path):
        self.store = ox.Store()
        self.store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
        self.errors: dict[str, list[str]] = {}

    def get(self, shape: str) -> bytes:
        result = self.store.query(SHAPES[shape], use_default_graph_as_union=True)
        if kind(shape) == "graph":
            return result.serialize(format=ox.RdfFormat.TURTLE)  # type: ignore[union-attr,no-any-return]
        return result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr,no-any-return]


def throughput(fn: Callable[[str], object], clients: int, seconds: float) -> float:
    shapes = list(SHAPES)

    def client(i: int) -> int:
        done, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            fn(shapes[(i + done) % len(shapes)])
            done += 1
        return done

    t0 = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(client, range(clients)))
    return total / (time.monotonic() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--rdflib-triples", type=int, default=100_000,
                    help="rdflib-endpoint's graph: the first N triples of the same graph (0 = skip it)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1, help="measurement runs over the same servers and data")
    ap.add_argument("--workers", type=int, default=0,
                    help="gunicorn workers x 4 threads for evrdf (0 = the documented command's own layout)")
    ap.add_argument("--no-virtuoso", action="store_true", help="skip Virtuoso (ratios to it are then left out)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evrdf-bench-http-"))
    try:
        run(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, args: argparse.Namespace) -> None:
    nt = work / "generated.nt"
    t = time.monotonic()
    write_nt(nt, args.triples)
    print(f"{args.triples:,} generated triples written as N-Triples in {time.monotonic() - t:.1f} s; {args.clients} "
          f"clients, {layout_text(args.workers)}, {args.seconds:g} s per throughput run", flush=True)
    print(f"  evrdf build --store S --base-iri {BASE_IRI} --add generated.nt: {evrdf_build(work / 'store', nt):.1f} s",
          flush=True)
    t = time.monotonic()
    targets: list[Target | Floor] = [Floor(nt)]
    print(f"  floor: in-memory pyoxigraph bulk_load {time.monotonic() - t:.1f} s", flush=True)
    procs: list[subprocess.Popen[bytes]] = []
    virtuoso: VirtuosoServer | None = None
    try:
        for cache in (False, True):
            port = free_port()
            proc, ready = evrdf_server(work / "store", port, cache, args.workers, work / f"evrdf-{port}.log")
            procs.append(proc)
            url = f"http://127.0.0.1:{port}/sparql"
            name = f"evrdf cache {'on' if cache else 'off'}"
            print(f"  {name}: first answer {ready:.1f} s after `evrdf serve`, served from {served_from(url)}, "
                  f"server PSS {tree_pss_mib(proc.pid):.0f} MiB (master + workers)", flush=True)
            targets.append(Target(name, url, unique=not cache))
        if not args.no_virtuoso:
            virtuoso = VirtuosoServer(work / "virtuoso")
            virtuoso.start()
            t = time.monotonic()
            shutil.copy(nt, virtuoso.load_dir / "generated.nt")
            bulk_load(virtuoso.port, virtuoso.password, virtuoso.load_dir, "*.nt", GRAPH)
            print(f"  Virtuoso bulk load (ld_dir/rdf_loader_run/checkpoint) {time.monotonic() - t:.1f} s", flush=True)
            targets.append(Target("virtuoso", f"{virtuoso.url}/sparql", unique=True))
        if args.rdflib_triples:
            small = work / "rdflib.nt"
            write_nt(small, args.rdflib_triples)
            port = free_port()
            t = time.monotonic()
            proc = subprocess.Popen([sys.executable, str(HERE / "rdflib_server.py"), str(small), str(port)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(proc)
            wait_for(f"http://127.0.0.1:{port}/sparql", proc, 1800)
            print(f"  rdflib-endpoint loaded {args.rdflib_triples:,} triples in {time.monotonic() - t:.1f} s",
                  flush=True)
            targets.append(Target(f"rdflib @{args.rdflib_triples // 1000}k", f"http://127.0.0.1:{port}/sparql",
                                  unique=True))
        runs = []
        for number in range(1, args.runs + 1):
            lat: dict[str, dict[str, float]] = {}
            tput: dict[str, float] = {}
            for target in targets:
                if isinstance(target, Target):
                    throughput(target.get, args.clients, 3)  # warm-up: every worker and thread started
            # shape by shape, every target in turn (a busy moment of the machine hits all), from a thread that is
            # not the main one, as a server's request thread (pyoxigraph on the main thread measured 1.1-2x slower
            # for the heavier shapes, likely the main malloc arena; the throughput clients are threads too)
            with ThreadPoolExecutor(1) as sequential:
                for shape in SHAPES:
                    for target in targets:
                        lat.setdefault(target.name, {})[shape] = sequential.submit(
                            timed, lambda s=shape, t=target: t.get(s), args.repeat).result()
            for target in targets:
                tput[target.name] = throughput(target.get, args.clients, args.seconds)
            runs.append(print_run(number, lat, tput, targets, args))
            print(f"  load average after run {number}: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
                  f"({os.cpu_count()} cores)", flush=True)
        print_summary(runs)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(30)
        if virtuoso is not None:
            virtuoso.stop()


if __name__ == "__main__":
    main()
