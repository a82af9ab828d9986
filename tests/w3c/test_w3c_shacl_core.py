"""The W3C SHACL Core test suite (vendored from the pySHACL 0.40.1 sdist), one test per manifest entry, on evrdf's
compiled engine (SHACL → SPARQL on Oxigraph, evrdf/validate/compile.py), with pySHACL, the reference, run on the
same entry. The compiled engine must give the expected validation report (conformance and every result's focus
node, path, value, severity, component and source shape), or refuse the shapes graph with an error naming the
feature it does not implement, never answer differently."""

from __future__ import annotations

import pytest

from evrdf.errors import SourceError
from tests.w3c import manifests, shacl
from tests.w3c.conftest import HERE

ENTRIES = {e.id: e for e in manifests.read(HERE / "shacl/core/manifest.ttl")}
# Entries the compiled engine refuses, each with the words its refusal must contain (the feature it names).
REFUSED: dict[str, str] = {
    "shacl/core/misc#severity-002": "custom severity",  # a severity IRI of its own: evrdf reports know three
}
# Entries where the engine finds exactly the expected violations but the store has changed a term it reports:
# Oxigraph 0.5.13 stores the ill-formed "300"^^xsd:byte (out of the byte range) as "300"^^xsd:integer, so the
# violation's sh:value is reported with the datatype the store kept, not the one the data was written with.
STORE_ALTERS_VALUE = {"shacl/core/property#datatype-ill-formed": ('"300"^^<http://www.w3.org/2001/XMLSchema#byte>',
                                                                 '"300"^^<http://www.w3.org/2001/XMLSchema#integer>')}


@pytest.mark.parametrize("entry_id", list(ENTRIES))
def test_compiled_engine(entry_id: str, record_property) -> None:  # type: ignore[no-untyped-def]
    entry = ENTRIES[entry_id]
    want = shacl.expected(entry)
    try:
        got = shacl.run_evrdf(entry)
    except SourceError as refusal:
        if want.failure:  # an ill-formed shapes graph: refusing it is the expected outcome (sht:Failure)
            record_property("conformance_note", f"sht:Failure expected; refused: {refusal}")
            return
        assert entry_id in REFUSED, f"{entry_id}: the engine refused the shapes: {refusal}"
        assert REFUSED[entry_id] in str(refusal)
        record_property("conformance_note", f"refused: {refusal}")
        return
    assert not want.failure, f"{entry_id}: the shapes graph is ill-formed (sht:Failure) but was accepted"
    assert entry_id not in REFUSED, f"{entry_id}: listed as refused, but the engine now answers it"
    assert (not got) == want.conforms
    if entry_id in STORE_ALTERS_VALUE:
        written, stored = STORE_ALTERS_VALUE[entry_id]
        restored = [tuple(written if part == stored else part for part in r) for r in got]
        assert shacl.same_results(want.results, restored), _difference(want.results, got)  # all else is right
        pytest.xfail(f"{entry_id}: the violation is found, its value reported as stored. Cause: Oxigraph stores "
                     f"{written} as {stored}")
    assert shacl.same_results(want.results, got), _difference(want.results, got)


@pytest.mark.parametrize("entry_id", list(ENTRIES))
def test_pyshacl_reference(entry_id: str) -> None:
    entry = ENTRIES[entry_id]
    want = shacl.expected(entry)
    if want.failure:
        with pytest.raises(Exception):  # noqa: B017  (the suite says only "failure", not which error)
            shacl.run_pyshacl(entry)
        return
    conforms, got = shacl.run_pyshacl(entry)
    if entry_id in PYSHACL_CAUSES and (conforms != want.conforms or not shacl.same_results(want.results, got)):
        pytest.xfail(f"pySHACL 0.40.1 differs from {entry_id}'s expected report. Cause: {PYSHACL_CAUSES[entry_id]}")
    if conforms != want.conforms or not shacl.same_results(want.results, got):
        pytest.xfail(f"pySHACL 0.40.1 differs from {entry_id}'s expected report. Cause: {_difference(want.results, got)}")


PYSHACL_CAUSES = {  # the reference's own deviations, read off its report
    "shacl/core/property#uniqueLang-002": 'pySHACL applies sh:uniqueLang "1"^^xsd:boolean, which SHACL 1.0 '
                                          "(4.4.4) activates with true only",
}


def _difference(want: list, got: list) -> str:  # type: ignore[type-arg]
    missing = sorted({shacl.canonical(r) for r in want} - {shacl.canonical(r) for r in got})
    extra = sorted({shacl.canonical(r) for r in got} - {shacl.canonical(r) for r in want})
    return f"missing {missing[:5]}; unexpected {extra[:5]}"


def test_the_suite_is_all_there() -> None:
    assert len(ENTRIES) > 90
