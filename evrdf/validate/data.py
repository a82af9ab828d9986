"""What gets validated, loaded into an in-memory Oxigraph dataset: RDF files, the published release, or a remote
SPARQL endpoint. Each named graph remembers where it came from, so results can point back to a file."""

from __future__ import annotations

import mmap
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

import pyoxigraph as ox

from evrdf.errors import SourceError, StoreError
from evrdf.iris import Iris

FILE_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".owl": ox.RdfFormat.RDF_XML, ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD,
}
ENDPOINT_TIMEOUT_S = 120


@dataclass
class Dataset:
    """An in-memory dataset and, per named graph, the file or source it was read from."""

    store: ox.Store = field(default_factory=ox.Store)
    origins: dict[str, str] = field(default_factory=dict)
    description: str = ""

    def __len__(self) -> int:
        return len(self.store)

    def load(self, data: bytes | str | IO[bytes], fmt: ox.RdfFormat, graph: str, origin: str) -> None:
        # load, not bulk_load: into an in-memory store it costs the same time, and its peak at 1.6 million
        # triples is 543 MB, not 674 MB (bulk_load buffers the parsed quads before it inserts them)
        self.store.load(data, format=fmt, to_graph=ox.NamedNode(graph))
        self.origins[graph] = origin


def file_format(path: Path) -> ox.RdfFormat:
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(path, f"unknown RDF file extension {path.suffix!r} "
                                f"(use one of {', '.join(sorted(FILE_FORMATS))})")
    return fmt


def from_files(paths: list[Path], base_iri: str, dataset: Dataset | None = None) -> Dataset:
    """Each file in its own graph (<base>graph/added/<stem>, as `build --add` names it); quads keep theirs."""
    dataset = dataset if dataset is not None else Dataset(description=", ".join(str(p) for p in paths))
    iris = Iris(base_iri)
    for path in paths:
        fmt = file_format(path)
        if not path.is_file():
            raise SourceError(path, "file not found")
        target = ox.NamedNode(str(iris.graph("added", path.stem)))
        staging = ox.Store()  # parse fully before touching the dataset, so a bad file leaves it as it was
        try:
            if keeps_blank_nodes_apart(path, fmt):  # the whole file parsed and indexed in Rust
                staging.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(), to_graph=target)
            else:
                staging.bulk_extend(_renamed(path, fmt, target))
        except SyntaxError as exc:
            raise SourceError(path, f"RDF syntax error: {exc.msg}", line=exc.lineno) from None
        except (ValueError, OSError) as exc:
            raise SourceError(path, f"cannot read RDF: {exc}") from None
        graphs = {g.value for g in staging.named_graphs() if isinstance(g, ox.NamedNode)}
        dataset.store = merged(dataset.store, staging)
        for graph in graphs:
            dataset.origins[graph] = path.name
    return dataset


# formats whose parser gives every unlabelled blank node ([] and collections) a fresh random id, and where a
# labelled one is spelled _:label: a file without "_:" then cannot share a blank node with another document
_LABELS_SPELLED = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def keeps_blank_nodes_apart(path: Path, fmt: ox.RdfFormat) -> bool:
    """Whether ``path`` may be bulk-loaded as it is (parsed in Rust, fast) rather than parsed quad by quad with
    its blank nodes renamed (RDF 1.1 Concepts, 3.4: blank node labels are local to their document): true when
    the format labels blank nodes only as ``_:label`` and the file holds no ``_:`` (one memory-mapped search)."""
    if fmt not in _LABELS_SPELLED:
        return False
    if path.stat().st_size == 0:
        return True
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"_:") < 0


def _renamed(path: Path, fmt: ox.RdfFormat, target: ox.NamedNode) -> Iterator[ox.Quad]:
    for q in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri(), rename_blank_nodes=True):
        graph = target if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
        yield ox.Quad(q.subject, q.predicate, q.object, graph)


def merged(into: ox.Store, other: ox.Store) -> ox.Store:
    """The union of two in-memory stores: the smaller one copied into the larger one through N-Quads bytes
    (dumped and bulk-loaded in Rust; a Python loop over millions of quads costs seconds)."""
    if len(into) < len(other):
        into, other = other, into
    if len(other):
        into.bulk_load(other.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    return into


def from_bytes(body: bytes, fmt: ox.RdfFormat, graph: str, origin: str) -> Dataset:
    dataset = Dataset(description=origin)
    try:
        dataset.load(body, fmt, graph, origin)
    except SyntaxError as exc:
        raise SourceError(origin, f"RDF syntax error: {exc.msg}", line=exc.lineno) from None
    except ValueError as exc:
        raise SourceError(origin, f"cannot read RDF: {exc}") from None
    return dataset


def from_release(release_dir: Path) -> Dataset:
    """The published release, from its full N-Quads dump (the release store itself is opened read-only)."""
    dump = release_dir / "files" / "evrdf.nq"
    if not dump.is_file():
        raise StoreError(f"the release in {release_dir} has no dump files/evrdf.nq to validate")
    dataset = Dataset(description=f"release {release_dir.name}")
    dataset.store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    for graph in dataset.store.named_graphs():
        if isinstance(graph, ox.NamedNode):
            dataset.origins[graph.value] = "graph " + graph.value.rstrip("/").rsplit("/", 1)[-1]
    return dataset


def from_endpoint(url: str) -> Dataset:
    """A remote graph through the SPARQL 1.1 Protocol: one CONSTRUCT of the default graph, as N-Triples."""
    if not url.startswith(("http://", "https://")):
        raise SourceError(url, "the endpoint must be an http(s) URL")
    body = urllib.parse.urlencode({"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/n-triples, text/turtle;q=0.9"})
    try:
        with urllib.request.urlopen(request, timeout=ENDPOINT_TIMEOUT_S) as response:
            media = response.headers.get_content_type()
            data = response.read()
    except urllib.error.HTTPError as exc:
        raise SourceError(url, f"the endpoint answered HTTP {exc.code}: {exc.read()[:200]!r}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SourceError(url, f"cannot reach the endpoint: {exc}") from None
    fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
    return from_bytes(data, fmt, url, url)
