"""A graph added (or removed) whole: the changelog reads its typing statements and the labels, parents and
deprecations of what they type. A section above SMALL_SECTION is searched rather than split into lines; the
search must find exactly what reading every line finds, in the same order."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from evrdf.release.diff import OWL, RDF_TYPE, SMALL_SECTION, TERM_PREDICATES, TERM_TYPES, _relevant, _searched
from evrdf.release.dump import Dump, Section

FINDING = b"<https://w3id.org/evrdf/ontology/Finding>"
GRAPH = b"<https://w3id.org/evrdf/graph/g>"
LABEL, SUBCLASS = TERM_PREDICATES[0], TERM_PREDICATES[1]


def _every_line(data: bytes) -> list[bytes]:
    """The specification: walk every statement line of the section."""
    statements = [line.rstrip(b"\r") for line in data.split(b"\n")]
    statements = [line for line in statements if line and not line.startswith(b"#")]
    typed = [line for line in statements if RDF_TYPE in line and any(t in line for t in TERM_TYPES + (FINDING,))]
    subjects = {line.split(b" ", 1)[0] for line in typed}
    return typed + [line for line in statements if line.split(b" ", 1)[0] in subjects
                    and line.split(b" ", 2)[1] in TERM_PREDICATES]


def _section(findings: int, classes: int, padding: int = 0) -> bytes:
    out = [b"# a staged import starts with a comment"]
    out += [f"<https://w3id.org/evrdf/other/p{n}> <https://w3id.org/evrdf/other/p> ".encode() + b'"' + b"y" * 200
            + b'" ' + GRAPH + b" ." for n in range(padding)]
    for n in range(findings):
        s = f"<https://w3id.org/evrdf/finding/f-{n}>".encode()
        out.append(s + b" " + RDF_TYPE + b" " + FINDING + b" " + GRAPH + b" .")
        out.append(s + b" " + LABEL + f' "f-{n}: a statement naming {LABEL.decode()} in its text"@en '.encode()
                   + GRAPH + b" .")
        out.append(s + b" <https://w3id.org/evrdf/ontology/statement> " + b'"' + b"x" * 150 + b'" ' + GRAPH + b" .")
    for n in range(classes):
        s = f"<https://w3id.org/evrdf/ontology/C{n}>".encode()
        out.append(s + b" " + SUBCLASS + b" <https://w3id.org/evrdf/ontology/Root> " + GRAPH + b" .")
        out.append(s + b" " + RDF_TYPE + f" <{OWL}Class> ".encode() + GRAPH + b" .")
        out.append(s + b" " + LABEL + f' "class {n}" .'.encode())  # in the default graph
    untyped = b"<https://w3id.org/evrdf/other/x> " + LABEL + b' "not typed" ' + GRAPH + b" ."
    return b"\n".join(out + [untyped]) + b"\n"


@pytest.mark.parametrize(("findings", "classes", "padding"), [(40_000, 300, 0), (40_000, 0, 0), (50, 20, 40_000)])
def test_a_large_section_is_searched_to_the_same_statements_as_walking_it(findings: int, classes: int,
                                                                          padding: int) -> None:
    data = _section(findings, classes, padding)
    assert len(data) > SMALL_SECTION
    expected = _every_line(data)
    assert len(expected) >= 2 * findings + 2 * classes
    found = _relevant(data, FINDING)
    if findings + classes > 100:  # many subjects: one search per predicate, found in the order of the section
        assert found == expected
    else:  # few subjects: searched subject by subject, the same statements
        assert sorted(found) == sorted(expected)


def test_a_small_section_is_walked() -> None:
    data = _section(30, 5)
    assert len(data) <= SMALL_SECTION
    assert _relevant(data, FINDING) == _every_line(data)


@pytest.mark.parametrize("size", [1, 1000, 1 << 16, 64 << 20])
def test_a_section_read_in_pieces_is_the_section_cut_at_line_breaks(tmp_path: Path, size: int) -> None:
    data = _section(200, 30)
    other = b"<https://w3id.org/evrdf/a> <https://w3id.org/evrdf/b> <https://w3id.org/evrdf/c> <g:other> .\n"
    (tmp_path / "evrdf.nq").write_bytes(other + data + other)
    dump = Dump(tmp_path / "evrdf.nq", {"g": Section(len(other), len(data), "")})
    pieces = list(dump.chunks("g", size))
    assert b"".join(pieces) == data == dump.read("g")
    assert all(piece.endswith(b"\n") for piece in pieces)
    assert (len(pieces) == 1) == (size >= len(data))


@pytest.mark.parametrize("size", [1, 1000, 1 << 16])
def test_a_gzipped_section_read_in_pieces_is_the_section_cut_at_line_breaks(tmp_path: Path, size: int) -> None:
    data = _section(200, 30)
    other = b"<https://w3id.org/evrdf/a> <https://w3id.org/evrdf/b> <https://w3id.org/evrdf/c> <g:other> .\n"
    (tmp_path / "evrdf.nq.gz").write_bytes(gzip.compress(other + data + other))
    dump = Dump(tmp_path / "evrdf.nq.gz", {"g": Section(len(other), len(data), "")})
    pieces = list(dump.chunks("g", size))
    assert b"".join(pieces) == data == dump.read("g")
    assert all(piece.endswith(b"\n") for piece in pieces)
    assert len(pieces) > 1


@pytest.mark.parametrize(("findings", "classes"), [(2000, 40), (30, 20)])
def test_a_section_searched_piece_by_piece_finds_what_walking_it_finds(tmp_path: Path, findings: int,
                                                                       classes: int) -> None:
    data = _section(findings, classes, padding=500)
    (tmp_path / "evrdf.nq").write_bytes(data)
    dump = Dump(tmp_path / "evrdf.nq", {"g": Section(0, len(data), "")})
    found = _searched(lambda: dump.chunks("g", 4096), FINDING)
    if findings + classes > 100:
        assert found == _every_line(data) == _searched(lambda: iter([data]), FINDING)
    else:
        assert sorted(found) == sorted(_every_line(data)) and found == _searched(lambda: iter([data]), FINDING)
