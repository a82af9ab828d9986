"""Curated records → one rdflib graph per source (genes, ligand-receptor pairs, references, findings)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from evrdf.build.lines import LineGraph
from evrdf.build.vocab import DCTERMS, OBO, OWL, RDF, RDFS, SKOS, XSD
from evrdf.identifiers import expand
from evrdf.ingest.curated import MOLECULE_COLUMNS, SPECIES, Curated, Finding
from evrdf.ingest.records import Gene, Reference
from evrdf.ingest.sources import Source
from evrdf.ingest.tables import Row
from evrdf.iris import Iris

FAMILY_NAMES = {"C": "C", "CC": "CC", "CXC": "CXC", "CX3C": "CX3C"}
HUMAN = URIRef(expand(SPECIES["human"]))


def _graph(iris: Iris) -> Graph:
    graph = Graph()
    graph.bind("evo", iris.vocab)
    graph.bind("evrdf", iris.base)
    graph.bind("skos", SKOS)
    graph.bind("dcterms", DCTERMS)
    graph.bind("obo", OBO)
    return graph


def _graph_of(graphs: dict[str, Graph], key: str, iris: Iris, lines: bool = False) -> Graph:
    """The graph of ``key``, made on first use (a new Graph costs ~0.4 ms: never make one per row); ``lines``:
    kept as N-Triples lines (evrdf/build/lines.py), for the graphs that grow with the findings table."""
    if key not in graphs:
        graphs[key] = LineGraph() if lines else _graph(iris)
    return graphs[key]


def _row(graph: Graph, node: URIRef, row: Row, iris: Iris, curated: Curated) -> None:
    graph.add((node, iris.term("sourceRow"), Literal(row.location(curated.directory.parent))))


def gene_graph(curated: Curated, iris: Iris) -> Graph:
    graph = _graph(iris)
    for gene in curated.genes.values():
        _add_gene(graph, gene, iris, curated)
    return graph


def _gene_types(gene: Gene, iris: Iris) -> list[URIRef]:
    types = [iris.term("GeneProduct")]
    if gene.role == "ligand":
        types.append(iris.term("Chemokine"))
        types.append(iris.term(f"{gene.family}Chemokine"))
    elif gene.role == "receptor":
        types.append(iris.term("ChemokineReceptor"))
        types.append(iris.term("AtypicalChemokineReceptor" if gene.receptor_class == "atypical"
                               else "ConventionalChemokineReceptor"))
        if gene.family:
            types.append(iris.term(f"{gene.family}ChemokineReceptor"))
    return types


def _add_gene(graph: Graph, gene: Gene, iris: Iris, curated: Curated) -> None:
    node = iris.gene(gene.hgnc_id)
    graph.add((node, RDF.type, OWL.NamedIndividual))
    for rdf_type in _gene_types(gene, iris):
        graph.add((node, RDF.type, rdf_type))
    if gene.family:
        graph.add((node, iris.term("inFamily"), iris.term(f"{gene.family}Family")))
    graph.add((node, RDFS.label, Literal(gene.symbol)))
    graph.add((node, SKOS.prefLabel, Literal(gene.symbol)))
    graph.add((node, iris.term("symbol"), Literal(gene.symbol)))
    graph.add((node, iris.term("fullName"), Literal(gene.name, lang="en")))
    for alias in gene.aliases + gene.previous:
        graph.add((node, SKOS.altLabel, Literal(alias)))
    graph.add((node, iris.term("hgncId"), Literal(gene.hgnc_id)))
    hgnc = URIRef(expand(gene.hgnc_id))
    graph.add((node, SKOS.exactMatch, hgnc))
    graph.add((node, iris.term("hgncEntry"), hgnc))
    if gene.uniprot:
        graph.add((node, iris.term("uniprotAccession"), Literal(gene.uniprot)))
        graph.add((node, iris.term("uniprotEntry"), URIRef(expand(f"UNIPROT:{gene.uniprot}"))))
    if gene.entrez_id:
        graph.add((node, iris.term("entrezId"), Literal(gene.entrez_id)))
        graph.add((node, iris.term("ncbiGeneEntry"), URIRef(expand(f"NCBIGENE:{gene.entrez_id}"))))
    if gene.ensembl:
        graph.add((node, iris.term("ensemblId"), Literal(gene.ensembl)))
    graph.add((node, iris.term("inSpecies"), HUMAN))
    if gene.note:
        graph.add((node, iris.term("curatorNote"), Literal(gene.note, lang="en")))
    candidates = curated.sources_of(gene.row)
    year = "2019" if "2019" in gene.snapshot else "2025"
    chosen = [s for s in candidates if year in s.key] or candidates
    for source in chosen:
        graph.add((node, DCTERMS.source, iris.source(source.key)))
    _row(graph, node, gene.row, iris, curated)


def pair_graphs(curated: Curated, iris: Iris) -> dict[str, Graph]:
    """One graph per ligand-receptor resource, so each resource's claims stay separable."""
    graphs: dict[str, Graph] = {}
    for pair in curated.pairs:
        graph = _graph_of(graphs, pair.resource, iris)
        ligand, receptor = curated.genes[pair.ligand], curated.genes[pair.receptor]
        node = iris.pair(pair.resource, ligand.hgnc_id, receptor.hgnc_id)
        lig, rec = iris.gene(ligand.hgnc_id), iris.gene(receptor.hgnc_id)
        graph.add((node, RDF.type, iris.term("LigandReceptorPair")))
        graph.add((node, RDFS.label, Literal(f"{pair.ligand} binds {pair.receptor} ({pair.resource_name})")))
        graph.add((node, iris.term("ligand"), lig))
        graph.add((node, iris.term("receptor"), rec))
        graph.add((node, iris.term("pairResource"), iris.source(pair.resource)))
        if pair.evidence:
            graph.add((node, iris.term("pairEvidence"), Literal(pair.evidence)))
        if pair.classification:
            graph.add((node, iris.term("pairClassification"), Literal(pair.classification)))
        _row(graph, node, pair.row, iris, curated)
        graph.add((lig, OBO.RO_0002436, rec))
        if ligand.role == "ligand" and receptor.role == "receptor":
            graph.add((lig, iris.term("bindsReceptor"), rec))
    return graphs


