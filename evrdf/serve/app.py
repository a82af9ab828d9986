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
    if store is None:
        from evrdf.store.oxigraph import OxigraphStore

        store = OxigraphStore(settings.store)
    web = web_dir()
    app = Flask(__name__, template_folder=str(web / "templates"), static_folder=str(web / "static"))
    app.config["EVRDF_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # query bodies larger than 1 MiB are refused with 413

    from evrdf.serve.home import home_blueprint
    from evrdf.serve.sparql import sparql_blueprint

    app.register_blueprint(sparql_blueprint(store, settings))
    app.register_blueprint(home_blueprint(store, settings))
    return app
