"""CPU seconds and peak RSS per stage of a command that prints ``stage NAME: S s`` as each stage ends.

`evrdf build` prints them, e.g.::

    nice .venv/bin/python bench/curation/stages.py .venv/bin/evrdf build --no-reason --store S --sources D

The child's RSS and CPU time (user + system, all its threads, from /proc) are sampled twice a second; a stage's
figures run from the previous stage line to its own. Prints one line per stage and the totals.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time

STAGE = re.compile(r"stage (\S+): ([0-9.]+) s")
TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _rss(pid: int) -> int:
    """Resident MB (0 once the process has exited: a zombie has no memory)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        return next((int(line.split()[1]) // 1024 for line in handle if line.startswith("VmRSS")), 0)


def main(command: list[str]) -> int:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, cpu, lock = [0], [0.0], threading.Lock()

    def sample() -> None:
        while process.poll() is None:
            try:
                rss, used = _rss(process.pid), _cpu(process.pid)
            except (OSError, IndexError):
                break
            with lock:
                peak[0], cpu[0] = max(peak[0], rss), used
            time.sleep(0.5)

    threading.Thread(target=sample, daemon=True).start()
    started, rows, before, top = time.perf_counter(), [], 0.0, 0
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        match = STAGE.search(line)
        if match:
            with lock:
                used = _cpu(process.pid)
                rows.append((match.group(1), float(match.group(2)), used - before, peak[0]))
                before, top, peak[0] = used, max(top, peak[0]), _rss(process.pid)
    process.wait()
    wall = time.perf_counter() - started
    with lock:
        top = max(top, peak[0])
    print(f"{'stage':<12} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")
    for name, seconds, used, rss in rows:
        print(f"{name:<12} {seconds:>7.2f} {used:>7.2f} {rss:>8}")
    print(f"{'total':<12} {wall:>7.2f} {cpu[0]:>7.2f} {top:>8}  (CPU: last sample; /usr/bin/time gives the exact)")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
