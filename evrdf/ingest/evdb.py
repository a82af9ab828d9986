"""Streaming readers for EV database downloads (Vesiclepedia, ExoCarta): tab-separated text, one header row,
one record per line. The per-database modules only declare their layout; everything else lives here.

A file is read line by line as bytes, so a database of any size needs memory for one line at a time. A bad
line (not UTF-8, a control character such as NUL, wrong number of fields, an empty required field, a malformed
identifier) becomes a :class:`~evrdf.errors.SourceError` naming file, line and column, handed to a
:class:`Policy` that either raises it (``fail``) or counts it and goes on (``skip``). A bad header always fails:
without its columns no line can be read. So does a file whose last line has no newline: a download cut short
ends that way (its last field cut, ``Western`` for ``Western blotting``, and the lines after it missing), and no
line-by-line check can see it.

>>> content_type("mRNA"), content_type("Protein"), content_type("lipid")
('MRNA', 'Protein', 'Lipid')
>>> ev_type("Apoptotic bodies", "ExtracellularVesicle")
'ApoptoticBody'
>>> ev_type("", "Exosome"), ev_type("Exomeres", "ExtracellularVesicle")
('Exosome', 'ExtracellularVesicle')
>>> species("Homo sapiens"), species("Bos taurus")
('NCBITaxon:9606', None)
>>> release_from_name("VESICLEPEDIA_PROTEIN_MRNA_DETAILS_5.1.txt"), release_from_name("ExoCarta_miRNA_details_6.txt")
('5.1', '6')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Literal

from evrdf.errors import SourceError
from evrdf.ingest.curated import SPECIES
from evrdf.ingest.tables import Row

OnError = Literal["skip", "fail"]
MAX_KEPT_ERRORS = 200  # rejected lines are counted without bound, but only this many messages are kept

# CONTENT TYPE values → local names of the evo:<X>Cargo individuals (compared case-insensitively)
CONTENT_TYPES = {"protein": "Protein", "mrna": "MRNA", "mirna": "MiRNA", "lipid": "Lipid"}
GENE_CONTENT = {"Protein", "MRNA"}  # entries that must name their gene by Entrez ID

# VESICLE TYPE values as the databases print them → EV subclasses of ontology/curated/ev_types.tsv
EV_TYPES = {
    "exosome": "Exosome", "exosomes": "Exosome",
    "microvesicle": "Microvesicle", "microvesicles": "Microvesicle", "ectosome": "Microvesicle",
    "ectosomes": "Microvesicle", "microparticle": "Microvesicle", "microparticles": "Microvesicle",
    "shedding vesicles": "Microvesicle",
    "apoptotic body": "ApoptoticBody", "apoptotic bodies": "ApoptoticBody", "apoptotic blebs": "ApoptoticBody",
    "large oncosome": "LargeOncosome", "large oncosomes": "LargeOncosome", "oncosomes": "LargeOncosome",
    "extracellular vesicle": "ExtracellularVesicle", "extracellular vesicles": "ExtracellularVesicle",
    "ev": "ExtracellularVesicle", "evs": "ExtracellularVesicle",
}

# species names as printed → the taxa evrdf already uses (ingest/curated.py); others keep their name only
SPECIES_NAMES = {"homo sapiens": SPECIES["human"], "human": SPECIES["human"],
                 "mus musculus": SPECIES["mouse"], "mouse": SPECIES["mouse"],
                 "rattus norvegicus": SPECIES["rat"], "rat": SPECIES["rat"]}

_DIGITS = re.compile(r"[1-9]\d*\Z")
# C0 controls but the tab (the separator), DEL and C1 controls: never text in a database field. A NUL in a label
# would be published as a raw NUL in a literal and as %00 in an IRI.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RELEASE = re.compile(r"_(\d+(?:\.\d+)*)\.(?:txt|tsv|csv)(?:\.gz)?\Z", re.IGNORECASE)


def content_type(value: str) -> str:
    """Local name of the cargo type individual (``Protein`` → evo:ProteinCargo); ValueError if unknown."""
    try:
        return CONTENT_TYPES[value.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown content type {value!r} (expected protein, mRNA, miRNA or lipid)") from None


def ev_type(value: str, default: str) -> str:
    """The EV subclass a printed vesicle type names; the database's default when empty or unknown."""
    return EV_TYPES.get(value.strip().lower(), default) if value.strip() else default


