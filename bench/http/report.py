"""Tables of one benchmark run (latency per shape, mixed throughput, ratios) and the issue's targets, met or not."""

from __future__ import annotations

import argparse
from typing import Any

FLOOR, OFF, ON, PEER = "floor", "evrdf cache off", "evrdf cache on", "virtuoso"
POINT_MS = 1.5


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def print_run(number: int, lat: dict[str, dict[str, float]], tput: dict[str, float], targets: list[Any],
              args: argparse.Namespace) -> list[tuple[str, str, bool | None]]:
    """Prints run ``number`` and returns its targets: (target, value, met)."""
    shapes = list(lat[FLOOR])
    floor, peer = lat[FLOOR], lat.get(PEER)
    print(f"\n=== run {number} of {args.runs} ===")
    print("latency, median ms of up to %d sequential requests; evrdf: (x floor, x Virtuoso)" % args.repeat)
    names = list(lat)
    print(f"{'shape':<10}" + "".join(f"{n:>{24 if n.startswith('evrdf') else 14}}" for n in names))
    for shape in shapes:
        cells = []
        for name in names:
            ms = lat[name][shape] * 1000
            failed = next((t.errors.get(shape) for t in targets if t.name == name), None)
            if failed:
                cells.append(f"{'failed':>{24 if name.startswith('evrdf') else 14}}")
            elif name.startswith("evrdf"):
                text = f"{ms:.2f} ({_ratio(ms, floor[shape] * 1000)}, {_ratio(ms, peer[shape] * 1000 if peer else None)})"
                cells.append(f"{text:>24}")
            else:
                cells.append(f"{ms:>14.2f}")
        print(f"{shape:<10}" + "".join(cells))
    base = tput.get(PEER)
    print(f"\nmixed throughput, {args.clients} clients cycling through all {len(shapes)} shapes, {args.seconds:g} s: "
          "req/s (x Virtuoso, x floor)")
    for name, rate in tput.items():
        print(f"  {name:<18}{rate:>10.1f}  ({_ratio(rate, base)}, {_ratio(rate, tput[FLOOR])})")
    for target in targets:
        for shape, errors in target.errors.items():
            print(f"  {target.name}: {len(errors)} failed {shape} requests, first: {errors[0][:160]}")
        target.errors.clear()
    off = lat[OFF]
    rows: list[tuple[str, str, bool | None]] = []
    if base:
        rows.append(("caches off: mixed throughput >= 1.5x Virtuoso", _ratio(tput[OFF], base), tput[OFF] >= 1.5 * base))
        worst = max(shapes, key=lambda s: off[s] / peer[s])  # type: ignore[index]
        over = [s for s in shapes if off[s] > 2 * peer[s]]  # type: ignore[index]
        rows.append(("caches off: no shape > 2x Virtuoso",
                     f"worst {worst} {_ratio(off[worst], peer[worst])}" + (f"; over: {', '.join(over)}" if over else ""),  # type: ignore[index]
                     not over))
    slow = [s for s in shapes if s != "point" and off[s] > 1.3 * floor[s]]
    worst = max((s for s in shapes if s != "point"), key=lambda s: off[s] / floor[s])
    rows.append(("caches off: every shape <= 1.3x floor (point: by ms)",
                 f"worst {worst} {_ratio(off[worst], floor[worst])}" + (f"; over: {', '.join(slow)}" if slow else ""),
                 not slow))
    rows.append((f"caches off: point lookup <= {POINT_MS} ms", f"{off['point'] * 1000:.2f} ms",
                 off["point"] * 1000 <= POINT_MS))
    if base:
        rows.append(("caches on: mixed throughput >= 20x Virtuoso", _ratio(tput[ON], base), tput[ON] >= 20 * base))
    print(f"\ntargets, run {number}")
    for target, value, met in rows:
        print(f"  {target:<56}{value:<60} {'met' if met else 'NOT MET'}")
    return rows


def print_summary(runs: list[list[tuple[str, str, bool | None]]]) -> None:
    if len(runs) < 2:
        return
    print(f"\ntargets over {len(runs)} runs")
    for i, (target, _, _) in enumerate(runs[0]):
        marks = " ".join("met" if run[i][2] else "NOT MET" for run in runs)
        print(f"  {target:<56}{marks}")
