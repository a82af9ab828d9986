"""Benchmark: what the changelog costs a build, at about a million triples.

    .venv/bin/python bench/release/bench.py [--entries 100000] [--work var/bench/release]

A Vesiclepedia-format import (bench/import/generate.py; 100,000 entries ≈ 1.14M quads) is staged into a fresh store,
then five releases are built in this process, each in a different situation:

1. first release: no previous one (the changelog still scans every new graph for terms and findings);
2. rebuild, nothing changed;
3. a curated change: a new finding and a relabelled term (the import unchanged, so its graph is skipped by
   checksum) — the usual release;
4. the import re-staged under the same graph name with 1% of its content lines changed: the million-triple graph
   is compared statement by statement;
5. a new database release (5.2): one million-triple graph removed, one added.

For each: the build's wall time (retention excluded: pruning old stores and compressing their dumps is timed on
its own), the changelog computed inside the build (compare + summarize), the SHA-256 the dump writer computes per
graph section so that equal graphs can be skipped (timed here over the same bytes), their ratio, and the same diff
re-run from the files as `evrdf diff` does. For scenario 4, `sort` + `comm` over the two dumps is the
command-line floor a user might reach for instead (it only finds changed lines; no per-graph counts, no blank
node matching, no term summary).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "import")]

from generate import generate  # noqa: E402

import evrdf.release.retention as retention  # noqa: E402
import evrdf.store.oxigraph  # noqa: E402,F401  (its _prune imports retention.prune at call time)
from evrdf.pipeline.build import build  # noqa: E402
from evrdf.release.compare import between  # noqa: E402
from evrdf.release.index import ReleaseIndex  # noqa: E402
from evrdf.settings import Settings  # noqa: E402

EVRDF = [sys.executable, "-m", "evrdf"]


def run(*args: str) -> None:
    done = subprocess.run(EVRDF + list(args), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"evrdf {' '.join(args)} failed:\n{done.stderr}")


def checksum_seconds(dump: Path) -> float:
    """What the dump writer's per-section SHA-256 costs: hashing the same bytes once."""
    started = time.perf_counter()
    digest = hashlib.sha256()
    with dump.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return time.perf_counter() - started


def sort_comm_seconds(old: Path, new: Path, work: Path) -> float:
    started = time.perf_counter()
    env = dict(os.environ, LC_ALL="C")
    for source, target in ((old, work / "old.sorted"), (new, work / "new.sorted")):
        subprocess.run(["sort", "-S", "1G", "-o", str(target), str(source)], check=True, env=env)
    subprocess.run(f"comm -3 {work / 'old.sorted'} {work / 'new.sorted'} | wc -l", shell=True, check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def change_content(content: Path, every: int = 100) -> int:
    """Change the METHODS field of every ``every``-th content line (1%): a corrected database file."""
    lines = content.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for number in range(1, len(lines), every):
        cells = lines[number].rstrip("\n").split("\t")
        cells[-1] = "Flow cytometry"
        lines[number] = "\t".join(cells) + "\n"
        changed += 1
    content.write_text("".join(lines), encoding="utf-8")
    return changed


def change_curated(sources: Path) -> None:
    findings = sources / "curated" / "findings.tsv"
    rows = findings.read_text(encoding="utf-8").splitlines(keepends=True)
    last = [r for r in rows if r.strip() and not r.startswith("#")][-1].rstrip("\n").split("\t")
    last[0] += "-bench"
    findings.write_text("".join(rows) + "\t".join(last) + "\n", encoding="utf-8")
    cells = sources / "curated" / "cell_types.tsv"
    rows = cells.read_text(encoding="utf-8").splitlines(keepends=True)
    parts = rows[1].split("\t")
    parts[1] = "relabelled " + parts[1]
    rows[1] = "\t".join(parts)
    cells.write_text("".join(rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "release")
    args = parser.parse_args()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    sources, store, inputs = work / "ontology", work / "store", work / "input"
    shutil.copytree(ROOT / "ontology", sources)
    content, experiments = generate(args.entries, inputs)
    run("import", "vesiclepedia", str(content), "--experiments", str(experiments), "--store", str(store),
        "--sources", str(sources), "--no-validate")
    settings = Settings(store=store, sources=sources)

    retained = [0.0]
    original_prune = retention.prune

    def timed_prune(*a: object, **k: object) -> list[str]:
        started = time.perf_counter()
        try:
            return original_prune(*a, **k)  # type: ignore[arg-type]
        finally:
            retained[0] += time.perf_counter() - started

    retention.prune = timed_prune  # type: ignore[assignment]

    def step(name: str) -> dict[str, object]:
        retained[0] = 0.0
        report = build(settings, reason=False)
        index = ReleaseIndex(store)
        new = index.get(report.release)
        assert new is not None
        dump = new.files / "evrdf.nq"
        row: dict[str, object] = {"scenario": name, "release": report.release, "triples": report.triples,
                                  "build_s": round(report.seconds - retained[0], 2),
                                  "retention_s": round(retained[0], 2),
                                  "changelog_s": round(report.changelog_seconds, 3),
                                  "checksum_s": round(checksum_seconds(dump), 3),
                                  "changes": report.changes.headline() if report.changes else ""}
        row["diff_share_%"] = round(100 * (float(row["changelog_s"]) + float(row["checksum_s"]))  # type: ignore[arg-type]
                                    / float(row["build_s"]), 1)  # type: ignore[arg-type]
        if report.previous:
            old = index.get(report.previous)
            assert old is not None
            started = time.perf_counter()
            between(old, new)
            row["evrdf_diff_s"] = round(time.perf_counter() - started, 3)
        print(json.dumps(row), flush=True)
        return row

    rows = [step("1 first release")]
    rows.append(step("2 rebuild, nothing changed"))
    change_curated(sources)
    rows.append(step("3 new finding + relabelled term"))
    changed = change_content(content)
    run("import", "vesiclepedia", str(content), "--experiments", str(experiments), "--store", str(store),
        "--sources", str(sources), "--no-validate")
    rows.append(step(f"4 import re-staged, {changed} content lines changed"))
    index = ReleaseIndex(store)
    previous_dump = index.get(str(rows[-2]["release"]))
    current_dump = index.get(str(rows[-1]["release"]))
    assert previous_dump is not None and current_dump is not None
    old_path, new_path = previous_dump.file("evrdf.nq"), current_dump.file("evrdf.nq")
    if old_path is not None and new_path is not None and old_path.suffix == ".nq":
        rows[-1]["sort_comm_s"] = round(sort_comm_seconds(old_path, new_path, work), 2)
        print(json.dumps({"sort_comm_s": rows[-1]["sort_comm_s"]}), flush=True)
    (store / "imports" / "vesiclepedia-5.1.nq").unlink()
    run("import", "vesiclepedia", str(content), "--experiments", str(experiments), "--release", "5.2",
        "--store", str(store), "--sources", str(sources), "--no-validate")
    rows.append(step("5 new database release (graph renamed)"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (HERE / "results.json").write_text(json.dumps({"entries": args.entries, "rows": rows, "peak_rss_mb": round(rss)},
                                                  indent=1) + "\n", encoding="utf-8")
    print()
    print("| scenario | triples | build s | changelog s | checksums s | diff / build | `evrdf diff` s | retention s |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['scenario']} | {row['triples']:,} | {row['build_s']} | {row['changelog_s']} | "
              f"{row['checksum_s']} | {row['diff_share_%']} % | {row.get('evrdf_diff_s', '—')} | {row['retention_s']} |")
    print(f"\npeak RSS of this process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