def species(value: str) -> str | None:
    """The NCBITaxon CURIE of a species name evrdf knows, else None (the name is kept as printed)."""
    return SPECIES_NAMES.get(value.strip().lower())


def release_from_name(name: str) -> str | None:
    """The release number in a download's file name (``..._5.1.txt`` → ``5.1``), if it has one."""
    match = _RELEASE.search(name)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Layout:
    """The columns of one download file. Extra columns are allowed (and ignored); required ones are not."""

    kind: str  # "content" or "experiments", for messages
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


@dataclass(frozen=True)
class Database:
    """What an importer needs to know about one EV database; declared by its module."""

    key: str  # "vesiclepedia": names the graph, the staged file and the CLI argument
    title: str
    homepage: str
    citation: str
    default_ev_type: str  # EV subclass of entries whose experiment names none
    content: Layout
    experiments: Layout


@dataclass
class Policy:
    """What to do with a bad line: ``fail`` raises it, ``skip`` counts it (and keeps the first messages)."""

    on_error: OnError = "fail"
    report: Callable[[SourceError], None] = lambda error: None
    rejected: int = 0
    errors: list[SourceError] = field(default_factory=list)

    def reject(self, error: SourceError) -> None:
        if self.on_error == "fail":
            raise error
        self.rejected += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(error)
        self.report(error)


@dataclass
class FileStats:
    """Counts and checksum of one input file, filled in while it streams past."""

    path: Path
    lines: int = 0  # data lines read (header and blank lines not counted)
    sha256: str = ""


@dataclass(frozen=True)
class Experiment:
    row: Row
    id: str
    pmid: str
    species: str
    ev_type: str  # EV subclass local name
    vesicle_type: str  # as printed


@dataclass(frozen=True)
class Content:
    row: Row
    id: str
    type: str  # Protein, MRNA, MiRNA, Lipid
    entrez: str
    symbol: str
    species: str
    experiment: str
    methods: tuple[str, ...]


def read_lines(path: Path, layout: Layout, policy: Policy, stats: FileStats,
               progress: Callable[[int], None] = lambda n: None) -> Iterator[Row]:
    """Stream the data lines of a tab-separated file; ``progress`` gets the bytes consumed per line."""
    if not path.is_file():
        raise SourceError(path, f"{layout.kind} file not found")
    digest = hashlib.sha256()
    header: list[str] | None = None
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            digest.update(raw)
            progress(len(raw))
            if not raw.endswith(b"\n") and raw.strip():
                raise SourceError(path, f"the file ends inside line {number}, without a newline: it was cut short "
                                        "(its last field may be truncated and the lines after it missing); "
                                        "download it again", line=number)
            data = raw.rstrip(b"\r\n")
            if not data.strip():
                continue
            if header is None:
                header = _header(path, number, data, layout)
                positions = {name: index for index, name in enumerate(header)}
                continue
            stats.lines += 1
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = data[: exc.start].count(b"\t")
                name = header[column] if column < len(header) else None
                policy.reject(SourceError(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                                                f"{exc.start} of the line)", line=number, field=name))
                continue
            control = _CONTROL.search(text)
            if control:
                column = text[: control.start()].count("\t")
                name = header[column] if column < len(header) else None
                policy.reject(SourceError(path, f"control character U+{ord(control.group()):04X} in the text",
                                          line=number, field=name, column=control.start() + 1))
                continue
            cells = text.split("\t")
            if len(cells) != len(header):
                policy.reject(SourceError(path, f"malformed line: {len(cells)} tab-separated fields, the header "
                                                f"has {len(header)}", line=number))
                continue
            yield Row(path, number, positions, tuple(cell.strip() for cell in cells))
    if header is None:
        raise SourceError(path, f"empty {layout.kind} file: no header row")
    stats.sha256 = digest.hexdigest()