def reference_graph(curated: Curated, iris: Iris) -> Graph:
    graph = _graph(iris)
    for ref in curated.references.values():
        _add_reference(graph, ref, iris, curated)
    return graph


def _add_reference(graph: Graph, ref: Reference, iris: Iris, curated: Curated) -> None:
    node = iris.reference(ref.id)
    graph.add((node, RDF.type, iris.term("Reference")))
    graph.add((node, RDF.type, DCTERMS.BibliographicResource))
    graph.add((node, RDFS.label, Literal(_short_citation(ref))))
    graph.add((node, DCTERMS.title, Literal(ref.title, lang="en")))
    graph.add((node, DCTERMS.type, Literal(ref.type)))
    if ref.authors:
        graph.add((node, DCTERMS.creator, Literal(ref.authors)))
    if ref.journal:
        graph.add((node, DCTERMS.isPartOf, Literal(ref.journal)))
    if ref.year:
        graph.add((node, DCTERMS.issued, Literal(ref.year, datatype=XSD.gYear)))
    for column, prefix, prop in (("pmid", "PMID", "pmid"), ("doi", "DOI", "doi"), ("pmcid", "PMCID", "pmcid")):
        value = getattr(ref, column)
        if value:
            graph.add((node, iris.term(prop), Literal(value)))
            graph.add((node, RDFS.seeAlso, URIRef(expand(f"{prefix}:{value}"))))
    if ref.url:
        graph.add((node, RDFS.seeAlso, URIRef(ref.url)))
    if ref.note:
        graph.add((node, iris.term("curatorNote"), Literal(ref.note, lang="en")))
    _row(graph, node, ref.row, iris, curated)


