"""A graph added (or removed) whole: the changelog reads its typing statements and the labels, parents and
deprecations of what they type. A section above SMALL_SECTION is searched rather than split into lines; the
search must find exactly what reading every line finds, in the same order."""

from __future__ import annotations

import pytest

from evrdf.release.diff import OWL, RDF_TYPE, SMALL_SECTION, TERM_PREDICATES, TERM_TYPES, _relevant

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
