"""Minting evrdf IRIs under a configurable base.

>>> iris = Iris("https://w3id.org/evrdf/")
>>> iris.term("Exosome")
rdflib.term.URIRef('https://w3id.org/evrdf/ontology/Exosome')
>>> iris.gene("HGNC:10672")
rdflib.term.URIRef('https://w3id.org/evrdf/gene/HGNC_10672')
>>> iris.graph("bian2019")
rdflib.term.URIRef('https://w3id.org/evrdf/graph/bian2019')
>>> Iris("http://127.0.0.1:5000/").finding("bian2019-t1-01")
rdflib.term.URIRef('http://127.0.0.1:5000/finding/bian2019-t1-01')
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from rdflib import URIRef

from evrdf.settings import DEFAULT_BASE_IRI


@dataclass(frozen=True)
class Iris:
    base: str = DEFAULT_BASE_IRI

    def _mint(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(quote(p, safe="-_.") for p in parts))

    @property
    def ontology(self) -> URIRef:
        return URIRef(self.base + "ontology")

    @property
    def vocab(self) -> str:
        return self.base + "ontology/"

    def term(self, local: str) -> URIRef:
        return URIRef(self.vocab + local)

    def version_iri(self, version: str) -> URIRef:
        return self._mint("releases", version, "evrdf.owl")

    def gene(self, hgnc_id: str) -> URIRef:
        return self._mint("gene", hgnc_id.replace(":", "_"))

    def pair(self, resource: str, ligand_hgnc: str, receptor_hgnc: str) -> URIRef:
        return self._mint("pair", resource, f"{ligand_hgnc.replace(':', '_')}--{receptor_hgnc.replace(':', '_')}")

    def reference(self, ref_id: str) -> URIRef:
        return self._mint("reference", ref_id)

    def axis(self, ligand_hgnc: str, receptor_hgnc: str) -> URIRef:
        return self._mint("axis", f"{ligand_hgnc.replace(':', '_')}--{receptor_hgnc.replace(':', '_')}")

    def cited(self, ref_id: str, number: int) -> URIRef:
        """A reference number as the text of reference ``ref_id`` cites it (evo:CitedStatement)."""
        return self._mint("reference", ref_id, "cited", str(number))

    def finding(self, finding_id: str) -> URIRef:
        return self._mint("finding", finding_id)

    def source(self, key: str) -> URIRef:
        return self._mint("source", key)

    def graph(self, *key: str) -> URIRef:
        return self._mint("graph", *key)

    @property
    def dataset(self) -> URIRef:
        return URIRef(self.base + "dataset")

    def release(self, version: str) -> URIRef:
        return self._mint("releases", version, "")

    def rebase(self, text: str) -> str:
        """Rewrite the default base in hand-written files to the configured one."""
        return text if self.base == DEFAULT_BASE_IRI else text.replace(DEFAULT_BASE_IRI, self.base)
