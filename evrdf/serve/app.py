"""Application factory: everything the app serves is passed in; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

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

    from evrdf.serve.pages import pages_blueprint
    from evrdf.serve.releases import releases_blueprint
    from evrdf.serve.resources import resources_blueprint
    from evrdf.serve.search import search_blueprint

    app.register_blueprint(pages_blueprint(store, settings))
    app.register_blueprint(releases_blueprint(store, settings))
    app.register_blueprint(search_blueprint(store, settings))
    app.register_blueprint(__import__("evrdf.serve.validate", fromlist=["_"]).validate_blueprint(store, settings))
    app.register_blueprint(resources_blueprint(store, settings))  # last: the catch-all for IRIs under the base
    return app