def _short_citation(ref: Reference) -> str:
    first = ref.authors.split(";")[0].strip().split(" ")[0] if ref.authors else ""
    if first and ref.year:
        return f"{first} et al. {ref.year}: {ref.title}"
    return ref.title


def finding_graphs(curated: Curated, iris: Iris) -> dict[str, Graph]:
    """One graph per findings source in sources.toml (the review; the BIOCELL papers), with that source's
    cited statements, exclusions and drug targets."""
    graphs: dict[str, Graph] = {}
    made = _Made(iris)
    for finding in curated.findings:
        graph = _graph_of(graphs, made.finding_source(curated, finding).graph, iris, lines=True)
        _add_finding(graph, finding, iris, curated, made)
    excluded: dict[tuple[str, int], list[str]] = {}
    for exclusion in curated.exclusions:
        excluded.setdefault((exclusion.reference, exclusion.number), []).append(
            f"{exclusion.section}: {exclusion.statement} ({exclusion.reason})")
    for citation in curated.citations:
        source = curated.source_for("citations.tsv", citation.reference)
        graph = _graph_of(graphs, source.graph, iris, lines=True)
        node = iris.cited(citation.reference, citation.number)
        graph.add((node, RDF.type, iris.term("CitedStatement")))
        graph.add((node, RDFS.label, Literal(f"[{citation.number}] of {citation.reference}", lang="en")))
        graph.add((node, iris.term("referenceNumber"), Literal(citation.number)))
        graph.add((node, iris.term("statedBy"), iris.reference(citation.reference)))
        for section in citation.sections:
            graph.add((node, iris.term("citedInSection"), Literal(section)))
        for reason in excluded.get((citation.reference, citation.number), []):
            graph.add((node, iris.term("notCuratedBecause"), Literal(reason, lang="en")))
        if citation.note:
            graph.add((node, iris.term("curatorNote"), Literal(citation.note, lang="en")))
        _row(graph, node, citation.row, iris, curated)
    for target in curated.drug_targets:
        graph = _graph_of(graphs, curated.source_for("drug_targets.tsv", target.reference).graph, iris, lines=True)
        drug = iris.term(target.drug)
        gene = curated.genes[target.target]
        graph.add((drug, iris.term("targetsMolecule"), iris.gene(gene.hgnc_id)))
        if target.axis:
            ligand, receptor = (curated.genes[s] for s in target.axis)
            axis = iris.axis(ligand.hgnc_id, receptor.hgnc_id)
            graph.add((axis, RDF.type, iris.term("ChemokineAxis")))
            graph.add((axis, RDFS.label, Literal(f"{ligand.symbol}/{receptor.symbol} axis", lang="en")))
            graph.add((axis, iris.term("axisLigand"), iris.gene(ligand.hgnc_id)))
            graph.add((axis, iris.term("axisReceptor"), iris.gene(receptor.hgnc_id)))
            graph.add((drug, iris.term("inhibitsAxis"), axis))
            _row(graph, axis, target.row, iris, curated)
        graph.add((drug, iris.term("drugAction"), Literal(f"{target.action} of {gene.symbol}", lang="en")))
    return graphs


