"""At what depth does Oxigraph overflow a thread's stack? Each construct is nested (or chained) N deep, N found
by doubling then bisection; each try runs in a fresh process (a stack overflow kills it: SIGSEGV), in a thread
with the given stack size, as a gunicorn request thread evaluates (serve/production.py sets 64 MiB), or in the
main thread (the development server's query processes, `evrdf query`).

    .venv/bin/python bench/limits/depth.py [--stack-mib 8] [--kinds braces,optional-chain] [--main-thread]

The query-policy limits (evrdf/query_policy.py: nesting 64, depth bound 1000) must sit well below every figure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

CHILD = r'''
import sys, threading, pyoxigraph as ox
kind, n, stack, main = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "main"
Q = {
    "braces": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "parens": lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "optional": lambda n: "SELECT * WHERE { " + "OPTIONAL { " * n + "}" * n + " }",
    "subselect": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{}" + " }" * n,
    "plus-chain": lambda n: "ASK { FILTER(" + "+".join(["1"] * n) + ") }",
    "or-chain": lambda n: "ASK { FILTER(" + "||".join(["true"] * n) + ") }",
    "union-chain": lambda n: "SELECT * WHERE { " + " UNION ".join(["{}"] * n) + " }",
    "optional-chain": lambda n: "SELECT * WHERE { " + " ".join(["OPTIONAL { ?a ?b ?c }"] * n) + " }",
    "minus-chain": lambda n: "SELECT * WHERE { ?a ?b ?c " + " ".join(["MINUS { ?a ?b ?c }"] * n) + " }",
    "filter-chain": lambda n: "SELECT * WHERE { ?a ?b ?c " + " ".join(["FILTER(?a)"] * n) + " }",
}
text = Q[kind](n)
def go():
    try:
        r = ox.Store().query(text)
        if not isinstance(r, ox.QueryBoolean):
            list(r)
    except Exception:
        pass
if main:
    go()
else:
    threading.stack_size(stack)
    t = threading.Thread(target=go)
    t.start()
    t.join()
'''
KINDS = ["braces", "parens", "optional", "subselect", "plus-chain", "or-chain", "union-chain", "optional-chain",
         "minus-chain", "filter-chain"]


def crashes(kind: str, n: int, stack: int, main: bool) -> bool:
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(n), str(stack), "main" if main else "thread"],
                          capture_output=True, timeout=600)
    return done.returncode != 0


def threshold(kind: str, stack: int, main: bool, ceiling: int) -> tuple[int, int] | None:
    low, high = 1, 2
    while not crashes(kind, high, stack, main):
        low, high = high, high * 2
        if high > ceiling:
            return None
    while high - low > max(1, low // 50):  # within 2 %
        middle = (low + high) // 2
        if crashes(kind, middle, stack, main):
            high = middle
        else:
            low = middle
    return low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-mib", type=int, default=8)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--main-thread", action="store_true")
    parser.add_argument("--ceiling", type=int, default=400_000)
    args = parser.parse_args()
    where = "main thread" if args.main_thread else f"thread with {args.stack_mib} MiB of stack"
    print(f"pyoxigraph, {where}: deepest N that runs, and the N that crashes (SIGSEGV)")
    for kind in args.kinds.split(","):
        found = threshold(kind, args.stack_mib << 20, args.main_thread, args.ceiling)
        if found is None:
            print(f"  {kind:<16} no crash up to {args.ceiling}", flush=True)
        else:
            print(f"  {kind:<16} runs at {found[0]:>7}, crashes at {found[1]:>7}", flush=True)


if __name__ == "__main__":
    main()
