"""Application factory: everything the app serves is passed in; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request

from evrdf.settings import Settings
from evrdf.store.base import Store


def web_dir() -> Path:
    """Templates and static assets: the checkout's web/ folder, else the copy packaged in the wheel."""
    here = Path(__file__).resolve().parents[1]
    checkout = here.parent / "web"
    return checkout if (checkout / "templates").is_dir() else here / "_data" / "web"


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    settings = settings or Settings.from_env()
    if store is None:  # the backend the settings select (EVRDF_BACKEND), so every gunicorn worker honours it
        from evrdf.store import open_store

        store = open_store(settings)
    web = web_dir()
    app = Flask(__name__, template_folder=str(web / "templates"), static_folder=str(web / "static"))
    app.config["EVRDF_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes  # larger request bodies get 413

    from evrdf.serve.home import home_blueprint
    from evrdf.serve.sparql import sparql_blueprint

    app.register_blueprint(sparql_blueprint(store, settings))
    app.register_blueprint(home_blueprint(store, settings))

    from evrdf.serve.pages import pages_blueprint, term_page
    from evrdf.serve.releases import releases_blueprint
    from evrdf.serve.resources import resources_blueprint
    from evrdf.serve.search import search_blueprint
    from evrdf.serve.vocabulary import vocabulary_blueprint

    app.register_blueprint(pages_blueprint(store, settings))
    app.register_blueprint(releases_blueprint(store, settings))
    app.register_blueprint(search_blueprint(store, settings))
    app.register_blueprint(vocabulary_blueprint(store, settings))
    app.register_blueprint(__import__("evrdf.serve.validate", fromlist=["_"]).validate_blueprint(store, settings))
    from evrdf.serve.findings_table import RowCache, findings_blueprint
    from evrdf.serve.pictures import pictures_blueprint

    findings = RowCache(store, settings.base_iri + "ontology/")  # the table and the pictures share the rows
    app.register_blueprint(findings_blueprint(store, settings, findings))
    app.register_blueprint(pictures_blueprint(store, settings, findings))
    from evrdf.serve.hierarchy import hierarchy_blueprint

    app.register_blueprint(hierarchy_blueprint(store, settings))
    from evrdf.serve.identity import identity_blueprint

    app.register_blueprint(identity_blueprint(store, settings))
    # last: the catch-all for IRIs under the base
    app.register_blueprint(resources_blueprint(store, settings, term_page))
    from evrdf.serve.errors import install

    install(app)  # 4xx answers: a page in the site frame for browsers, text for machine clients

    @app.context_processor
    def site() -> dict[str, object]:
        from evrdf.prefixes import predeclared

        return {"base_iri": settings.base_iri, "prefixes": predeclared(settings.base_iri)}

    @app.template_filter("local")
    def local(iri: str) -> str:
        """Where an IRI under the base lives on this host (templates link our own IRIs here, never to the
        canonical host, which need not resolve to this server); other IRIs unchanged. ``<iri>`` works too."""
        bare = iri[1:-1] if iri.startswith("<") and iri.endswith(">") else iri
        base = settings.base_iri
        return request.script_root + "/" + bare[len(base):] if bare.startswith(base) else bare

    app.after_request(_cors)
    return app


CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, Content-Type, Content-Encoding, Link, "
                                         "Location, Vary"}


def _cors(response: Response) -> Response:
    """Everything the service publishes is public linked data: any origin may read it (browser-based linked-data
    and JSON-LD tools fetch documents, /context.jsonld and /api/search across origins). Preflights of any path
    are answered for the methods and headers readers send; /sparql answers its own (with POST)."""
    for name, value in CORS.items():
        response.headers.setdefault(name, value)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers.setdefault("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        response.headers.setdefault("Access-Control-Allow-Headers",
                                    "Accept, Accept-Language, If-None-Match, If-Modified-Since")
        response.headers.setdefault("Access-Control-Max-Age", "86400")
    return response
