"""Triple-level difference between two releases, graph by graph, read from their N-Quads dumps.

Graphs whose dump sections have the same SHA-256 are equal and never read. A graph present on one side only is
wholly added or removed (its size is known). A graph on both sides with different bytes is compared as sets of
statement lines; statements with blank nodes are compared after relabelling their blank nodes by content (every build
mints fresh blank node ids). The metadata graph describes the
releases themselves (including this changelog) and is not compared.

Besides the counts, the diff keeps what a term-level summary needs: the changed statements of compared graphs
and, for graphs added or removed whole, the statements that type a term or a finding and the labels, parents
and deprecations of those subjects (found by searching the bytes, so a million-triple import without terms is
not split into lines at all).
"""

from __future__ import annotations

import hashlib
import tempfile
from array import array
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from evrdf.release.dump import Dump, lines

RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OWL = "http://www.w3.org/2002/07/owl#"
TERM_TYPES = tuple(f"<{OWL}{name}>".encode() for name in
                   ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual"))
TERM_PREDICATES = tuple(p.encode() for p in (
    "<http://www.w3.org/2000/01/rdf-schema#label>", "<http://www.w3.org/2000/01/rdf-schema#subClassOf>",
    f"<{OWL}deprecated>", "<http://purl.obolibrary.org/obo/IAO_0100001>"))
SMALL_SECTION = 8 << 20  # below this a whole-graph section is split into lines; above, searched
BUCKET_BYTES = 32 << 20  # a changed graph's two sections are compared about this many bytes at a time
PIECE_BYTES = 16 << 20  # a changed graph's sections are read this many bytes at a time
STREAM_LINES = 300_000  # lines left unmatched while streaming both sections side by side before using buckets


@dataclass
class GraphDiff:
    graph: str
    before: int
    after: int
    added: int = 0
    removed: int = 0


@dataclass
class TripleDiff:
    """Per-graph counts, and the statements (N-Quads lines) the term-level summary reads."""

    graphs: dict[str, GraphDiff] = field(default_factory=dict)
    added: list[bytes] = field(default_factory=list)
    removed: list[bytes] = field(default_factory=list)
    typed_before: set[bytes] = field(default_factory=set)  # type statements seen in the old release's read graphs
    typed_after: set[bytes] = field(default_factory=set)

    @property
    def triples_added(self) -> int:
        return sum(g.added for g in self.graphs.values())

    @property
    def triples_removed(self) -> int:
        return sum(g.removed for g in self.graphs.values())


def compare(old: Dump | None, new: Dump, skip: frozenset[str] = frozenset(), vocab: str = "") -> TripleDiff:
    """What changed from ``old`` to ``new`` (``old`` None: the first release, everything is added).

    ``vocab`` is the ontology namespace (its Finding class marks findings)."""
    finding = f"<{vocab}Finding>".encode() if vocab else b""
    result = TripleDiff()
    before = {} if old is None else old.sections
    for graph in sorted((set(before) | set(new.sections)) - skip):
        if graph in before and graph in new.sections:
            if before[graph].sha256 == new.sections[graph].sha256:
                continue
            assert old is not None
            _changed(result, graph, old, new, finding, (old.size(graph), new.size(graph)))
        elif graph in new.sections:
            size = new.size(graph)
            result.graphs[graph] = GraphDiff(graph, 0, size, added=size)
            whole = _relevant_of(new, graph, finding)
            result.added += whole
            result.typed_after.update(line for line in whole if RDF_TYPE in line)
        else:
            assert old is not None
            size = old.size(graph)
            result.graphs[graph] = GraphDiff(graph, size, 0, removed=size)
            whole = _relevant_of(old, graph, finding)
            result.removed += whole
            result.typed_before.update(line for line in whole if RDF_TYPE in line)
    return result


def _changed(result: TripleDiff, graph: str, old: Dump, new: Dump, finding: bytes, sizes: tuple[int, int],
             bucket_bytes: int = BUCKET_BYTES, stream_lines: int = STREAM_LINES,
             piece_bytes: int = PIECE_BYTES) -> None:
    """Compare one graph's two sections as sets of lines. First side by side (``_streamed``: both dumps list a
    graph in the store's index order, so the few lines that differ are all that is left over); if more than
    ``stream_lines`` lines stay unmatched, or a line recurs on one side, a bucket at a time: both sections are read
    in pieces and
    each line goes to the bucket its hash picks (a scratch file each when the sections are larger than
    ``bucket_bytes``), so that a line of one release can only equal a line of the same bucket of the other and the
    set operations (in C) hold one pair of buckets at a time, not both sections. Only when a differing line holds
    a blank node are the blank-node statements of both sides relabelled by content and compared."""
    parts = max(1, -(-(old.sections[graph].length + new.sections[graph].length) // bucket_bytes))
    tail = f" <{graph}> .".encode()
    kinds = TERM_TYPES + ((finding,) if finding else ())
    typed = [b" " + RDF_TYPE + b" " + kind + tail for kind in kinds]
    old_side, new_side = _Seen([]), _Seen(typed)  # the old side's type statements follow from the new side's
    streamed = _streamed(old.chunks(graph, piece_bytes), new.chunks(graph, piece_bytes), old_side, new_side,
                         stream_lines)
    if streamed is not None:
        added, removed = streamed
        # every line is added, removed or on both sides: a type statement of the old side is one removed, or one
        # of the new side's not added
        old_side.typed = {line for line in new_side.typed if line not in added} | {
            line for line in removed if any(needle in line for needle in typed)}
    else:
        added, removed = set(), set()
        with tempfile.TemporaryDirectory(prefix="evrdf-diff-") as scratch:
            old_side = _Side(old.chunks(graph, piece_bytes), parts, Path(scratch) / "old", typed)
            new_side = _Side(new.chunks(graph, piece_bytes), parts, Path(scratch) / "new", typed)
            for part in range(parts):
                old_lines, new_lines = old_side.bucket(part), new_side.bucket(part)
                added |= {line for line in new_lines - old_lines if line and not line.startswith(b"#")}  # (#: comment)
                removed |= {line for line in old_lines - new_lines if line and not line.startswith(b"#")}
                del old_lines, new_lines
    if any(b"_:" in line for line in added) or any(b"_:" in line for line in removed):
        old_blank, new_blank = old_side.blank, new_side.blank
        added -= new_blank
        removed -= old_blank
        old_canon, new_canon = _canonical(sorted(old_blank), graph), _canonical(sorted(new_blank), graph)
        added |= new_canon - old_canon
        removed |= old_canon - new_canon
    if not added and not removed:  # equal, written differently (fresh blank node ids)
        return
    result.graphs[graph] = GraphDiff(graph, sizes[0], sizes[1], len(added), len(removed))
    result.added += sorted(added)
    result.removed += sorted(removed)
    # whether each changed subject is a term or a finding, before and after: its type statement, looked up among
    # the type statements of each side (written one way by Oxigraph and the importer alike: '<s> <p> <o> <g> .')
    subjects = {line.split(b" ", 1)[0] for line in added | removed if line.startswith(b"<")}
    candidates = [s + b" " + RDF_TYPE + b" " + kind + tail for s in subjects for kind in kinds]
    result.typed_before.update(c for c in candidates if c in old_side.typed)
    result.typed_after.update(c for c in candidates if c in new_side.typed)


def _streamed(old_pieces: Iterator[bytes], new_pieces: Iterator[bytes], old_seen: _Seen, new_seen: _Seen,
              limit: int) -> tuple[set[bytes], set[bytes]] | None:
    """The lines added and removed, reading both sections piece by piece side by side: the lines of the pieces
    read so far that the other side has not matched yet are kept, and a line matched drops out of both. Both
    dumps list a graph in the store's index order, so what is kept is the few lines that differ plus the lines
    near the pieces' ends; None (compare in buckets) if more than ``limit`` lines are kept at once, or if a line
    left over had been matched already (a line that recurs on one side, or two lines with one hash: decided
    exactly by the buckets). The comparison is of the lines' bytes, as sets."""
    old_left: set[bytes] = set()
    new_left: set[bytes] = set()
    matched = array("q")  # hashes of the lines matched (8 bytes each)
    for old_piece, new_piece in zip_longest(old_pieces, new_pieces, fillvalue=b""):
        old_seen.see(old_piece)
        new_seen.see(new_piece)
        old_left.update(old_piece.split(b"\n"))
        new_left.update(new_piece.split(b"\n"))
        both = old_left & new_left
        old_left -= both
        new_left -= both
        matched.extend(map(hash, both))
        del both
        if len(old_left) + len(new_left) > limit:
            return None
    added = {line for line in new_left if line and not line.startswith(b"#")}  # (#: comment)
    removed = {line for line in old_left if line and not line.startswith(b"#")}
    if not set(map(hash, added | removed)).isdisjoint(matched):
        return None
    return added, removed


class _Seen:
    """What the comparison looks up across a section's pieces: the statements holding a blank node and the lines
    that may type a subject (holding one of ``typed``)."""

    def __init__(self, typed: list[bytes]):
        self.needles = typed
        self.blank: set[bytes] = set()
        self.typed: set[bytes] = set()

    def see(self, piece: bytes) -> None:
        self.blank.update(line for line in _lines_with(piece, b"_:") if not line.startswith(b"#"))
        for needle in self.needles:
            self.typed.update(_lines_with(piece, needle))


class _Side(_Seen):
    """One release's section of a graph, its lines put in ``parts`` buckets by their hash (in memory when there
    is one bucket, else one scratch file each), with what the comparison looks up across buckets (``_Seen``)."""

    def __init__(self, pieces: Iterator[bytes], parts: int, directory: Path, typed: list[bytes]):
        super().__init__(typed)
        self.parts = parts
        self.paths = [directory.with_name(f"{directory.name}-{n}") for n in range(parts)]
        self.memory: list[bytes] = []
        handles = [path.open("wb") for path in self.paths] if parts > 1 else []
        try:
            for piece in pieces:
                self.see(piece)
                if parts == 1:
                    self.memory.append(piece)
                    continue
                buckets: list[list[bytes]] = [[] for _ in range(parts)]
                for line in piece.split(b"\n"):
                    buckets[hash(line) % parts].append(line)
                for handle, bucket in zip(handles, buckets, strict=True):
                    if bucket:
                        handle.write(b"\n".join(bucket) + b"\n")
        finally:
            for handle in handles:
                handle.close()

    def bucket(self, part: int) -> set[bytes]:
        """The lines of one bucket (with an empty line or two: pieces end at line breaks)."""
        if self.parts == 1:
            return set(b"".join(self.memory).split(b"\n"))
        return set(self.paths[part].read_bytes().split(b"\n"))


def _canonical(statements: list[bytes], graph: str) -> set[bytes]:
    """Blank-node statements with their blank nodes relabelled by content, so that equal structures get equal
    labels in both releases: a node's label hashes its own statements (recursively through the blank nodes it
    points to) and where it hangs from (the named or labelled subjects pointing to it, with the property), as
    colour refinement for RDF isomorphism does (Hogan, "Canonical Forms for Isomorphic and Equivalent RDF
    Graphs", 2017). Blank nodes still alike after that are automorphic; they are numbered in turn. Trees of
    blank nodes (OWL restrictions, lists, checksums: all evrdf publishes) are labelled exactly."""
    if not statements:
        return set()
    triples = [(str(q.subject), str(q.predicate), str(q.object)) for q in
               ox.parse(b"\n".join(statements) + b"\n", format=ox.RdfFormat.N_QUADS)]
    outgoing: dict[str, list[tuple[str, str]]] = {}
    incoming: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in triples:
        if s.startswith("_:"):
            outgoing.setdefault(s, []).append((p, o))
        if o.startswith("_:"):
            incoming.setdefault(o, []).append((s, p))
    content: dict[str, str] = {}
    context: dict[str, str] = {}

    def own(node: str, path: frozenset[str]) -> str:
        if node not in content:
            if node in path:  # a cycle of blank nodes: stop here, the rest of the cycle still labels it
                return "cycle"
            parts = sorted(f"{p} {own(o, path | {node}) if o.startswith('_:') else o}"
                           for p, o in outgoing.get(node, []))
            content[node] = _digest("\n".join(parts))
        return content[node]

    def where(node: str, path: frozenset[str]) -> str:
        if node not in context:
            if node in path:
                return "cycle"
            parts = sorted(f"{where(s, path | {node}) if s.startswith('_:') else s} {p}"
                           for s, p in incoming.get(node, []))
            context[node] = _digest(own(node, frozenset()) + "\n" + "\n".join(parts))
        return context[node]

    labels: dict[str, str] = {}
    seen: dict[str, int] = {}
    for node in sorted(set(outgoing) | set(incoming), key=lambda n: where(n, frozenset())):
        label = where(node, frozenset())
        seen[label] = seen.get(label, 0) + 1
        labels[node] = f"_:c{label}{seen[label] if seen[label] > 1 else ''}"
    tail = f" <{graph}> .".encode()
    return {f"{labels.get(s, s)} {p} {labels.get(o, o)}".encode() + tail for s, p, o in triples}


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _relevant_of(dump: Dump, graph: str, finding: bytes) -> list[bytes]:
    """_relevant of a graph's section; a large one searched a piece at a time (a findings graph is 300 MB)."""
    if dump.sections[graph].length <= SMALL_SECTION:
        return _relevant(dump.read(graph), finding)
    return _searched(lambda: dump.chunks(graph), finding)


def _relevant(data: bytes, finding: bytes) -> list[bytes]:
    """Of a graph added or removed whole: statements typing terms and findings, and the labels, parents and
    deprecations of the subjects they type."""
    if len(data) <= SMALL_SECTION:
        return _walk(data, finding)
    return _searched(lambda: iter([data]), finding)


def _walk(data: bytes, finding: bytes) -> list[bytes]:
    types = TERM_TYPES + ((finding,) if finding else ())
    everything = list(lines(data))
    typed = [line for line in everything if RDF_TYPE in line and any(t in line for t in types)]
    subjects = {line.split(b" ", 1)[0] for line in typed}
    return typed + [line for line in everything if line.split(b" ", 1)[0] in subjects
                    and line.split(b" ", 2)[1] in TERM_PREDICATES]


def _searched(pieces: Callable[[], Iterator[bytes]], finding: bytes) -> list[bytes]:
    """_relevant of a large section, given as pieces that each end at a line break, found by searching each
    piece (bytes.find runs in C) rather than splitting every line out."""
    types = TERM_TYPES + ((finding,) if finding else ())
    owl = b" " + RDF_TYPE + b" <" + OWL.encode()  # one search for the OWL types, one for findings
    owl_typed: list[bytes] = []
    finding_typed: list[bytes] = []
    typed: list[bytes] = []  # as walking every line finds them
    for piece in pieces():
        owl_typed += [line for line in _lines_with(piece, owl) if any(b" " + t + b" " in line for t in TERM_TYPES)]
        if finding:
            finding_typed += _lines_with(piece, b" " + RDF_TYPE + b" " + finding + b" ")
        typed += [line for _, line in _statements(piece, RDF_TYPE) if any(t in line for t in types)]
    found = owl_typed + finding_typed
    subjects = {line.split(b" ", 1)[0] for line in found}
    if len(subjects) > 100:  # many typed subjects (a findings table, an ontology added whole): what walking every
        # line finds, in its order, with one search per predicate rather than one per subject
        described: list[bytes] = []
        walked = {line.split(b" ", 1)[0] for line in typed}
        for piece in pieces():
            described += [line for _, line in sorted(
                (at, line) for predicate in TERM_PREDICATES for at, line in _statements(piece, predicate)
                if line.split(b" ", 1)[0] in walked and line.split(b" ", 2)[1] == predicate)]
        return typed + described
    each: dict[tuple[bytes, bytes], list[bytes]] = {(s, p): [] for s in subjects for p in TERM_PREDICATES}
    for piece in pieces():
        for subject in subjects:
            for predicate in TERM_PREDICATES:
                each[subject, predicate] += [line for line in _lines_with(piece, subject + b" " + predicate + b" ")
                                             if line.startswith(subject)]
    return found + [line for subject in subjects for predicate in TERM_PREDICATES for line in each[subject, predicate]]


def _statements(data: bytes, needle: bytes) -> list[tuple[int, bytes]]:
    """The statements holding ``needle``, with their offsets, as ``lines`` gives them (comments skipped)."""
    found = []
    for at, line in _found(data, needle):
        line = line.rstrip(b"\r")
        if line and not line.startswith(b"#"):
            found.append((at, line))
    return found


def _lines_with(data: bytes, needle: bytes) -> list[bytes]:
    """Every line of ``data`` containing ``needle`` (bytes.find runs in C: fast over hundreds of MB)."""
    return [line for _, line in _found(data, needle)]


def _found(data: bytes, needle: bytes) -> list[tuple[int, bytes]]:
    """Every line of ``data`` containing ``needle``, with its offset, in order (a line holding it twice: once)."""
    found, at = [], data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        found.append((start, data[start:end]))
        at = data.find(needle, end)
    return found
