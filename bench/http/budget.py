"""Cost of the per-client query-time budget (serve/limits.py), which runs on every /sparql query: µs per query
(``Budget.begin`` + ``Budget.end`` of a cheap query), in one process and with several forked processes contending
for the shared account table (as gunicorn workers do).

    .venv/bin/python bench/http/budget.py [--calls 200000] [--processes 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from typing import Callable

from evrdf.serve.limits import SLOTS, Budget, Policy


def per_call_us(budget: Budget, clients: Callable[[int], str], calls: int) -> float:
    names = [clients(i) for i in range(calls)]
    started = time.perf_counter()
    for name in names:
        ticket = budget.begin(name, 30.0)
        budget.end(ticket)  # type: ignore[arg-type]
    return (time.perf_counter() - started) / calls * 1e6


def _contend(budget: Budget, calls: int, seconds) -> None:  # type: ignore[no-untyped-def]
    seconds.value = per_call_us(budget, lambda i: f"10.0.{i % 4}.1", calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    cases: dict[str, Callable[[int], str]] = {
        "one client": lambda i: "127.0.0.1",
        "1,000 clients in turn": lambda i: f"10.0.{i % 1000 // 256}.{i % 256}",
        f"{args.calls:,} distinct clients ({SLOTS:,} slots)": lambda i: f"2001:db8::{i:x}",
    }
    policy = Policy()
    print(f"Budget.begin + end of a cheap query, {args.calls:,} calls per case, the default policy {policy}")
    for label, clients in cases.items():
        print(f"  {label:<42} {per_call_us(Budget(policy), clients, args.calls):6.2f} µs/query")
    fork = multiprocessing.get_context("fork")
    budget = Budget(policy)
    results = [fork.RawValue("d", 0.0) for _ in range(args.processes)]
    workers = [fork.Process(target=_contend, args=(budget, args.calls, r)) for r in results]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    figures = ", ".join(f"{r.value:.2f}" for r in results)
    print(f"  {args.processes} forked processes, one shared table, 4 clients: {figures} µs/query in each")


if __name__ == "__main__":
    main()
