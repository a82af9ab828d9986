"""Cost of RateLimiter.acquire (serve/limits.py), which runs on every /sparql query: µs per call, in one process
and with several forked processes contending for the shared bucket table (as gunicorn workers do).

    .venv/bin/python bench/http/rate_limit.py [--calls 200000] [--processes 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from typing import Callable

from evrdf.serve.limits import SLOTS, RateLimiter


def per_call_us(limiter: RateLimiter, clients: Callable[[int], str], calls: int) -> float:
    names = [clients(i) for i in range(calls)]
    started = time.perf_counter()
    for name in names:
        limiter.acquire(name)
    return (time.perf_counter() - started) / calls * 1e6


def _contend(limiter: RateLimiter, calls: int, seconds) -> None:  # type: ignore[no-untyped-def]
    seconds.value = per_call_us(limiter, lambda i: f"10.0.{i % 4}.1", calls)


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
    print(f"RateLimiter.acquire, {args.calls:,} calls per case, rate 10/s burst 40 (the defaults)")
    for label, clients in cases.items():
        print(f"  {label:<42} {per_call_us(RateLimiter(10.0, 40), clients, args.calls):6.2f} µs/call")
    fork = multiprocessing.get_context("fork")
    limiter = RateLimiter(10.0, 40)
    results = [fork.RawValue("d", 0.0) for _ in range(args.processes)]
    workers = [fork.Process(target=_contend, args=(limiter, args.calls, r)) for r in results]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    figures = ", ".join(f"{r.value:.2f}" for r in results)
    print(f"  {args.processes} forked processes, one shared table, 4 clients: {figures} µs/call in each")


if __name__ == "__main__":
    main()
