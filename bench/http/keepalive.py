"""Point lookups over one kept-alive HTTP/1.1 connection vs a new connection per request, against `evrdf serve`.

    .venv/bin/python bench/http/keepalive.py --requests 2000

Publishes the shipped curated sources with the documented CLI (`evrdf build --store S --base-iri B`), serves them
with `evrdf serve --workers 2 --threads 4` (the production path: gunicorn with EvrdfWorker), picks one subject of
the release and sends `SELECT ?p ?o WHERE { <iri> ?p ?o }` --requests times in sequence, per round: over one
kept-alive http.client connection, then over a new connection each time (as urllib and SPARQLWrapper do). The
result cache is off (EVRDF_CACHE_BYTES=0) so every request evaluates its query; the per-client budget is off
(EVRDF_BUDGET_S=0, EVRDF_MAX_EXPENSIVE=0). Prints the median and p90 per request, in ms, for each way and round.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def path_for(query: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(query, safe="")


WORKERS = ["--workers", "2", "--threads", "4"]  # the defaults on this 2-CPU machine, spelled out
HEADERS = {"Accept": "application/sparql-results+json"}


def ask(connection: http.client.HTTPConnection, path: str) -> bytes:
    connection.request("GET", path, headers=HEADERS)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}: {body[:200]!r}")
    return body


def kept_alive(port: int, path: str, n: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ask(connection, path)  # connect and warm up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        ask(connection, path)
        samples.append(time.perf_counter() - start)
    connection.close()
    return samples


def fresh(port: int, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ask(connection, path)
        connection.close()
        samples.append(time.perf_counter() - start)
    return samples


def summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (f"{name:<22} n={len(ms):<5} median {statistics.median(ms):6.2f} ms   "
            f"p90 {ms[int(0.9 * (len(ms) - 1))]:6.2f} ms   min {ms[0]:5.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        store, base = Path(tmp) / "store", f"http://127.0.0.1:{port}/"
        subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store), "--base-iri", base],
                       check=True, capture_output=True, cwd=ROOT)
        env = {**os.environ, "EVRDF_CACHE_BYTES": "0", "EVRDF_BUDGET_S": "0", "EVRDF_MAX_EXPENSIVE": "0"}
        server = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(store), "--host",
                                   "127.0.0.1", "--port", str(port), *WORKERS],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    first = ask(connection, path_for("SELECT ?s WHERE { ?s a <http://www.w3.org/2002/07/owl#Class> "
                                                     "FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 1"))
                    connection.close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            subject = json.loads(first)["results"]["bindings"][0]["s"]["value"]
            path = path_for(f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}")
            print(f"evrdf serve {' '.join(WORKERS)}, cache off; point lookup of <{subject}>; "
                  f"{args.requests} sequential requests per way and round")
            for number in range(1, args.rounds + 1):
                print(f"round {number}:")
                print("  " + summary("kept-alive connection", kept_alive(port, path, args.requests)))
                print("  " + summary("new connection each", fresh(port, path, args.requests)))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
