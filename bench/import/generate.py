"""Synthetic Vesiclepedia / ExoCarta downloads in the real column layouts (docs/evdb-formats.md), at any size.

    python bench/import/generate.py 600000 --out var/bench/600k [--database exocarta] [--seed 7]

Deterministic for a seed. Genes are drawn from the curated genes and chemokines (so imported cargo joins the
curated graph) and from a pool of synthetic Entrez IDs; species, content types, methods and EV types follow a
plausible mix. One experiment per 200 entries, like Vesiclepedia (~ 3,500 studies for ~ 600,000 entries).
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT_COLUMNS = ["EXPERIMENT ID", "PUBMED ID", "SPECIES", "EXPERIMENT DESCRIPTION", "SAMPLE", "SAMPLE SOURCE",
                      "SAMPLE NAME", "IDENTIFICATIONS", "METHODS", "YEAR", "ISOLATION METHOD", "VESICLE TYPE"]
VESICLEPEDIA_CONTENT = ["CONTENT ID", "CONTENT TYPE", "ENTREZ GENE ID", "GENE SYMBOL", "SPECIES", "EXPERIMENT ID",
                        "METHODS"]
EXOCARTA_CONTENT = ["GENE SYMBOL", "SPECIES", "CONTENT TYPE", "METHODS", "ENTREZ GENE ID", "CONTENT ID",
                    "EXPERIMENT ID"]
SPECIES = ["Homo sapiens"] * 16 + ["Mus musculus"] * 3 + ["Rattus norvegicus"]
TYPES = ["protein"] * 14 + ["mRNA"] * 5 + ["miRNA"]
METHODS = ["Mass spectrometry", "Western blotting", "Immunoelectron microscopy", "FACS", "RT-PCR", "ELISA"]
ISOLATION = ["Differential ultracentrifugation", "Sucrose density gradient", "Size exclusion chromatography",
             "ExoQuick", "Immunoaffinity capture"]
VESICLES = ["Exosomes"] * 5 + ["Microvesicles", "Extracellular vesicles", "Apoptotic bodies", "Large oncosomes"]
SAMPLES = [("Colorectal cancer cells", "Cell culture", "SW480"), ("Serum", "Body fluid", ""),
           ("Urine", "Body fluid", ""), ("Pancreatic cancer cells", "Cell culture", "PANC-1"),
           ("Breast cancer cells", "Cell culture", "MDA-MB-231"), ("Plasma", "Body fluid", "")]


def curated_genes() -> list[tuple[str, str]]:
    genes = []
    for table in ("genes.tsv", "chemokines.tsv"):
        with (ROOT / "ontology" / "curated" / table).open(encoding="utf-8") as handle:
            genes += [(r["entrez_id"], r["symbol"]) for r in csv.DictReader(handle, delimiter="\t") if r["entrez_id"]]
    return genes


def generate(entries: int, out: Path, database: str = "vesiclepedia", seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    upper = "VESICLEPEDIA" if database == "vesiclepedia" else "EXOCARTA"
    release = "5.1" if database == "vesiclepedia" else "5"
    experiments_path = out / f"{upper}_EXPERIMENT_DETAILS_{release}.txt"
    content_path = out / f"{upper}_PROTEIN_MRNA_DETAILS_{release}.txt"
    n_experiments = max(10, entries // 200)
    with experiments_path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("\t".join(EXPERIMENT_COLUMNS) + "\n")
        for ident in range(1, n_experiments + 1):
            sample, source, name = rng.choice(SAMPLES)
            handle.write("\t".join([
                str(ident), str(rng.randrange(10_000_000, 39_000_000)), rng.choice(SPECIES),
                f"Cargo of EVs from {sample.lower()} (study {ident})", sample, source, name,
                "|".join(rng.sample(METHODS, 2)), "Electron microscopy|Nanoparticle tracking analysis",
                str(rng.randrange(2005, 2025)), rng.choice(ISOLATION), rng.choice(VESICLES)]) + "\n")
    pool = curated_genes() + [(str(n), f"GENE{n}") for n in rng.sample(range(100_000, 900_000), 20_000)]
    columns = VESICLEPEDIA_CONTENT if database == "vesiclepedia" else EXOCARTA_CONTENT
    with content_path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("\t".join(columns) + "\n")
        for ident in range(1, entries + 1):
            kind = rng.choice(TYPES)
            entrez, symbol = ("", f"hsa-miR-{rng.randrange(1, 2000)}-5p") if kind == "miRNA" else rng.choice(pool)
            row = {"CONTENT ID": str(ident), "CONTENT TYPE": kind, "ENTREZ GENE ID": entrez, "GENE SYMBOL": symbol,
                   "SPECIES": rng.choice(SPECIES), "EXPERIMENT ID": str(rng.randrange(1, n_experiments + 1)),
                   "METHODS": "|".join(rng.sample(METHODS, rng.choice((1, 1, 2))))}
            handle.write("\t".join(row[c] for c in columns) + "\n")
    return content_path, experiments_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("entries", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--database", choices=["vesiclepedia", "exocarta"], default="vesiclepedia")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    content, experiments = generate(args.entries, args.out, args.database, args.seed)
    print(f"{content}\n{experiments}")


if __name__ == "__main__":
    main()
