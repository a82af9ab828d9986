"""A graph on both sides whose bytes differ is compared side by side, piece by piece, or (when too much is
left over, or a line recurs) a bucket of lines at a time (its lines put in buckets by their hash, one scratch file
each) rather than as two whole sets of lines; the changes found, the blank-node statements relabelled by content
and the type statements looked up must be exactly what comparing the two sections whole as sets of lines finds
(the specification below)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evrdf.release.diff import RDF_TYPE, TERM_PREDICATES, TERM_TYPES, GraphDiff, TripleDiff, _canonical, _changed
from evrdf.release.dump import Dump, Section

G = "https://w3id.org/evrdf/graph/g"
GRAPH = f"<{G}>".encode()
FINDING = b"<https://w3id.org/evrdf/ontology/Finding>"
LABEL = TERM_PREDICATES[0]
RESTRICTION = b"<http://www.w3.org/2002/07/owl#onProperty>"


def _whole(old: bytes, new: bytes, sizes: tuple[int, int]) -> TripleDiff:
    """The specification: both sections as sets of lines (what the comparison did before it read in buckets)."""
    result = TripleDiff()
    old_lines, new_lines = set(old.split(b"\n")), set(new.split(b"\n"))
    added = {line for line in new_lines - old_lines if line and not line.startswith(b"#")}
    removed = {line for line in old_lines - new_lines if line and not line.startswith(b"#")}
    if any(b"_:" in line for line in added | removed):
        old_blank = {line for line in old_lines if b"_:" in line and not line.startswith(b"#")}
        new_blank = {line for line in new_lines if b"_:" in line and not line.startswith(b"#")}
        added -= new_blank
        removed -= old_blank
        old_canon, new_canon = _canonical(sorted(old_blank), G), _canonical(sorted(new_blank), G)
        added |= new_canon - old_canon
        removed |= old_canon - new_canon
    if not added and not removed:
        return result
    result.graphs[G] = GraphDiff(G, sizes[0], sizes[1], len(added), len(removed))
    result.added += sorted(added)
    result.removed += sorted(removed)
    tail = b" " + GRAPH + b" ."
    subjects = {line.split(b" ", 1)[0] for line in added | removed if line.startswith(b"<")}
    candidates = [s + b" " + RDF_TYPE + b" " + kind + tail for s in subjects for kind in TERM_TYPES + (FINDING,)]
    result.typed_before.update(c for c in candidates if c in old_lines)
    result.typed_after.update(c for c in candidates if c in new_lines)
    return result


def _section(findings: int, edited: set[int], dropped: set[int], extra: int, blank_from: int, relabel: bool) -> bytes:
    """A findings graph: type, label and statement of each finding, and for some an OWL restriction held by a
    blank node (labelled afresh when ``relabel``, as every build mints new blank node ids)."""
    out = [b"# a staged import starts with a comment"]
    for n in list(range(findings)) + [findings + k for k in range(extra)]:
        if n in dropped:
            continue
        s = f"<https://w3id.org/evrdf/finding/f-{n}>".encode()
        text = b"x" * 120 + (b" (edited)" if n in edited else b"")
        out.append(s + b" " + RDF_TYPE + b" " + FINDING + b" " + GRAPH + b" .")
        out.append(s + b" " + LABEL + f' "finding {n}"@en '.encode() + GRAPH + b" .")
        out.append(s + b' <https://w3id.org/evrdf/ontology/statement> "' + text + b'" ' + GRAPH + b" .")
        if n >= blank_from:
            node = f"_:b{n + 7 if relabel else n}".encode()
            out.append(s + b" <http://www.w3.org/2000/01/rdf-schema#subClassOf> " + node + b" " + GRAPH + b" .")
            out.append(node + b" " + RESTRICTION + b" <https://w3id.org/evrdf/ontology/carries> " + GRAPH + b" .")
            value = b"CCL5" if n not in edited else b"CCL2"
            out.append(node + b' <http://www.w3.org/2002/07/owl#someValuesFrom> "' + value + b'" ' + GRAPH + b" .")
    out.append(b"<https://w3id.org/evrdf/ontology/C1> " + RDF_TYPE + b" <http://www.w3.org/2002/07/owl#Class> "
               + GRAPH + b" .")
    return b"\n".join(out) + b"\n"


def _dump(path: Path, data: bytes) -> Dump:
    prefix = b"<https://w3id.org/evrdf/x> <https://w3id.org/evrdf/y> <https://w3id.org/evrdf/z> <urn:other> .\n"
    path.write_bytes(prefix + data)
    section = Section(len(prefix), len(data), hashlib.sha256(data).hexdigest())
    return Dump(path, {G: section}, {G: sum(1 for line in data.split(b"\n") if line and not line.startswith(b"#"))})


Change = tuple[set[int], set[int], int, int, bool]  # edited, dropped, extra rows, blank nodes from, relabelled
CASES: dict[str, Change] = {
    "rows edited": ({3, 50, 700, 1999}, set(), 0, 10_000, False),
    "rows added": (set(), set(), 40, 10_000, False),
    "rows removed": (set(), {0, 1, 2, 1500}, 0, 10_000, False),
    "blank nodes relabelled, one changed": ({1900}, set(), 0, 1800, True),
    "blank nodes relabelled only": (set(), set(), 0, 1800, True),
    "everything at once": ({5, 1850}, {7, 1990}, 12, 1800, True),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(("bucket_bytes", "stream_lines", "piece_bytes"), [
    (1 << 30, 0, 32 << 20), (64 << 10, 0, 32 << 20), (4 << 10, 0, 4 << 10),  # in buckets (streaming gives up)
    (4 << 10, 1 << 20, 32 << 20), (4 << 10, 1 << 20, 4 << 10), (4 << 10, 1 << 20, 700)])  # side by side
def test_a_changed_graph_compared_in_buckets_finds_what_comparing_it_whole_finds(
        tmp_path: Path, case: str, bucket_bytes: int, stream_lines: int, piece_bytes: int) -> None:
    edited, dropped, extra, blank_from, relabel = CASES[case]
    old_data = _section(2000, set(), set(), 0, blank_from, False)
    new_data = _section(2000, edited, dropped, extra, blank_from, relabel)
    old, new = _dump(tmp_path / "old.nq", old_data), _dump(tmp_path / "new.nq", new_data)
    sizes = (old.size(G), new.size(G))
    expected = _whole(old_data, new_data, sizes)
    found = TripleDiff()
    _changed(found, G, old, new, FINDING, sizes, bucket_bytes=bucket_bytes, stream_lines=stream_lines,
             piece_bytes=piece_bytes)
    assert found == expected
    if case == "blank nodes relabelled only":
        assert found.graphs == {}
    else:
        assert found.added or found.removed
        assert found.typed_before or found.typed_after


@pytest.mark.parametrize("piece_bytes", [32 << 20, 4 << 10])
def test_a_line_that_recurs_on_one_side_is_compared_as_a_set(tmp_path: Path, piece_bytes: int) -> None:
    """A verbatim import may repeat a line: side by side, its second copy would be left over (matched already);
    the comparison then falls back to the buckets and still compares sets of lines."""
    old_data = _section(2000, set(), set(), 0, 10_000, False)
    new_data = _section(2000, {3, 1500}, set(), 0, 10_000, False)
    lines = old_data.split(b"\n")
    old_data = b"\n".join(lines + lines[:5]) + b"\n"  # the first five lines again, at the end of the old side
    old, new = _dump(tmp_path / "old.nq", old_data), _dump(tmp_path / "new.nq", new_data)
    sizes = (old.size(G), new.size(G))
    expected = _whole(old_data, new_data, sizes)
    found = TripleDiff()
    _changed(found, G, old, new, FINDING, sizes, bucket_bytes=64 << 10, piece_bytes=piece_bytes)
    assert found == expected
    assert not set(lines[:5]) & set(found.removed)
