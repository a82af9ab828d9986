"""Vesiclepedia (microvesicles.org) downloads: VESICLEPEDIA_PROTEIN_MRNA_DETAILS_<release>.txt (content) and
VESICLEPEDIA_EXPERIMENT_DETAILS_<release>.txt (experiments). Column layout: docs/evdb-formats.md."""

from evrdf.ingest.evdb import Database, Layout

DATABASE = Database(
    key="vesiclepedia",
    title="Vesiclepedia",
    homepage="http://microvesicles.org/",
    citation="Vesiclepedia: a compendium of extracellular vesicle cargo (microvesicles.org)",
    default_ev_type="ExtracellularVesicle",
    content=Layout("content", required=("CONTENT ID", "CONTENT TYPE", "ENTREZ GENE ID", "GENE SYMBOL",
                                        "SPECIES", "EXPERIMENT ID", "METHODS")),
    experiments=Layout("experiments", required=("EXPERIMENT ID", "PUBMED ID"),
                       optional=("SPECIES", "EXPERIMENT DESCRIPTION", "SAMPLE", "SAMPLE SOURCE", "SAMPLE NAME",
                                 "IDENTIFICATIONS", "METHODS", "YEAR", "ISOLATION METHOD", "VESICLE TYPE")),
)
