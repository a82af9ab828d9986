"""A term page's identity: its cross-references as links, "copy IRI", "cite this" and its schema.org JSON-LD.

The citation names what a reader actually used: the term's IRI in this release, the ontology's version IRI and
licence, as BibTeX (/cite.bib) and CSL-JSON (/cite.json), both downloadable. The embedded JSON-LD follows the
Bioschemas profiles (DefinedTerm for ontology terms, in the ontology as their DefinedTermSet; Protein for gene
products, with their species and UniProt/HGNC/NCBI Gene entries as sameAs) so search engines index the pages.
Everything comes from the store: the ontology header (title, creator, licence, version IRI) and the term's
own label, definition, synonyms and entries.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, request
from markupsafe import Markup

from evrdf.serve.resource_graph import exists
from evrdf.serve.xrefs import species_name, xref
from evrdf.settings import Settings
from evrdf.store.base import Store

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OBO = "http://purl.obolibrary.org/obo/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
PROFILES = {"DefinedTerm": "https://bioschemas.org/profiles/DefinedTerm/1.0-RELEASE",
            "Protein": "https://bioschemas.org/profiles/Protein/0.11-RELEASE"}
LICENCE_NAMES = {"https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0"}


def xref_link(kind: str, text: str) -> Markup:
    """An identifier as a link to its resolver (the text in <code> when it has none, like a gene symbol)."""
    found = xref(kind, text)
    if found is None:
        return Markup("<code>{}</code>").format(text)
    href, name = found
    return Markup('<a class="external xref" href="{}" title="{} entry"><code>{}</code></a>').format(href, name, text)


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([\\{}%&$#_])", r"\\\1", text)


class Identity:
    def __init__(self, store: Store, base: str):
        self.store, self.base = store, base
        self._header: tuple[str | None, dict[str, str]] = (None, {})

    def _select(self, sparql: str) -> list[dict[str, str]]:
        result = self.store.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in result]

    def header(self) -> dict[str, str]:
        """The ontology's title, creator, licence and version (read once per published release)."""
        release = self.store.release()
        if self._header[0] != release.get("release"):
            ontology = self.base + "ontology"
            found: dict[str, str] = {}
            for row in self._select(f"""SELECT ?p ?o WHERE {{ <{ontology}> ?p ?o
                    VALUES ?p {{ <{DCTERMS}title> <{DCTERMS}creator> <{DCTERMS}license> <{OWL}versionIRI>
                                 <{OWL}versionInfo> }} }}"""):
                found.setdefault(row["p"].rsplit("/", 1)[-1].rsplit("#", 1)[-1], row["o"])
            found.update(ontology=ontology, release=str(release.get("release", "")),
                         built=str(release.get("built", "")))
            found.setdefault("versionIRI", str(release.get("version_iri", "")))
            found.setdefault("versionInfo", str(release.get("ontology_version", "")))
            self._header = (release.get("release"), found)
        return self._header[1]

    def term(self, iri: str) -> dict[str, Any]:
        """The facts the citation and the JSON-LD use, by SPARQL: label, definition, synonyms, kind, entries."""
        facts: dict[str, Any] = {"iri": iri, "label": "", "definition": "", "synonyms": [], "same_as": [],
                                 "identifiers": [], "species": [], "is_class": False, "gene": False}
        vocab = self.base + "ontology/"
        for row in self._select(f"""SELECT ?p ?o WHERE {{ <{iri}> ?p ?o VALUES ?p {{ <{RDFS}label> <{SKOS}prefLabel>
                <{DCTERMS}title> <{OBO}IAO_0000115> <{SKOS}altLabel> <{OIO}hasExactSynonym> <{SKOS}exactMatch>
                <{vocab}uniprotEntry> <{vocab}hgncEntry> <{vocab}ncbiGeneEntry> <{vocab}hgncId>
                <{vocab}uniprotAccession> <{vocab}inSpecies> <{vocab}fullName> }} }} ORDER BY ?p ?o"""):
            p, o = row["p"], row["o"]
            if p in (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title") and not facts["label"]:
                facts["label"] = o
            elif p == OBO + "IAO_0000115" or (p == vocab + "fullName" and not facts["definition"]):
                facts["definition"] = o
            elif p in (SKOS + "altLabel", OIO + "hasExactSynonym"):
                facts["synonyms"].append(o)
            elif p in (SKOS + "exactMatch", vocab + "uniprotEntry", vocab + "hgncEntry", vocab + "ncbiGeneEntry"):
                if o not in facts["same_as"]:
                    facts["same_as"].append(o)
            elif p in (vocab + "hgncId", vocab + "uniprotAccession"):
                facts["identifiers"].append(o)
            elif p == vocab + "inSpecies":
                facts["species"].append(o)
        facts["is_class"] = bool(self.store.query(f"ASK {{ <{iri}> a <{OWL}Class> }}"))
        facts["gene"] = bool(self.store.query(f"ASK {{ <{iri}> a <{vocab}GeneProduct> }}"))
        facts["label"] = facts["label"] or iri.rstrip("/").rsplit("/", 1)[-1]
        return facts

    def csl(self, iri: str) -> list[dict[str, Any]]:
        """CSL-JSON: one dataset item, the term in this release."""
        head, term = self.header(), self.term(iri)
        built = _date(head["built"])
        licence = head.get("license", "")
        item: dict[str, Any] = {
            "id": f"evrdf-{head['release']}-{_key(iri)}", "type": "dataset",
            "title": f"{term['label']}", "container-title": head.get("title", "evrdf"),
            "author": [{"literal": head.get("creator", "evrdf developers")}],
            "version": head["versionInfo"], "URL": iri,
            "note": f"Release {head['release']}; ontology version IRI {head['versionIRI']}; licence "
                    f"{LICENCE_NAMES.get(licence, licence)} <{licence}>",
            "license": licence,
        }
        if built:
            item["issued"] = {"date-parts": [[built.year, built.month, built.day]]}
        return [item]

    def bibtex(self, iri: str) -> str:
        head, term = self.header(), self.term(iri)
        built = _date(head["built"])
        licence = head.get("license", "")
        fields = [("title", f"{term['label']}"), ("author", "{" + head.get("creator", "evrdf developers") + "}"),
                  ("howpublished", head.get("title", "evrdf")), ("version", head["versionInfo"]), ("url", iri),
                  ("note", f"Release {head['release']}, ontology version IRI {head['versionIRI']}, licence "
                           f"{LICENCE_NAMES.get(licence, licence)} ({licence})")]
        if built:
            fields += [("year", str(built.year)), ("month", str(built.month))]
        raw = {"url", "author"}  # a URL is verbatim in BibTeX; the author is a braced corporate name
        body = ",\n".join(f"  {name} = {{{value if name in raw else _bibtex_escape(value)}}}" for name, value in fields)
        return f"@misc{{evrdf_{head['release'].replace('-', '').replace('.', '_')}_{_key(iri)},\n{body}\n}}\n"

    def jsonld(self, iri: str) -> dict[str, Any]:
        """schema.org / Bioschemas markup for the term page."""
        head, term = self.header(), self.term(iri)
        kind = "Protein" if term["gene"] else "DefinedTerm"
        doc: dict[str, Any] = {"@context": "https://schema.org", "@type": kind, "@id": iri,
                               f"{DCTERMS}conformsTo": {"@id": PROFILES[kind]},
                               "name": term["label"], "url": iri}
        if term["definition"]:
            doc["description"] = term["definition"]
        if term["synonyms"]:
            doc["alternateName"] = sorted(set(term["synonyms"]))
        if term["same_as"]:
            doc["sameAs"] = term["same_as"]
        if kind == "DefinedTerm":
            doc["termCode"] = iri[len(self.base + "ontology/"):] if iri.startswith(self.base + "ontology/") \
                else iri.rstrip("/").rsplit("/", 1)[-1]
            doc["inDefinedTermSet"] = {"@type": "DefinedTermSet", "@id": head["ontology"],
                                       "name": head.get("title", "evrdf"), "version": head["versionInfo"],
                                       "license": head.get("license", "")}
        else:
            doc["identifier"] = term["identifiers"]
            doc["isPartOf"] = {"@type": "Dataset", "@id": head["ontology"], "name": head.get("title", "evrdf"),
                               "version": head["versionInfo"], "license": head.get("license", "")}
        if term["species"]:
            doc["taxonomicRange"] = [{"@type": "Taxon", "@id": s, "name": species_name(s) or s}
                                     for s in term["species"]]
        return doc


def _date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _key(iri: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", iri.rstrip("/").rsplit("/", 2)[-1]).strip("_") or "term"


def script_json(doc: Any) -> Markup:
    """JSON inside <script>: '</' (and '<!--') written so the HTML parser cannot end the element early."""
    return Markup(json.dumps(doc, ensure_ascii=False, indent=1).replace("<", "\\u003c"))


def identity_blueprint(store: Store, settings: Settings) -> Blueprint:
    bp = Blueprint("identity", __name__)
    identity = Identity(store, settings.base_iri)

    def term_arg() -> str:
        value = (request.args.get("iri") or "").strip()
        if not value:
            abort(Response("parameter 'iri' is required (the IRI of a term)\n", 400, mimetype="text/plain"))
        if not IRI.match(value) or not value.startswith(settings.base_iri):
            abort(Response(f"parameter 'iri' must be an IRI under {settings.base_iri}, not {value!r}\n", 400,
                           mimetype="text/plain"))
        if not exists(store, value, settings.base_iri):  # exactly the IRIs that have a page (resources.py)
            abort(Response(f"parameter 'iri': <{value}> is not in this dataset\n", 404, mimetype="text/plain"))
        return value

    def download(body: str, mimetype: str, iri: str, ext: str) -> Response:
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{_key(iri)}.{ext}"'
        return response

    @bp.get("/cite.bib")
    def bibtex() -> Response:
        iri = term_arg()
        return download(identity.bibtex(iri), "application/x-bibtex", iri, "bib")

    @bp.get("/cite.json")
    def csl() -> Response:
        iri = term_arg()
        text = json.dumps(identity.csl(iri), indent=2, ensure_ascii=False)
        return download(text, "application/vnd.citationstyles.csl+json",
                        iri, "json")

    bp.add_app_template_global(xref_link)

    @bp.app_template_global()
    def identity_for(iri: str) -> dict[str, Any] | None:
        """What _identity.html shows for a term page (None for IRIs outside this dataset's base)."""
        if not IRI.match(iri) or not iri.startswith(settings.base_iri):
            return None
        return {"bibtex": identity.bibtex(iri), "csl": json.dumps(identity.csl(iri), indent=2, ensure_ascii=False),
                "jsonld": script_json(identity.jsonld(iri))}

    return bp