class _Made:
    """The IRIs every finding repeats (its vocabulary, genes, species, evidence codes), each made once: a URIRef
    checks the IRI it is made from, and a CURIE expands through curies' converter, ~20 times a finding."""

    def __init__(self, iris: Iris):
        self.iris = iris
        self.terms: dict[str, URIRef] = {}
        self.genes: dict[str, URIRef] = {}
        self.curies: dict[str, URIRef] = {}
        self.references: dict[str, URIRef] = {}
        self.sources: dict[str, URIRef] = {}
        self.finding_sources: dict[str, Source] = {}  # citing reference -> its [[source]]

    def finding_source(self, curated: Curated, finding: Finding) -> Source:
        """curated.finding_source(finding), which depends only on the citing reference: looked up once each."""
        made = self.finding_sources.get(finding.citing_reference)
        if made is None:
            made = self.finding_sources[finding.citing_reference] = curated.finding_source(finding)
        return made

    def term(self, local: str) -> URIRef:
        made = self.terms.get(local)
        if made is None:
            made = self.terms[local] = self.iris.term(local)
        return made

    def gene(self, hgnc_id: str) -> URIRef:
        made = self.genes.get(hgnc_id)
        if made is None:
            made = self.genes[hgnc_id] = self.iris.gene(hgnc_id)
        return made

    def reference(self, ref_id: str) -> URIRef:
        made = self.references.get(ref_id)
        if made is None:
            made = self.references[ref_id] = self.iris.reference(ref_id)
        return made

    def source(self, key: str) -> URIRef:
        made = self.sources.get(key)
        if made is None:
            made = self.sources[key] = self.iris.source(key)
        return made

    def expanded(self, curie: str) -> URIRef:
        made = self.curies.get(curie)
        if made is None:
            made = self.curies[curie] = URIRef(expand(curie))
        return made


def _add_finding(graph: Graph, finding: Finding, iris: Iris, curated: Curated, made: _Made) -> None:
    node = iris.finding(finding.id)
    term = made.term
    graph.add((node, RDF.type, term("Finding")))
    graph.add((node, RDFS.label, Literal(f"{finding.id}: {finding.statement}", lang="en")))
    graph.add((node, term("statement"), Literal(finding.statement, lang="en")))
    graph.add((node, term("section"), Literal(finding.section)))
    if finding.ev_type:
        graph.add((node, term("evType"), term(finding.ev_type)))
    for column, prop in (("ev_type_source_value", "evTypeSourceValue"), ("effect", "effect"),
                         ("model", "modelSystem"), ("source_value", "sourceValue"), ("correction", "correction")):
        if finding.row[column]:
            graph.add((node, term(prop), Literal(finding.row[column])))
    for column, prop in (("source_cell_type", "releasedBy"), ("recipient_cell_type", "recipientCellType")):
        if finding.row[column]:
            graph.add((node, term(prop), term(finding.row[column])))
    for column, prop in (("diseases", "inDisease"), ("cell_lines", "inCellLine"),
                         ("producer_cell_types", "producedByCellType"), ("processes", "affectsProcess"),
                         ("blocked_by", "blockedBy")):
        for value in finding.list(column):
            graph.add((node, term(prop), term(value)))
    for column, prop in MOLECULE_COLUMNS.items():
        for symbol in finding.list(column):
            graph.add((node, term(prop), made.gene(curated.genes[symbol].hgnc_id)))
    for target in finding.list("detailed_by"):
        graph.add((node, term("detailedBy"), iris.finding(target)))
    if finding.effect_direction:
        graph.add((node, term("effectDirection"), term(finding.effect_direction.capitalize())))
    for species in finding.list("species"):
        graph.add((node, term("inSpecies"), made.expanded(SPECIES[species])))
    for species in finding.list("model_organisms"):
        graph.add((node, term("inModelOrganism"), made.expanded(SPECIES[species])))
    for number in finding.list("review_refs"):
        graph.add((node, term("sourceReferenceNumber"), Literal(int(number))))
    for number in finding.list("review_refs_corrected"):
        graph.add((node, term("correctedReferenceNumber"), Literal(int(number))))
    if finding.primary_pmid:
        graph.add((node, term("primaryReference"), URIRef(expand(f"PMID:{finding.primary_pmid}"))))
    if finding.primary_doi:
        graph.add((node, term("primaryReference"), URIRef(expand(f"DOI:{finding.primary_doi}"))))
    graph.add((node, term("evidence"), made.expanded(finding.evidence)))
    graph.add((node, term("citedIn"), made.reference(finding.citing_reference)))
    graph.add((node, DCTERMS.source, made.source(made.finding_source(curated, finding).key)))
    if finding.curator_note:
        graph.add((node, term("curatorNote"), Literal(finding.curator_note, lang="en")))
    _row(graph, node, finding.row, iris, curated)
