"""The `evrdf` command: one subcommand per pipeline stage. The only place errors become exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

import click

from evrdf import __version__
from evrdf.errors import EvrdfError
from evrdf.settings import Settings

STORE_HELP = "store directory (default: $EVRDF_STORE or var/store)"
BACKEND_HELP = "oxigraph (embedded, default) or remote (also publish to / serve from $EVRDF_REMOTE_URL)"
REMOTE_HELP = ("base URL of a remote SPARQL store, e.g. Virtuoso's http://host:8890 (default: $EVRDF_REMOTE_URL; "
               "credentials from $EVRDF_REMOTE_USER and $EVRDF_REMOTE_PASSWORD)")


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
@click.option("--backend", type=click.Choice(["oxigraph", "remote"]), help=BACKEND_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
@click.option("--fail-on", type=click.Choice(["violation", "warning"]), default="violation", show_default=True,
              help="SHACL severity that stops publishing (as ROBOT's --fail-on)")
@click.option("--allow-warnings", is_flag=True, help="SHACL warnings never stop publishing (as pySHACL's)")
def build(store: Path | None, base_iri: str | None, sources: Path | None, add: tuple[Path, ...],
          reason: bool, backend: str | None = None, remote_url: str | None = None, fail_on: str = "violation",
          allow_warnings: bool = False) -> None:
    """Build the knowledge graph from the curated sources and publish it into the store."""
    from evrdf.pipeline.build import build as run_build

    settings = _settings(store=store, base_iri=base_iri, sources=sources,
                         backend=backend or ("remote" if remote_url else None), remote_url=remote_url)
    from evrdf.errors import ValidationError

    try:
        report = run_build(settings, add=list(add), reason=reason, progress=lambda m: click.echo(f"  {m}", err=True),
                           fail_on="violation" if allow_warnings else fail_on)
    except ValidationError as exc:
        from evrdf.validate.render import text

        click.echo(text(exc.report), err=True)  # type: ignore[arg-type]
        raise
    click.echo(f"published release {report.release} in {report.store}"
               + (f" (revises {report.previous}: {report.changes.headline()})" if report.previous and report.changes
                  else ""))
    click.echo(f"  {report.triples} triples in {len(report.graphs)} named graphs; {report.findings} findings, "
               f"{report.references} references, {report.genes} genes, {report.pairs} ligand-receptor pairs, "
               f"{report.terms} curated terms")
    for graph, count in report.graphs.items():
        click.echo(f"    {count:>7}  {graph}")
    if report.added_results:
        _report_added(report.added_results)
    for term in report.deprecated:
        click.echo(f"  deprecated (gone from the curated tables): {term}")
    reasoner = f"; reasoner {report.reasoner_seconds:.1f} s" if report.reasoner_seconds is not None else ""
    click.echo(f"  took {report.seconds:.1f} s{reasoner}; changelog {report.changelog_seconds:.2f} s")
    click.echo("  stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.stages.items()))
    if settings.backend == "remote":
        _publish_remote(settings, settings.store / "current")


SHOWN_ADDED_RESULTS = 20


def _report_added(results: list) -> None:  # type: ignore[type-arg]
    """What evrdf's shapes say about the --add files: published as they are, so reported, not blocking."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.severity.value] = counts.get(result.severity.value, 0) + 1
    summary = ", ".join(f"{n} {s.lower()}" for s, n in counts.items())
    click.echo(f"  the added files were published as they are; evrdf's shapes report about them ({summary}; "
               "not blocking):", err=True)
    for result in results[:SHOWN_ADDED_RESULTS]:
        where = f"{result.source_row}: " if result.source_row else ""
        click.echo(f"    {result.severity.value.upper()} {where}{result.focus}: {result.message}", err=True)
    if len(results) > SHOWN_ADDED_RESULTS:
        click.echo(f"    ... and {len(results) - SHOWN_ADDED_RESULTS} more (evrdf validate FILE lists them all)",
                   err=True)


