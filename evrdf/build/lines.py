"""A write-mostly graph kept as N-Triples lines, for the graphs that grow with the curated tables.

The findings graphs are built once, then only counted and serialized to N-Triples (for the gate and the release
store). An rdflib Graph indexes every triple three ways and costs ~1.4 KB of memory per triple, so a 50 MB
findings table (1.6 million triples) needed over 2 GB; as lines it needs the lines. Anything else asked of the
graph (a query, another format) is answered by parsing the lines into an ordinary Graph, once per change.
"""

from __future__ import annotations

import io
from itertools import islice
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral

NT_FORMATS = ("nt", "ntriples", "nt11", "application/n-triples")


class LineGraph(Graph):
    """An rdflib Graph whose triples are N-Triples lines (a dict, so a triple added twice is one)."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: dict[bytes, None] = {}  # UTF-8 lines: joined into the serialization without a copy as str
        self._parsed: Graph | None = None
        self._freed = False
        self._file: Path | None = None  # where spill() wrote the lines
        self._count = 0
        self._iris: dict[URIRef, str] = {}  # IRIs as N-Triples, written once (URIRef.n3 checks the IRI each time)

    def add(self, triple: Any) -> LineGraph:
        self._check()
        if self._file is not None:
            raise RuntimeError(f"this graph's lines were written to {self._file}: it takes no more triples")
        s, p, o = triple
        # as rdflib's N-Triples serializer writes the triple (_nt_row), with the IRIs' text reused
        line = f"{self._text(s)} {self._text(p)} {_quoteLiteral(o) if isinstance(o, Literal) else self._text(o)} .\n"
        self._lines[line.encode("utf-8")] = None
        self._parsed = None
        return self

    def _text(self, term: Any) -> str:
        if type(term) is not URIRef:
            return str(term.n3())
        text = self._iris.get(term)
        if text is None:
            if len(self._iris) > 100_000:  # a finding's own IRI recurs only in its own rows: keep the cache small
                self._iris.clear()
            text = self._iris[term] = term.n3()
        return text

    def __len__(self) -> int:
        self._check()
        return self._count if self._file is not None else len(self._lines)

    def ntriples(self) -> bytes:
        self._check()
        return self._file.read_bytes() if self._file is not None else b"".join(self._lines)

    def spill(self, path: Path) -> None:
        """Write the lines to ``path`` and drop them from memory: the graph is complete, and from here on it is
        read from the file (the gate's in-memory dataset and the release's bulk load each read it once; at a
        50 MB findings table the lines held in memory beside the dataset were the build's peak)."""
        self._check()
        with path.open("wb") as out:
            for chunk in _chunks(self._lines):
                out.write(chunk)
        self._count, self._file, self._lines, self._iris = len(self._lines), path, {}, {}

    def parts(self, size: int) -> Iterator[IO[bytes]]:
        """The N-Triples as streams of at most ``size`` lines each (at least one stream, maybe empty): Oxigraph's
        on-disk bulk loader holds a whole load in memory while it sorts it (1.2 GB more at 1.6 million lines),
        a part at a time it holds one part."""
        self._check()
        with self._file.open("rb") if self._file is not None else io.BytesIO() as spilled:
            each = iter(spilled if self._file is not None else self._lines)
            part = list(islice(each, size))
            while True:
                yield io.BufferedReader(_LinesReader(_chunks(part)), 1 << 20)
                part = list(islice(each, size))
                if not part:
                    return

    def free(self) -> None:
        """Drop the lines once they are loaded wherever they go (hundreds of MB at a large findings table, needed
        by the later stages); the graph refuses any use afterwards rather than look empty."""
        self._lines, self._parsed, self._freed, self._iris = {}, None, True, {}
        if self._file is not None:
            self._file.unlink(missing_ok=True)

    def _check(self) -> None:
        if self._freed:
            raise RuntimeError("this graph's lines were freed after it was loaded")

    def reader(self) -> IO[bytes]:
        """The N-Triples as a stream of the lines: a bulk load reads them without a joined copy in memory."""
        self._check()
        if self._file is not None:
            return io.BufferedReader(_LinesReader(_file_chunks(self._file)), 1 << 20)
        return io.BufferedReader(_LinesReader(_chunks(self._lines)), 1 << 20)

    def serialize(self, *args: Any, **kwargs: Any) -> Any:
        """N-Triples straight from the lines; any other format (or a destination) through a parsed Graph."""
        fmt = kwargs.get("format", args[1] if len(args) > 1 else "turtle")
        if fmt in NT_FORMATS and not args and kwargs.get("destination") is None:
            encoding = kwargs.get("encoding")
            return self.ntriples() if encoding else self.ntriples().decode("utf-8")
        return self.parsed().serialize(*args, **kwargs)

    def triples(self, *args: Any, **kwargs: Any) -> Any:
        return self.parsed().triples(*args, **kwargs)

    def parsed(self) -> Graph:
        """The lines as an ordinary rdflib Graph (parsed on first use after a change)."""
        if self._parsed is None:
            graph = Graph()
            for prefix, namespace in self.namespaces():
                graph.bind(prefix, namespace)
            graph.parse(data=self.ntriples(), format="nt")
            self._parsed = graph
        return self._parsed


def _chunks(lines: Iterable[bytes], size: int = 4096) -> Iterator[bytes]:
    """The lines joined ``size`` at a time (one Python step per chunk, not per line)."""
    each = iter(lines)
    while chunk := b"".join(islice(each, size)):
        yield chunk


def _file_chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    """A file's bytes, ``size`` at a time (the file is closed at its end, or when the reader is dropped)."""
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


class _LinesReader(io.RawIOBase):
    """A readable raw stream over byte chunks (each handed out once, in order)."""

    def __init__(self, chunks: Iterator[bytes]):
        super().__init__()
        self._lines, self._pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        size = 0
        while size < len(view):
            if not self._pending:
                self._pending = next(self._lines, b"")
                if not self._pending:
                    break
            taken = self._pending[: len(view) - size]
            view[size:size + len(taken)] = taken
            size += len(taken)
            self._pending = self._pending[len(taken):]
        return size


def ntriples_input(graph: Graph) -> bytes | IO[bytes]:
    """A graph's N-Triples for a bulk load: a LineGraph's lines streamed, any other graph serialized."""
    if isinstance(graph, LineGraph):
        return graph.reader()
    return graph.serialize(format="nt", encoding="utf-8")
