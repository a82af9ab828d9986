"""The ontology's alignments as an SSSOM mapping table (https://w3id.org/sssom/)."""

from __future__ import annotations

from pathlib import Path

from evrdf.identifiers import PREFIXES
from evrdf.ingest.curated import Curated
from evrdf.iris import Iris

PREDICATES = (("exact_match", "skos:exactMatch"), ("close_match", "skos:closeMatch"),
              ("broad_match", "skos:broadMatch"))
COLUMNS = ["subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification", "comment"]


def write_sssom(curated: Curated, iris: Iris, version: str, path: Path) -> int:
    """Write the mapping set with its YAML metadata block; returns the number of mappings."""
    rows = []
    for term in sorted(curated.terms.values(), key=lambda t: t.id):
        for column, predicate in PREDICATES:
            for curie in getattr(term, column):
                rows.append([f"evo:{term.id}", term.label, predicate, curie, "semapv:ManualMappingCuration",
                             term.note.replace("\t", " ")])
    used = sorted({row[3].split(":")[0] for row in rows})
    header = [
        f"#mapping_set_id: {iris.base}releases/{version}/evrdf.sssom.tsv",
        f"#mapping_set_version: {version!r}",
        "#license: https://creativecommons.org/licenses/by/4.0/",
        "#mapping_set_description: Alignment of evrdf ontology classes to GO, CL, MONDO, DOID, NCIT, ChEBI "
        "and DrugBank, curated in ontology/curated/*.tsv",
        "#curie_map:",
        f'#  evo: "{iris.vocab}"',
        '#  skos: "http://www.w3.org/2004/02/skos/core#"',
        '#  semapv: "https://w3id.org/semapv/vocab/"',
    ] + [f'#  {prefix}: "{PREFIXES[prefix][0]}"' for prefix in used]
    lines = header + ["\t".join(COLUMNS)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)