def _publish_remote(settings: Settings, release_dir: Path) -> None:
    from evrdf.store.publish_remote import publish as publish_remote
    from evrdf.store.remote import RemoteStore

    remote = RemoteStore.from_settings(settings)
    done = publish_remote(remote, release_dir.resolve(), progress=lambda m: click.echo(f"  {m}", err=True))
    click.echo(f"published release {done.release} to {remote.endpoints.query}: "
               f"{sum(done.graphs.values())} triples in {len(done.graphs)} graphs in {done.seconds:.1f} s"
               + (f"; dropped release {', '.join(done.dropped)}" if done.dropped else ""))


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
def publish(store: Path | None, remote_url: str | None, base_iri: str | None) -> None:
    """Publish the store's current release to a remote SPARQL store (atomic for its readers)."""
    settings = _settings(store=store, remote_url=remote_url, base_iri=base_iri, backend="remote")
    _publish_remote(settings, settings.store / "current")


@cli.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "update_file", type=click.File("r", encoding="utf-8"), help="read the update from FILE")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--backend", type=click.Choice(["oxigraph", "remote"]), help=BACKEND_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
@click.option("--fail-on", type=click.Choice(["violation", "warning"]), default="violation", show_default=True,
              help="SHACL severity that stops publishing")
def update(sparql: str | None, update_file: object, store: Path | None, base_iri: str | None,
           backend: str | None, remote_url: str | None, fail_on: str) -> None:
    """Apply a SPARQL 1.1 Update and publish the result as a new release.

    Updates write into <base>graph/updates (their default graph) and graphs under it only; `evrdf build`
    carries those graphs forward."""
    from evrdf.errors import ValidationError
    from evrdf.pipeline.update import apply_update

    text = update_file.read() if update_file is not None else sparql  # type: ignore[attr-defined]
    if not text:
        raise click.UsageError("give the update as an argument or with --file")
    settings = _settings(store=store, base_iri=base_iri, backend=backend or ("remote" if remote_url else None),
                         remote_url=remote_url)
    try:
        done = apply_update(settings, text, client="cli", fail_on=fail_on, federation_allow=settings.federation_allow)
    except ValidationError as exc:
        from evrdf.validate.render import text as render_text

        click.echo(render_text(exc.report), err=True)  # type: ignore[arg-type]
        raise
    click.echo(f"published release {done.release} (was {done.previous}): {done.inserted} triples inserted, "
               f"{done.deleted} deleted in {done.seconds:.1f} s")
    for graph, count in done.graphs.items():
        click.echo(f"    {count:>7}  {graph}")
    if settings.backend == "remote":
        _publish_remote(settings, settings.store / "current")


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
    settings = _settings(store=store, backend=backend or ("remote" if remote_url else None), remote_url=remote_url)
    return served_base(settings, explicit=os.environ.get("EVRDF_BASE_IRI"))


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--host", default=None, help="interface to bind (default 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default 5000)")
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--backend", type=click.Choice(["oxigraph", "remote"]), help=BACKEND_HELP)
@click.option("--remote", "remote_url", help=REMOTE_HELP)
@click.option("--workers", default=0, type=click.IntRange(min=0), show_default=True,
              help="production: N gunicorn worker processes (0 = the single-process development server)")
@click.option("--threads", default=4, type=click.IntRange(min=1), show_default=True,
              help="threads per gunicorn worker (with --workers)")
