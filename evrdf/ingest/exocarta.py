"""ExoCarta (exocarta.org) downloads: EXOCARTA_PROTEIN_MRNA_DETAILS_<release>.txt (content) and, optionally,
EXOCARTA_EXPERIMENT_DETAILS_<release>.txt (experiments, assumed to share Vesiclepedia's layout: same lab).
ExoCarta is an exosome database, so entries without an experiment are exosome cargo. See docs/evdb-formats.md."""

from evrdf.ingest.evdb import Database, Layout
from evrdf.ingest.vesiclepedia import DATABASE as VESICLEPEDIA

DATABASE = Database(
    key="exocarta",
    title="ExoCarta",
    homepage="http://exocarta.org/",
    citation="ExoCarta: a compendium of exosomal proteins, RNA and lipids (exocarta.org)",
    default_ev_type="Exosome",
    content=Layout("content", required=("GENE SYMBOL", "SPECIES", "CONTENT TYPE", "METHODS", "ENTREZ GENE ID"),
                   optional=("CONTENT ID", "EXPERIMENT ID")),
    experiments=VESICLEPEDIA.experiments,
)
