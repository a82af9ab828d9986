"""EV database records → N-Quads in the import's own named graph, with the database, its release and the input
files (SHA-256) as PROV-O provenance.

Written line by line to a text stream, so a database of any size is never held in memory: only the experiment
table (thousands of rows), the PubMed IDs and the Entrez IDs already described are kept. Terms are written as
N-Quads text rather than built as RDF objects because that is ~10x faster at millions of quads; every IRI part
that comes from the input is percent-encoded and every literal escaped (N-Quads §2.4 ECHAR), and Oxigraph's
parser checks the result when the build loads it.

>>> literal('say "hi"\\n\\\\')
'"say \\\\"hi\\\\"\\\\n\\\\\\\\"'
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping, TextIO
from urllib.parse import quote

from evrdf import __version__
from evrdf.build.vocab import DCTERMS, PROV, RDF, RDFS, SPDX, XSD
from evrdf.errors import SourceError
from evrdf.identifiers import expand
from evrdf.ingest import evdb
from evrdf.ingest.evdb import Content, Database, Experiment, FileStats, Policy
from evrdf.iris import Iris

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def literal(text: str, datatype: str | None = None) -> str:
    """An N-Quads literal (plain string unless a datatype IRI is given)."""
    value = '"' + text.translate(_ESCAPES) + '"'
    return f"{value}^^<{datatype}>" if datatype else value


def iri(value: str) -> str:
    return f"<{value}>"


@dataclass
class ImportResult:
    """What one import read, wrote and rejected."""

    database: Database
    release: str
    graph: str
    files: list[FileStats] = field(default_factory=list)
    entries: int = 0  # content lines loaded
    experiments: int = 0  # experiment lines loaded
    quads: int = 0
    rejected: int = 0
    errors: list[SourceError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)


class _Writer:
    """Formats quads of one graph onto a text stream and counts them."""

    def __init__(self, out: TextIO, graph: str):
        self.out, self.tail, self.count = out, f" <{graph}> .\n", 0

    def add(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        self.out.write("".join(f"{subject} {p} {o}{self.tail}" for p, o in pairs))
        self.count += len(pairs)


class _Vocab:
    """The predicates and classes used, formatted once."""

    def __init__(self, iris: Iris):
        term = lambda name: iri(iris.vocab + name)  # noqa: E731
        self.type, self.label = iri(str(RDF.type)), iri(str(RDFS.label))
        self.record, self.sample = term("CargoRecord"), term("EVSample")
        for name in ("cargoType", "cargoSymbol", "carriesCargo", "evType", "inSpecies", "speciesName",
                     "fromSample", "citedIn", "detectionMethod", "sourceRow", "sampleEvType", "describedIn",
                     "vesicleTypeSourceValue", "sampleDescription", "sampleSource", "sampleName",
                     "isolationMethod", "characterisationMethod", "identificationMethod", "pmid", "symbol",
                     "entrezId", "ncbiGeneEntry"):
            setattr(self, name, term(name))
        self.cargo = {kind: term(f"{kind}Cargo") for kind in set(evdb.CONTENT_TYPES.values())}
        self.ev = lambda local: term(local)  # noqa: E731
        self.see_also, self.bibliographic = iri(str(RDFS.seeAlso)), iri(str(DCTERMS.BibliographicResource))
        self.identifier, self.description = iri(str(DCTERMS.identifier)), iri(str(DCTERMS.description))
        self.issued = iri(str(DCTERMS.issued))


@dataclass(frozen=True)
class _Sample:
    node: str
    ev_type: str
    taxon: str | None
    species: str
    reference: str | None


def convert(db: Database, content: Path, experiments: Path | None, release: str, iris: Iris,
            genes: Mapping[str, str], out: TextIO, policy: Policy,
            progress: Callable[[int], None] = lambda n: None) -> ImportResult:
    """Stream ``content`` (and ``experiments``) of ``db`` as N-Quads into ``out``.

    ``genes`` maps Entrez IDs to the IRIs of curated genes (HGNC-aligned, with UniProt and NCBI Gene links);
    any other gene is named by its NCBI Gene IRI and described once in the import graph.
    """
    started_clock, started = time.perf_counter(), datetime.now(timezone.utc)
    graph = str(iris.graph(f"{db.key}-{release}"))
    result = ImportResult(db, release, graph)
    w, v = _Writer(out, graph), _Vocab(iris)
    prefix = f"{iris.base}evdb/{quote(db.key)}/{quote(release, safe='.-_')}/"
    references: set[str] = set()
    samples: dict[str, _Sample] = {}

    def reference(pmid: str) -> str:
        node = iri(str(iris.reference(f"pmid-{pmid}")))
        if pmid not in references:
            references.add(pmid)
            # typed dcterms:BibliographicResource only: an evo:Reference needs a title (shapes/references.ttl)
            # and the downloads give the PubMed ID alone
            w.add(node, [(v.type, v.bibliographic), (v.label, literal(f"PMID:{pmid}")),
                         (v.pmid, literal(pmid)), (v.see_also, iri(expand(f"PMID:{pmid}")))])
        return node

    if experiments is not None:
        stats = FileStats(experiments)
        result.files.append(stats)
        for record in evdb.read_experiments(experiments, policy, db, stats):
            samples[record.id] = _sample(record, prefix, w, v, reference(record.pmid) if record.pmid else None)
            result.experiments += 1

    stats = FileStats(content)
    result.files.append(stats)
    described: set[str] = set()
    known = set(samples) if experiments is not None else None
    for entry in evdb.read_content(content, policy, db, stats, known, progress):
        _entry(entry, prefix, samples, genes, described, db, w, v)
        result.entries += 1
    result.rejected, result.errors = policy.rejected, policy.errors
    _provenance(result, iris, w, v, started)
    result.quads = w.count
    result.seconds = time.perf_counter() - started_clock
    return result


def _sample(record: Experiment, prefix: str, w: _Writer, v: _Vocab, reference: str | None) -> _Sample:
    line = record.row
    node = iri(prefix + "sample/" + quote(record.id, safe="-_."))
    taxon = evdb.species(record.species)
    pairs = [(v.type, v.sample), (v.label, literal(f"EV sample {record.id} ({line['SAMPLE'] or 'sample'})")),
             (v.identifier, literal(record.id)), (v.sampleEvType, v.ev(record.ev_type)),
             (v.sourceRow, literal(line.location(line.path.parent)))]
    if record.vesicle_type:
        pairs.append((v.vesicleTypeSourceValue, literal(record.vesicle_type)))
    if taxon:
        pairs.append((v.inSpecies, iri(expand(taxon))))
    if record.species:
        pairs.append((v.speciesName, literal(record.species)))
    if reference:
        pairs.append((v.describedIn, reference))
    for column, predicate in (("SAMPLE", v.sampleDescription), ("SAMPLE SOURCE", v.sampleSource),
                              ("SAMPLE NAME", v.sampleName), ("EXPERIMENT DESCRIPTION", v.description)):
        if line[column]:
            pairs.append((predicate, literal(line[column])))
    for column, predicate in (("ISOLATION METHOD", v.isolationMethod), ("METHODS", v.characterisationMethod),
                              ("IDENTIFICATIONS", v.identificationMethod)):
        pairs.extend((predicate, literal(method)) for method in line.list(column))
    if line["YEAR"].isdigit() and len(line["YEAR"]) == 4:
        pairs.append((v.issued, literal(line["YEAR"], str(XSD.gYear))))
    w.add(node, pairs)
    return _Sample(node, record.ev_type, taxon, record.species, reference)


def _entry(entry: Content, prefix: str, samples: Mapping[str, _Sample], genes: Mapping[str, str],
           described: set[str], db: Database, w: _Writer, v: _Vocab) -> None:
    local = quote(entry.id, safe="-_.") if entry.id else f"line-{entry.row.line}"
    node = iri(prefix + "entry/" + local)
    sample = samples.get(entry.experiment)
    taxon = evdb.species(entry.species) if entry.species else (sample.taxon if sample else None)
    pairs = [(v.type, v.record), (v.cargoType, v.cargo[entry.type]), (v.cargoSymbol, literal(entry.symbol)),
             (v.evType, v.ev(sample.ev_type if sample else db.default_ev_type)),
             (v.sourceRow, literal(entry.row.location(entry.row.path.parent)))]
    if entry.entrez:
        curated = genes.get(entry.entrez)
        gene = iri(curated) if curated else iri(expand(f"NCBIGENE:{entry.entrez}"))
        if curated is None:
            if entry.entrez not in described:
                described.add(entry.entrez)
                # not typed evo:GeneProduct: that class means an HGNC-approved human gene (shapes/genes.ttl)
                gene_pairs = [(v.label, literal(entry.symbol)),
                              (v.symbol, literal(entry.symbol)), (v.entrezId, literal(entry.entrez)),
                              (v.ncbiGeneEntry, gene)]
                if taxon:
                    gene_pairs.append((v.inSpecies, iri(expand(taxon))))
                w.add(gene, gene_pairs)
        pairs.append((v.carriesCargo, gene))
    if taxon:
        pairs.append((v.inSpecies, iri(expand(taxon))))
    elif entry.species:
        pairs.append((v.speciesName, literal(entry.species)))
    if entry.experiment:
        pairs.append((v.fromSample, sample.node if sample else
                      iri(prefix + "sample/" + quote(entry.experiment, safe="-_."))))
    if sample and sample.reference:
        pairs.append((v.citedIn, sample.reference))
    pairs.extend((v.detectionMethod, literal(method)) for method in entry.methods)
    w.add(node, pairs)


def _provenance(result: ImportResult, iris: Iris, w: _Writer, v: _Vocab, started: datetime) -> None:
    """The graph, the database release it derives from, the files read and the import activity (PROV-O)."""
    db, graph = result.database, iri(result.graph)
    source = iri(str(iris.source(f"{db.key}-{result.release}")))
    activity = iri(result.graph + "#import")
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    p = lambda term: iri(str(term))  # noqa: E731
    w.add(graph, [(v.type, p(PROV.Entity)), (p(DCTERMS.title), literal(f"{db.title} {result.release}")),
                  (p(PROV.wasDerivedFrom), source), (p(PROV.wasGeneratedBy), activity)])
    # not an evo:CuratedResource: that needs a licence IRI, and the downloads state none (see the homepage)
    w.add(source, [(v.type, p(PROV.Entity)),
                   (v.label, literal(f"{db.title} release {result.release}")),
                   (p(DCTERMS.title), literal(db.title)), (p(DCTERMS.hasVersion), literal(result.release)),
                   (p(DCTERMS.source), iri(db.homepage)), (p(DCTERMS.bibliographicCitation), literal(db.citation))])
    used = []
    for number, stats in enumerate(result.files, start=1):
        # named, not a blank node: an import's graph then has none, and two releases compare it line by line
        node, checksum = iri(f"{result.graph}#file-{number}"), iri(f"{result.graph}#file-{number}-checksum")
        used.append((p(PROV.used), node))
        w.add(node, [(v.type, p(PROV.Entity)), (v.label, literal(stats.path.name)),
                     (p(PROV.wasDerivedFrom), source), (p(SPDX.checksum), checksum)])
        w.add(checksum, [(v.type, p(SPDX.Checksum)), (p(SPDX.algorithm), p(SPDX.checksumAlgorithm_sha256)),
                         (p(SPDX.checksumValue), literal(stats.sha256))])
    summary = (f"read {result.lines} lines, loaded {result.entries} entries and {result.experiments} experiments, "
               f"rejected {result.rejected} lines")
    w.add(activity, [(v.type, p(PROV.Activity)), (v.label, literal(f"evrdf import of {db.title} {result.release}")),
                     (p(RDFS.comment), literal(summary)),
                     (p(PROV.startedAtTime), literal(started.isoformat(timespec="seconds"), str(XSD.dateTime))),
                     (p(PROV.endedAtTime), literal(now, str(XSD.dateTime))),
                     (p(PROV.wasAssociatedWith), iri(f"{iris.base}software/{__version__}")), *used])