@click.option("--timeout", "timeout", default=None, type=float, help="per-query timeout in seconds (default 30)")
def serve(store: Path | None, host: str | None, port: int | None, base_iri: str | None,
          backend: str | None = None, remote_url: str | None = None, workers: int = 0, threads: int = 4,
          timeout: float | None = None) -> None:
    """Serve the published store over HTTP (SPARQL endpoint at /sparql)."""
    from evrdf.serve.app import create_app
    from evrdf.store import open_store

    settings = _settings(store=store, host=host, port=port, base_iri=base_iri,
                         backend=backend or ("remote" if remote_url else None), remote_url=remote_url,
                         query_timeout_s=timeout)
    settings = served_base(settings, explicit=base_iri or os.environ.get("EVRDF_BASE_IRI"))
    store_ = open_store(settings)
    info = store_.release()  # fail now, not on the first request, if nothing is published
    if info.get("base_iri") and info["base_iri"] != settings.base_iri:
        raise click.UsageError(f"the published release was built for base IRI {info['base_iri']}, not "
                               f"{settings.base_iri}: serve it without --base-iri (or rebuild with this one)")
    if workers:
        from evrdf.serve.production import serve as serve_production

        click.echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/ with {workers} gunicorn "
                   f"workers x {threads} threads", err=True)
        serve_production(settings, workers, threads)
        return
    app = create_app(settings, store_)
    click.echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/ (SPARQL: /sparql)", err=True)
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


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="text for people, json, or ttl (the changelog as RDF, as the metadata graph holds it)")
def diff(old: str, new: str, store: Path | None, fmt: str) -> None:
    """What changed between two releases of the store: triples per graph, terms and findings.

    OLD and NEW are release ids (see `evrdf releases`), or current, previous, latest."""
    from evrdf.errors import StoreError
    from evrdf.release.compare import between, render
    from evrdf.release.index import ReleaseIndex

    index = ReleaseIndex(_settings(store=store).store)
    found = []
    for name in (old, new):
        record = index.resolve(name)
        if record is None:
            known = ", ".join(index.ids()[:10]) or "none"
            raise StoreError(f"no release {name!r} in {index.root} (newest: {known})")
        found.append(record)
    log = between(found[0], found[1])
    click.echo(render(log, fmt, str(found[1].info.get("base_iri", ""))), nl=False)


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
def releases(store: Path | None) -> None:
    """Every release the store has published, newest first, with what changed in each."""
    from evrdf.release.changes import Changelog
    from evrdf.release.index import ReleaseIndex

    index = ReleaseIndex(_settings(store=store).store)
    current = index.current()
    for record in index.records():
        changes = record.changes()
        headline = Changelog.from_json(changes).headline() if changes else "(no changelog)"
        marks = ("*" if current and record.id == current.id else " ") + ("" if record.has_store else " files only")
        click.echo(f"{marks[0]} {record.id:<24} {record.built:<26} {record.kind:<7} {headline}{marks[1:]}")


DATABASES = ("vesiclepedia", "exocarta")
SHOWN_REJECTIONS = 20


@cli.command("import")
@click.argument("database", type=click.Choice(DATABASES))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--experiments", type=click.Path(path_type=Path, dir_okay=False),
              help="the database's EXPERIMENT_DETAILS file (species, sample, methods, EV type, PubMed ID)")
@click.option("--release", help="database release, e.g. 5.1 (default: read from the file name)")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="fail", show_default=True,
              help="a malformed line fails the import, or is reported and skipped")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--sources", type=click.Path(path_type=Path, file_okay=False),
              help="ontology/ folder (its curated genes align imported cargo to HGNC and UniProt)")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="check the converted graph against the SHACL shapes before staging it")
