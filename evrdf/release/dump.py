"""A release's N-Quads dump, read graph by graph.

The dump has one contiguous section per named graph; release.json records where each one is and its SHA-256
(``"dump": {graph: {"offset", "length", "sha256"}}``), so comparing two releases reads only the graphs whose
checksums differ. Dumps written before that index existed are scanned once to find their sections.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator

from evrdf.errors import StoreError
from evrdf.release.index import DUMP, ReleaseRecord


@dataclass(frozen=True)
class Section:
    offset: int
    length: int
    sha256: str


def sections_from(index: dict[str, dict[str, Any]]) -> dict[str, Section]:
    return {g: Section(int(s["offset"]), int(s["length"]), str(s["sha256"])) for g, s in index.items()}


class Dump:
    """The named graphs of one dump file: their sections, sizes (triples) and bytes."""

    def __init__(self, path: Path, sections: dict[str, Section] | None = None, sizes: dict[str, int] | None = None):
        self.path = path
        self.sections = sections if sections is not None else scan(path)
        self.sizes = dict(sizes or {})

    @classmethod
    def of(cls, record: ReleaseRecord) -> "Dump":
        path = record.file(DUMP)
        if path is None:
            raise StoreError(f"release {record.id} has no N-Quads dump in {record.files}")
        index = record.info.get("dump")
        sizes = {str(g): int(n) for g, n in dict(record.info.get("graphs") or {}).items()}
        return cls(path, sections_from(index) if isinstance(index, dict) else None, sizes)

    def read(self, graph: str) -> bytes:
        section = self.sections[graph]
        with _open(self.path) as handle:
            handle.seek(section.offset)
            data = handle.read(section.length)
        if len(data) != section.length:
            raise StoreError(f"{self.path}: the section of <{graph}> is cut short (damaged dump?)")
        return data

    def chunks(self, graph: str, size: int = 32 << 20) -> Iterator[bytes]:
        """The section of ``graph`` in pieces of about ``size`` bytes, each ending at a line break (so every
        statement is whole in one piece): a large section is searched without holding all of it."""
        section = self.sections[graph]
        left, tail = section.length, b""
        plain = self.path.suffix != ".gz"  # (a gzip stream seeks back by decompressing again from its start)
        with _open(self.path) as handle:
            handle.seek(section.offset)
            while left > 0:
                block = handle.read(min(size, left))
                if not block:
                    raise StoreError(f"{self.path}: the section of <{graph}> is cut short (damaged dump?)")
                left -= len(block)
                if left > 0 and plain and not tail:
                    cut = block.rfind(b"\n")
                    if cut >= 0:  # the piece ends at its last line break; the rest is read again with the next
                        back = len(block) - cut - 1
                        if back:
                            handle.seek(-back, os.SEEK_CUR)
                            left += back
                            block = block[:cut + 1]
                        yield block
                        continue
                block, cut = tail + block, -1
                if left > 0:
                    cut = block.rfind(b"\n")
                    if cut < 0:
                        tail = block
                        continue
                    tail, block = block[cut + 1:], block[:cut + 1]
                else:
                    tail = b""
                yield block
        if tail:
            yield tail

    def size(self, graph: str) -> int:
        """Triples in the graph: as the release recorded it, else counted from its section."""
        if graph not in self.sizes:
            self.sizes[graph] = sum(1 for _ in lines(self.read(graph)))
        return self.sizes[graph]


def lines(data: bytes) -> Iterator[bytes]:
    """The statements of a section (comment and blank lines skipped; a staged import starts with one)."""
    for line in data.split(b"\n"):
        line = line.rstrip(b"\r")
        if line and not line.startswith(b"#"):
            yield line


def graph_of(line: bytes) -> str:
    """The graph IRI of an N-Quads statement line ('<s> <p> <o> <g> .')."""
    body = line.rstrip()
    body = body[:-1].rstrip() if body.endswith(b".") else body
    start = body.rfind(b" <")
    return body[start + 2:-1].decode("utf-8") if start >= 0 and body.endswith(b">") else ""


def scan(path: Path) -> dict[str, Section]:
    """Find the sections of a dump without an index: one pass, grouping consecutive lines by graph."""
    found: dict[str, Section] = {}
    current, start, offset = "", 0, 0
    digest = hashlib.sha256()

    def close(end: int) -> None:
        if current:
            if current in found:
                raise StoreError(f"{path}: graph <{current}> is split over two sections; cannot compare it")
            found[current] = Section(start, end - start, digest.hexdigest())

    with _open(path) as handle:
        for line in handle:
            if line.strip() and not line.startswith(b"#"):
                graph = graph_of(line)
                if graph != current:
                    close(offset)
                    current, start, digest = graph, offset, hashlib.sha256()
            digest.update(line)
            offset += len(line)
    close(offset)
    return found


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