def _header(path: Path, number: int, data: bytes, layout: Layout) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"header is not valid UTF-8 (offset {exc.start})", line=number) from None
    known = {name.upper(): name for name in layout.required + layout.optional}
    header = [known.get(" ".join(cell.split()).upper(), cell.strip()) for cell in text.split("\t")]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise SourceError(path, "column appears twice in the header", line=number, field=name)
        seen.add(name)
    missing = [name for name in layout.required if name not in seen]
    if missing:
        raise SourceError(path, f"missing column(s) in the {layout.kind} header: {', '.join(missing)} "
                                f"(expected {', '.join(layout.required)})", line=number, field=missing[0])
    return header


def read_experiments(path: Path, policy: Policy, db: Database, stats: FileStats) -> Iterator[Experiment]:
    """Experiment (study) records; an ID seen twice is a bad line."""
    seen: dict[str, int] = {}
    for line in read_lines(path, db.experiments, policy, stats):
        try:
            experiment = _experiment(line, db, seen)
        except SourceError as error:
            policy.reject(error)
            continue
        seen[experiment.id] = line.line
        yield experiment


def _experiment(line: Row, db: Database, seen: dict[str, int]) -> Experiment:
    ident = line["EXPERIMENT ID"]
    if not ident:
        raise line.error("EXPERIMENT ID", "required field is empty")
    if ident in seen:
        raise line.error("EXPERIMENT ID", f"experiment {ident!r} already defined on line {seen[ident]}")
    pmid = line["PUBMED ID"]
    if pmid and not _DIGITS.match(pmid):
        raise line.error("PUBMED ID", f"{pmid!r} is not a PubMed ID (expected a positive integer)")
    printed = line["VESICLE TYPE"]
    return Experiment(line, ident, pmid, line["SPECIES"], ev_type(printed, db.default_ev_type), printed)


def read_content(path: Path, policy: Policy, db: Database, stats: FileStats, experiments: set[str] | None,
                 progress: Callable[[int], None] = lambda n: None) -> Iterator[Content]:
    """Content (cargo) records. With ``experiments`` given, each must name one of them."""
    for line in read_lines(path, db.content, policy, stats, progress):
        try:
            yield _content(line, experiments)
        except SourceError as error:
            policy.reject(error)


def _content(line: Row, experiments: set[str] | None) -> Content:
    symbol, entrez = line["GENE SYMBOL"], line["ENTREZ GENE ID"]
    try:
        kind = content_type(line["CONTENT TYPE"])
    except ValueError as exc:
        raise line.error("CONTENT TYPE", str(exc)) from None
    if not symbol:
        raise line.error("GENE SYMBOL", "required field is empty")
    if entrez and not _DIGITS.match(entrez):
        raise line.error("ENTREZ GENE ID", f"{entrez!r} is not an NCBI Gene ID (expected a positive integer)")
    if not entrez and kind in GENE_CONTENT:
        raise line.error("ENTREZ GENE ID", f"required for {line['CONTENT TYPE']} entries, but empty")
    experiment = line["EXPERIMENT ID"]
    if "EXPERIMENT ID" in line.values and not experiment:
        raise line.error("EXPERIMENT ID", "required field is empty")
    if experiments is not None and experiment and experiment not in experiments:
        raise line.error("EXPERIMENT ID", f"experiment {experiment!r} is not in the experiments file")
    return Content(line, line["CONTENT ID"], kind, entrez, symbol, line["SPECIES"], experiment,
                   tuple(line.list("METHODS")))
