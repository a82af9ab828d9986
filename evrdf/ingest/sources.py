"""sources.toml: one [[source]] per (table, upstream), copied into the graph as PROV-O/DCAT provenance."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from evrdf.errors import SourceError


@dataclass(frozen=True)
class Source:
    key: str
    file: str
    title: str
    graph: str
    license: str
    upstream: str
    citation: str
    references: tuple[str, ...] = ()


def read_sources(path: Path) -> list[Source]:
    if not path.is_file():
        raise SourceError(path, "file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SourceError(path, "not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SourceError(path, f"TOML syntax error: {exc}", line=int(match.group(1)) if match else None) from None
    sources = []
    for index, entry in enumerate(data.get("source", []), start=1):
        for key in ("key", "file", "title", "graph", "license"):
            if not entry.get(key):
                raise SourceError(path, f"[[source]] number {index} has no '{key}'", field=key)
        if not str(entry["license"]).startswith(("http://", "https://")):
            raise SourceError(path, f"[[source]] {entry['key']}: license must be an IRI", field="license")
        sources.append(Source(entry["key"], entry["file"], entry["title"], entry["graph"], entry["license"],
                              entry.get("upstream", ""), entry.get("citation", ""),
                              tuple(entry.get("references", ()))))
    keys = [s.key for s in sources]
    for key in keys:
        if keys.count(key) > 1:
            raise SourceError(path, f"duplicate [[source]] key {key!r}", field="key")
    if not sources:
        raise SourceError(path, "no [[source]] entries")
    return sources