def import_(database: str, path: Path, experiments: Path | None, release: str | None, on_error: str,
            store: Path | None, base_iri: str | None, sources: Path | None, validate: bool) -> None:
    """Convert a Vesiclepedia or ExoCarta download and stage it; the next `evrdf build` publishes it."""
    import importlib

    from evrdf.ingest.evdb import release_from_name
    from evrdf.pipeline.imports import import_database

    settings = _settings(store=store, base_iri=base_iri, sources=sources)
    db = importlib.import_module(f"evrdf.ingest.{database}").DATABASE
    release = release or release_from_name(path.name)
    if not release:
        raise click.UsageError(f"cannot read the release from {path.name!r}; give --release")
    shown = [0]

    def report(error: EvrdfError) -> None:
        shown[0] += 1
        if shown[0] <= SHOWN_REJECTIONS:
            click.echo(f"  skipped {error}", err=True)

    size = path.stat().st_size if path.is_file() else 0
    with click.progressbar(length=size, label=f"importing {path.name}", file=sys.stderr) as bar:
        pending = [0]

        def progress(n: int) -> None:
            pending[0] += n
            if pending[0] >= 1 << 20:
                bar.update(pending[0])
                pending[0] = 0

        from evrdf.errors import ValidationError

        try:
            result, staged = import_database(settings, db, path, experiments, release,
                                             on_error, report, progress, validate)  # type: ignore[arg-type]
        except ValidationError as exc:
            from evrdf.validate.render import text

            click.echo("\n" + text(exc.report), err=True)  # type: ignore[arg-type]
            raise
        bar.update(pending[0])
    if result.rejected > SHOWN_REJECTIONS:
        click.echo(f"  ... and {result.rejected - SHOWN_REJECTIONS} more skipped lines", err=True)
    click.echo(f"{db.title} {release}: read {result.lines} lines, loaded {result.entries} entries and "
               f"{result.experiments} experiments ({result.quads} quads), rejected {result.rejected} lines")
    click.echo(f"  staged {staged} as graph <{result.graph}>; `evrdf build` publishes it")
    click.echo(f"  took {result.seconds:.1f} s")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP + "; validated when no FILE is given")
@click.option("--endpoint", help="validate the graph behind this SPARQL endpoint URL instead")
@click.option("--shapes", "shapes_dir", type=click.Path(path_type=Path, file_okay=False),
              help="folder of SHACL shapes (*.ttl; default: the shapes evrdf publishes)")
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl", "jsonld", "junit"]), default="text",
              show_default=True, help="report format")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="lowest severity that makes the data not conform (exit 1)")
@click.option("--allow-warnings", is_flag=True, help="warnings and infos never fail (same as --fail-on violation)")
@click.option("--engine", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph", show_default=True,
              help="shapes compiled to SPARQL on Oxigraph, or pySHACL (the reference; slow beyond small inputs)")
@click.option("--record/--no-record", default=True, show_default=True,
              help="record runs over the published graph in the validation history")
def validate(files: tuple[Path, ...], store: Path | None, endpoint: str | None, shapes_dir: Path | None,
             base_iri: str | None, fmt: str, fail_on: str, allow_warnings: bool, engine: str,
             record: bool) -> None:
    """Validate RDF files, the published graph or a SPARQL endpoint against the SHACL shapes.

    Exit codes: 0 conforms, 1 does not conform, 2 usage or input error.
    """
    from evrdf.validate.render import render
    from evrdf.validate.report import Severity
    from evrdf.validate.run import validate_endpoint, validate_files, validate_store

    if files and endpoint:
        raise click.UsageError("give FILEs or --endpoint, not both")
    settings = _settings(store=store, base_iri=base_iri)
    options = {"shapes_dir": shapes_dir, "engine": engine,
               "fail_on": Severity.parse("violation" if allow_warnings else fail_on)}
    try:
        if files:
            report = validate_files(list(files), settings, **options)
        elif endpoint:
            report = validate_endpoint(endpoint, settings, **options)
        else:
            from evrdf.store.oxigraph import OxigraphStore

            report = validate_store(settings, OxigraphStore(settings.store), **options)
            if record:
                from evrdf.validate.history import History

                History(settings.store, settings.base_iri).record(report)
    except EvrdfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(render(report, fmt, settings.base_iri), nl=False)
    sys.exit(0 if report.conforms else 1)


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
    except OSError as exc:  # no permission, disk full, read-only file system: one line naming the path
        from evrdf.errors import os_message

        click.echo(f"error: {os_message(exc)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
