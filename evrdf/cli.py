"""The `evrdf` command: one subcommand per pipeline stage. The only place errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evrdf import __version__
from evrdf.errors import EvrdfError
from evrdf.settings import Settings

STORE_HELP = "store directory (default: $EVRDF_STORE or var/store)"


def _settings(**overrides: object) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evrdf")
def cli() -> None:
    """evrdf: extracellular vesicles and chemokines in cancer, as linked data."""


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--sources", type=click.Path(path_type=Path, file_okay=False),
              help="ontology/ folder with evrdf-core.ttl and curated/ (default: $EVRDF_SOURCES or the checkout's)")
@click.option("--add", "add", multiple=True, type=click.Path(path_type=Path),
              help="extra RDF file (N-Triples, Turtle, N-Quads, TriG, RDF/XML) to publish in its own named graph")
@click.option("--reason/--no-reason", default=True, show_default=True,
              help="check the ontology's consistency with HermiT before publishing")
def build(store: Path | None, base_iri: str | None, sources: Path | None, add: tuple[Path, ...],
          reason: bool) -> None:
    """Build the knowledge graph from the curated sources and publish it into the store."""
    from evrdf.build.pipeline import build as run_build

    settings = _settings(store=store, base_iri=base_iri, sources=sources)
    report = run_build(settings, add=list(add), reason=reason, progress=lambda m: click.echo(f"  {m}", err=True))
    click.echo(f"published release {report.release} (ontology {report.version}) in {report.store}")
    click.echo(f"  {report.triples} triples in {len(report.graphs)} named graphs; {report.findings} findings, "
               f"{report.references} references, {report.genes} genes, {report.pairs} ligand-receptor pairs, "
               f"{report.terms} curated terms")
    for graph, count in report.graphs.items():
        click.echo(f"    {count:>7}  {graph}")
    reasoner = f"; reasoner {report.reasoner_seconds:.1f} s" if report.reasoner_seconds is not None else ""
    click.echo(f"  took {report.seconds:.1f} s{reasoner}")


@cli.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="read the query from FILE")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, or a SPARQL results format (json, xml, csv, tsv) / RDF format (ttl, nt, nq, trig, "
                   "rdf, jsonld) for CONSTRUCT/DESCRIBE")
def query(sparql: str | None, query_file: object, store: Path | None, fmt: str) -> None:
    """Run a SPARQL query against the published store."""
    from evrdf.query import render

    if query_file is not None:
        sparql = query_file.read()  # type: ignore[attr-defined]
    if not sparql:
        raise click.UsageError("give a query as an argument or with --file")
    settings = _settings(store=store)
    from evrdf.store.oxigraph import OxigraphStore

    output = render(OxigraphStore(settings.store), sparql, fmt)
    sys.stdout.buffer.write(output)


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
def stats(store: Path | None) -> None:
    """Counts of what the published release holds."""
    from evrdf.query import statistics
    from evrdf.store.oxigraph import OxigraphStore

    settings = _settings(store=store)
    store_ = OxigraphStore(settings.store)
    info = store_.release()
    click.echo(f"release {info['release']} (ontology {info['ontology_version']}, built {info['built']})")
    for label, value in statistics(store_):
        click.echo(f"  {label:<28} {value}")


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--host", default=None, help="interface to bind (default 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default 5000)")
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
def serve(store: Path | None, host: str | None, port: int | None, base_iri: str | None) -> None:
    """Serve the published store over HTTP (SPARQL endpoint at /sparql)."""
    from evrdf.serve.app import create_app
    from evrdf.store.oxigraph import OxigraphStore

    settings = _settings(store=store, host=host, port=port, base_iri=base_iri)
    store_ = OxigraphStore(settings.store)
    store_.release()  # fail now, not on the first request, if nothing is published
    app = create_app(settings, store_)
    click.echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/ (SPARQL: /sparql)", err=True)
    app.run(host=settings.host, port=settings.port, threaded=True)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except EvrdfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
