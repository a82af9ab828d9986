"""The commands that publish a release: `evrdf build`, `evrdf update` and `evrdf publish` (to a remote store)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from evrdf.cli.common import BACKEND_HELP, REMOTE_HELP, STORE_HELP, cli, settings_from
from evrdf.settings import Settings

if TYPE_CHECKING:
    from evrdf.validate.report import Result


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
@click.option("--allow-shrink", is_flag=True,
              help="publish even if a curated table lost more than half its rows since the published release")
def build(store: Path | None, base_iri: str | None, sources: Path | None, add: tuple[Path, ...],
          reason: bool, backend: str | None = None, remote_url: str | None = None, fail_on: str = "violation",
          allow_warnings: bool = False, allow_shrink: bool = False) -> None:
    """Build the knowledge graph from the curated sources and publish it into the store."""
    from evrdf.pipeline.build import build as run_build

    settings = settings_from(store=store, base_iri=base_iri, sources=sources,
                         backend=backend or ("remote" if remote_url else None), remote_url=remote_url)
    from evrdf.errors import ValidationError

    try:
        report = run_build(settings, add=list(add), reason=reason, progress=lambda m: click.echo(f"  {m}", err=True),
                           fail_on="violation" if allow_warnings else fail_on, allow_shrink=allow_shrink)
    except ValidationError as exc:
        from evrdf.validate.render import text
        from evrdf.validate.report import carried

        click.echo(text(carried(exc)), err=True)
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


def _report_added(results: list[Result]) -> None:
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
    settings = settings_from(store=store, remote_url=remote_url, base_iri=base_iri, backend="remote")
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
def update(sparql: str | None, update_file: TextIO | None, store: Path | None, base_iri: str | None,
           backend: str | None, remote_url: str | None, fail_on: str) -> None:
    """Apply a SPARQL 1.1 Update and publish the result as a new release.

    Updates write into <base>graph/updates (their default graph) and graphs under it only; `evrdf build`
    carries those graphs forward."""
    from evrdf.errors import ValidationError
    from evrdf.pipeline.update import apply_update

    text = update_file.read() if update_file is not None else sparql
    if not text:
        raise click.UsageError("give the update as an argument or with --file")
    settings = settings_from(store=store, base_iri=base_iri, backend=backend or ("remote" if remote_url else None),
                         remote_url=remote_url)
    try:
        done = apply_update(settings, text, client="cli", fail_on=fail_on, federation_allow=settings.federation_allow)
    except ValidationError as exc:
        from evrdf.validate.render import text as render_text
        from evrdf.validate.report import carried

        click.echo(render_text(carried(exc)), err=True)
        raise
    click.echo(f"published release {done.release} (was {done.previous}): {done.inserted} triples inserted, "
               f"{done.deleted} deleted in {done.seconds:.1f} s")
    for graph, count in done.graphs.items():
        click.echo(f"    {count:>7}  {graph}")
    if settings.backend == "remote":
        _publish_remote(settings, settings.store / "current")
