"""The shrink guard: a curated table that lost most of its rows since the published release stops the build.

An emptied or truncated table is valid input row by row (a findings.tsv cut to its header has no bad row), so
only a comparison with what was published catches it. Each release records its tables' row counts in
release.json (`curated_rows`); releases made before that recorded only `findings` and `references`. The operator
lets a deliberate shrink through with `evrdf build --allow-shrink`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evrdf.errors import SourceError
from evrdf.ingest.curated import Curated
from evrdf.release.index import ReleaseIndex, ReleaseRecord

MAX_LOSS = 0.5  # losing more than this share of a table's rows is a shrink
LOOK_BACK = 20  # releases walked back past SPARQL Update releases to find recorded counts
LEGACY_KEYS = {"findings": "findings.tsv", "references": "references.tsv"}


def row_counts(curated: Curated) -> dict[str, int]:
    """Data rows per curated table, as release.json records them."""
    counts: dict[str, int] = {s.file: 0 for s in curated.sources}
    rows = [t.row for t in curated.terms.values()] + [g.row for g in curated.genes.values()]
    rows += [p.row for p in curated.pairs] + [r.row for r in curated.references.values()]
    rows += [f.row for f in curated.findings] + [c.row for c in curated.citations]
    rows += [e.row for e in curated.exclusions] + [d.row for d in curated.drug_targets]
    for row in rows:
        counts[row.path.name] = counts.get(row.path.name, 0) + 1
    return dict(sorted(counts.items()))


def published_counts(store: Path) -> tuple[str, dict[str, int]] | None:
    """The row counts of the newest published release that recorded them (None on a first build)."""
    index = ReleaseIndex(store)
    record: ReleaseRecord | None = index.current()
    for _ in range(LOOK_BACK):
        if record is None:
            return None
        counts = _counts(record.info)
        if counts:
            return record.id, counts
        record = index.get(record.previous) if record.previous else None
    return None


def _counts(info: dict[str, Any]) -> dict[str, int]:
    recorded = info.get("curated_rows")
    if isinstance(recorded, dict):
        return {str(k): int(v) for k, v in recorded.items()}
    return {file: int(info[key]) for key, file in LEGACY_KEYS.items() if isinstance(info.get(key), int)}


def check_shrink(curated: Curated, store: Path, allow_shrink: bool = False) -> list[str]:
    """Raise on the first table that lost more than half its rows (unless allowed); returns what shrank."""
    published = published_counts(store)
    if published is None:
        return []
    release, before = published
    now = row_counts(curated)
    shrunk = []
    for file, count in sorted(before.items()):
        after = now.get(file, 0)
        if count > 0 and count - after > count * MAX_LOSS:
            message = (f"{after} data rows, {count} in the published release {release}: the table lost "
                       f"{count - after} of its rows ({(count - after) / count:.0%})")
            if not allow_shrink:
                raise SourceError(curated.directory / file, message + "; if that is meant, build with "
                                  "--allow-shrink; nothing was published")
            shrunk.append(f"{file}: {message}")
    return shrunk
