"""The metadata graph: the dataset (DCAT/VoID), each named graph, its sources (PROV-O) and this build."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from evrdf import __version__
from evrdf.build.vocab import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SPDX, VOID, XSD
from evrdf.ingest.curated import Curated, Source
from evrdf.iris import Iris

DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class GraphInfo:
    """A named graph about to be published: where it came from and how big it is."""

    iri: str
    title: str
    triples: int
    sources: tuple[str, ...] = ()  # source keys (sources.toml) it derives from
    file: Path | None = None  # for --add files


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def metadata_graph(iris: Iris, curated: Curated, graphs: list[GraphInfo], version: str, release: str,
                   started: datetime, ended: datetime) -> Graph:
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("void", VOID)
    g.bind("prov", PROV)
    g.bind("dcterms", DCTERMS)
    g.bind("spdx", SPDX)
    dataset = iris.dataset
    activity = URIRef(str(iris.release(release)) + "build")
    software = URIRef(f"{iris.base}software/{__version__}")
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("evrdf: extracellular vesicles and chemokines in cancer", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Curated findings about extracellular vesicles and chemokines in the tumour microenvironment, with the "
        "evrdf ontology, human chemokine nomenclature and ligand-receptor pairs. One named graph per source; "
        "the default graph of the SPARQL endpoint is their union.", lang="en")))
    g.add((dataset, DCTERMS.license, DATA_LICENSE))
    g.add((dataset, OWL.versionInfo, Literal(release)))
    g.add((dataset, DCTERMS.hasVersion, Literal(version)))
    g.add((dataset, DCTERMS.modified, Literal(ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((dataset, VOID.uriSpace, Literal(iris.base)))
    g.add((dataset, VOID.vocabulary, URIRef(iris.vocab)))
    g.add((dataset, VOID.triples, Literal(sum(info.triples for info in graphs))))
    g.add((dataset, PROV.wasGeneratedBy, activity))

    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"evrdf build of release {release}")))
    g.add((activity, PROV.startedAtTime, Literal(started.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, software))
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, RDFS.label, Literal(f"evrdf {__version__}")))
    g.add((software, OWL.versionInfo, Literal(__version__)))

    metadata = iris.graph("metadata")  # this graph: named, so its IRI (linked as provenance) is described too
    g.add((dataset, VOID.subset, metadata))
    g.add((metadata, RDF.type, VOID.Dataset))
    g.add((metadata, RDF.type, PROV.Entity))
    g.add((metadata, DCTERMS.title, Literal("Dataset, graph, build and release provenance", lang="en")))
    g.add((metadata, PROV.wasGeneratedBy, activity))
    g.add((metadata, DCTERMS.license, DATA_LICENSE))

    sources = {s.key: s for s in curated.sources}
    for source in curated.sources:
        _add_source(g, iris, curated, source, activity)
    for info in graphs:
        node = URIRef(info.iri)
        g.add((dataset, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, DCTERMS.title, Literal(info.title, lang="en")))
        g.add((node, VOID.triples, Literal(info.triples)))
        g.add((node, PROV.wasGeneratedBy, activity))
        g.add((node, PROV.generatedAtTime, Literal(ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
        for key in info.sources:
            g.add((node, PROV.wasDerivedFrom, iris.source(key)))
            g.add((node, DCTERMS.license, URIRef(sources[key].license)))
        if info.file is not None:
            entity = URIRef(f"{node}#file")
            g.add((node, PROV.wasDerivedFrom, entity))
            g.add((entity, RDF.type, PROV.Entity))
            g.add((entity, RDFS.label, Literal(info.file.name)))
            _checksum(g, entity, info.file)
    return g


def _add_source(g: Graph, iris: Iris, curated: Curated, source: Source, activity: URIRef) -> None:
    node = iris.source(source.key)
    path = curated.directory / source.file
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, RDF.type, URIRef(iris.vocab + "CuratedResource")))
    g.add((node, RDFS.label, Literal(source.title, lang="en")))
    g.add((node, DCTERMS.title, Literal(source.title, lang="en")))
    g.add((node, DCTERMS.license, URIRef(source.license)))
    if source.upstream:
        g.add((node, DCTERMS.source, Literal(source.upstream)))
    if source.citation:
        g.add((node, DCTERMS.bibliographicCitation, Literal(source.citation)))
    g.add((node, URIRef(iris.vocab + "sourceRow"), Literal(f"{curated.directory.name}/{source.file}")))
    _checksum(g, node, path)
    g.add((activity, PROV.used, node))


def _checksum(g: Graph, node: URIRef, path: Path) -> None:
    checksum = BNode()
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256(path))))
