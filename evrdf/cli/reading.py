"""The commands that read the published release: `evrdf query`, `evrdf stats` and `evrdf serve`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

import click

from evrdf.cli.common import BACKEND_HELP, REMOTE_HELP, STORE_HELP, cli, settings_from
from evrdf.settings import Settings


@cli.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="read the query from FILE")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, or a SPARQL results format (json, xml, csv, tsv) / RDF format (ttl, nt, nq, trig, "
                   "rdf, jsonld) for CONSTRUCT/DESCRIBE")
@click.option("--backend", type=click.Choice(["oxigraph", "remote"]), help=BACKEND_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
def query(sparql: str | None, query_file: TextIO | None, store: Path | None, fmt: str,
          backend: str | None = None, remote_url: str | None = None) -> None:
    """Run a SPARQL query against the published store."""
    from evrdf.query import render
    from evrdf.store import open_store

    if query_file is not None:
        sparql = query_file.read()
    if not sparql:
        raise click.UsageError("give a query as an argument or with --file")
    settings = _read_settings(store, backend, remote_url).with_(memory_budget_bytes=0)  # one query: no copy
    output = render(open_store(settings), sparql, fmt)
    sys.stdout.buffer.write(output)


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--backend", type=click.Choice(["oxigraph", "remote"]), help=BACKEND_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
def stats(store: Path | None, backend: str | None = None, remote_url: str | None = None) -> None:
    """Counts of what the published release holds."""
    from evrdf.query import statistics
    from evrdf.store import open_store

    store_ = open_store(_read_settings(store, backend, remote_url))
    info = store_.release()
    click.echo(f"release {info['release']} (ontology {info['ontology_version']}, built {info['built']})")
    click.echo(f"  serving from {store_.preload()}: {store_.memory_note}")
    for label, value in statistics(store_):
        click.echo(f"  {label:<28} {value}")


def _read_settings(store: Path | None, backend: str | None, remote_url: str | None) -> Settings:
    """Settings for a command that reads the published store on the chosen backend, with the base IRI the
    release was built for (the remote store's pointer graph is named after it)."""
    settings = settings_from(store=store, backend=backend or ("remote" if remote_url else None), remote_url=remote_url)
    return served_base(settings, explicit=os.environ.get("EVRDF_BASE_IRI"))


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--host", default=None, help="interface to bind (default 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default 5000)")
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--backend", type=click.Choice(["oxigraph", "remote"]), help=BACKEND_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
@click.option("--workers", default=None, type=click.IntRange(min=0),
              help="gunicorn worker processes, each holding its own in-memory copy when serving from memory "
                   "(default, where the release fits the memory budget: N workers, each with its own copy, as many "
                   "as fit with room for the next release's copy during a swap, else one worker with N x --threads "
                   "threads holding the one copy; past the budget N workers serving from disk; N = the CPUs "
                   "available, at least 2, at most 4); 0 = the single-process development server, for debugging "
                   "only")
@click.option("--threads", default=4, type=click.IntRange(min=1), show_default=True,
              help="threads per gunicorn worker (the one-worker layout gets N x this many)")
@click.option("--timeout", "timeout", default=None, type=float, help="per-query timeout in seconds (default 30)")
def serve(store: Path | None, host: str | None, port: int | None, base_iri: str | None,
          backend: str | None = None, remote_url: str | None = None, workers: int | None = None, threads: int = 4,
          timeout: float | None = None) -> None:
    """Serve the published store over HTTP (SPARQL endpoint at /sparql) with gunicorn: by default, where the
    release fits the memory budget, workers each holding an in-memory copy (one worker holding the one copy for a
    big release), answering from disk while they load; else several workers serving from disk; --workers 0 runs
    Flask's development server instead."""
    from evrdf.serve.app import create_app
    from evrdf.store import open_store

    settings = settings_from(store=store, host=host, port=port, base_iri=base_iri,
                         backend=backend or ("remote" if remote_url else None), remote_url=remote_url,
                         query_timeout_s=timeout)
    settings = served_base(settings, explicit=base_iri or os.environ.get("EVRDF_BASE_IRI"))
    store_ = open_store(settings)
    info = store_.release()  # fail now, not on the first request, if nothing is published
    if info.get("base_iri") and info["base_iri"] != settings.base_iri:
        raise click.UsageError(f"the published release was built for base IRI {info['base_iri']}, not "
                               f"{settings.base_iri}: serve it without --base-iri (or rebuild with this one)")
    if workers != 0:
        from evrdf.serve.production import serve as serve_production

        serve_production(settings, workers, threads)
        return
    from evrdf.store.oxigraph import OxigraphStore

    if isinstance(store_, OxigraphStore):  # say so from the first request, not only once a query has run
        store_.serve_from_disk("the development server's query processes open the release on disk (`evrdf serve` "
                               "without --workers 0 serves it from memory)")
    app = create_app(settings, store_)
    click.echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/ with the development server "
               "(SPARQL: /sparql)", err=True)
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        timeout = settings.request_timeout_s  # an idle or slow connection is closed, its thread freed

    app.run(host=settings.host, port=settings.port, threaded=True, request_handler=Handler)


def served_base(settings: Settings, explicit: str | None) -> Settings:
    """The base IRI to serve: the one the release was built with (it minted every IRI in it), unless the
    operator names one, which must then agree with the release (checked once the store is open)."""
    if explicit:
        return settings
    from evrdf.errors import StoreError
    from evrdf.store.oxigraph import OxigraphStore

    try:  # the local release: the embedded store, or the build store beside a remote one
        built_for = OxigraphStore(settings.store).release().get("base_iri")
    except (StoreError, OSError, ValueError):
        return settings  # nothing published here: the store will say so when it is opened
    return settings.with_(base_iri=built_for) if built_for else settings
